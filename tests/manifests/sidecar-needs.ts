/**
 * What each sidecar needs from the Kubernetes API, from the sidecars' own `deploy/kubernetes/rbac.yaml`
 * (and the resources their current releases watch), per feature: `base` is always needed, the others only
 * when the sidecar runs with that feature gate on. Leader election (leases in the pod's namespace) is added
 * for every sidecar started with --leader-election=true. Keyed by the sidecar's image name
 * (registry.k8s.io/sig-storage/NAME), so container names may differ between deployments.
 */

export interface ApiNeed {
  group: string;
  resource: string;
  verbs: readonly string[];
}

export type Feature = 'base' | 'CSIVolumeGroupSnapshot' | 'VolumeAttributesClass';

export const SIDECAR_NEEDS: Record<string, Partial<Record<Feature, readonly ApiNeed[]>>> = {
  'csi-attacher': {
    base: [
      { group: '', resource: 'persistentvolumes', verbs: ['get', 'list', 'watch', 'patch'] },
      { group: 'storage.k8s.io', resource: 'csinodes', verbs: ['get', 'list', 'watch'] },
      { group: 'storage.k8s.io', resource: 'volumeattachments', verbs: ['get', 'list', 'watch', 'patch'] },
      { group: 'storage.k8s.io', resource: 'volumeattachments/status', verbs: ['patch'] },
    ],
  },
  'csi-provisioner': {
    base: [
      { group: '', resource: 'persistentvolumes', verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'] },
      { group: '', resource: 'persistentvolumeclaims', verbs: ['get', 'list', 'watch', 'update'] },
      { group: 'storage.k8s.io', resource: 'storageclasses', verbs: ['get', 'list', 'watch'] },
      { group: '', resource: 'events', verbs: ['list', 'watch', 'create', 'update', 'patch'] },
      { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshots', verbs: ['get', 'list'] },
      { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents', verbs: ['get', 'list'] },
      { group: 'storage.k8s.io', resource: 'csinodes', verbs: ['get', 'list', 'watch'] },
      { group: '', resource: 'nodes', verbs: ['get', 'list', 'watch'] },
      { group: 'storage.k8s.io', resource: 'volumeattachments', verbs: ['get', 'list', 'watch'] },
    ],
    VolumeAttributesClass: [{ group: 'storage.k8s.io', resource: 'volumeattributesclasses', verbs: ['get', 'list', 'watch'] }],
  },
  'csi-snapshotter': {
    base: [
      { group: '', resource: 'events', verbs: ['list', 'watch', 'create', 'update', 'patch'] },
      { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotclasses', verbs: ['get', 'list', 'watch'] },
      { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents', verbs: ['create', 'get', 'list', 'watch', 'update', 'patch'] },
      { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents/status', verbs: ['update', 'patch'] },
    ],
    CSIVolumeGroupSnapshot: [
      { group: 'groupsnapshot.storage.k8s.io', resource: 'volumegroupsnapshotclasses', verbs: ['get', 'list', 'watch'] },
      { group: 'groupsnapshot.storage.k8s.io', resource: 'volumegroupsnapshotcontents', verbs: ['get', 'list', 'watch', 'update', 'patch'] },
      { group: 'groupsnapshot.storage.k8s.io', resource: 'volumegroupsnapshotcontents/status', verbs: ['update', 'patch'] },
    ],
  },
  'csi-resizer': {
    base: [
      { group: '', resource: 'persistentvolumes', verbs: ['get', 'list', 'watch', 'patch'] },
      { group: '', resource: 'persistentvolumeclaims', verbs: ['get', 'list', 'watch'] },
      { group: '', resource: 'pods', verbs: ['list', 'watch'] },
      { group: '', resource: 'persistentvolumeclaims/status', verbs: ['patch'] },
      { group: '', resource: 'events', verbs: ['list', 'watch', 'create', 'update', 'patch'] },
    ],
    VolumeAttributesClass: [{ group: 'storage.k8s.io', resource: 'volumeattributesclasses', verbs: ['get', 'list', 'watch'] }],
  },
  livenessprobe: {},
  'csi-node-driver-registrar': {},
};

/**
 * Sidecars that fetch the Secret a class names (`csi.storage.k8s.io/provisioner-secret-name`,
 * `controller-expand-secret-name`, `snapshotter-secret-name`): needed when the driver's classes use them
 * (Manila's os-* secrets). The sidecars' rbac.yaml ship these rules commented out, "if your driver needs
 * secrets". Node-stage/publish secrets are read by the kubelet, not a sidecar.
 */
export const SECRET_REF_NEEDS: Record<string, readonly ApiNeed[]> = {
  'csi-provisioner': [{ group: '', resource: 'secrets', verbs: ['get'] }],
  'csi-snapshotter': [{ group: '', resource: 'secrets', verbs: ['get'] }],
  'csi-resizer': [{ group: '', resource: 'secrets', verbs: ['get'] }],
};

/** csi-provisioner with --enable-capacity (in its own namespace; a Role is enough). */
export const CAPACITY_NEEDS: readonly ApiNeed[] = [
  { group: 'storage.k8s.io', resource: 'csistoragecapacities', verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { group: '', resource: 'pods', verbs: ['get'] },
  { group: 'apps', resource: 'statefulsets', verbs: ['get'] },
];

export const LEADER_ELECTION_NEED: ApiNeed = {
  group: 'coordination.k8s.io',
  resource: 'leases',
  verbs: ['get', 'watch', 'list', 'delete', 'update', 'create'],
};

/**
 * Oldest release of each sidecar these manifests may name: the resizer must watch VolumeAttributesClass at
 * storage.k8s.io/v1 (v2.0.0+), the snapshotter must know groupsnapshot.storage.k8s.io/v1 (v8.6.0+).
 */
export const MINIMUM_SIDECAR_VERSIONS: Record<string, string> = {
  'csi-attacher': '4.11.0',
  'csi-provisioner': '6.4.0',
  'csi-snapshotter': '8.7.0',
  'csi-resizer': '2.3.0',
  livenessprobe: '2.20.0',
  'csi-node-driver-registrar': '2.17.0',
};
