/** In-memory records of every simulated resource, and the context the service modules share. */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger';
import type { ControlState } from './control';
import type { IdentityService } from './identity';
import type { SimBlockBackend } from './block-keys';
import type { CinderQuotas, ManilaQuotas } from './options';
import type { TransitionScheduler } from './transitions';

export interface AttachmentRecord {
  attachmentId: string;
  serverId: string;
  device: string;
  /** reserved → attaching → attached → detaching. */
  state: 'reserved' | 'attaching' | 'attached' | 'detaching';
  attachedAt?: string;
  devicePath?: string;
}

/** What every listed Cinder and Manila resource has. */
export interface ListedRecord {
  /** Creation order: lists sort by it, newest first. */
  seq: number;
  id: string;
  name: string | null;
  description: string | null;
  status: string;
}

export interface VolumeRecord extends ListedRecord {
  /** Status to return to after a transient one (extending, retyping, backing-up). */
  previousStatus?: string;
  size: number;
  availabilityZone: string;
  volumeType: string;
  multiattach: boolean;
  metadata: Record<string, string>;
  attachments: AttachmentRecord[];
  snapshotId: string | null;
  sourceVolid: string | null;
  backupId: string | null;
  groupId: string | null;
  createdAt: string;
  updatedAt: string | null;
  /** Last injected/observed failure, kept for the admin view (Cinder exposes faults only as user messages). */
  fault?: string;
}

export interface SnapshotRecord extends ListedRecord {
  size: number;
  volumeId: string;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string | null;
  groupSnapshotId: string | null;
  fault?: string;
}

export interface BackupRecord extends ListedRecord {
  size: number;
  volumeId: string;
  snapshotId: string | null;
  availabilityZone: string | null;
  container: string | null;
  failReason: string | null;
  isIncremental: boolean;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string | null;
  dataTimestamp: string;
}

export interface VolumeTypeRecord {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
}

export interface GroupTypeRecord {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  groupSpecs: Record<string, string>;
}

export interface GroupRecord extends ListedRecord {
  availabilityZone: string;
  groupTypeId: string;
  volumeTypeIds: string[];
  groupSnapshotId: string | null;
  sourceGroupId: string | null;
  createdAt: string;
}

export interface GroupSnapshotRecord extends ListedRecord {
  groupId: string;
  groupTypeId: string;
  createdAt: string;
}

export interface BdmRecord {
  volumeId: string;
  device: string;
  attachmentId: string;
  bdmUuid: string;
  tag: string | null;
  deleteOnTermination: boolean;
}

export interface ServerRecord {
  id: string;
  name: string;
  availabilityZone: string;
  maxVolumes?: number;
  createdAt: string;
  bdms: BdmRecord[];
  /** Nova's `addresses`: network name → addresses (fixed and floating IPv4, one IPv6). */
  addresses: Record<string, ServerAddressRecord[]>;
}

/** One entry of Nova's server `addresses` (api-ref "Show Server Details"). */
export interface ServerAddressRecord {
  addr: string;
  version: 4 | 6;
  'OS-EXT-IPS:type': 'fixed' | 'floating';
  'OS-EXT-IPS-MAC:mac_addr': string;
}

export interface ShareExportRecord {
  id: string;
  path: string;
  preferred: boolean;
  isAdminOnly: boolean;
  createdAt: string;
  updatedAt: string | null;
}

export interface ShareRecord extends ListedRecord {
  size: number;
  shareProto: 'NFS' | 'CEPHFS';
  shareTypeId: string;
  shareNetworkId: string | null;
  availabilityZone: string;
  snapshotId: string | null;
  shareGroupId: string | null;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string | null;
  instanceId: string;
  exportLocations: ShareExportRecord[];
  accessRulesStatus: string;
  fault?: string;
}

export interface ShareSnapshotRecord extends ListedRecord {
  shareId: string;
  shareSize: number;
  size: number;
  shareProto: string;
  createdAt: string;
  updatedAt: string | null;
}

export interface AccessRuleRecord {
  id: string;
  shareId: string;
  accessType: string;
  accessTo: string;
  accessLevel: string;
  state: string;
  accessKey: string | null;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string | null;
}

export interface ShareTypeRecord {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
}

export interface ShareNetworkRecord {
  id: string;
  name: string | null;
  description: string | null;
  neutronNetId: string | null;
  neutronSubnetId: string | null;
  createdAt: string;
}

/** A Cinder user message (`GET /messages`, 3.3): how failures of asynchronous operations are reported. */
export interface UserMessageRecord {
  id: string;
  eventId: string;
  userMessage: string;
  resourceType: string;
  resourceUuid: string;
  createdAt: string;
}

export class SimState {
  readonly messages: UserMessageRecord[] = [];
  readonly volumes = new Map<string, VolumeRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly backups = new Map<string, BackupRecord>();
  readonly volumeTypes = new Map<string, VolumeTypeRecord>();
  readonly groupTypes = new Map<string, GroupTypeRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly groupSnapshots = new Map<string, GroupSnapshotRecord>();
  readonly servers = new Map<string, ServerRecord>();
  readonly shares = new Map<string, ShareRecord>();
  readonly shareSnapshots = new Map<string, ShareSnapshotRecord>();
  readonly accessRules = new Map<string, AccessRuleRecord>();
  readonly shareTypes = new Map<string, ShareTypeRecord>();
  readonly shareNetworks = new Map<string, ShareNetworkRecord>();
  private seq = 0;

  nextSeq(): number {
    return ++this.seq;
  }
}

export interface SimContext {
  state: SimState;
  control: ControlState;
  scheduler: TransitionScheduler;
  backend: SimBlockBackend;
  identity: IdentityService;
  logger: Logger;
  availabilityZones: string[];
  cinderQuotas: CinderQuotas;
  manilaQuotas: ManilaQuotas;
  microversions: { volumeMax: string; computeMax: string; shareMax: string };
  defaultMaxVolumesPerServer?: number;
  /** Called whenever what a server's metadata shows (its devices) changed. */
  serverChanged(serverId: string): void;
}

export const newId = (): string => randomUUID();

/** Cinder's timestamp format (`2024-01-02T03:04:05.000000`). */
export function cinderTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000');
}
