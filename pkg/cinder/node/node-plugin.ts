/**
 * `createCinderNodePlugin`: the node service wired to the real host pieces (mounter, device finder,
 * metadata sources, Kubernetes fallback), from settings that map one-to-one onto cloud.conf and
 * command-line flags.
 */
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { createCommandExecutor, createMounter, type CommandExecutor, type Mounter } from '../../mounter';
import { createDeviceFinder, type WaitSchedule } from './device-finder';
import { createKubernetesNodeIdentityFallback, type NodeIdentityFallback } from '../../driver-kit/instance-identity/kubernetes-identity';
import { createMetadataSources, type MetadataSourceName } from '../../driver-kit/instance-identity/metadata';
import { createNodeIdentityResolver, resolveNodeName } from '../../driver-kit/instance-identity/node-identity';
import { createCinderNodeService, type CinderNodeService } from './service';

export interface CinderNodePluginSettings {
  logger?: Logger;
  /** `--driver-name`, for messages that name the driver. */
  driverName?: string;
  /** `--kubelet-dir`: staging and target paths must resolve inside it. Default /var/lib/kubelet. */
  kubeletDir?: string;
  /** Default: the real mounter. */
  mounter?: Mounter;
  executor?: CommandExecutor;
  /** Where udev's by-id links are (the simulator's `byIdDir` in tests). Default `/dev/disk/by-id`. */
  byIdDir?: string;
  /** sysfs root for serial files and SCSI rescans. Default `/sys`. */
  sysfsRoot?: string;
  /** Device node directory for devices found by serial. Default `/dev`. */
  devRoot?: string;
  deviceWait?: Partial<WaitSchedule>;
  /** Run `udevadm trigger` while waiting for a device. Default true. */
  udevTrigger?: boolean;
  /** cloud.conf `[Metadata]` plus test hooks. */
  metadata?: {
    searchOrder?: readonly MetadataSourceName[];
    requestTimeoutMs?: number;
    /** meta_data.json URL, or a base URL such as the simulator's `metadataUrlFor(serverId)`. */
    metadataUrl?: string;
    /** A directory holding `openstack/latest/meta_data.json` (e.g. the simulator's `configDriveDir(serverId)`). */
    configDriveDir?: string;
    configDriveDevice?: string;
  };
  /** cloud.conf `[BlockStorage]`. */
  blockStorage?: { nodeVolumeAttachLimit?: number; rescanOnResize?: boolean };
  /** `--additional-topology`, parsed with `parseAdditionalTopology`. */
  additionalTopology?: Record<string, string>;
  withTopology?: boolean;
  /** `--node-name`; else env NODE_NAME; else the hostname. */
  nodeName?: string;
  /** `--kubeconfig` for the providerID fallback. */
  kubeconfig?: string;
  /** The providerID fallback: default on (used only in a cluster or with a kubeconfig); false disables it. */
  kubernetesFallback?: boolean | NodeIdentityFallback;
}

export function createCinderNodePlugin(settings: CinderNodePluginSettings = {}): CinderNodeService {
  const logger = settings.logger ?? silentLogger;
  const executor = settings.executor ?? createCommandExecutor();
  const mounter = settings.mounter ?? createMounter({ executor, sysfsRoot: settings.sysfsRoot });
  const finderOptions = {
    byIdDir: settings.byIdDir,
    sysfsRoot: settings.sysfsRoot,
    devRoot: settings.devRoot,
    udevTrigger: settings.udevTrigger,
    executor,
    logger,
  };
  const deviceFinder = createDeviceFinder({ ...finderOptions, wait: settings.deviceWait });
  // Teardown and stats ask where the device is now; a detached volume must not make them wait.
  const deviceLocator = createDeviceFinder({ ...finderOptions, wait: { checks: 1 } });
  const metadata = settings.metadata ?? {};
  const sources = createMetadataSources(metadata.searchOrder ?? ['configDrive', 'metadataService'], {
    configDrive: { directory: metadata.configDriveDir, device: metadata.configDriveDevice, mounter, executor },
    metadataService: { url: metadata.metadataUrl, timeoutMs: metadata.requestTimeoutMs },
  });
  const fallback =
    settings.kubernetesFallback === false
      ? undefined
      : typeof settings.kubernetesFallback === 'object'
        ? settings.kubernetesFallback
        : createKubernetesNodeIdentityFallback({ kubeconfig: settings.kubeconfig });
  const identity = createNodeIdentityResolver({
    sources,
    fallback,
    nodeName: resolveNodeName(settings.nodeName),
    logger,
  });
  return createCinderNodeService({
    mounter,
    deviceFinder,
    deviceLocator,
    identity,
    additionalTopology: settings.additionalTopology,
    nodeVolumeAttachLimit: settings.blockStorage?.nodeVolumeAttachLimit,
    rescanOnResize: settings.blockStorage?.rescanOnResize,
    withTopology: settings.withTopology,
    driverName: settings.driverName,
    kubeletDir: settings.kubeletDir,
    logger,
  });
}
