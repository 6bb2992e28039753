/**
 * `sim.sharedFileSystem`: the Manila backend's knobs (export profile, access-rule behaviour, failures with a
 * user-message `detail_id`) and what a test needs to look behind the API (backing directories, every export
 * location including admin-only ones). The admin API (`/admin/share/...`) drives the same object.
 */
import { checkedExportLocations, type AccessRuleProfile, type ExportLocationProfile } from './behaviour';
import type { ManilaSim } from './common';
import { DETAILS } from './messages';

export interface ShareFailureRule {
  /** Only this share (default: the next matching one). */
  id?: string;
  /** `create` (default), `create_from_snapshot`, `extend`, `shrink` or `delete`. */
  operation?: 'create' | 'create_from_snapshot' | 'extend' | 'shrink' | 'delete';
  /** Manila detail ID the user message carries, e.g. `002` (no valid host), `009` (capacity filter). */
  detailId: string;
  /** How many transitions to fail (default 1). */
  times?: number;
}

export class SharedFileSystemControl {
  constructor(private readonly sim: ManilaSim) {}

  get exportLocations(): ExportLocationProfile {
    return { ...this.sim.manila.behaviour.exportLocations };
  }

  /** Export profile of shares that become available from now on. */
  setExportLocations(profile: Partial<ExportLocationProfile>): ExportLocationProfile {
    const next = checkedExportLocations({ ...this.sim.manila.behaviour.exportLocations, ...profile });
    this.sim.manila.behaviour.exportLocations = next;
    return { ...next };
  }

  get accessRules(): AccessRuleProfile {
    const current = this.sim.manila.behaviour.accessRules;
    return { ...current, refusedAccessTo: [...current.refusedAccessTo] };
  }

  setAccessRules(profile: Partial<AccessRuleProfile>): AccessRuleProfile {
    const current = this.sim.manila.behaviour.accessRules;
    this.sim.manila.behaviour.accessRules = { ...current, ...profile, refusedAccessTo: [...(profile.refusedAccessTo ?? current.refusedAccessTo)] };
    return this.accessRules;
  }

  /** The next matching share transition ends in its error state with a user message of this `detail_id`. */
  failNextShare(rule: ShareFailureRule): string {
    if (!DETAILS[rule.detailId]) throw new Error(`unknown Manila detail ID ${rule.detailId}; known: ${Object.keys(DETAILS).join(', ')}`);
    return this.sim.control.failNextTransition({ kind: 'share', id: rule.id, operation: rule.operation ?? 'create', fault: rule.detailId, times: rule.times });
  }

  /** Host directory behind an NFS share (its export path); exists once the share is available. */
  backingDir(shareId: string): string {
    return this.sim.manila.backing.shareDir(shareId);
  }

  snapshotBackingDir(snapshotId: string): string {
    return this.sim.manila.backing.snapshotDir(snapshotId);
  }

  /** What an admin sees of a share: status, backing directory, every export location, its rules. */
  describeShare(shareId: string): Record<string, unknown> | undefined {
    const share = this.sim.state.shares.get(shareId);
    if (!share) return undefined;
    return {
      id: share.id,
      status: share.status,
      shareProto: share.shareProto,
      shareGroupId: share.shareGroupId,
      backingDir: share.shareProto === 'NFS' ? this.backingDir(share.id) : null,
      exportLocations: share.exportLocations.map((e) => ({ path: e.path, preferred: e.preferred, isAdminOnly: e.isAdminOnly })),
      accessRules: [...this.sim.state.accessRules.values()]
        .filter((r) => r.shareId === share.id)
        .map((r) => ({ id: r.id, accessType: r.accessType, accessTo: r.accessTo, state: r.state })),
      fault: share.fault,
    };
  }
}
