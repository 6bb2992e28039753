/**
 * The access rules a new volume needs, granted and then WAITED for: NFS gets an `ip`/`rw` rule per
 * `nfs-shareClient` entry, CephFS a `cephx`/`rw` rule per `cephfs-clientID` entry (the share name when
 * none is given). CreateVolume answers only when every rule is `active` (CPO answers while rules are
 * still `queued_to_apply`, so the first mounts fail: CPO #3000); a rule that ends in `error` is revoked and
 * the call fails with Manila's reason. Existing rules for the same client are reused, so a retry is cheap.
 */
import { ResourceErrorStateError } from '../../openstack/errors';
import type { Share, ShareAccessRule } from '../../openstack/api';
import type { ManilaCloud } from '../cloud-source';
import type { ShareProtocol } from '../constants';
import type { ShareParameters } from '../parameters';
import type { RequestScope } from './context';
import { explainFailure } from './share-failure';

export interface WantedRule {
  accessType: 'ip' | 'cephx';
  accessTo: string;
  /** Default `rw`; per-node NFS access grants `ro` for read-only publishes. */
  accessLevel?: 'rw' | 'ro';
}

/** The rules CreateVolume grants; none for NFS under `nfs-nodeAccess` (ControllerPublishVolume grants them). */
export function wantedRules(protocol: ShareProtocol, params: ShareParameters, share: Share): WantedRule[] {
  if (protocol === 'NFS' && params.nfsNodeAccess) return [];
  if (protocol === 'NFS') return params.nfsShareClients.map((accessTo) => ({ accessType: 'ip', accessTo }));
  const clients = params.cephfsClientIds.length > 0 ? params.cephfsClientIds : [share.name ?? share.id];
  return clients.map((accessTo) => ({ accessType: 'cephx', accessTo }));
}

/** Rule states on the way out after a revoke. */
const DENYING_STATES = ['queued_to_deny', 'denying'];

/** Grants what is missing, waits for every rule to be active; returns the rules in `wanted` order. */
export async function ensureAccessRules(
  cloud: ManilaCloud,
  share: Share,
  wanted: readonly WantedRule[],
  scope: RequestScope,
): Promise<ShareAccessRule[]> {
  const manila = cloud.sharedFileSystem;
  const existing = await manila.listAccessRules(share.id);
  const sinceMs = Date.now();
  const started = performance.now();
  const rules = await Promise.all(
    wanted.map(async (want) => {
      const level = want.accessLevel ?? 'rw';
      let rule = existing.find((r) => r.access_type === want.accessType && r.access_to === want.accessTo && r.access_level === level);
      if (rule && DENYING_STATES.includes(rule.state)) {
        // The same client's rule is still being revoked (an unpublish just before this publish): Manila
        // refuses a second rule for it until the first is gone, and waiting on the old one would end in
        // NOT_FOUND when it goes. Let it go, then grant anew.
        await manila.waitForAccessRuleGone(share.id, rule.id);
        rule = undefined;
      }
      if (rule?.state === 'error') {
        // An earlier attempt's rule failed; a fresh grant may succeed (e.g. after the admin fixed the back end).
        await manila.revokeAccess(share.id, rule.id);
        rule = undefined;
      }
      rule ??= await manila.grantAccess(share.id, want.accessType, want.accessTo, level);
      try {
        return await manila.waitForAccessRule(share.id, rule.id, { needAccessKey: want.accessType === 'cephx' });
      } catch (error) {
        if (!(error instanceof ResourceErrorStateError)) throw error;
        const failed = rule;
        await manila.revokeAccess(share.id, failed.id).catch((revokeError: unknown) => {
          scope.logger.warn('could not revoke a failed access rule', { shareId: share.id, accessId: failed.id, error: revokeError });
        });
        throw await explainFailure(
          cloud,
          share.id,
          `access rule ${want.accessType}:${want.accessTo} of share ${share.id} went to state "error" and was revoked`,
          sinceMs,
        );
      }
    }),
  );
  scope.logger.info('access rules active', {
    shareId: share.id,
    rules: rules.map((r) => r.id),
    accessRuleWaitMs: Math.round(performance.now() - started),
  });
  return rules;
}
