/** NodeUnpublishVolume: unmounts the publish target and removes it. */
import type { CallContext } from '../../csi/handlers';
import type { NodeUnpublishVolumeRequest, NodeUnpublishVolumeResponse } from '../../csi/types';
import type { NodeContext } from './context';
import { withNodeErrors } from './errors';
import { kubeletPath } from './kubelet-paths';
import { requirePath, requireVolumeId } from './requests';
import { unmountAndRemove } from './unmount';

export async function nodeUnpublishVolume(
  node: NodeContext,
  req: NodeUnpublishVolumeRequest,
  call: CallContext,
): Promise<NodeUnpublishVolumeResponse> {
  const volumeId = requireVolumeId(req.volume_id);
  const requested = requirePath(req.target_path, 'target_path');
  const log = call.logger.child({ volumeId, target: requested });
  return withNodeErrors(`unpublishing volume ${volumeId} from ${requested}`, async () => {
    const target = await kubeletPath(node, requested, 'target_path');
    await unmountAndRemove(node, volumeId, target, log);
    return {};
  });
}
