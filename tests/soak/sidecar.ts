/**
 * Calls a CSI RPC the way the Kubernetes sidecars and kubelet do: each attempt with its own timeout,
 * failures retried with exponential backoff until it succeeds or the budget is spent, and every
 * attempt's outcome tallied by RPC and gRPC code for the soak's table.
 *
 * The external-provisioner and external-attacher put failed operations back on a rate-limited work queue
 * whatever the code (ABORTED, UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED and CANCELLED are
 * "operation still in progress", the rest "final" for the current attempt, and both are tried again);
 * kubelet retries mount operations with exponential backoff the same way. Codes that mean the request
 * itself is wrong cannot get better by asking again, so those stop at once and are reported.
 */
import { codeName } from '../../pkg/csi/errors';

/** Codes that say "your request is wrong": a harness or driver bug, never worth a retry. */
export const CALLER_ERROR_CODES: ReadonlySet<string> = new Set(['INVALID_ARGUMENT', 'UNIMPLEMENTED', 'ALREADY_EXISTS', 'OUT_OF_RANGE']);

/** The code name of a grpc-js error; our own per-attempt timeout counts as DEADLINE_EXCEEDED, as a sidecar's deadline would. */
export function codeOf(error: unknown): string {
  if (error instanceof AttemptTimeout) return 'DEADLINE_EXCEEDED';
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'number') {
    return codeName((error as { code: number }).code);
  }
  return 'ERROR';
}

export class AttemptTimeout extends Error {
  override readonly name = 'AttemptTimeout';
}

/** An RPC that did not succeed within the budget, or failed with a caller-error code. */
export class RetriesExhausted extends Error {
  override readonly name = 'RetriesExhausted';
  constructor(
    readonly rpc: string,
    readonly attempts: number,
    readonly lastCode: string,
    readonly lastMessage: string,
  ) {
    super(`${rpc}: gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}, last ${lastCode}: ${lastMessage}`);
  }
}

export interface RetryPolicy {
  /** Timeout of one attempt (the sidecars' --timeout). */
  attemptTimeoutMs: number;
  /** Total time for one RPC including backoff; the sidecars retry forever, a soak must end. */
  budgetMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attemptTimeoutMs: 30_000,
  budgetMs: 60_000,
  initialBackoffMs: 200,
  maxBackoffMs: 3_000,
};

/** Counts per RPC per code (OK included), in first-seen order. */
export type CodeTally = Record<string, Record<string, number>>;

export function addToTally(tally: CodeTally, rpc: string, code: string, count = 1): void {
  const codes = (tally[rpc] ??= {});
  codes[code] = (codes[code] ?? 0) + count;
}

export function mergeTallies(into: CodeTally, from: CodeTally): void {
  for (const [rpc, codes] of Object.entries(from)) for (const [code, count] of Object.entries(codes)) addToTally(into, rpc, code, count);
}

export interface AttemptHooks {
  /** Called as each attempt starts (the kill mixes time their SIGKILL from here). */
  onAttempt?(rpc: string, attempt: number): void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number, rpc: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeout(`${rpc} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class SidecarCaller {
  readonly tally: CodeTally = {};

  constructor(
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly hooks: AttemptHooks = {},
  ) {}

  /** Runs `attempt` until it resolves; rejects with RetriesExhausted when the budget is spent. */
  async call<T>(rpc: string, attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.policy.budgetMs;
    let backoff = this.policy.initialBackoffMs;
    for (let attempts = 1; ; attempts += 1) {
      this.hooks.onAttempt?.(rpc, attempts);
      try {
        // A timed-out attempt keeps running in the plugin, exactly as after a sidecar's deadline.
        const result = await withTimeout(attempt(), this.policy.attemptTimeoutMs, rpc);
        addToTally(this.tally, rpc, 'OK');
        return result;
      } catch (error) {
        const code = codeOf(error);
        addToTally(this.tally, rpc, code);
        const message = error instanceof Error ? ((error as { details?: string }).details ?? error.message) : String(error);
        if (CALLER_ERROR_CODES.has(code) || Date.now() + backoff > deadline) {
          throw new RetriesExhausted(rpc, attempts, code, message);
        }
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, this.policy.maxBackoffMs);
    }
  }
}
