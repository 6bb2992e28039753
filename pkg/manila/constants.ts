/**
 * Names the Manila CSI driver shares with cloud-provider-openstack's `manila-csi-plugin`, so existing
 * StorageClasses, PVs, secrets and node labels keep working after a switch.
 */

export const DRIVER_NAME = 'manila.csi.openstack.org';
export const TOPOLOGY_ZONE_KEY = 'topology.manila.csi.openstack.org/zone';

/** Share metadata written on every share this driver creates. */
export const METADATA_CLUSTER = 'manila.csi.openstack.org/cluster';
export const METADATA_PVC_NAME = 'csi.storage.k8s.io/pvc/name';
export const METADATA_PVC_NAMESPACE = 'csi.storage.k8s.io/pvc/namespace';
export const METADATA_PV_NAME = 'csi.storage.k8s.io/pv/name';
/** `nfs-nodeAccess=true`: the share's NFS rules are granted per publishing node, not at creation. */
export const METADATA_NFS_NODE_ACCESS = 'manila.csi.openstack.org/nfs-node-access';
/** Prefix of the per-node record of what ControllerPublishVolume granted: `<prefix><node ID>` = `rw:ip1,ip2`. */
export const METADATA_NODE_GRANT_PREFIX = 'manila.csi.openstack.org/node-access.';
/** On a clone: the share it was cloned from (idempotency: a retry must name the same source). */
export const METADATA_CLONE_OF = 'manila.csi.openstack.org/clone-of';
/** Name prefix of the transient snapshot a clone is made through (`<prefix><volume name>`). */
export const CLONE_SNAPSHOT_PREFIX = 'csi-clone-';
/** Keys `appendShareMetadata` may not override. */
export const RESERVED_METADATA_KEYS = [
  METADATA_CLUSTER,
  METADATA_PVC_NAME,
  METADATA_PVC_NAMESPACE,
  METADATA_PV_NAME,
  METADATA_NFS_NODE_ACCESS,
  METADATA_CLONE_OF,
] as const;

export const SHARE_DESCRIPTION = `provisioned-by=${DRIVER_NAME}`;
export const SNAPSHOT_DESCRIPTION = `provisioned-by=${DRIVER_NAME}`;

/** PVC annotations read with `--pvc-annotations` (scheduler hints need microversion 2.65). */
export const PVC_ANNOTATION_AFFINITY = 'manila.csi.openstack.org/affinity';
export const PVC_ANNOTATION_ANTI_AFFINITY = 'manila.csi.openstack.org/anti-affinity';
export const PVC_ANNOTATION_GROUP_ID = 'manila.csi.openstack.org/group-id';

/** Share type extra specs a snapshot-backed volume needs. */
export const EXTRA_SPEC_SNAPSHOT_SUPPORT = 'snapshot_support';
export const EXTRA_SPEC_CREATE_FROM_SNAPSHOT = 'create_share_from_snapshot_support';

/** Share metadata Manila's CephFS driver sets, e.g. `fs=cephfs`. */
export const METADATA_MOUNT_OPTIONS = '__mount_options';

/** Volume context keys (the StorageClass/PV attributes the node reads back). */
export const CONTEXT = {
  shareId: 'shareID',
  shareName: 'shareName',
  shareAccessIds: 'shareAccessIDs',
  /** Deprecated single-rule spelling of `shareAccessIDs`. */
  shareAccessId: 'shareAccessID',
  groupId: 'groupID',
  affinity: 'affinity',
  antiAffinity: 'antiAffinity',
  cephfsMounter: 'cephfs-mounter',
  cephfsKernelMountOptions: 'cephfs-kernelMountOptions',
  cephfsFuseMountOptions: 'cephfs-fuseMountOptions',
} as const;

export type ShareProtocol = 'NFS' | 'CEPHFS';
