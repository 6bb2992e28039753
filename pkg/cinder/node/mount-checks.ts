/**
 * Questions about what is already mounted, asked by publish and expand before they act: is this the
 * same device, is the volume bound somewhere else, does an existing mount match the request.
 */
import * as path from 'node:path';
import { alreadyExists, failedPrecondition } from '../../csi/errors';
import { isExtFilesystem, type MountInfo, type Mounter } from '../../mounter';

export async function sameDevice(mounter: Mounter, a: string, b: string): Promise<boolean> {
  const [infoA, infoB] = await Promise.all([mounter.statPath(a), mounter.statPath(b)]);
  if (infoA?.deviceNumber && infoB?.deviceNumber) return infoA.deviceNumber === infoB.deviceNumber;
  return path.resolve(a) === path.resolve(b);
}

/** Another mount point (not `target`, not the staging mount itself) bound from the same staging mount. */
export async function stagingBoundElsewhere(mounter: Mounter, stagingMount: MountInfo, target: string): Promise<string | undefined> {
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
export async function deviceBoundElsewhere(mounter: Mounter, devicePath: string, target: string): Promise<string | undefined> {
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

/** Staging mounts an existing ext filesystem as it is when another ext type is asked for; anything else must match. */
export function sameFilesystemFamily(mounted: string, requested: string): boolean {
  return mounted === requested || (isExtFilesystem(mounted) && isExtFilesystem(requested));
}

/** SINGLE_NODE_SINGLE_WRITER: one workload only, so a second publish target is refused. */
export function assertNotPublishedElsewhere(volumeId: string, elsewhere: string | undefined): void {
  if (elsewhere) {
    throw failedPrecondition(
      `volume ${volumeId} has access mode SINGLE_NODE_SINGLE_WRITER and is already published at ${elsewhere}; unpublish it there first`,
    );
  }
}

export function assertReadOnlyMatches(existing: MountInfo, readOnly: boolean, target: string): void {
  const mountedReadOnly = existing.vfsOptions.includes('ro');
  if (mountedReadOnly !== readOnly) {
    throw alreadyExists(
      `${target} is already published ${mountedReadOnly ? 'read-only' : 'read-write'}, but ${readOnly ? 'read-only' : 'read-write'} was requested`,
    );
  }
}
