/** Manila lookups, links, usage and quota checks shared by the share, snapshot, access and group handlers. */
import { ApiFault, notFound } from '../http-kit';
import type { ResourceKind } from '../control';
import type { MicroversionPolicy } from '../microversion';
import type { ServiceCall } from '../service-route';
import type { AccessRuleRecord, ShareRecord, ShareSnapshotRecord, ShareTypeRecord, SimContext } from '../state';
import type { ShareBackingStore } from './backing-store';
import type { SharedFileSystemBehaviour } from './behaviour';
import type { ShareGroupRecord, ShareGroupTypeRecord } from './groups';
import type { ShareMessageRecord } from './messages';

export const MANILA_PREFIX = '/share/v2/{project_id}';

export function manilaPolicy(max: string): MicroversionPolicy {
  return { serviceWord: 'shared-file-system', legacyHeader: 'X-OpenStack-Manila-API-Version', min: '2.0', max };
}

/** Manila's own records and settings, beside the shares, snapshots and rules kept in `SimState`. */
export interface ManilaRuntime {
  behaviour: SharedFileSystemBehaviour;
  backing: ShareBackingStore;
  messages: ShareMessageRecord[];
  groups: Map<string, ShareGroupRecord>;
  groupTypes: Map<string, ShareGroupTypeRecord>;
}

export interface ManilaSim extends SimContext {
  manila: ManilaRuntime;
}

export function getShare(sim: SimContext, id: string): ShareRecord {
  const s = sim.state.shares.get(id);
  // Manila's controllers answer a bare HTTPNotFound (webob's default text).
  if (!s) throw notFound('The resource could not be found.');
  return s;
}

export function getSnapshot(sim: SimContext, id: string): ShareSnapshotRecord {
  const s = sim.state.shareSnapshots.get(id);
  if (!s) throw notFound(`Snapshot ${id} could not be found.`);
  return s;
}

export function findShareType(sim: SimContext, idOrName: string): ShareTypeRecord | undefined {
  return sim.state.shareTypes.get(idOrName) ?? [...sim.state.shareTypes.values()].find((t) => t.name === idOrName);
}

/** An extra spec that reads true (`True`, `<is> True`). */
export function specTrue(t: ShareTypeRecord | undefined, key: string): boolean {
  return /^(<is>\s*)?true$/i.test(t?.extraSpecs[key]?.trim() ?? '');
}

export function rulesOf(sim: SimContext, shareId: string): AccessRuleRecord[] {
  return [...sim.state.accessRules.values()].filter((r) => r.shareId === shareId);
}

/** `self` and `bookmark` links as Manila's view builders make them. */
export function selfLinks(call: ServiceCall, collection: string, id: string): { href: string; rel: string }[] {
  return [
    { href: `${call.baseUrl}/share/v2/${call.projectId}/${collection}/${id}`, rel: 'self' },
    { href: `${call.baseUrl}/share/${call.projectId}/${collection}/${id}`, rel: 'bookmark' },
  ];
}

export function manilaUsage(sim: SimContext) {
  const shares = [...sim.state.shares.values()];
  const snaps = [...sim.state.shareSnapshots.values()];
  return {
    shares: shares.length,
    gigabytes: shares.reduce((n, s) => n + s.size, 0),
    snapshots: snaps.length,
    snapshot_gigabytes: snaps.reduce((n, s) => n + s.size, 0),
    share_networks: sim.state.shareNetworks.size,
  };
}

/**
 * Quota check of a new share or a growth by `gigabytes`. Manila's quota errors are 413 on create; extend turns
 * `ShareSizeExceedsAvailableQuota` into 403 (api/v2/shares.py `_extend`), so the caller picks the status.
 */
export function checkShareQuota(sim: SimContext, gigabytes: number, newShares: number, status: 403 | 413 = 413): void {
  const q = sim.manilaQuotas;
  const used = manilaUsage(sim);
  if (q.gigabytes >= 0 && used.gigabytes + gigabytes > q.gigabytes) {
    throw new ApiFault(
      status,
      `ShareSizeExceedsAvailableQuota: Requested share exceeds allowed project/user or share type gigabytes quota. Requested ${gigabytes}G, quota is ${q.gigabytes}G and ${used.gigabytes}G has been consumed.`,
    );
  }
  if (q.shares >= 0 && used.shares + newShares > q.shares) {
    throw new ApiFault(status, `ShareLimitExceeded: Maximum number of shares allowed (${q.shares}) exceeded.`);
  }
}

/**
 * Schedules an asynchronous `operation` on the record `id` of `records`: it runs after the configured latency
 * while the record still exists (holds apply to its status), then `complete`, or `fail` when a failure is injected.
 */
export function scheduleOn<T extends { status: string }>(
  sim: SimContext,
  records: Map<string, T>,
  target: { kind: ResourceKind; id: string; operation: string },
  complete: () => void | Promise<void>,
  fail: (fault: string) => void,
): void {
  sim.scheduler.schedule({ ...target, currentStatus: () => records.get(target.id)?.status, complete, fail });
}
