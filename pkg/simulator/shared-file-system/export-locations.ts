/**
 * Export locations (`/shares/{id}/export_locations`, 2.9+). NFS paths name the share's backing directory on this
 * host; CephFS paths are CephFS native's `mon1:6789,mon2:6789,mon3:6789:/volumes/_nogroup/<uuid>`. How many
 * locations a share gets, their address family and which is preferred follow the backend's export profile.
 * The simulated cloud has no admin user (tokens carry `member` and `reader`), so, as Manila shows a project
 * user, admin-only locations are left out and `is_admin_only`/`share_instance_id` (admin fields) never appear.
 */
import { randomUUID } from 'node:crypto';
import { ApiFault, notFound } from '../http-kit';
import { atLeast, requireVersion } from '../microversion';
import type { ServiceCall, ServiceRoutes } from '../service-route';
import { cinderTime, type ShareExportRecord, type ShareRecord } from '../state';
import type { ExportLocationProfile } from './behaviour';
import type { ManilaSim } from './common';

export const EXPORT_LOCATIONS_MIN_VERSION = '2.9';

export function registerExportLocations(routes: ServiceRoutes, sim: ManilaSim): void {
  routes.add('GET', '/shares/{share_id}/export_locations', (call) => {
    requireVersion(call.version, EXPORT_LOCATIONS_MIN_VERSION);
    const share = shareForLocations(sim, call.params.share_id);
    const visible = share.exportLocations.filter((e) => !e.isAdminOnly);
    return { status: 200, body: { export_locations: visible.map((e) => exportView(call, share, e, false)) } };
  });
  routes.add('GET', '/shares/{share_id}/export_locations/{export_location_id}', (call) => {
    requireVersion(call.version, EXPORT_LOCATIONS_MIN_VERSION);
    const share = shareForLocations(sim, call.params.share_id);
    const e = share.exportLocations.find((x) => x.id === call.params.export_location_id);
    if (!e) throw notFound(`Export location '${call.params.export_location_id}' not found.`);
    if (e.isAdminOnly) throw new ApiFault(403, 'Access was denied to this resource.');
    return { status: 200, body: { export_location: exportView(call, share, e, true) } };
  });
}

function shareForLocations(sim: ManilaSim, id: string): ShareRecord {
  const share = sim.state.shares.get(id);
  if (!share) throw notFound(`Share '${id}' not found.`);
  return share;
}

function exportView(call: ServiceCall, share: ShareRecord, e: ShareExportRecord, detail: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = { id: e.id, path: e.path };
  if (atLeast(call.version, '2.14')) view.preferred = e.preferred;
  if (detail) {
    view.created_at = e.createdAt ?? share.createdAt;
    view.updated_at = e.updatedAt ?? null;
  }
  if (atLeast(call.version, '2.87')) view.metadata = {};
  return view;
}

/** The locations a share gets once `available`, by protocol and the backend's export profile. */
export function exportLocationsFor(share: ShareRecord, profile: ExportLocationProfile, nfsDir: string): ShareExportRecord[] {
  const createdAt = cinderTime();
  const loc = (path: string, preferred: boolean, isAdminOnly: boolean): ShareExportRecord => ({
    id: randomUUID(),
    path,
    preferred,
    isAdminOnly,
    createdAt,
    updatedAt: null,
  });
  const cephPath = `/volumes/_nogroup/${randomUUID()}`;
  const pathAt = (host: string) => (share.shareProto === 'CEPHFS' ? `${cephMonitors(host)}:${cephPath}` : `${host}:${nfsDir}`);
  const locations: ShareExportRecord[] = [];
  for (let i = 0; i < profile.count; i++) {
    locations.push(loc(pathAt(userHost(profile, i)), i === profile.preferredIndex, false));
  }
  if (profile.adminOnly) locations.push(loc(pathAt('10.0.0.10'), false, true));
  return locations;
}

/** The i-th user-facing address: 192.0.2.x (TEST-NET-1) and 2001:db8::x (documentation prefix), bracketed. */
function userHost(profile: ExportLocationProfile, i: number): string {
  const v6 = profile.addressFamily === 'ipv6' || (profile.addressFamily === 'dual' && i % 2 === 1);
  const n = profile.addressFamily === 'dual' ? Math.floor(i / 2) : i;
  return v6 ? `[2001:db8::${(0x10 + n).toString(16)}]` : `192.0.2.${10 + n}`;
}

/** Three monitors next to `host` (`192.0.2.10` → `192.0.2.10:6789,192.0.2.11:6789,192.0.2.12:6789`). */
function cephMonitors(host: string): string {
  const v4 = /^(\d+\.\d+\.\d+)\.(\d+)$/.exec(host);
  if (v4) return [0, 1, 2].map((k) => `${v4[1]}.${Number(v4[2]) + k}:6789`).join(',');
  const v6 = /^\[(.*::)([0-9a-f]+)\]$/.exec(host);
  if (v6) return [0, 1, 2].map((k) => `[${v6[1]}${(parseInt(v6[2], 16) + k).toString(16)}]:6789`).join(',');
  return `${host}:6789`;
}
