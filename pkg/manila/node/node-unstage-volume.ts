/** NodeUnstageVolume: forwarded to the partner verbatim. */
import type { NodeUnstageVolumeRequest, NodeUnstageVolumeResponse } from '../../csi/types';
import type { ManilaNodeContext } from './context';

export async function nodeUnstageVolume(ctx: ManilaNodeContext, req: NodeUnstageVolumeRequest): Promise<NodeUnstageVolumeResponse> {
  await ctx.partner.call('NodeUnstageVolume', (client) => client.node.NodeUnstageVolume(req));
  ctx.stageCredentials.delete(req.volume_id);
  return {};
}
