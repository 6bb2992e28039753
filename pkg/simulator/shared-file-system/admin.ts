/** The Manila part of the standalone simulator's JSON admin API (`/admin/share/...`), over `SharedFileSystemControl`. */
import { ApiFault, badRequest, notFound, type Router } from '../http-kit';
import type { AccessRuleProfile, ExportLocationProfile } from './behaviour';
import type { SharedFileSystemControl, ShareFailureRule } from './control';

function asRecord(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('expected a JSON object');
  return body as Record<string, unknown>;
}

/** Runs a control call, turning its validation errors into 400s. */
function checked<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof ApiFault) throw err;
    throw badRequest(err instanceof Error ? err.message : String(err));
  }
}

export function registerSharedFileSystemAdmin(router: Router, control: SharedFileSystemControl): void {
  router.add('GET', '/admin/share/settings', () => ({
    status: 200,
    body: { exportLocations: control.exportLocations, accessRules: control.accessRules },
  }));
  router.add('POST', '/admin/share/export-locations', (ctx) => ({
    status: 200,
    body: checked(() => control.setExportLocations(asRecord(ctx.body) as Partial<ExportLocationProfile>)),
  }));
  router.add('POST', '/admin/share/access-rules', (ctx) => {
    const body = asRecord(ctx.body);
    if (body.applying !== undefined && typeof body.applying !== 'boolean') throw badRequest('applying must be a boolean');
    if (body.refusedAccessTo !== undefined && !(Array.isArray(body.refusedAccessTo) && body.refusedAccessTo.every((x) => typeof x === 'string'))) {
      throw badRequest('refusedAccessTo must be a list of strings');
    }
    return { status: 200, body: control.setAccessRules(body as Partial<AccessRuleProfile>) };
  });
  router.add('POST', '/admin/share/failures', (ctx) => {
    const body = asRecord(ctx.body);
    if (typeof body.detailId !== 'string') throw badRequest('detailId is required (e.g. "002")');
    return { status: 201, body: { id: checked(() => control.failNextShare(body as unknown as ShareFailureRule)) } };
  });
  router.add('GET', '/admin/share/shares/{id}', (ctx) => {
    const described = control.describeShare(ctx.params.id);
    if (!described) throw notFound(`share ${ctx.params.id} not found`);
    return { status: 200, body: described };
  });
}
