/**
 * The Cinder CSI node service: each RPC is a function in its own module (`stage-volume.ts`,
 * `publish-volume.ts`, ...); this file resolves the settings once and wires the handlers to them.
 * All host work goes through a `Mounter`, so the RPCs are unit-tested against `FakeMounter`.
 */
import type { NodeHandlers } from '../../csi/handlers';
import type { NodeServiceCapability } from '../../csi/types';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import type { Mounter } from '../../mounter';
import { DRIVER_NAME } from '../constants';
import type { NodeContext } from './context';
import type { DeviceFinder } from './device-finder';
import { nodeExpandVolume } from './expand-volume';
import { nodeGetInfo } from './get-info';
import { nodeGetVolumeStats } from './get-volume-stats';
import { DEFAULT_KUBELET_DIR } from './kubelet-paths';
import { resolveAttachLimit } from './node-info';
import type { NodeIdentityResolver } from '../../driver-kit/instance-identity/node-identity';
import { nodePublishVolume } from './publish-volume';
import { nodeStageVolume } from './stage-volume';
import { nodeUnpublishVolume } from './unpublish-volume';
import { nodeUnstageVolume } from './unstage-volume';

export const NODE_CAPABILITIES = [
  'STAGE_UNSTAGE_VOLUME',
  'EXPAND_VOLUME',
  'GET_VOLUME_STATS',
  'VOLUME_CONDITION',
  'SINGLE_NODE_MULTI_WRITER',
] as const;

export interface CinderNodeServiceOptions {
  mounter: Mounter;
  deviceFinder: DeviceFinder;
  /** A finder that looks once without waiting (default: `deviceFinder`). */
  deviceLocator?: DeviceFinder;
  identity: NodeIdentityResolver;
  /** `--kubelet-dir` (default /var/lib/kubelet). */
  kubeletDir?: string;
  /** `--driver-name` (default cinder.csi.openstack.org). */
  driverName?: string;
  /** `--additional-topology` segments (already validated, see `parseAdditionalTopology`). */
  additionalTopology?: Record<string, string>;
  /** `[BlockStorage] node-volume-attach-limit`. */
  nodeVolumeAttachLimit?: number;
  /** `[BlockStorage] rescan-on-resize`. */
  rescanOnResize?: boolean;
  /** `--with-topology` (default true): report the zone segment. */
  withTopology?: boolean;
  logger?: Logger;
}

export interface CinderNodeService {
  handlers: NodeHandlers;
  /** For the Identity Probe: true once this node's Nova instance ID is known. */
  ready(): Promise<boolean>;
}

export function createCinderNodeService(options: CinderNodeServiceOptions): CinderNodeService {
  const logger = options.logger ?? silentLogger;
  const node: NodeContext = {
    mounter: options.mounter,
    deviceFinder: options.deviceFinder,
    deviceLocator: options.deviceLocator ?? options.deviceFinder,
    identity: options.identity,
    logger,
    driverName: options.driverName ?? DRIVER_NAME,
    maxVolumes: resolveAttachLimit(options.nodeVolumeAttachLimit, logger),
    additionalTopology: { ...options.additionalTopology },
    withTopology: options.withTopology ?? true,
    rescanOnResize: options.rescanOnResize ?? false,
    kubeletDir: options.kubeletDir ?? DEFAULT_KUBELET_DIR,
  };

  const handlers: NodeHandlers = {
    NodeGetCapabilities: async () => ({
      capabilities: NODE_CAPABILITIES.map((type): NodeServiceCapability => ({ rpc: { type } })),
    }),
    NodeGetInfo: () => nodeGetInfo(node),
    NodeStageVolume: (req, call) => nodeStageVolume(node, req, call),
    NodeUnstageVolume: (req, call) => nodeUnstageVolume(node, req, call),
    NodePublishVolume: (req, call) => nodePublishVolume(node, req, call),
    NodeUnpublishVolume: (req, call) => nodeUnpublishVolume(node, req, call),
    NodeExpandVolume: (req, call) => nodeExpandVolume(node, req, call),
    NodeGetVolumeStats: (req) => nodeGetVolumeStats(node, req),
  };

  return {
    handlers,
    async ready() {
      try {
        await node.identity.resolve();
        return true;
      } catch (error) {
        logger.warn('node service not ready', { error: (error as Error).message });
        return false;
      }
    },
  };
}
