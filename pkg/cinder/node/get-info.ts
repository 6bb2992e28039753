/** NodeGetInfo: this server's Nova instance ID, its zone (and `--additional-topology`), the attach limit. */
import type { NodeGetInfoResponse } from '../../csi/types';
import { TOPOLOGY_ZONE_KEY } from '../constants';
import type { NodeContext } from './context';
import { withNodeErrors } from './errors';
import { sanitizeZone } from './node-info';

export async function nodeGetInfo(node: NodeContext): Promise<NodeGetInfoResponse> {
  const identity = await withNodeErrors('NodeGetInfo', () => node.identity.resolve());
  const segments: Record<string, string> = {};
  if (node.withTopology) {
    const zone = identity.availabilityZone ? sanitizeZone(identity.availabilityZone) : '';
    if (zone) segments[TOPOLOGY_ZONE_KEY] = zone;
    else node.logger.warn('no availability zone known for this node; reporting no zone topology', { source: identity.source });
  }
  Object.assign(segments, node.additionalTopology);
  return {
    node_id: identity.instanceId,
    max_volumes_per_node: node.maxVolumes,
    accessible_topology: Object.keys(segments).length > 0 ? { segments } : null,
  };
}
