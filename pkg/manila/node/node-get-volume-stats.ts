/** NodeGetVolumeStats: forwarded to the partner verbatim, its answer returned as is. */
import type { NodeGetVolumeStatsRequest, NodeGetVolumeStatsResponse } from '../../csi/types';
import type { ManilaNodeContext } from './context';

export function nodeGetVolumeStats(ctx: ManilaNodeContext, req: NodeGetVolumeStatsRequest): Promise<NodeGetVolumeStatsResponse> {
  return ctx.partner.call('NodeGetVolumeStats', (client) => client.node.NodeGetVolumeStats(req));
}
