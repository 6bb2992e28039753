/**
 * The filesystem on a volume's device: made only when the device is blank, checked before mounting,
 * grown to fill the device (offline for ext when it can be, online otherwise).
 */
import { failedPrecondition } from '../../csi/errors';
import type { Logger } from '../../log/logger';
import { isExtFilesystem, type FilesystemType, type Mounter } from '../../mounter';

export async function growFilesystem(mounter: Mounter, device: string, mountPoint: string, fsType: string, log: Logger): Promise<void> {
  await mounter.resize(device, mountPoint, fsType);
  log.info('filesystem grown to fill the device', { device, mountPoint, fsType });
}

/** Device size, rescanning once (with rescan-on-resize) when the kernel still reports less than needed. */
export async function currentDeviceSize(
  mounter: Mounter,
  device: string,
  needed: number,
  rescanOnResize: boolean,
  log: Logger,
): Promise<number> {
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

/**
 * Makes sure `devicePath` holds a filesystem to mount and returns the type to mount it with. Formats
 * only a device blkid calls blank; an unclear probe throws before anything is written.
 */
export async function prepareFilesystem(
  mounter: Mounter,
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
