/**
 * ControllerPublishVolume: for a share created with `nfs-nodeAccess=true`, grant an NFS `ip` rule (`rw`, or
 * `ro` for a read-only publish or a reader-only access mode) to every address Nova lists for the node, and
 * answer once they are `active`. Any other share: nothing to do (its rules were granted at creation).
 * The grant is recorded in the share's metadata first, so an interrupted publish is still revoked by
 * ControllerUnpublishVolume. Unknown node → NOT_FOUND.
 */
import { alreadyExists, failedPrecondition, invalidArgument } from '../../csi/errors';
import type { ControllerPublishVolumeRequest, ControllerPublishVolumeResponse } from '../../csi/types';
import { goneIsNotFound, mapErrors } from '../../driver-kit/openstack-errors';
import { ensureAccessRules } from './access-rules';
import { assertCapabilities } from './capabilities';
import type { ManilaControllerContext, RequestScope } from './context';
import { formatNodeGrant, nodeGrantKey, parseNodeGrant, serverAddresses, usesNodeAccess, type AccessLevel } from './node-access';
import { getShareOrNotFound } from './share-lookup';

const READER_ONLY_MODES = ['SINGLE_NODE_READER_ONLY', 'MULTI_NODE_READER_ONLY'];

export async function controllerPublishVolume(
  ctx: ManilaControllerContext,
  req: ControllerPublishVolumeRequest,
  scope: RequestScope,
): Promise<ControllerPublishVolumeResponse> {
  if (!req.volume_id) throw invalidArgument('volume_id is required');
  if (!req.node_id) throw invalidArgument('node_id is required');
  if (!req.volume_capability) throw invalidArgument('volume_capability is required');
  assertCapabilities([req.volume_capability]);
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const level: AccessLevel = req.readonly || READER_ONLY_MODES.includes(req.volume_capability.access_mode?.mode ?? '') ? 'ro' : 'rw';

  return mapErrors({ operation: `publish volume ${req.volume_id} to node ${req.node_id}`, waitingFor: 'the access rules to become active' }, async () => {
    const share = await getShareOrNotFound(cloud, req.volume_id);
    if (!usesNodeAccess(share)) return { publish_context: {} };
    const key = nodeGrantKey(req.node_id);
    const earlier = parseNodeGrant(share.metadata[key]);
    if (earlier && earlier.level !== level) {
      throw alreadyExists(`volume ${share.id} is already published to node ${req.node_id} ${earlier.level}, now asked ${level}`);
    }
    const server = await goneIsNotFound(() => cloud.compute.getServer(req.node_id), `node ${req.node_id} is not a Nova server (the node ID must be its server ID)`);
    const addresses = serverAddresses(server);
    if (addresses.length === 0) throw failedPrecondition(`Nova lists no addresses for node ${req.node_id}, so no NFS access rule can name it`);
    // Record before granting: whatever is granted can then always be found and revoked.
    const recorded = [...new Set([...(earlier?.addresses ?? []), ...addresses])].sort();
    await cloud.sharedFileSystem.setShareMetadata(share.id, { [key]: formatNodeGrant({ level, addresses: recorded }) });
    const rules = await ensureAccessRules(
      cloud,
      share,
      addresses.map((accessTo) => ({ accessType: 'ip' as const, accessTo, accessLevel: level })),
      scope,
    );
    scope.logger.info('NFS access granted to node', { shareId: share.id, nodeId: req.node_id, level, rules: rules.map((r) => r.id) });
    return { publish_context: {} };
  });
}
