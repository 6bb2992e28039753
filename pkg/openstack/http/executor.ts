/**
 * Runs one logical request: retries with backoff for idempotent requests, honours Retry-After on
 * 413/429 within a bound, lets the caller re-authenticate once on 401, and turns every failure into a
 * typed error. Success is any 2xx.
 */
import type { Logger } from '../../log/logger';
import { type OpenStackError, UnauthorizedError } from '../errors';
import {
  errorForResponse,
  errorForTransport,
  isTlsFailure,
  type RawResponse,
  type RequestContext,
  requestIdOf,
  transportFailureOf,
  wasNotDelivered,
} from './error-translation';
import { backoffDelayMs, isRetriableStatus, parseRetryAfterMs, type RetryPolicy } from './retry-policy';

/** Resolves after `ms`, or at once when `cut` aborts (a wait that no longer needs the rest of its sleep). */
export type Sleep = (ms: number, cut?: AbortSignal) => Promise<void>;
export const realSleep: Sleep = (ms, cut) =>
  new Promise((resolve) => {
    if (cut?.aborted) return resolve();
    const timer = setTimeout(() => {
      cut?.removeEventListener('abort', wake);
      resolve();
    }, ms);
    const wake = () => {
      clearTimeout(timer);
      resolve();
    };
    cut?.addEventListener('abort', wake, { once: true });
  });

export interface ExecuteOptions extends RequestContext {
  idempotent: boolean;
  retry: RetryPolicy;
  logger: Logger;
  sleep: Sleep;
  /**
   * Called on the first 401; resolves true when a fresh token was obtained and the request should be
   * sent once more. Absent for the authentication request itself.
   */
  onUnauthorized?: () => Promise<boolean>;
  /** Masks secrets in error messages (transport errors can quote a request). */
  scrub?: (text: string) => string;
}

export interface ExecuteResult extends RawResponse {
  requestId?: string;
  attempts: number;
}

export async function executeRequest(
  options: ExecuteOptions,
  send: () => Promise<RawResponse>,
): Promise<ExecuteResult> {
  try {
    return await execute(options, send);
  } catch (err) {
    if (options.scrub && err instanceof Error) {
      err.message = options.scrub(err.message);
      // The stack was rendered with the original message.
      if (err.stack) err.stack = options.scrub(err.stack);
      if (err.cause instanceof Error) {
        err.cause.message = options.scrub(err.cause.message);
        if (err.cause.stack) err.cause.stack = options.scrub(err.cause.stack);
      }
    }
    throw err;
  }
}

async function execute(options: ExecuteOptions, send: () => Promise<RawResponse>): Promise<ExecuteResult> {
  const ctx: RequestContext = { service: options.service, method: options.method, path: options.path };
  let retries = 0;
  let reauthenticated = false;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    let response: RawResponse;
    try {
      response = await send();
    } catch (err) {
      const failure = transportFailureOf(err);
      const error = errorForTransport(ctx, failure);
      const retriable = (options.idempotent || wasNotDelivered(failure)) && !isTlsFailure(failure);
      if (retriable && retries < options.retry.maxRetries) {
        const delay = backoffDelayMs(options.retry, retries);
        retries += 1;
        options.logger.debug(3, 'OpenStack request failed in transport; retrying', {
          ...ctx,
          code: failure.code,
          delayMs: Math.round(delay),
          retry: retries,
        });
        await options.sleep(delay);
        continue;
      }
      throw error;
    }

    const { status } = response;
    if (status >= 200 && status < 300) {
      return { ...response, requestId: requestIdOf(response.headers), attempts };
    }

    if (status === 401 && options.onUnauthorized && !reauthenticated) {
      reauthenticated = true;
      options.logger.debug(3, 'OpenStack request got 401; re-authenticating once', { ...ctx });
      if (await options.onUnauthorized()) continue;
    }

    if (isRetriableStatus(status) && options.idempotent && retries < options.retry.maxRetries) {
      const retryAfter = parseRetryAfterMs(response.headers['retry-after']);
      const delay = Math.max(backoffDelayMs(options.retry, retries), Math.min(retryAfter ?? 0, options.retry.maxDelayMs));
      retries += 1;
      options.logger.debug(3, 'OpenStack service unavailable; retrying', {
        ...ctx,
        status,
        requestId: requestIdOf(response.headers),
        delayMs: Math.round(delay),
        retry: retries,
      });
      await options.sleep(delay);
      continue;
    }

    if (status === 413 || status === 429) {
      const retryAfterMs = parseRetryAfterMs(response.headers['retry-after']);
      // A quota 413 sometimes carries "Retry-After: 0"; waiting cannot make quota appear, so it is OverLimit.
      const meaningful = retryAfterMs !== undefined && retryAfterMs > 0;
      if (meaningful && retryAfterMs <= options.retry.maxRetryAfterMs && retries < options.retry.maxRetries) {
        // The cloud refused the request without acting on it, so repeating even a create is safe.
        retries += 1;
        options.logger.debug(3, 'OpenStack rate limit; waiting for Retry-After', {
          ...ctx,
          status,
          retryAfterMs,
          retry: retries,
        });
        await options.sleep(retryAfterMs);
        continue;
      }
      throw errorForResponse(ctx, response, { retryAfterSeconds: meaningful ? retryAfterMs / 1000 : undefined });
    }

    const error: OpenStackError = errorForResponse(ctx, response);
    if (error instanceof UnauthorizedError && reauthenticated) {
      options.logger.debug(2, 'OpenStack request still unauthorized after re-authentication', { ...ctx });
    }
    throw error;
  }
}
