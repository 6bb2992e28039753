/** Taking a staging or publish path down: shared by NodeUnstageVolume and NodeUnpublishVolume. */
import type { Logger } from '../../log/logger';
import type { Mounter } from '../../mounter';

/** Stacked mounts at one path are peeled off one by one, up to this many. */
const MAX_STACKED_UNMOUNTS = 8;

/** Unmounts everything mounted exactly at `target` (never a parent), then removes the empty path. */
export async function unmountAndRemove(mounter: Mounter, target: string, log: Logger): Promise<void> {
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
