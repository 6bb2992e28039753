/** NodeUnpublishVolume: unmounts the publish target and removes it. */
import type { CallContext } from '../../csi/handlers';
import type { NodeUnpublishVolumeRequest, NodeUnpublishVolumeResponse } from '../../csi/types';
import type { NodeContext } from './context';
import { withNodeErrors } from './errors';
import { requirePath, requireVolumeId } from './requests';
import { unmountAndRemove } from './unmount';

export async function nodeUnpublishVolume(
  node: NodeContext,
  req: NodeUnpublishVolumeRequest,
  call: CallContext,
): Promise<NodeUnpublishVolumeResponse> {
  const volumeId = requireVolumeId(req.volume_id);
  const target = requirePath(req.target_path, 'target_path');
  const log = call.logger.child({ volumeId, target });
  return withNodeErrors(`unpublishing volume ${volumeId} from ${target}`, async () => {
    await unmountAndRemove(node.mounter, target, log);
    return {};
  });
}
