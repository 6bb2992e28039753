/**
 * NodeExpandVolume: grows the filesystem of a staged or published volume to fill its (already
 * extended) device; a raw block volume only reports the device's size.
 */
import { failedPrecondition, notFound } from '../../csi/errors';
import type { CallContext } from '../../csi/handlers';
import type { NodeExpandVolumeRequest, NodeExpandVolumeResponse } from '../../csi/types';
import type { NodeContext } from './context';
import { withNodeErrors } from './errors';
import { kubeletPath } from './kubelet-paths';
import { currentDeviceSize, growFilesystem } from './filesystem';
import { sameDevice } from './mount-checks';
import { requiredBytes, requireVolumeId, requireVolumePath } from './requests';

export async function nodeExpandVolume(
  node: NodeContext,
  req: NodeExpandVolumeRequest,
  call: CallContext,
): Promise<NodeExpandVolumeResponse> {
  const { mounter } = node;
  const volumeId = requireVolumeId(req.volume_id);
  const requested = requireVolumePath(req.volume_path);
  const needed = requiredBytes(req.capacity_range);
  const log = call.logger.child({ volumeId, volumePath: requested });
  return withNodeErrors(`expanding volume ${volumeId} at ${requested}`, async () => {
    const volumePath = await kubeletPath(node, requested, 'volume_path');
    const info = await mounter.statPath(volumePath);
    if (!info) throw notFound(`volume_path ${volumePath} does not exist`);
    const { devicePath } = await node.deviceFinder.find(volumeId);
    const isBlock = req.volume_capability?.access_type === 'block' || info.kind === 'blockDevice';
    if (isBlock) {
      const size = await currentDeviceSize(mounter, devicePath, needed, node.rescanOnResize, log);
      log.info('raw block volume: no filesystem to grow', { devicePath, size });
      return { capacity_bytes: size };
    }
    const mount = await mounter.findMount(volumePath);
    if (!mount) {
      throw failedPrecondition(`${volumePath} is not a mount point; volume ${volumeId} is not staged or published there`);
    }
    if (!(await sameDevice(mounter, mount.source, devicePath))) {
      throw failedPrecondition(`${volumePath} is mounted from ${mount.source}, not from ${devicePath} (the device of volume ${volumeId})`);
    }
    const size = await currentDeviceSize(mounter, devicePath, needed, node.rescanOnResize, log);
    await growFilesystem(mounter, devicePath, mount.target, mount.fstype, log);
    return { capacity_bytes: size };
  });
}
