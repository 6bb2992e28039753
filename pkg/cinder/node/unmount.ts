/**
 * Taking a staging or publish path down, shared by NodeUnstageVolume and NodeUnpublishVolume: unmount
 * only the volume's own mounts there, and remove only what the plugin made (the empty mount-point
 * directory, or the empty file of a block target). A foreign mount or a file with content is refused
 * before anything is touched.
 */
import { failedPrecondition } from '../../csi/errors';
import type { Logger } from '../../log/logger';
import type { NodeContext } from './context';
import { currentVolumeDevice, describeMount, isVolumeMount } from './volume-mounts';

/** Stacked mounts at one path are peeled off one by one, up to this many. */
const MAX_STACKED_UNMOUNTS = 8;

/** Unmounts the volume's mounts at exactly `target` (never a parent), then removes what the plugin made there. */
export async function unmountAndRemove(node: NodeContext, volumeId: string, target: string, log: Logger): Promise<void> {
  const { mounter } = node;
  const layers = (await mounter.listMounts()).filter((mount) => mount.target === target);
  if (layers.length > MAX_STACKED_UNMOUNTS) {
    throw failedPrecondition(`${target} has ${layers.length} stacked mounts, more than the ${MAX_STACKED_UNMOUNTS} a volume can leave; nothing was unmounted`);
  }
  if (layers.length > 0) {
    const device = await currentVolumeDevice(node, volumeId);
    for (const layer of layers) {
      if (!(await isVolumeMount(mounter, layer, device))) {
        throw failedPrecondition(
          `${target} has a mount that is not volume ${volumeId}'s: ${describeMount(layer)}` +
            `${device ? `, not from ${device.devicePath}` : ''}; nothing was unmounted or removed`,
        );
      }
    }
    for (const _layer of layers) await mounter.unmount(target);
    log.debug(2, 'unmounted', { target, unmounted: layers.length });
  }

  const info = await mounter.statPath(target);
  if (!info) return;
  if (info.kind === 'directory') {
    try {
      await mounter.removePath(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw error;
      // Content below a mount point was written while nothing was mounted: not the volume's, not ours to
      // delete. The volume is off the path, which is all this call promises; kubelet reports the directory.
      log.warn('left the directory in place: it holds files the plugin did not create', { target });
    }
    return;
  }
  if (info.kind === 'file' && !info.sizeBytes) {
    await mounter.removePath(target);
    return;
  }
  throw failedPrecondition(
    `${target} is ${info.kind === 'file' ? `a regular file of ${info.sizeBytes} bytes` : `a ${info.kind}`}, not an empty file or ` +
      `directory the plugin made for volume ${volumeId}; nothing was removed`,
  );
}
