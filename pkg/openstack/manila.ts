/**
 * Manila (shared-file-system) v2 client. Paths are relative to the catalog endpoint
 * (`https://cloud:8786/v2/{project_id}` or `/v2`). Every call sends at least microversion 2.37, the base
 * CPO's Manila plugin negotiates; calls that need more say so.
 *
 * Longer than 400 lines on purpose, like `cinder.ts`: it is the one implementation of
 * `SharedFileSystemApi` (shares, access rules, export locations, snapshots, types, metadata, user messages,
 * limits), each method a short request mapping sharing the client's waiters.
 */
import type {
  CreateShareOptions,
  ListOptions,
  Page,
  Share,
  ShareAbsoluteLimits,
  ShareAccessRule,
  ShareExportLocation,
  ShareUserMessage,
  SharedFileSystemApi,
  ShareSnapshot,
  ShareType,
  WaitOptions,
} from './api';
import type { WaitSchedule } from './api';
import { NotFoundError } from './errors';
import { findByIdOrName } from './find-by-id-or-name';
import { compact, pathSegment } from './http/request-parts';
import { requireMember, type ServiceClient } from './http/service-client';
import { newestUserMessage, type UserMessage } from './user-messages';
import { StatusWaiter, type StatusWaiterDeps, type WaitSchedules } from './waiter';

interface ManilaMessage extends UserMessage {
  detail_id?: string;
}

export const MANILA_MICROVERSIONS = {
  /** Base of every call (user messages API exists from here). */
  base: '2.37',
  /** `GET /share-access-rules?share_id=`. */
  accessRules: '2.45',
  /** `scheduler_hints` on share create. */
  schedulerHints: '2.65',
} as const;

const SHARE_ERROR_STATUSES = [
  'error',
  'error_deleting',
  'extending_error',
  'shrinking_error',
  'shrinking_possible_data_loss_error',
  'manage_error',
  'unmanage_error',
];
const SNAPSHOT_ERROR_STATUSES = ['error', 'error_deleting'];
/** Manila lists are cut at `osapi_max_limit` (1000 by default); walk them with `offset`. */
const WAIT_LIST_PAGE = 1000;

export interface ManilaClientDeps extends StatusWaiterDeps {
  schedules: WaitSchedules;
}

export class ManilaClient implements SharedFileSystemApi {
  readonly shareWaiter: StatusWaiter<Share>;
  readonly snapshotWaiter: StatusWaiter<ShareSnapshot>;

  constructor(
    private readonly client: ServiceClient,
    private readonly deps: ManilaClientDeps,
  ) {
    this.shareWaiter = new StatusWaiter<Share>(
      {
        kind: 'share',
        get: (id) => this.getShare(id),
        list: () => this.listAllForWait<Share>('/shares/detail', 'shares', 'share_wait_list'),
        statusOf: (share) => share.status,
        faultOf: (share, sinceMs) => this.latestUserMessage(share.id, sinceMs),
        defaultErrorStatuses: SHARE_ERROR_STATUSES,
      },
      deps,
    );
    this.snapshotWaiter = new StatusWaiter<ShareSnapshot>(
      {
        kind: 'share snapshot',
        get: (id) => this.getSnapshot(id),
        list: () => this.listAllForWait<ShareSnapshot>('/snapshots/detail', 'snapshots', 'share_snapshot_wait_list'),
        statusOf: (snapshot) => snapshot.status,
        faultOf: (snapshot, sinceMs) => this.latestUserMessage(snapshot.id, sinceMs),
        defaultErrorStatuses: SNAPSHOT_ERROR_STATUSES,
      },
      deps,
    );
  }

  /** `POST /shares` (2.37; 2.65 with scheduler hints). */
  async createShare(options: CreateShareOptions): Promise<Share> {
    const hints = options.schedulerHints && Object.keys(options.schedulerHints).length > 0;
    const result = await this.client.call<{ share: Share }>({
      method: 'POST',
      path: '/shares',
      body: {
        share: compact({
          share_proto: options.shareProto,
          size: options.size,
          name: options.name,
          description: options.description,
          share_type: options.shareType,
          share_network_id: options.shareNetworkId,
          availability_zone: options.availabilityZone,
          snapshot_id: options.snapshotId,
          share_group_id: options.shareGroupId,
          metadata: options.metadata,
          scheduler_hints: hints ? options.schedulerHints : undefined,
        }),
      },
      microversion: hints ? MANILA_MICROVERSIONS.schedulerHints : MANILA_MICROVERSIONS.base,
      request: 'share_create',
    });
    return requireMember(result, 'share');
  }

  /** `GET /shares/{id}` (2.37). */
  async getShare(id: string): Promise<Share> {
    const result = await this.client.call<{ share: Share }>({
      method: 'GET',
      path: `/shares/${pathSegment(id)}`,
      request: 'share_get',
    });
    return requireMember(result, 'share');
  }

  /**
   * `GET /shares/detail` (2.37; `name` filter, `limit`/`offset`). Manila pages by offset, so the
   * `nextMarker` of a Manila page is an opaque offset, not an ID.
   */
  async listShares(options: ListOptions & { name?: string } = {}): Promise<Page<Share>> {
    return this.offsetPages(options, async (offset, limit) => {
      const result = await this.client.call<{ shares: Share[] }>({
        method: 'GET',
        path: '/shares/detail',
        query: { name: options.name, limit, offset: offset || undefined },
        request: 'share_list',
      });
      return result.data.shares ?? [];
    });
  }

  /** `DELETE /shares/{id}` (2.37). */
  async deleteShare(id: string): Promise<void> {
    await this.client.call({ method: 'DELETE', path: `/shares/${pathSegment(id)}`, request: 'share_delete' });
  }

  /** `POST /shares/{id}/metadata` (2.37): merges `metadata` into the share's. */
  async setShareMetadata(id: string, metadata: Record<string, string>): Promise<Record<string, string>> {
    const result = await this.client.call<{ metadata: Record<string, string> }>({
      method: 'POST',
      path: `/shares/${pathSegment(id)}/metadata`,
      body: { metadata },
      request: 'share_metadata_set',
    });
    return result.data.metadata ?? {};
  }

  /** `DELETE /shares/{id}/metadata/{key}` (2.37). */
  async deleteShareMetadata(id: string, key: string): Promise<void> {
    await this.client.call({
      method: 'DELETE',
      path: `/shares/${pathSegment(id)}/metadata/${pathSegment(key)}`,
      request: 'share_metadata_delete',
    });
  }

  /** `POST /shares/{id}/action` `extend` (2.37; named `extend` since 2.7). */
  async extendShare(id: string, newSizeGiB: number): Promise<void> {
    await this.action(id, { extend: { new_size: newSizeGiB } }, 'share_extend');
  }

  /** `POST /shares/{id}/action` `shrink` (2.37). */
  async shrinkShare(id: string, newSizeGiB: number): Promise<void> {
    await this.action(id, { shrink: { new_size: newSizeGiB } }, 'share_shrink');
  }

  waitForShare(id: string, targetStatuses: readonly string[], options?: WaitOptions<Share>): Promise<Share> {
    return this.shareWaiter.wait(id, targetStatuses, this.deps.schedules.shareStatus, options);
  }

  /** `POST /shares/{id}/action` `allow_access` (2.37). The answer's `access_key` is a secret (cephx). */
  async grantAccess(
    shareId: string,
    accessType: string,
    accessTo: string,
    accessLevel: 'rw' | 'ro',
  ): Promise<ShareAccessRule> {
    const result = await this.action<{ access: ShareAccessRule }>(
      shareId,
      { allow_access: { access_type: accessType, access_to: accessTo, access_level: accessLevel } },
      'share_access_grant',
    );
    return requireMember(result, 'access');
  }

  /** `POST /shares/{id}/action` `deny_access` (2.37). */
  async revokeAccess(shareId: string, accessId: string): Promise<void> {
    await this.action(shareId, { deny_access: { access_id: accessId } }, 'share_access_revoke');
  }

  /** `GET /share-access-rules?share_id=` (2.45). */
  async listAccessRules(shareId: string): Promise<ShareAccessRule[]> {
    const result = await this.client.call<{ access_list: ShareAccessRule[] }>({
      method: 'GET',
      path: '/share-access-rules',
      query: { share_id: shareId },
      microversion: MANILA_MICROVERSIONS.accessRules,
      request: 'share_access_list',
    });
    return result.data.access_list ?? [];
  }

  /**
   * Polls `GET /share-access-rules?share_id=` (2.45) until the rule is `active` and, with
   * `needAccessKey` (cephx), carries its `access_key`. Fails fast when the rule goes to `error`.
   */
  async waitForAccessRule(
    shareId: string,
    accessId: string,
    options: { schedule?: WaitSchedule; needAccessKey?: boolean } = {},
  ): Promise<ShareAccessRule> {
    return this.accessRuleWaiter(shareId).wait(accessId, ['active'], this.deps.schedules.shareAccess, {
      schedule: options.schedule,
      until: options.needAccessKey ? (rule) => Boolean(rule.access_key) : undefined,
    });
  }

  /** Polls the share's rules until a revoked rule (`queued_to_deny`/`denying`) is no longer listed. */
  async waitForAccessRuleGone(shareId: string, accessId: string, options: { schedule?: WaitSchedule } = {}): Promise<void> {
    await this.accessRuleWaiter(shareId).wait(accessId, [], this.deps.schedules.shareAccess, { schedule: options.schedule, gone: true });
  }

  private accessRuleWaiter(shareId: string): StatusWaiter<ShareAccessRule> {
    return new StatusWaiter<ShareAccessRule>(
      {
        kind: `access rule of share ${shareId}`,
        get: async (id) => {
          const rule = (await this.listAccessRules(shareId)).find((candidate) => candidate.id === id);
          if (!rule) throw new NotFoundError(`access rule ${id} of share ${shareId} not found`, { service: 'shared-file-system' });
          return rule;
        },
        statusOf: (rule) => rule.state,
        defaultErrorStatuses: ['error'],
      },
      { ...this.deps, coalescing: { enabled: false } },
    );
  }

  /** `GET /shares/{id}/export_locations` (2.37). */
  async listExportLocations(shareId: string): Promise<ShareExportLocation[]> {
    const result = await this.client.call<{ export_locations: ShareExportLocation[] }>({
      method: 'GET',
      path: `/shares/${pathSegment(shareId)}/export_locations`,
      request: 'share_export_location_list',
    });
    return result.data.export_locations ?? [];
  }

  /** `POST /snapshots` (2.37). */
  async createSnapshot(shareId: string, name?: string, description?: string): Promise<ShareSnapshot> {
    const result = await this.client.call<{ snapshot: ShareSnapshot }>({
      method: 'POST',
      path: '/snapshots',
      body: { snapshot: compact({ share_id: shareId, name, description }) },
      request: 'share_snapshot_create',
    });
    return requireMember(result, 'snapshot');
  }

  /** `GET /snapshots/{id}` (2.37). */
  async getSnapshot(id: string): Promise<ShareSnapshot> {
    const result = await this.client.call<{ snapshot: ShareSnapshot }>({
      method: 'GET',
      path: `/snapshots/${pathSegment(id)}`,
      request: 'share_snapshot_get',
    });
    return requireMember(result, 'snapshot');
  }

  /** `GET /snapshots/detail` (2.37; `name`, `share_id` filters, `limit`/`offset`). */
  async listSnapshots(options: ListOptions & { name?: string; shareId?: string } = {}): Promise<Page<ShareSnapshot>> {
    return this.offsetPages(options, async (offset, limit) => {
      const result = await this.client.call<{ snapshots: ShareSnapshot[] }>({
        method: 'GET',
        path: '/snapshots/detail',
        query: { name: options.name, share_id: options.shareId, limit, offset: offset || undefined },
        request: 'share_snapshot_list',
      });
      return result.data.snapshots ?? [];
    });
  }

  /** `DELETE /snapshots/{id}` (2.37). */
  async deleteSnapshot(id: string): Promise<void> {
    await this.client.call({
      method: 'DELETE',
      path: `/snapshots/${pathSegment(id)}`,
      request: 'share_snapshot_delete',
    });
  }

  waitForSnapshot(
    id: string,
    targetStatuses: readonly string[],
    options?: WaitOptions<ShareSnapshot>,
  ): Promise<ShareSnapshot> {
    return this.snapshotWaiter.wait(id, targetStatuses, this.deps.schedules.shareSnapshotReady, options);
  }

  /** `GET /types` (2.37). */
  async listShareTypes(): Promise<ShareType[]> {
    const result = await this.client.call<{ share_types: ShareType[] }>({
      method: 'GET',
      path: '/types',
      request: 'share_type_list',
    });
    return result.data.share_types ?? [];
  }

  /** `GET /types/{id}` (2.37) for an ID; a name is looked up in `GET /types`. */
  async getShareType(idOrName: string): Promise<ShareType> {
    return findByIdOrName(idOrName, {
      getById: async (id) => {
        const result = await this.client.call<{ share_type: ShareType }>({
          method: 'GET',
          path: `/types/${pathSegment(id)}`,
          request: 'share_type_get',
        });
        return requireMember(result, 'share_type');
      },
      list: () => this.listShareTypes(),
      notFound: () => new NotFoundError(`share type "${idOrName}" not found`, { service: 'shared-file-system' }),
    });
  }

  /**
   * Newest user message about a resource (`GET /messages?resource_id=`, 2.37) with its `detail_id`, the
   * code a driver maps to a gRPC status. Messages older than `sinceMs` (less clock skew) are ignored.
   */
  async latestMessage(resourceId: string, sinceMs?: number): Promise<ShareUserMessage | undefined> {
    const result = await this.client.call<{ messages: ManilaMessage[] }>({
      method: 'GET',
      path: '/messages',
      query: { resource_id: resourceId },
      request: 'message_list',
    });
    const messages = result.data.messages ?? [];
    const text = newestUserMessage(messages, sinceMs);
    if (text === undefined) return undefined;
    const newest = messages.find((message) => message.user_message === text);
    return { detailId: newest?.detail_id ?? '', userMessage: text, createdAt: newest?.created_at ?? '' };
  }

  /** `GET /limits` (2.37): the project's share quota and usage. */
  async absoluteLimits(): Promise<ShareAbsoluteLimits> {
    const result = await this.client.call<{ limits?: { absolute?: Record<string, number> } }>({
      method: 'GET',
      path: '/limits',
      request: 'share_limits',
    });
    const absolute = result.data.limits?.absolute ?? {};
    const read = (key: keyof ShareAbsoluteLimits, fallback: number) =>
      typeof absolute[key] === 'number' ? absolute[key] : fallback;
    return {
      maxTotalShareGigabytes: read('maxTotalShareGigabytes', -1),
      totalShareGigabytesUsed: read('totalShareGigabytesUsed', 0),
      maxTotalShares: read('maxTotalShares', -1),
      totalSharesUsed: read('totalSharesUsed', 0),
    };
  }

  // ---------- helpers ----------

  private action<T = undefined>(shareId: string, body: Record<string, unknown>, request: string) {
    return this.client.call<T>({
      method: 'POST',
      path: `/shares/${pathSegment(shareId)}/action`,
      body,
      request,
    });
  }

  private async offsetPages<T>(
    options: ListOptions,
    fetch: (offset: number, limit: number | undefined) => Promise<T[]>,
  ): Promise<Page<T>> {
    const start = options.marker ? Number.parseInt(options.marker, 10) || 0 : 0;
    if (!options.allPages) {
      const items = await fetch(start, options.limit);
      const full = options.limit !== undefined && items.length >= options.limit;
      return { items, nextMarker: full ? String(start + items.length) : undefined };
    }
    const pageSize = options.limit ?? WAIT_LIST_PAGE;
    const items: T[] = [];
    for (let offset = start; ; offset += pageSize) {
      const page = await fetch(offset, pageSize);
      items.push(...page);
      if (page.length < pageSize) return { items };
    }
  }

  private async listAllForWait<T extends { id: string }>(
    path: string,
    key: string,
    request: string,
  ): Promise<Map<string, T>> {
    const page = await this.offsetPages<T>({ allPages: true }, async (offset, limit) => {
      const result = await this.client.call<Record<string, unknown>>({
        method: 'GET',
        path,
        query: { limit, offset: offset || undefined },
        request,
      });
      return (result.data[key] as T[]) ?? [];
    });
    return new Map(page.items.map((item) => [item.id, item]));
  }

  /** Text of the newest user message about a resource, best effort (a failed wait explains itself with it). */
  private async latestUserMessage(resourceId: string, sinceMs?: number): Promise<string | undefined> {
    try {
      return (await this.latestMessage(resourceId, sinceMs))?.userMessage;
    } catch {
      return undefined;
    }
  }
}
