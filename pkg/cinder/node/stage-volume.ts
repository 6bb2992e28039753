/**
 * NodeStageVolume: finds the attached volume's device and mounts its filesystem at the staging path,
 * formatting only a blank device and growing the filesystem when the volume was made bigger than its
 * source. A raw block volume has nothing to stage.
 */
import { alreadyExists, failedPrecondition } from '../../csi/errors';
import type { CallContext } from '../../csi/handlers';
import type { NodeStageVolumeRequest, NodeStageVolumeResponse } from '../../csi/types';
import { CONTEXT_RESIZE_REQUIRED } from '../constants';
import type { NodeContext } from './context';
import { withNodeErrors } from './errors';
import { kubeletPath } from './kubelet-paths';
import { growFilesystem, prepareFilesystem } from './filesystem';
import { sameDevice, sameFilesystemFamily } from './mount-checks';
import { requireCapability, requirePath, requireVolumeId } from './requests';

export async function nodeStageVolume(
  node: NodeContext,
  req: NodeStageVolumeRequest,
  call: CallContext,
): Promise<NodeStageVolumeResponse> {
  const { mounter } = node;
  const volumeId = requireVolumeId(req.volume_id);
  const requested = requirePath(req.staging_target_path, 'staging_target_path');
  const capability = requireCapability(req.volume_capability);
  const log = call.logger.child({ volumeId, staging: requested });
  return withNodeErrors(`staging volume ${volumeId} at ${requested}`, async () => {
    const staging = await kubeletPath(node, requested, 'staging_target_path');
    const { devicePath } = await node.deviceFinder.find(volumeId);
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
      if (!(await sameDevice(mounter, existing.source, devicePath))) {
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
      if (resizeRequired) await growFilesystem(mounter, devicePath, staging, existing.fstype, log);
      return {};
    }

    const present = await mounter.statPath(staging);
    if (present && present.kind !== 'directory') {
      throw failedPrecondition(`staging_target_path ${staging} exists and is a ${present.kind}, not a directory; nothing was mounted`);
    }
    await mounter.makeDir(staging);
    const { fsType, grown } = await prepareFilesystem(mounter, devicePath, capability.fsType, resizeRequired, log);
    const mountOptions = [...capability.mountFlags];
    // Clones and restored snapshots share the XFS UUID of their source; without nouuid the second mount fails.
    if (fsType === 'xfs' && !mountOptions.includes('nouuid')) mountOptions.push('nouuid');
    await mounter.mount(devicePath, staging, fsType, mountOptions);
    log.info('volume staged', { devicePath, fsType, mountOptions });
    if (resizeRequired && !grown) await growFilesystem(mounter, devicePath, staging, fsType, log);
    return {};
  });
}
