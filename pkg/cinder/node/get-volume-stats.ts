/**
 * NodeGetVolumeStats: bytes and inodes of a published or staged volume (the device size for raw
 * block), and its condition: a vanished staging mount or device, or a filesystem the kernel made
 * read-only, is reported as abnormal rather than failing the call.
 */
import { notFound } from '../../csi/errors';
import type { NodeGetVolumeStatsRequest, NodeGetVolumeStatsResponse } from '../../csi/types';
import type { MountInfo, Mounter } from '../../mounter';
import type { NodeContext } from './context';
import { withNodeErrors } from './errors';
import { kubeletPath } from './kubelet-paths';
import { currentVolumeDevice, describeMount, isVolumeMount } from './volume-mounts';
import { requirePath, requireVolumeId, requireVolumePath } from './requests';

const HEALTHY = { abnormal: false, message: 'volume is healthy' };

/** kubelet drops a response without usage, and the condition with it: an abnormal answer still has one. */
function abnormal(message: string): NodeGetVolumeStatsResponse {
  return { usage: [{ unit: 'BYTES', total: 0 }], volume_condition: { abnormal: true, message } };
}

export async function nodeGetVolumeStats(node: NodeContext, req: NodeGetVolumeStatsRequest): Promise<NodeGetVolumeStatsResponse> {
  const { mounter } = node;
  const volumeId = requireVolumeId(req.volume_id);
  const requested = requireVolumePath(req.volume_path);
  const requestedStaging = req.staging_target_path ? requirePath(req.staging_target_path, 'staging_target_path') : undefined;
  return withNodeErrors(`reading stats of volume ${volumeId} at ${requested}`, async () => {
    const volumePath = await kubeletPath(node, requested, 'volume_path');
    const staging = requestedStaging && (await kubeletPath(node, requestedStaging, 'staging_target_path'));
    let info;
    try {
      info = await mounter.statPath(volumePath);
    } catch (error) {
      return abnormal(`cannot stat ${volumePath}: ${(error as Error).message}`);
    }
    if (!info) throw notFound(`volume_path ${volumePath} does not exist`);
    const mount = await mounter.findMount(volumePath);
    // Stats describe the volume, never whatever filesystem happens to hold the path.
    if (!mount) throw notFound(`volume ${volumeId} is not mounted at ${volumePath}`);
    const device = await currentVolumeDevice(node, volumeId);
    if (!(await isVolumeMount(mounter, mount, device))) {
      throw notFound(`${volumePath} is mounted from ${describeMount(mount)}, not from the device of volume ${volumeId}`);
    }

    if (info.kind === 'blockDevice' || (info.kind === 'file' && mount.fstype === 'devtmpfs')) {
      let total: number;
      try {
        total = await mounter.deviceSize(volumePath);
      } catch (error) {
        return abnormal(`the block device behind ${volumePath} is gone: ${(error as Error).message}`);
      }
      return { usage: [{ unit: 'BYTES', total }], volume_condition: HEALTHY };
    }

    const problems = await filesystemProblems(mounter, mount, staging);
    let stats;
    try {
      stats = await mounter.statfs(volumePath);
    } catch (error) {
      // A broken mount (EIO, ENOTCONN) is a volume condition to report, not a failure of the call.
      problems.unshift(`cannot read filesystem statistics: ${(error as Error).message}`);
      return abnormal(problems.join('; '));
    }
    return {
      usage: [
        { unit: 'BYTES', total: stats.totalBytes, available: stats.availableBytes, used: stats.usedBytes },
        { unit: 'INODES', total: stats.totalInodes, available: stats.freeInodes, used: stats.usedInodes },
      ],
      volume_condition: problems.length ? { abnormal: true, message: problems.join('; ') } : HEALTHY,
    };
  });
}

async function filesystemProblems(mounter: Mounter, mount: MountInfo, staging: string | undefined): Promise<string[]> {
  const problems: string[] = [];
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
