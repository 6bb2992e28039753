/** NodeUnpublishVolume: forwarded to the partner verbatim. */
import type { NodeUnpublishVolumeRequest, NodeUnpublishVolumeResponse } from '../../csi/types';
import type { ManilaNodeContext } from './context';

export async function nodeUnpublishVolume(ctx: ManilaNodeContext, req: NodeUnpublishVolumeRequest): Promise<NodeUnpublishVolumeResponse> {
  await ctx.partner.call('NodeUnpublishVolume', (client) => client.node.NodeUnpublishVolume(req));
  return {};
}
