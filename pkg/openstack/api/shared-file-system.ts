/**
 * The Manila v2 (shared file system) contract: the share, access-rule and snapshot calls the Manila
 * driver uses. `ManilaClient` implements it.
 */
import type { ListOptions, Page, WaitOptions, WaitSchedule } from './common';

export interface Share {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  size: number;
  share_proto: string;
  share_type: string | null;
  share_type_name?: string;
  share_network_id: string | null;
  availability_zone: string | null;
  snapshot_id: string | null;
  metadata: Record<string, string>;
  created_at: string;
  export_locations?: string[];
}

export interface CreateShareOptions {
  shareProto: string;
  size: number;
  name?: string;
  description?: string;
  shareType?: string;
  shareNetworkId?: string;
  availabilityZone?: string;
  snapshotId?: string;
  shareGroupId?: string;
  metadata?: Record<string, string>;
  /** Needs microversion 2.65. */
  schedulerHints?: Record<string, string>;
}

export interface ShareAccessRule {
  id: string;
  share_id?: string;
  access_type: string;
  access_to: string;
  access_level: string;
  state: string;
  access_key: string | null;
  created_at?: string;
  updated_at?: string | null;
  metadata?: Record<string, string>;
}

export interface ShareExportLocation {
  id: string;
  path: string;
  preferred: boolean;
  is_admin_only?: boolean;
  share_instance_id?: string;
}

export interface ShareSnapshot {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  share_id: string;
  share_size: number;
  size: number;
  share_proto: string;
  created_at: string;
}

export interface ShareType {
  id: string;
  name: string;
  extra_specs: Record<string, string>;
  required_extra_specs?: Record<string, string>;
}

/** Manila's newest user message about a resource (`GET /messages`, 2.37). */
export interface ShareUserMessage {
  /** Manila's `message_field.Detail` code, e.g. "002" (no storage could be allocated). */
  detailId: string;
  userMessage: string;
  createdAt: string;
}

/** Absolute limits of the project's share quota (`GET /limits`); -1 means unlimited. */
export interface ShareAbsoluteLimits {
  maxTotalShareGigabytes: number;
  totalShareGigabytesUsed: number;
  maxTotalShares: number;
  totalSharesUsed: number;
}

export interface SharedFileSystemApi {
  createShare(options: CreateShareOptions): Promise<Share>;
  getShare(id: string): Promise<Share>;
  listShares(options?: ListOptions & { name?: string }): Promise<Page<Share>>;
  deleteShare(id: string): Promise<void>;
  /** `POST /shares/{id}/metadata`: adds or replaces the given keys, keeps the others; answers all metadata. */
  setShareMetadata(id: string, metadata: Record<string, string>): Promise<Record<string, string>>;
  /** `DELETE /shares/{id}/metadata/{key}`; a missing key is NotFound. */
  deleteShareMetadata(id: string, key: string): Promise<void>;
  extendShare(id: string, newSizeGiB: number): Promise<void>;
  shrinkShare(id: string, newSizeGiB: number): Promise<void>;
  waitForShare(id: string, targetStatuses: readonly string[], options?: WaitOptions<Share>): Promise<Share>;
  grantAccess(shareId: string, accessType: string, accessTo: string, accessLevel: 'rw' | 'ro'): Promise<ShareAccessRule>;
  revokeAccess(shareId: string, accessId: string): Promise<void>;
  /** `GET /share-access-rules?share_id=` (microversion 2.45). */
  listAccessRules(shareId: string): Promise<ShareAccessRule[]>;
  listExportLocations(shareId: string): Promise<ShareExportLocation[]>;
  createSnapshot(shareId: string, name?: string, description?: string): Promise<ShareSnapshot>;
  getSnapshot(id: string): Promise<ShareSnapshot>;
  listSnapshots(options?: ListOptions & { name?: string; shareId?: string }): Promise<Page<ShareSnapshot>>;
  deleteSnapshot(id: string): Promise<void>;
  waitForSnapshot(
    id: string,
    targetStatuses: readonly string[],
    options?: WaitOptions<ShareSnapshot>,
  ): Promise<ShareSnapshot>;
  listShareTypes(): Promise<ShareType[]>;
  /** Polls the access rules until `accessId` is `active` (and has its `access_key` when asked); `error` fails fast. */
  waitForAccessRule(
    shareId: string,
    accessId: string,
    options?: { schedule?: WaitSchedule; needAccessKey?: boolean },
  ): Promise<ShareAccessRule>;
  /** Polls the access rules until the revoked rule `accessId` is no longer listed. */
  waitForAccessRuleGone(shareId: string, accessId: string, options?: { schedule?: WaitSchedule }): Promise<void>;
  /** Newest user message about a share or snapshot, created at or after `sinceMs` when given. */
  latestMessage(resourceId: string, sinceMs?: number): Promise<ShareUserMessage | undefined>;
  absoluteLimits(): Promise<ShareAbsoluteLimits>;
  getShareType(idOrName: string): Promise<ShareType>;
}
