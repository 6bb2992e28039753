/**
 * The Cinder CSI node service: finds the attached volume's device, formats it only when it is blank,
 * mounts it at the staging path, bind-mounts it into pods, grows it, and reports usage and health.
 * All host work goes through a `Mounter`, so this logic is unit-tested against `FakeMounter`.
 */
import * as path from 'node:path';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../../csi/errors';
import type { CallContext, NodeHandlers } from '../../csi/handlers';
import type {
  NodeExpandVolumeResponse,
  NodeGetInfoResponse,
  NodeGetVolumeStatsResponse,
  NodeServiceCapability,
} from '../../csi/types';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { isExtFilesystem, type FilesystemType, type MountInfo, type Mounter } from '../../mounter';
import { CONTEXT_RESIZE_REQUIRED, TOPOLOGY_ZONE_KEY } from '../constants';
import type { DeviceFinder } from './device-finder';
import { withNodeErrors } from './errors';
import { resolveAttachLimit, sanitizeZone } from './node-info';
import type { NodeIdentityResolver } from '../../driver-kit/instance-identity/node-identity';
import { bindMountFlags, requireCapability, requiredBytes, requirePath, requireVolumeId, requireVolumePath } from './requests';

/** Volume context key kubelet sets for CSI inline ephemeral volumes. */
export const CONTEXT_EPHEMERAL = 'csi.storage.k8s.io/ephemeral';

/** Stacked mounts at one path are peeled off one by one, up to this many. */
const MAX_STACKED_UNMOUNTS = 8;

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
  identity: NodeIdentityResolver;
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
  const { mounter, deviceFinder, identity } = options;
  const logger = options.logger ?? silentLogger;
  const maxVolumes = resolveAttachLimit(options.nodeVolumeAttachLimit, logger);
  const additionalTopology = { ...options.additionalTopology };
  const withTopology = options.withTopology ?? true;
  const rescanOnResize = options.rescanOnResize ?? false;

  async function sameDevice(a: string, b: string): Promise<boolean> {
    const [infoA, infoB] = await Promise.all([mounter.statPath(a), mounter.statPath(b)]);
    if (infoA?.deviceNumber && infoB?.deviceNumber) return infoA.deviceNumber === infoB.deviceNumber;
    return path.resolve(a) === path.resolve(b);
  }

  /** Another mount point (not `target`, not the staging mount itself) bound from the same staging mount. */
  async function stagingBoundElsewhere(stagingMount: MountInfo, target: string): Promise<string | undefined> {
    const mounts = await mounter.listMounts();
    return mounts.find(
      (mount) =>
        mount.source === stagingMount.source &&
        mount.fsroot === stagingMount.fsroot &&
        mount.target !== stagingMount.target &&
        mount.target !== target,
    )?.target;
  }

  /** Another file than `target` that `devicePath` is bind-mounted onto. */
  async function deviceBoundElsewhere(devicePath: string, target: string): Promise<string | undefined> {
    const device = await mounter.statPath(devicePath);
    if (!device?.deviceNumber) return undefined;
    for (const mount of await mounter.listMounts()) {
      // A device node bound onto a file shows as a sub-path of devtmpfs (fsroot "/loop3"), or as the device itself.
      if (mount.target === target || (mount.fsroot === '/' && mount.source !== devicePath)) continue;
      const info = await mounter.statPath(mount.target).catch(() => undefined);
      if (info && info.kind !== 'directory' && info.deviceNumber === device.deviceNumber) return mount.target;
    }
    return undefined;
  }

  /** Unmounts everything mounted exactly at `target` (never a parent), then removes the empty path. */
  async function unmountAndRemove(target: string, log: Logger): Promise<void> {
    let unmounted = 0;
    while (await mounter.isMountPoint(target)) {
      if (unmounted === MAX_STACKED_UNMOUNTS) {
        throw new Error(`${target} is still a mount point after ${MAX_STACKED_UNMOUNTS} unmounts`);
      }
      await mounter.unmount(target);
      unmounted++;
    }
    if (unmounted > 0) log.debug(2, 'unmounted', { target, unmounted });
    await mounter.removePath(target);
  }

  async function growFilesystem(device: string, mountPoint: string, fsType: string, log: Logger): Promise<void> {
    await mounter.resize(device, mountPoint, fsType);
    log.info('filesystem grown to fill the device', { device, mountPoint, fsType });
  }

  /** Device size, rescanning once (with rescan-on-resize) when the kernel still reports less than needed. */
  async function currentDeviceSize(device: string, needed: number, log: Logger): Promise<number> {
    let size = await mounter.deviceSize(device);
    if (needed > 0 && size < needed && rescanOnResize) {
      const rescanned = await mounter.rescan(device);
      log.info('device smaller than requested, rescanned', { device, size, needed, rescanned });
      size = await mounter.deviceSize(device);
    }
    if (needed > 0 && size < needed) {
      throw failedPrecondition(
        `${device} is ${size} bytes, smaller than the requested ${needed}: the kernel has not seen the extension yet` +
          (rescanOnResize ? ' even after a rescan' : '; set rescan-on-resize = true in [BlockStorage] if the disks are SCSI'),
      );
    }
    return size;
  }

  const handlers: NodeHandlers = {
    async NodeGetCapabilities() {
      const capabilities: NodeServiceCapability[] = NODE_CAPABILITIES.map((type) => ({ rpc: { type } }));
      return { capabilities };
    },

    async NodeGetInfo(): Promise<NodeGetInfoResponse> {
      const node = await withNodeErrors('NodeGetInfo', () => identity.resolve());
      const segments: Record<string, string> = {};
      if (withTopology) {
        const zone = node.availabilityZone ? sanitizeZone(node.availabilityZone) : '';
        if (zone) segments[TOPOLOGY_ZONE_KEY] = zone;
        else logger.warn('no availability zone known for this node; reporting no zone topology', { source: node.source });
      }
      Object.assign(segments, additionalTopology);
      return {
        node_id: node.instanceId,
        max_volumes_per_node: maxVolumes,
        accessible_topology: Object.keys(segments).length > 0 ? { segments } : null,
      };
    },

    async NodeStageVolume(req, ctx: CallContext) {
      const volumeId = requireVolumeId(req.volume_id);
      const staging = requirePath(req.staging_target_path, 'staging_target_path');
      const capability = requireCapability(req.volume_capability);
      const log = ctx.logger.child({ volumeId, staging });
      return withNodeErrors(`staging volume ${volumeId} at ${staging}`, async () => {
        const { devicePath } = await deviceFinder.find(volumeId);
        const device = await mounter.statPath(devicePath);
        if (device?.kind !== 'blockDevice') {
          throw failedPrecondition(`${devicePath}, found for volume ${volumeId}, is not a block device`);
        }
        if (capability.kind === 'block') {
          log.debug(2, 'raw block volume: nothing to stage', { devicePath });
          return {};
        }
        const resizeRequired = req.volume_context?.[CONTEXT_RESIZE_REQUIRED] === 'true';

        const existing = await mounter.findMount(staging);
        if (existing) {
          if (!(await sameDevice(existing.source, devicePath))) {
            throw failedPrecondition(
              `${staging} is already mounted from ${existing.source}, not from ${devicePath} (the device of volume ${volumeId}); unstage it first`,
            );
          }
          if (!sameFilesystemFamily(existing.fstype, capability.fsType)) {
            // CSI error table: "Volume published but is incompatible" with the volume_capability.
            throw alreadyExists(
              `volume ${volumeId} is already staged at ${staging} as ${existing.fstype}, but ${capability.fsType} was requested`,
            );
          }
          log.debug(2, 'already staged', { devicePath });
          if (resizeRequired) await growFilesystem(devicePath, staging, existing.fstype, log);
          return {};
        }

        await mounter.makeDir(staging);
        const { fsType, grown } = await prepareFilesystem(devicePath, capability.fsType, resizeRequired, log);
        const mountOptions = [...capability.mountFlags];
        // Clones and restored snapshots share the XFS UUID of their source; without nouuid the second mount fails.
        if (fsType === 'xfs' && !mountOptions.includes('nouuid')) mountOptions.push('nouuid');
        await mounter.mount(devicePath, staging, fsType, mountOptions);
        log.info('volume staged', { devicePath, fsType, mountOptions });
        if (resizeRequired && !grown) await growFilesystem(devicePath, staging, fsType, log);
        return {};
      });
    },

    async NodeUnstageVolume(req, ctx) {
      const volumeId = requireVolumeId(req.volume_id);
      const staging = requirePath(req.staging_target_path, 'staging_target_path');
      const log = ctx.logger.child({ volumeId, staging });
      return withNodeErrors(`unstaging volume ${volumeId} from ${staging}`, async () => {
        await unmountAndRemove(staging, log);
        return {};
      });
    },

    async NodePublishVolume(req, ctx) {
      const volumeId = requireVolumeId(req.volume_id);
      if (req.volume_context?.[CONTEXT_EPHEMERAL] === 'true') {
        throw invalidArgument(
          'inline ephemeral volumes are not supported by cinder.csi.openstack.org; use a generic ephemeral volume (a PVC template) instead',
        );
      }
      const target = requirePath(req.target_path, 'target_path');
      const capability = requireCapability(req.volume_capability);
      if (!req.staging_target_path) {
        // The CSI error table's "Staging target path not set" row: FAILED_PRECONDITION.
        throw failedPrecondition('staging_target_path is not set, but this plugin has STAGE_UNSTAGE_VOLUME: call NodeStageVolume first and pass its path');
      }
      const staging = requirePath(req.staging_target_path, 'staging_target_path');
      const readOnly =
        req.readonly || capability.readOnlyMode || (capability.kind === 'mount' && capability.mountFlags.includes('ro'));
      const singleWorkload = req.volume_capability?.access_mode?.mode === 'SINGLE_NODE_SINGLE_WRITER';
      const log = ctx.logger.child({ volumeId, target });
      return withNodeErrors(`publishing volume ${volumeId} at ${target}`, async () => {
        if (capability.kind === 'block') {
          const { devicePath } = await deviceFinder.find(volumeId);
          const existing = await mounter.findMount(target);
          if (existing) {
            if (!(await sameDevice(target, devicePath))) {
              throw failedPrecondition(`${target} already has another device mounted on it, not ${devicePath} (volume ${volumeId})`);
            }
            assertReadOnlyMatches(existing, readOnly, target);
            return {};
          }
          if (singleWorkload) assertNotPublishedElsewhere(volumeId, await deviceBoundElsewhere(devicePath, target));
          await mounter.makeFile(target);
          await mounter.bindMount(devicePath, target, { readOnly });
          log.info('block volume published', { devicePath, readOnly });
          return {};
        }

        const stagingMount = await mounter.findMount(staging);
        if (!stagingMount) {
          throw failedPrecondition(`volume ${volumeId} is not staged at ${staging}; call NodeStageVolume first`);
        }
        const existing = await mounter.findMount(target);
        if (existing) {
          if (existing.source !== stagingMount.source || existing.fsroot !== stagingMount.fsroot) {
            throw failedPrecondition(
              `${target} is already mounted from ${existing.source}${existing.fsroot === '/' ? '' : `[${existing.fsroot}]`}, not from the staging mount of volume ${volumeId}`,
            );
          }
          assertReadOnlyMatches(existing, readOnly, target);
          return {};
        }
        if (singleWorkload) assertNotPublishedElsewhere(volumeId, await stagingBoundElsewhere(stagingMount, target));
        await mounter.makeDir(target);
        await mounter.bindMount(staging, target, { readOnly, options: bindMountFlags(capability.mountFlags) });
        log.info('volume published', { staging, readOnly });
        return {};
      });
    },

    async NodeUnpublishVolume(req, ctx) {
      const volumeId = requireVolumeId(req.volume_id);
      const target = requirePath(req.target_path, 'target_path');
      const log = ctx.logger.child({ volumeId, target });
      return withNodeErrors(`unpublishing volume ${volumeId} from ${target}`, async () => {
        await unmountAndRemove(target, log);
        return {};
      });
    },

    async NodeExpandVolume(req, ctx): Promise<NodeExpandVolumeResponse> {
      const volumeId = requireVolumeId(req.volume_id);
      const volumePath = requireVolumePath(req.volume_path);
      const needed = requiredBytes(req.capacity_range);
      const log = ctx.logger.child({ volumeId, volumePath });
      return withNodeErrors(`expanding volume ${volumeId} at ${volumePath}`, async () => {
        const info = await mounter.statPath(volumePath);
        if (!info) throw notFound(`volume_path ${volumePath} does not exist`);
        const { devicePath } = await deviceFinder.find(volumeId);
        const isBlock = req.volume_capability?.access_type === 'block' || info.kind === 'blockDevice';
        if (isBlock) {
          const size = await currentDeviceSize(devicePath, needed, log);
          log.info('raw block volume: no filesystem to grow', { devicePath, size });
          return { capacity_bytes: size };
        }
        const mount = await mounter.findMount(volumePath);
        if (!mount) {
          throw failedPrecondition(`${volumePath} is not a mount point; volume ${volumeId} is not staged or published there`);
        }
        if (!(await sameDevice(mount.source, devicePath))) {
          throw failedPrecondition(`${volumePath} is mounted from ${mount.source}, not from ${devicePath} (the device of volume ${volumeId})`);
        }
        const size = await currentDeviceSize(devicePath, needed, log);
        await growFilesystem(devicePath, mount.target, mount.fstype, log);
        return { capacity_bytes: size };
      });
    },

    async NodeGetVolumeStats(req): Promise<NodeGetVolumeStatsResponse> {
      const volumeId = requireVolumeId(req.volume_id);
      const volumePath = requireVolumePath(req.volume_path);
      const staging = req.staging_target_path ? requirePath(req.staging_target_path, 'staging_target_path') : undefined;
      return withNodeErrors(`reading stats of volume ${volumeId} at ${volumePath}`, async () => {
        let info;
        try {
          info = await mounter.statPath(volumePath);
        } catch (error) {
          return {
            usage: [{ unit: 'BYTES', total: 0 }],
            volume_condition: { abnormal: true, message: `cannot stat ${volumePath}: ${(error as Error).message}` },
          };
        }
        if (!info) throw notFound(`volume_path ${volumePath} does not exist`);
        const mount = await mounter.findMount(volumePath);

        if (info.kind === 'blockDevice' || (info.kind === 'file' && mount?.fstype === 'devtmpfs')) {
          let total: number;
          try {
            total = await mounter.deviceSize(volumePath);
          } catch (error) {
            return {
              // kubelet drops a response without usage, and the condition with it.
              usage: [{ unit: 'BYTES', total: 0 }],
              volume_condition: { abnormal: true, message: `the block device behind ${volumePath} is gone: ${(error as Error).message}` },
            };
          }
          return { usage: [{ unit: 'BYTES', total }], volume_condition: { abnormal: false, message: 'volume is healthy' } };
        }

        const problems = await filesystemProblems(volumePath, mount, staging);
        let stats;
        try {
          stats = await mounter.statfs(volumePath);
        } catch (error) {
          // A broken mount (EIO, ENOTCONN) is a volume condition to report, not a failure of the call.
          problems.unshift(`cannot read filesystem statistics: ${(error as Error).message}`);
          return { usage: [{ unit: 'BYTES', total: 0 }], volume_condition: { abnormal: true, message: problems.join('; ') } };
        }
        return {
          usage: [
            { unit: 'BYTES', total: stats.totalBytes, available: stats.availableBytes, used: stats.usedBytes },
            { unit: 'INODES', total: stats.totalInodes, available: stats.freeInodes, used: stats.usedInodes },
          ],
          volume_condition: problems.length
            ? { abnormal: true, message: problems.join('; ') }
            : { abnormal: false, message: 'volume is healthy' },
        };
      });
    },
  };

  /**
   * Makes sure `devicePath` holds a filesystem to mount and returns the type to mount it with. Formats
   * only a device blkid calls blank; an unclear probe throws before anything is written.
   */
  async function prepareFilesystem(
    devicePath: string,
    requested: FilesystemType,
    resizeRequired: boolean,
    log: Logger,
  ): Promise<{ fsType: string; grown: boolean }> {
    const probe = await mounter.probe(devicePath);
    if (probe.blank) {
      log.info('device is blank, formatting', { devicePath, fsType: requested });
      await mounter.format(devicePath, requested);
      // A new filesystem already fills the device.
      return { fsType: requested, grown: true };
    }
    const existing = probe.fsType;
    if (!existing) {
      throw failedPrecondition(
        `${devicePath} holds a ${probe.partitionTableType ?? 'partition'} partition table and no filesystem; refusing to format or mount it`,
      );
    }
    let fsType: string = requested;
    if (existing !== requested) {
      if (isExtFilesystem(existing) && isExtFilesystem(requested)) {
        log.warn('device holds another ext filesystem than requested; mounting it as it is', { devicePath, existing, requested });
        fsType = existing;
      } else {
        throw failedPrecondition(
          `${devicePath} already holds a ${existing} filesystem but ${requested} was requested; refusing to reformat it (request fs_type ${existing}, or use a blank volume)`,
        );
      }
    }
    if (isExtFilesystem(fsType)) {
      // Offline resize2fs insists on a full check first, so force one when the filesystem will be grown.
      const result = await mounter.fsck(devicePath, { force: resizeRequired });
      if (result.status === 'corrected') log.warn('fsck corrected filesystem errors', { devicePath, output: result.output });
      if (result.status === 'warning') log.warn('fsck could not check the filesystem', { devicePath, exitCode: result.exitCode, output: result.output });
      // ext grows best before it is mounted: no online-resize ioctl (and no CAP_SYS_RESOURCE) needed.
      if (resizeRequired) {
        try {
          await mounter.resize(devicePath, '', fsType);
          log.info('filesystem grown to fill the device before mounting', { devicePath, fsType });
          return { fsType, grown: true };
        } catch (error) {
          log.warn('offline grow failed; will grow after mounting', { devicePath, error: (error as Error).message });
        }
      }
    }
    return { fsType, grown: false };
  }

  async function filesystemProblems(volumePath: string, mount: MountInfo | undefined, staging: string | undefined): Promise<string[]> {
    const problems: string[] = [];
    if (!mount) problems.push(`${volumePath} is not a mount point any more`);
    let stagingMount: MountInfo | undefined;
    if (staging) {
      stagingMount = await mounter.findMount(staging);
      if (!stagingMount) problems.push(`the staging mount at ${staging} is gone`);
    }
    const reference = stagingMount ?? mount;
    if (reference) {
      if (reference.fsOptions.includes('ro') && !reference.vfsOptions.includes('ro')) {
        problems.push(`the filesystem on ${reference.source} was made read-only by the kernel (I/O or filesystem errors?)`);
      }
      if (reference.source.startsWith('/') && (await mounter.statPath(reference.source))?.kind !== 'blockDevice') {
        problems.push(`the device ${reference.source} behind the volume is gone`);
      }
    }
    return problems;
  }

  return {
    handlers,
    async ready() {
      try {
        await identity.resolve();
        return true;
      } catch (error) {
        logger.warn('node service not ready', { error: (error as Error).message });
        return false;
      }
    },
  };
}

/** Staging mounts an existing ext filesystem as it is when another ext type is asked for; anything else must match. */
function sameFilesystemFamily(mounted: string, requested: string): boolean {
  return mounted === requested || (isExtFilesystem(mounted) && isExtFilesystem(requested));
}

/** SINGLE_NODE_SINGLE_WRITER: one workload only, so a second publish target is refused. */
function assertNotPublishedElsewhere(volumeId: string, elsewhere: string | undefined): void {
  if (elsewhere) {
    throw failedPrecondition(
      `volume ${volumeId} has access mode SINGLE_NODE_SINGLE_WRITER and is already published at ${elsewhere}; unpublish it there first`,
    );
  }
}

function assertReadOnlyMatches(existing: MountInfo, readOnly: boolean, target: string): void {
  const mountedReadOnly = existing.vfsOptions.includes('ro');
  if (mountedReadOnly !== readOnly) {
    throw alreadyExists(
      `${target} is already published ${mountedReadOnly ? 'read-only' : 'read-write'}, but ${readOnly ? 'read-only' : 'read-write'} was requested`,
    );
  }
}
