/**
 * The simulator's control surface: latency of asynchronous transitions, request faults, held statuses and
 * failing transitions. Handlers and the transition scheduler consult it; tests and the admin endpoint drive it.
 */
import type { ServiceName } from './http-kit';

export type ResourceKind =
  | 'volume'
  | 'snapshot'
  | 'backup'
  | 'group'
  | 'group_snapshot'
  | 'share'
  | 'share_snapshot'
  | 'share_access'
  | 'share_group';

/** Fixed milliseconds, or a uniform range. */
export type Latency = number | { min: number; max: number };

/** Which requests a fault applies to; every given field must match. */
export interface RequestMatcher {
  method?: string;
  /** Route template, e.g. `/volume/v3/{project_id}/volumes`. */
  template?: string;
  /** Tested against the request path (string = substring). */
  path?: string | RegExp;
  service?: ServiceName;
}

export type FaultAction =
  | { type: 'error'; status: number; message?: string }
  | { type: 'reset' }
  | { type: 'rateLimit'; status: 413 | 429; retryAfterSeconds: number };

export interface FaultRule {
  match: RequestMatcher;
  action: FaultAction;
  /** Chance per matching request, 0..1 (default 1). */
  probability?: number;
  /** Stop after firing this many times (default: unlimited). */
  times?: number;
}

export interface FailureRule {
  kind?: ResourceKind;
  id?: string;
  /** Operation name: create, delete, attach, detach, extend, retype, shrink, backup, restore, allow_access, deny_access. */
  operation?: string;
  /** Fault message: Cinder shows it as a user message (`GET /messages`), backups as `fail_reason`. */
  fault?: string;
  /** How many transitions to fail (default 1). */
  times?: number;
}

export interface HoldRule {
  kind: ResourceKind;
  /** Only this resource (default: every resource of the kind). */
  id?: string;
  status: string;
}

export interface SimulatorControl {
  /** Latency of asynchronous transitions: all of them, or one `kind.operation` (e.g. `volume.attach`) or `kind`. */
  setLatency(latency: Latency, transition?: string): void;
  /** Adds a request fault; returns its ID for `removeFault`. */
  addFault(rule: FaultRule): string;
  removeFault(id: string): void;
  /** Shortcut: answer `status` (default 500) to a fraction of matching requests. */
  setErrorRate(match: RequestMatcher, rate: number, status?: number): string;
  /** Shortcut: reset the TCP connection of the next `times` matching requests. */
  resetConnections(match: RequestMatcher, times?: number): string;
  /** Shortcut: answer 413/429 with `Retry-After` to the next `times` matching requests. */
  rateLimit(match: RequestMatcher, options: { status?: 413 | 429; retryAfterSeconds?: number; times?: number }): string;
  /** Every token issued so far becomes expired (401 on next use); new authentications still work. */
  expireAllTokens(): void;
  /** Resources of a kind (or one) stay in `status`: transitions out of it wait until released. */
  holdStatus(rule: HoldRule): string;
  releaseHold(id: string): void;
  /** The next matching transition ends in the error state instead of its target, with `fault` as message. */
  failNextTransition(rule?: FailureRule): string;
  /** Removes every fault, hold and failure rule (latency is kept). */
  clearFaults(): void;
}

interface ActiveFault extends FaultRule {
  id: string;
  fired: number;
}

interface ActiveFailure {
  ruleId: string;
  rule: FailureRule;
  remaining: number;
}

export class ControlState implements SimulatorControl {
  private defaultLatency: Latency;
  private readonly latencies = new Map<string, Latency>();
  private faults: ActiveFault[] = [];
  private holds = new Map<string, HoldRule>();
  private failures: ActiveFailure[] = [];
  private nextId = 1;
  private rngState: number;
  /** Called when holds are released, so parked transitions run. */
  onRelease: () => void = () => undefined;
  /** Called by expireAllTokens. */
  onExpireTokens: () => void = () => undefined;

  constructor(latency: Latency, seed = 0x5eed) {
    this.defaultLatency = latency;
    this.rngState = seed >>> 0;
  }

  /** Deterministic PRNG (mulberry32) so error-rate runs are reproducible. */
  random(): number {
    this.rngState = (this.rngState + 0x6d2b79f5) >>> 0;
    let t = this.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  setLatency(latency: Latency, transition?: string): void {
    validateLatency(latency);
    if (transition === undefined) this.defaultLatency = latency;
    else this.latencies.set(transition, latency);
  }

  latencyFor(kind: ResourceKind, operation: string): number {
    const latency = this.latencies.get(`${kind}.${operation}`) ?? this.latencies.get(kind) ?? this.defaultLatency;
    if (typeof latency === 'number') return latency;
    return latency.min + Math.floor(this.random() * (latency.max - latency.min + 1));
  }

  addFault(rule: FaultRule): string {
    const id = `fault-${this.nextId++}`;
    this.faults.push({ ...rule, id, fired: 0 });
    return id;
  }

  removeFault(id: string): void {
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  setErrorRate(match: RequestMatcher, rate: number, status = 500): string {
    return this.addFault({ match, action: { type: 'error', status }, probability: rate });
  }

  resetConnections(match: RequestMatcher, times = 1): string {
    return this.addFault({ match, action: { type: 'reset' }, times });
  }

  rateLimit(match: RequestMatcher, options: { status?: 413 | 429; retryAfterSeconds?: number; times?: number }): string {
    return this.addFault({
      match,
      action: { type: 'rateLimit', status: options.status ?? 429, retryAfterSeconds: options.retryAfterSeconds ?? 1 },
      times: options.times ?? 1,
    });
  }

  expireAllTokens(): void {
    this.onExpireTokens();
  }

  holdStatus(rule: HoldRule): string {
    const id = `hold-${this.nextId++}`;
    this.holds.set(id, rule);
    return id;
  }

  releaseHold(id: string): void {
    if (this.holds.delete(id)) this.onRelease();
  }

  failNextTransition(rule: FailureRule = {}): string {
    const id = `failure-${this.nextId++}`;
    if ((rule.times ?? 1) < 1) throw new Error('times must be at least 1');
    this.failures.push({ ruleId: id, rule, remaining: rule.times ?? 1 });
    return id;
  }

  clearFaults(): void {
    this.faults = [];
    this.failures = [];
    const hadHolds = this.holds.size > 0;
    this.holds.clear();
    if (hadHolds) this.onRelease();
  }

  /** The fault to apply to a request, if any (consumes one use). */
  faultFor(request: { method: string; template: string; path: string; service: ServiceName | 'unknown' }): FaultAction | undefined {
    for (const fault of this.faults) {
      if (!matches(fault.match, request)) continue;
      if (fault.times !== undefined && fault.fired >= fault.times) continue;
      if (fault.probability !== undefined && this.random() >= fault.probability) continue;
      fault.fired++;
      return fault.action;
    }
    return undefined;
  }

  isHeld(kind: ResourceKind, id: string, status: string): boolean {
    for (const hold of this.holds.values()) {
      if (hold.kind === kind && (!hold.id || hold.id === id) && hold.status === status) return true;
    }
    return false;
  }

  /** The fault message when this transition must fail (consumes one use). */
  takeFailure(kind: ResourceKind, id: string, operation: string): string | undefined {
    for (const failure of this.failures) {
      const { rule } = failure;
      if (rule.kind && rule.kind !== kind) continue;
      if (rule.id && rule.id !== id) continue;
      if (rule.operation && rule.operation !== operation) continue;
      failure.remaining--;
      if (failure.remaining <= 0) this.failures = this.failures.filter((f) => f !== failure);
      return rule.fault ?? `Simulated failure of ${kind} ${operation}.`;
    }
    return undefined;
  }
}

function matches(m: RequestMatcher, r: { method: string; template: string; path: string; service: string }): boolean {
  if (m.method && m.method.toUpperCase() !== r.method) return false;
  if (m.template && m.template !== r.template) return false;
  if (m.service && m.service !== r.service) return false;
  if (m.path !== undefined) {
    if (typeof m.path === 'string' ? !r.path.includes(m.path) : !m.path.test(r.path)) return false;
  }
  return true;
}

function validateLatency(latency: Latency): void {
  const ok =
    typeof latency === 'number'
      ? latency >= 0
      : latency.min >= 0 && latency.max >= latency.min;
  if (!ok) throw new Error(`invalid latency ${JSON.stringify(latency)}`);
}
