/** When and how long to wait before repeating a request. Pure functions; the executor applies them. */

export interface RetryPolicy {
  /** Retries after the first attempt (so `maxRetries + 1` attempts at most). */
  maxRetries: number;
  /** First backoff step; doubles per retry. */
  baseDelayMs: number;
  /** Upper bound of one backoff step. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the request fails with RateLimitedError. */
  maxRetryAfterMs: number;
  /** Random source for jitter, in [0, 1). */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
  random: Math.random,
};

/** "Equal jitter": half the exponential step is fixed, half random, so retries never bunch at zero. */
export function backoffDelayMs(policy: RetryPolicy, retryIndex: number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return step / 2 + policy.random() * (step / 2);
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'PUT', 'OPTIONS']);

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** Gateway/unavailable answers that say nothing about whether the request was carried out. */
export function isRetriableStatus(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}
