/** NodeUnstageVolume: unmounts the staging path and removes it. */
import type { CallContext } from '../../csi/handlers';
import type { NodeUnstageVolumeRequest, NodeUnstageVolumeResponse } from '../../csi/types';
import type { NodeContext } from './context';
import { withNodeErrors } from './errors';
import { kubeletPath } from './kubelet-paths';
import { requirePath, requireVolumeId } from './requests';
import { unmountAndRemove } from './unmount';

export async function nodeUnstageVolume(
  node: NodeContext,
  req: NodeUnstageVolumeRequest,
  call: CallContext,
): Promise<NodeUnstageVolumeResponse> {
  const volumeId = requireVolumeId(req.volume_id);
  const requested = requirePath(req.staging_target_path, 'staging_target_path');
  const log = call.logger.child({ volumeId, staging: requested });
  return withNodeErrors(`unstaging volume ${volumeId} from ${requested}`, async () => {
    const staging = await kubeletPath(node, requested, 'staging_target_path');
    await unmountAndRemove(node, volumeId, staging, log);
    return {};
  });
}
