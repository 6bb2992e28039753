/** NodeUnstageVolume: unmounts the staging path and removes it. */
import type { CallContext } from '../../csi/handlers';
import type { NodeUnstageVolumeRequest, NodeUnstageVolumeResponse } from '../../csi/types';
import type { NodeContext } from './context';
import { withNodeErrors } from './errors';
import { requirePath, requireVolumeId } from './requests';
import { unmountAndRemove } from './unmount';

export async function nodeUnstageVolume(
  node: NodeContext,
  req: NodeUnstageVolumeRequest,
  call: CallContext,
): Promise<NodeUnstageVolumeResponse> {
  const volumeId = requireVolumeId(req.volume_id);
  const staging = requirePath(req.staging_target_path, 'staging_target_path');
  const log = call.logger.child({ volumeId, staging });
  return withNodeErrors(`unstaging volume ${volumeId} from ${staging}`, async () => {
    await unmountAndRemove(node.mounter, staging, log);
    return {};
  });
}
