/**
 * What a simulated Manila backend does that a test may want to change at run time: how many export locations a
 * share gets and in which address family, whether access rules pass through `applying`, which clients a backend
 * refuses. Set through `startSimulator({ sharedFileSystem })`, `sim.sharedFileSystem` or `/admin/share/...`.
 */

export type AddressFamily = 'ipv4' | 'ipv6' | 'dual';

export interface ExportLocationProfile {
  /** Export locations a project user sees per share (default 1); 0 gives a share with none. */
  count: number;
  /** `ipv4` (default), `ipv6`, or `dual` (IPv4 and IPv6 locations alternate, IPv4 first). */
  addressFamily: AddressFamily;
  /** Index of the location marked `preferred` (default 0); -1 marks none. */
  preferredIndex: number;
  /** Also add one admin-only location (default true); only admins see it, as in Manila. */
  adminOnly: boolean;
}

export interface AccessRuleProfile {
  /** Rules pass `queued_to_apply` → `applying` → `active` (default true); false skips `applying`. */
  applying: boolean;
  /** `access_to` values the backend refuses: their rules end in `error` with user message detail 020. */
  refusedAccessTo: string[];
}

export interface SharedFileSystemBehaviour {
  exportLocations: ExportLocationProfile;
  accessRules: AccessRuleProfile;
}

/** Options of `startSimulator({ sharedFileSystem })`. */
export interface SharedFileSystemOptions {
  exportLocations?: Partial<ExportLocationProfile>;
  accessRules?: Partial<AccessRuleProfile>;
}

export const DEFAULT_EXPORT_LOCATIONS: ExportLocationProfile = { count: 1, addressFamily: 'ipv4', preferredIndex: 0, adminOnly: true };
export const DEFAULT_ACCESS_RULES: AccessRuleProfile = { applying: true, refusedAccessTo: [] };

export function initialBehaviour(options: SharedFileSystemOptions = {}): SharedFileSystemBehaviour {
  return {
    exportLocations: checkedExportLocations({ ...DEFAULT_EXPORT_LOCATIONS, ...options.exportLocations }),
    accessRules: { ...DEFAULT_ACCESS_RULES, ...options.accessRules },
  };
}

export function checkedExportLocations(profile: ExportLocationProfile): ExportLocationProfile {
  if (!Number.isInteger(profile.count) || profile.count < 0 || profile.count > 16) {
    throw new Error(`export location count must be an integer from 0 to 16, got ${profile.count}`);
  }
  if (!['ipv4', 'ipv6', 'dual'].includes(profile.addressFamily)) {
    throw new Error(`addressFamily must be ipv4, ipv6 or dual, got ${String(profile.addressFamily)}`);
  }
  if (!Number.isInteger(profile.preferredIndex) || profile.preferredIndex < -1) {
    throw new Error(`preferredIndex must be -1 or a location index, got ${profile.preferredIndex}`);
  }
  return profile;
}
