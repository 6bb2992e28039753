/**
 * JSON admin endpoint of the standalone simulator (`/admin/...`): the same controls as `sim.control`, the
 * request log and a state summary, for shells and other processes.
 */
import { badRequest, notFound, type Router } from './http-kit';
import type { ControlState, FaultRule, FailureRule, HoldRule, Latency, ResourceKind } from './control';
import type { RequestLog } from './request-log';
import type { SimContext } from './state';

export interface AdminHooks {
  addServer(spec: { name: string; availabilityZone?: string; id?: string; maxVolumes?: number }): unknown;
  info(): Record<string, unknown>;
}

const KINDS: ResourceKind[] = ['volume', 'snapshot', 'backup', 'group', 'group_snapshot', 'share', 'share_snapshot', 'share_access', 'share_group'];

function asRecord(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('expected a JSON object');
  return body as Record<string, unknown>;
}

function asKind(value: unknown): ResourceKind {
  if (typeof value !== 'string' || !KINDS.includes(value as ResourceKind)) throw badRequest(`kind must be one of ${KINDS.join(', ')}`);
  return value as ResourceKind;
}

function asLatency(value: unknown): Latency {
  if (typeof value === 'number') return value;
  const r = asRecord(value);
  if (typeof r.min !== 'number' || typeof r.max !== 'number') throw badRequest('latencyMs must be a number or {min, max}');
  return { min: r.min, max: r.max };
}

function optionalText(r: Record<string, unknown>, key: string): string | undefined {
  const v = r[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`${key} must be a string`);
  return v;
}

export function registerAdmin(router: Router, sim: SimContext, control: ControlState, requests: RequestLog, hooks: AdminHooks): void {
  router.add('GET', '/admin', () => ({ status: 200, body: hooks.info() }));
  router.add('GET', '/admin/state', () => ({
    status: 200,
    body: {
      volumes: [...sim.state.volumes.values()].map((v) => ({ id: v.id, name: v.name, status: v.status, size: v.size, attachments: v.attachments, fault: v.fault })),
      snapshots: [...sim.state.snapshots.values()].map((s) => ({ id: s.id, status: s.status, volumeId: s.volumeId })),
      backups: [...sim.state.backups.values()].map((b) => ({ id: b.id, status: b.status, volumeId: b.volumeId })),
      servers: [...sim.state.servers.values()].map((s) => ({ id: s.id, name: s.name, availabilityZone: s.availabilityZone, volumes: s.bdms.map((b) => b.volumeId) })),
      shares: [...sim.state.shares.values()].map((s) => ({ id: s.id, name: s.name, status: s.status, size: s.size })),
    },
  }));
  router.add('GET', '/admin/requests', (ctx) => ({
    status: 200,
    body: { counts: requests.counts(), entries: ctx.query.get('entries') === 'true' ? requests.entries() : undefined },
  }));
  router.add('DELETE', '/admin/requests', () => {
    requests.clear();
    return { status: 204 };
  });
  router.add('POST', '/admin/latency', (ctx) => {
    const body = asRecord(ctx.body);
    control.setLatency(asLatency(body.latencyMs), optionalText(body, 'transition'));
    return { status: 204 };
  });
  router.add('POST', '/admin/faults', (ctx) => {
    const body = asRecord(ctx.body);
    const match = asRecord(body.match ?? {});
    const action = asRecord(body.action);
    const rule: FaultRule = {
      match: {
        method: optionalText(match, 'method'),
        template: optionalText(match, 'template'),
        path: optionalText(match, 'path'),
        service: optionalText(match, 'service') as FaultRule['match']['service'],
      },
      action: action as FaultRule['action'],
      probability: typeof body.probability === 'number' ? body.probability : undefined,
      times: typeof body.times === 'number' ? body.times : undefined,
    };
    if (!['error', 'reset', 'rateLimit'].includes(String(action.type))) throw badRequest('action.type must be error, reset or rateLimit');
    return { status: 201, body: { id: control.addFault(rule) } };
  });
  router.add('DELETE', '/admin/faults', () => {
    control.clearFaults();
    return { status: 204 };
  });
  router.add('DELETE', '/admin/faults/{id}', (ctx) => {
    control.removeFault(ctx.params.id);
    return { status: 204 };
  });
  router.add('POST', '/admin/tokens/expire', () => {
    control.expireAllTokens();
    return { status: 204 };
  });
  router.add('POST', '/admin/holds', (ctx) => {
    const body = asRecord(ctx.body);
    const status = optionalText(body, 'status');
    if (!status) throw badRequest('status is required');
    const rule: HoldRule = { kind: asKind(body.kind), id: optionalText(body, 'id'), status };
    return { status: 201, body: { id: control.holdStatus(rule) } };
  });
  router.add('DELETE', '/admin/holds/{id}', (ctx) => {
    control.releaseHold(ctx.params.id);
    return { status: 204 };
  });
  router.add('POST', '/admin/failures', (ctx) => {
    const body = asRecord(ctx.body);
    const rule: FailureRule = {
      kind: body.kind === undefined ? undefined : asKind(body.kind),
      id: optionalText(body, 'id'),
      operation: optionalText(body, 'operation'),
      fault: optionalText(body, 'fault'),
      times: typeof body.times === 'number' ? body.times : undefined,
    };
    return { status: 201, body: { id: control.failNextTransition(rule) } };
  });
  router.add('POST', '/admin/servers', (ctx) => {
    const body = asRecord(ctx.body);
    const name = optionalText(body, 'name');
    if (!name) throw badRequest('name is required');
    return {
      status: 201,
      body: hooks.addServer({
        name,
        availabilityZone: optionalText(body, 'availabilityZone'),
        id: optionalText(body, 'id'),
        maxVolumes: typeof body.maxVolumes === 'number' ? body.maxVolumes : undefined,
      }),
    };
  });
  router.add('GET', '/admin/servers/{id}', (ctx) => {
    const s = sim.state.servers.get(ctx.params.id);
    if (!s) throw notFound(`server ${ctx.params.id} not found`);
    return { status: 200, body: { id: s.id, name: s.name, availabilityZone: s.availabilityZone, bdms: s.bdms } };
  });
}
