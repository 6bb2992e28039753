/**
 * Opt-in per-node NFS access (`nfs-nodeAccess=true`, CPO #2202): instead of one `0.0.0.0/0` rule at
 * creation, ControllerPublishVolume grants an NFS `ip` rule per address of the publishing node (Nova server
 * = CSI node ID) and ControllerUnpublishVolume revokes them. What was granted for which node is recorded in
 * the share's own metadata (`manila.csi.openstack.org/node-access.<node>` = `rw:ip1,ip2`), so unpublish
 * needs no Nova call (the server may be gone), survives a controller restart, and keeps an address another
 * node's record still names (nodes behind one NAT address, or a floating IP moved between servers).
 */
import type { Server, Share } from '../../openstack/api';
import { METADATA_NFS_NODE_ACCESS, METADATA_NODE_GRANT_PREFIX } from '../constants';

export type AccessLevel = 'rw' | 'ro';

export interface NodeGrant {
  level: AccessLevel;
  addresses: string[];
}

/** Whether ControllerPublishVolume manages this share's access (else publish is a no-op, CPO's default). */
export function usesNodeAccess(share: Share): boolean {
  return share.share_proto.toUpperCase() === 'NFS' && share.metadata?.[METADATA_NFS_NODE_ACCESS] === 'true';
}

export function nodeGrantKey(nodeId: string): string {
  return `${METADATA_NODE_GRANT_PREFIX}${nodeId}`;
}

export function formatNodeGrant(grant: NodeGrant): string {
  return `${grant.level}:${grant.addresses.join(',')}`;
}

export function parseNodeGrant(value: string | undefined): NodeGrant | undefined {
  const match = /^(rw|ro):(.*)$/.exec(value ?? '');
  if (!match) return undefined;
  return { level: match[1] as AccessLevel, addresses: match[2].split(',').filter((a) => a !== '') };
}

/** Every address another node's grant record still names. */
export function addressesOfOtherNodes(share: Share, nodeId: string): Set<string> {
  const own = nodeGrantKey(nodeId);
  const others = new Set<string>();
  for (const [key, value] of Object.entries(share.metadata ?? {})) {
    if (key === own || !key.startsWith(METADATA_NODE_GRANT_PREFIX)) continue;
    for (const address of parseNodeGrant(value)?.addresses ?? []) others.add(address);
  }
  return others;
}

/** The server's fixed and floating addresses, IPv4 and IPv6, each once, in Nova's order. */
export function serverAddresses(server: Server): string[] {
  const all = Object.values(server.addresses ?? {}).flatMap((entries) => entries.map((entry) => entry.addr));
  return [...new Set(all.filter((addr) => typeof addr === 'string' && addr !== ''))].sort();
}
