/** The Cinder node plugin's public surface (a barrel only: the wiring is in `node-plugin.ts` and `service.ts`). */
export { createCinderNodePlugin, type CinderNodePluginSettings } from './node-plugin';
export { createCinderNodeService, NODE_CAPABILITIES, type CinderNodeService, type CinderNodeServiceOptions } from './service';
export { CONTEXT_EPHEMERAL } from './publish-volume';
export {
  createDeviceFinder,
  candidateLinkNames,
  serialMatchesVolume,
  DeviceNotFoundError,
  DEFAULT_DEVICE_WAIT,
  type DeviceFinder,
  type DeviceFinderOptions,
  type FoundDevice,
  type WaitSchedule,
} from './device-finder';
export {
  createConfigDriveSource,
  createMetadataServiceSource,
  createMetadataSources,
  metadataDocumentUrl,
  parseMetadataJson,
  parseSearchOrder,
  DEFAULT_METADATA_URL,
  DEFAULT_CONFIG_DRIVE_DEVICE,
  type InstanceMetadata,
  type MetadataSource,
  type MetadataSourceName,
  type ConfigDriveOptions,
  type MetadataServiceOptions,
} from '../../driver-kit/instance-identity/metadata';
export {
  createKubernetesNodeIdentityFallback,
  parseProviderId,
  zoneFromLabels,
  type NodeIdentityFallback,
  type KubernetesNodeIdentity,
} from '../../driver-kit/instance-identity/kubernetes-identity';
export {
  createNodeIdentityResolver,
  resolveNodeName,
  NodeIdentityUnavailableError,
  type NodeIdentity,
  type NodeIdentityResolver,
} from '../../driver-kit/instance-identity/node-identity';
export { sanitizeZone, resolveAttachLimit, MAX_VOLUMES_PER_NODE } from './node-info';
export { toNodeCsiError } from './errors';
export { DEFAULT_KUBELET_DIR } from './kubelet-paths';
