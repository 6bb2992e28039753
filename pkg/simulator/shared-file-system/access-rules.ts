/**
 * Access rules: the `allow_access`/`deny_access`/`access_list` share actions and `/share-access-rules` (2.45+).
 * A granted rule goes `queued_to_apply` → `applying` → `active` (cephx rules get their `access_key` then), or ends
 * in `error` when the backend does not take its type (NFS takes `ip`, CephFS `cephx`) or refuses its client, with
 * a user message on the share as Manila's share manager leaves one.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { badRequest, notFound, optionalString, optionalStringMap } from '../http-kit';
import { atLeast, requireVersion } from '../microversion';
import type { ServiceCall, ServiceRoutes } from '../service-route';
import { cinderTime, newId, type AccessRuleRecord, type ShareRecord } from '../state';
import { rulesOf, type ManilaSim } from './common';
import { recordShareMessage } from './messages';

const ACCESS_TYPES = ['ip', 'user', 'cert', 'cephx'];
export const ACCESS_RULES_MIN_VERSION = '2.45';

export function registerAccessRules(routes: ServiceRoutes, sim: ManilaSim): void {
  routes.add('GET', '/share-access-rules', (call) => {
    requireVersion(call.version, ACCESS_RULES_MIN_VERSION);
    const shareId = call.query.get('share_id');
    if (!shareId) throw badRequest("The field 'share_id' has to be specified.");
    // A missing share is a bad query here, not a missing resource (api/v2/share_accesses.py).
    if (!sim.state.shares.has(shareId)) throw badRequest(`Share ${shareId} not found.`);
    return { status: 200, body: accessListBody(call, sim, shareId) };
  });
  routes.add('GET', '/share-access-rules/{access_id}', (call) => {
    requireVersion(call.version, ACCESS_RULES_MIN_VERSION);
    const rule = sim.state.accessRules.get(call.params.access_id);
    if (!rule) throw notFound(`Share access rule ${call.params.access_id} not found.`);
    return { status: 200, body: { access: accessView(call, sim, rule, true) } };
  });
}

/** `{access_list: [...]}` as both the legacy action and the 2.45 list answer it (summary views: no `share_id`). */
export function accessListBody(call: ServiceCall, sim: ManilaSim, shareId: string): Record<string, unknown> {
  return { access_list: rulesOf(sim, shareId).map((r) => accessView(call, sim, r, false)) };
}

/** Manila's access view: `access_key` from 2.21, timestamps from 2.33, metadata from 2.45; per-rule states from 2.28. */
export function accessView(call: ServiceCall, sim: ManilaSim, r: AccessRuleRecord, withShareId: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: r.id,
    access_level: r.accessLevel,
    access_to: r.accessTo,
    access_type: r.accessType,
    state: r.state,
  };
  if (withShareId) view.share_id = r.shareId;
  if (atLeast(call.version, '2.21')) view.access_key = r.accessKey;
  if (!atLeast(call.version, '2.28')) {
    // Before 2.28 a rule shows its share's access_rules_status, `syncing` as `new`.
    const status = sim.state.shares.get(r.shareId)?.accessRulesStatus ?? 'active';
    view.state = status === 'syncing' ? 'new' : status;
  }
  if (atLeast(call.version, '2.33')) {
    view.created_at = r.createdAt;
    view.updated_at = r.updatedAt;
  }
  if (atLeast(call.version, '2.45')) view.metadata = { ...r.metadata };
  return view;
}

export function allowAccess(call: ServiceCall, sim: ManilaSim, share: ShareRecord, args: Record<string, unknown>) {
  const accessType = optionalString(args, 'access_type');
  const accessTo = optionalString(args, 'access_to');
  const accessLevel = optionalString(args, 'access_level') ?? 'rw';
  if (!accessType || !ACCESS_TYPES.includes(accessType)) {
    throw badRequest("Only 'ip', 'user', 'cert' or 'cephx' access types are supported.");
  }
  if (!accessTo) throw badRequest('Invalid input received: access_to is required.');
  if (!['rw', 'ro'].includes(accessLevel)) throw badRequest(`Invalid access level: ${accessLevel}.`);
  if (accessType === 'ip' && !validIpRule(accessTo)) throw badRequest(`Invalid IP access rule: ${accessTo}.`);
  if (accessType === 'cephx' && !/^[^\s]+$/.test(accessTo)) throw badRequest('Invalid cephx access rule: the ID must not contain white space.');
  if (share.status !== 'available') throw badRequest(`Invalid share: Share ${share.id} status must be available, but current status is: ${share.status}.`);
  if (rulesOf(sim, share.id).some((r) => r.accessType === accessType && r.accessTo === accessTo)) {
    throw badRequest(`Share access ${accessType}:${accessTo} exists.`);
  }
  const rule: AccessRuleRecord = {
    id: newId(),
    shareId: share.id,
    accessType,
    accessTo,
    accessLevel,
    state: 'queued_to_apply',
    accessKey: null,
    metadata: optionalStringMap(args, 'metadata') ?? {},
    createdAt: cinderTime(),
    updatedAt: null,
  };
  sim.state.accessRules.set(rule.id, rule);
  share.accessRulesStatus = 'syncing';
  scheduleApply(sim, share, rule);
  return { status: 200, body: { access: accessView(call, sim, rule, true) } };
}

/** `queued_to_apply` → (`applying` →) `active`, or `error` with a user message naming why. */
function scheduleApply(sim: ManilaSim, share: ShareRecord, rule: AccessRuleRecord): void {
  const fail = (fault: string) => {
    rule.state = 'error';
    rule.updatedAt = cinderTime();
    share.accessRulesStatus = 'error';
    recordShareMessage(sim, 'SHARE', share.id, 'updateAccessRules', fault);
  };
  const activate = () => {
    const backendType = share.shareProto === 'NFS' ? 'ip' : 'cephx';
    // Manila's drivers refuse a type they do not take with UNSUPPORTED_CLIENT_ACCESS (021).
    if (rule.accessType !== backendType) throw new Error('021');
    if (sim.manila.behaviour.accessRules.refusedAccessTo.includes(rule.accessTo)) throw new Error('020');
    rule.state = 'active';
    if (rule.accessType === 'cephx') rule.accessKey = randomBytes(28).toString('base64');
    rule.updatedAt = cinderTime();
    refreshAccessStatus(sim, share);
  };
  const step = (operation: string, from: string, complete: () => void) =>
    sim.scheduler.schedule({
      kind: 'share_access',
      id: rule.id,
      operation,
      currentStatus: () => (sim.state.accessRules.get(rule.id)?.state === from ? from : undefined),
      complete,
      fail,
    });
  step('allow_access', 'queued_to_apply', () => {
    if (!sim.manila.behaviour.accessRules.applying) return activate();
    rule.state = 'applying';
    rule.updatedAt = cinderTime();
    step('apply', 'applying', activate);
  });
}

export function refreshAccessStatus(sim: ManilaSim, share: ShareRecord): void {
  const states = rulesOf(sim, share.id).map((r) => r.state);
  share.accessRulesStatus = states.includes('error')
    ? 'error'
    : states.some((s) => s.startsWith('queued') || s === 'applying' || s === 'denying')
      ? 'syncing'
      : 'active';
}

function validIpRule(text: string): boolean {
  const [addr, prefix, ...rest] = text.split('/');
  if (rest.length > 0) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d+$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export function denyAccess(sim: ManilaSim, share: ShareRecord, args: Record<string, unknown>) {
  const accessId = optionalString(args, 'access_id');
  const rule = accessId ? sim.state.accessRules.get(accessId) : undefined;
  if (!rule || rule.shareId !== share.id) throw notFound(`Access rule ${accessId ?? ''} could not be found.`);
  rule.state = 'queued_to_deny';
  share.accessRulesStatus = 'syncing';
  sim.scheduler.schedule({
    kind: 'share_access',
    id: rule.id,
    operation: 'deny_access',
    currentStatus: () => sim.state.accessRules.get(rule.id)?.state,
    complete: () => {
      sim.state.accessRules.delete(rule.id);
      refreshAccessStatus(sim, share);
    },
    fail: (fault) => {
      rule.state = 'error';
      share.accessRulesStatus = 'error';
      recordShareMessage(sim, 'SHARE', share.id, 'deleteAccessRules', fault);
    },
  });
  return { status: 202 };
}
