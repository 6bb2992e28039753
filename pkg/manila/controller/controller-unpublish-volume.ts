/**
 * ControllerUnpublishVolume: revoke what ControllerPublishVolume granted the node (read from the share's
 * metadata record), except addresses another node's record still names, then drop the record. Share,
 * record or rule already gone → success; shares without `nfs-nodeAccess` have nothing to revoke.
 */
import { invalidArgument } from '../../csi/errors';
import type { ControllerUnpublishVolumeRequest, ControllerUnpublishVolumeResponse } from '../../csi/types';
import { goneIsSuccess, mapErrors } from '../../driver-kit/openstack-errors';
import type { ManilaControllerContext, RequestScope } from './context';
import { addressesOfOtherNodes, nodeGrantKey, parseNodeGrant, usesNodeAccess } from './node-access';

export async function controllerUnpublishVolume(
  ctx: ManilaControllerContext,
  req: ControllerUnpublishVolumeRequest,
  scope: RequestScope,
): Promise<ControllerUnpublishVolumeResponse> {
  if (!req.volume_id) throw invalidArgument('volume_id is required');
  if (!req.node_id) throw invalidArgument('node_id is required');
  const manila = ctx.clouds.forSecrets(req.secrets).sharedFileSystem;

  await mapErrors({ operation: `unpublish volume ${req.volume_id} from node ${req.node_id}` }, async () => {
    const share = await goneIsSuccess(() => manila.getShare(req.volume_id));
    if (!share || !usesNodeAccess(share)) return;
    const key = nodeGrantKey(req.node_id);
    const grant = parseNodeGrant(share.metadata[key]);
    if (!grant) return;
    const stillNeeded = addressesOfOtherNodes(share, req.node_id);
    const revocable = new Set(grant.addresses.filter((address) => !stillNeeded.has(address)));
    const rules = (await manila.listAccessRules(share.id)).filter(
      (rule) => rule.access_type === 'ip' && revocable.has(rule.access_to) && rule.access_level === grant.level,
    );
    for (const rule of rules) {
      if (rule.state === 'queued_to_deny' || rule.state === 'denying') continue;
      await goneIsSuccess(() => manila.revokeAccess(share.id, rule.id));
    }
    await goneIsSuccess(() => manila.deleteShareMetadata(share.id, key));
    scope.logger.info('NFS access revoked from node', { shareId: share.id, nodeId: req.node_id, revoked: rules.map((r) => r.id) });
  });
  return {};
}
