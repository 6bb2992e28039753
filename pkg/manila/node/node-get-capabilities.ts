/**
 * NodeGetCapabilities: the partner's own (csi-driver-nfs has no STAGE_UNSTAGE_VOLUME, ceph-csi has), so
 * the CO calls exactly what the partner implements. Remembered after the first answer.
 */
import type { NodeGetCapabilitiesResponse } from '../../csi/types';
import type { ManilaNodeContext } from './context';

export function createNodeGetCapabilities(ctx: ManilaNodeContext): () => Promise<NodeGetCapabilitiesResponse> {
  let cached: NodeGetCapabilitiesResponse | undefined;
  return async () => {
    cached ??= await ctx.partner.call('NodeGetCapabilities', (client) => client.node.NodeGetCapabilities({}));
    return { capabilities: cached.capabilities };
  };
}
