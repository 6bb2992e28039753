/** NodeGetInfo: the Nova instance ID (config drive → metadata service → providerID); the zone only with `--with-topology`. */
import { unavailable } from '../../csi/errors';
import { zoneTopology } from '../../driver-kit/topology';
import type { NodeGetInfoResponse } from '../../csi/types';
import { TOPOLOGY_ZONE_KEY } from '../constants';
import type { ManilaNodeContext } from './context';

export async function nodeGetInfo(ctx: ManilaNodeContext): Promise<NodeGetInfoResponse> {
  let identity;
  try {
    identity = await ctx.identity.resolve();
  } catch (error) {
    throw unavailable((error as Error).message, error);
  }
  return {
    node_id: identity.instanceId,
    max_volumes_per_node: '0',
    accessible_topology:
      ctx.withTopology && identity.availabilityZone ? zoneTopology(TOPOLOGY_ZONE_KEY, identity.availabilityZone) : undefined,
  };
}
