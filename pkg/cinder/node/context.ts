/**
 * What every node RPC shares: the host pieces (mounter, device finder, instance identity) and the
 * settings resolved once at start. Built by `createCinderNodeService`; handlers receive it as `node`,
 * next to the per-call `CallContext` (request ID and logger) they receive as `call`.
 */
import type { Logger } from '../../log/logger';
import type { Mounter } from '../../mounter';
import type { DeviceFinder } from './device-finder';
import type { NodeIdentityResolver } from '../../driver-kit/instance-identity/node-identity';

export interface NodeContext {
  mounter: Mounter;
  /** Finds the volume's device, waiting for it to appear (stage, publish, expand). */
  deviceFinder: DeviceFinder;
  /** Looks once, without waiting: where the device is now, if anywhere (teardown and stats). */
  deviceLocator: DeviceFinder;
  identity: NodeIdentityResolver;
  /** The service's own logger (calls log through `call.logger`). */
  logger: Logger;
  /** `--driver-name`, for messages that name the driver. */
  driverName: string;
  /** NodeGetInfo's `max_volumes_per_node`, already clamped. */
  maxVolumes: number;
  /** `--additional-topology` segments. */
  additionalTopology: Record<string, string>;
  /** `--with-topology`: report the zone segment. */
  withTopology: boolean;
  /** `[BlockStorage] rescan-on-resize`. */
  rescanOnResize: boolean;
  /** `--kubelet-dir`: every staging, target and volume path must resolve inside it. */
  kubeletDir: string;
}
