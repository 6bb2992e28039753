/**
 * Names shared by the Cinder controller and node plugins. They are part of the compatibility surface
 * with cloud-provider-openstack: StorageClasses, VolumeSnapshotClasses, PV topology and volume metadata
 * written by CPO must keep working unchanged.
 */

export const DRIVER_NAME = 'cinder.csi.openstack.org';

/** Topology segment key carrying the availability zone. */
export const TOPOLOGY_ZONE_KEY = 'topology.cinder.csi.openstack.org/zone';

/** CSI secret key choosing one of the configured clouds ("" = `[Global]`). */
export const SECRET_CLOUD_KEY = 'cloud';
export const DEFAULT_CLOUD_NAME = '';

export const VOLUME_DESCRIPTION = 'Created by OpenStack Cinder CSI driver';
export const SNAPSHOT_DESCRIPTION = 'Created by OpenStack Cinder CSI driver';

/** Metadata keys written on Cinder volumes, snapshots and backups. */
export const METADATA_CLUSTER = 'cinder.csi.openstack.org/cluster';
/** Ours only: a volume the controller abandoned and deletes in the background (value: why). */
export const METADATA_ABANDONED = 'cinder.csi.openstack.org/abandoned';
export const METADATA_PVC_NAME = 'csi.storage.k8s.io/pvc/name';
export const METADATA_PVC_NAMESPACE = 'csi.storage.k8s.io/pvc/namespace';
export const METADATA_PV_NAME = 'csi.storage.k8s.io/pv/name';
export const METADATA_VOLUMESNAPSHOT_NAME = 'csi.storage.k8s.io/volumesnapshot/name';
export const METADATA_VOLUMESNAPSHOT_NAMESPACE = 'csi.storage.k8s.io/volumesnapshot/namespace';
export const METADATA_VOLUMESNAPSHOTCONTENT_NAME = 'csi.storage.k8s.io/volumesnapshotcontent/name';

/** Volume context key telling NodeStageVolume to grow the filesystem of a volume made from a source. */
export const CONTEXT_RESIZE_REQUIRED = 'cinder.csi.openstack.org/resizeRequired';

/** Publish context keys returned by ControllerPublishVolume. */
export const PUBLISH_CONTEXT_DEVICE_PATH = 'DevicePath';
export const PUBLISH_CONTEXT_VOLUME_ID = 'VolumeID';

/** StorageClass parameters (CreateVolume, GetCapacity). */
export const PARAM_VOLUME_TYPE = 'type';
export const PARAM_AVAILABILITY = 'availability';
/** Legacy CPO StorageClass key; the node reads the fs type from the capability, so it is only tolerated. */
export const PARAM_LEGACY_FS_TYPE = 'fsType';
/** Keys the external-provisioner / snapshotter add (`--extra-create-metadata`, fstype, secrets). */
export const CSI_K8S_PARAMETER_PREFIX = 'csi.storage.k8s.io/';

/** VolumeSnapshotClass parameters (CreateSnapshot). */
export const PARAM_SNAPSHOT_TYPE = 'type';
export const PARAM_FORCE_CREATE = 'force-create';
export const PARAM_BACKUP_MAX_DURATION_PER_GB = 'backup-max-duration-seconds-per-gb';
export const DEFAULT_BACKUP_MAX_DURATION_SECONDS_PER_GB = 20;
/** Added on top of the per-GiB backup budget, as CPO does. */
export const BACKUP_DURATION_BASE_SECONDS = 30;

/** VolumeGroupSnapshotClass parameter: the Cinder group type used for the volume group. */
export const PARAM_GROUP_TYPE = 'group-type';

/** PVC annotations read with `--pvc-annotations` (volume names or IDs, comma separated). */
export const PVC_ANNOTATION_AFFINITY = 'cinder.csi.openstack.org/affinity';
export const PVC_ANNOTATION_ANTI_AFFINITY = 'cinder.csi.openstack.org/anti-affinity';

/** Volume type extra spec that makes Cinder create multi-attachable volumes. */
export const EXTRA_SPEC_MULTIATTACH = 'multiattach';
