/**
 * Which mounts belong to a volume: those of its device (a filesystem mounted from it, a bind of its
 * staging mount, the device node bound onto a block target). Teardown and stats act only on these,
 * never on a mount somebody else made at the same path.
 */
import * as path from 'node:path';
import type { MountInfo, Mounter } from '../../mounter';
import type { NodeContext } from './context';
import { DeviceNotFoundError } from './device-finder';

export interface VolumeDevice {
  devicePath: string;
  deviceNumber: string;
}

/** Where the volume's device is now (one look, no waiting), or undefined when it is not on this host. */
export async function currentVolumeDevice(node: NodeContext, volumeId: string): Promise<VolumeDevice | undefined> {
  let devicePath: string;
  try {
    ({ devicePath } = await node.deviceLocator.find(volumeId));
  } catch (error) {
    if (error instanceof DeviceNotFoundError) return undefined;
    throw error;
  }
  const info = await node.mounter.statPath(devicePath);
  return info?.kind === 'blockDevice' && info.deviceNumber ? { devicePath, deviceNumber: info.deviceNumber } : undefined;
}

/** The device node a mount is made from: its source, or for a device node bound onto a file, that node under /dev. */
function sourceNode(mount: MountInfo): string | undefined {
  if (mount.fstype === 'devtmpfs' && mount.fsroot !== '/') return path.join('/dev', mount.fsroot);
  return mount.source.startsWith('/') ? mount.source : undefined;
}

/**
 * True when `mount` comes from the volume's device. When the device is no longer on this host (detached
 * behind kubelet's back), a mount whose own source device vanished with it is a dead leftover that may
 * be taken down; a mount with a live source (tmpfs, another disk) is somebody else's.
 */
export async function isVolumeMount(mounter: Mounter, mount: MountInfo, device: VolumeDevice | undefined): Promise<boolean> {
  const node = sourceNode(mount);
  if (device) {
    if (mount.majMin === device.deviceNumber || mount.source === device.devicePath) return true;
    if (mount.fstype === 'devtmpfs' && mount.fsroot === `/${path.basename(device.devicePath)}`) return true;
    // btrfs reports an anonymous MAJ:MIN, and a source may be named through a symlink: compare the node itself.
    return node !== undefined && (await mounter.statPath(node).catch(() => undefined))?.deviceNumber === device.deviceNumber;
  }
  if (node === undefined) return false;
  return (await mounter.statPath(node).catch(() => undefined))?.kind !== 'blockDevice';
}

export function describeMount(mount: MountInfo): string {
  return `${mount.source}${mount.fsroot === '/' ? '' : `[${mount.fsroot}]`} (${mount.fstype})`;
}
