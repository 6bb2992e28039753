import * as grpc from '@grpc/grpc-js';
import { codeOf, RetriesExhausted, SidecarCaller, type RetryPolicy } from './sidecar';

const FAST: RetryPolicy = { attemptTimeoutMs: 200, budgetMs: 1_000, initialBackoffMs: 5, maxBackoffMs: 20 };

const grpcError = (code: grpc.status, details = 'x'): Error => Object.assign(new Error(details), { code, details });

/** An attempt function that fails with the given codes in turn, then answers `value`. */
function failingThen<T>(codes: grpc.status[], value: T): { attempt: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    attempt: async () => {
      const code = codes[calls++];
      if (code !== undefined) throw grpcError(code);
      return value;
    },
    calls: () => calls,
  };
}

describe('SidecarCaller', () => {
  it('retries in-progress and final codes alike until the call succeeds, tallying every attempt', async () => {
    const caller = new SidecarCaller(FAST);
    const rpc = failingThen([grpc.status.UNAVAILABLE, grpc.status.ABORTED, grpc.status.INTERNAL, grpc.status.FAILED_PRECONDITION], 'done');
    await expect(caller.call('CreateVolume', rpc.attempt)).resolves.toBe('done');
    expect(rpc.calls()).toBe(5);
    expect(caller.tally).toEqual({ CreateVolume: { UNAVAILABLE: 1, ABORTED: 1, INTERNAL: 1, FAILED_PRECONDITION: 1, OK: 1 } });
  });

  it('stops at once on a code that says the request itself is wrong', async () => {
    const caller = new SidecarCaller(FAST);
    const rpc = failingThen([grpc.status.INVALID_ARGUMENT], 'never');
    await expect(caller.call('NodeStageVolume', rpc.attempt)).rejects.toMatchObject({ lastCode: 'INVALID_ARGUMENT', attempts: 1 });
    expect(rpc.calls()).toBe(1);
  });

  it('gives up when the budget is spent and says how often it tried', async () => {
    const caller = new SidecarCaller({ ...FAST, budgetMs: 100 });
    const error = await caller.call('DeleteVolume', () => Promise.reject(grpcError(grpc.status.UNAVAILABLE, 'down'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhausted);
    const exhausted = error as RetriesExhausted;
    expect(exhausted.attempts).toBeGreaterThan(2);
    expect(exhausted.lastMessage).toBe('down');
    expect(caller.tally.DeleteVolume.UNAVAILABLE).toBe(exhausted.attempts);
  });

  it('counts an attempt that outlives its timeout as DEADLINE_EXCEEDED and tries again', async () => {
    const caller = new SidecarCaller({ ...FAST, attemptTimeoutMs: 30 });
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 300));
    let calls = 0;
    const result = await caller.call('ControllerPublishVolume', () => (calls++ === 0 ? late : Promise.resolve('second')));
    expect(result).toBe('second');
    await late;
    expect(caller.tally.ControllerPublishVolume).toEqual({ DEADLINE_EXCEEDED: 1, OK: 1 });
  });

  it('tells the hooks about every attempt', async () => {
    const seen: string[] = [];
    const caller = new SidecarCaller(FAST, { onAttempt: (rpc, attempt) => seen.push(`${rpc}#${attempt}`) });
    await caller.call('NodeUnstageVolume', failingThen([grpc.status.UNAVAILABLE], 1).attempt);
    expect(seen).toEqual(['NodeUnstageVolume#1', 'NodeUnstageVolume#2']);
  });

  it('names codes of grpc errors and of anything else', () => {
    expect(codeOf(grpcError(grpc.status.RESOURCE_EXHAUSTED))).toBe('RESOURCE_EXHAUSTED');
    expect(codeOf(new Error('plain'))).toBe('ERROR');
  });
});
