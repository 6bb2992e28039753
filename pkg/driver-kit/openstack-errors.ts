/**
 * The one place where OpenStack client errors become gRPC statuses, for every driver (it lives outside
 * pkg/csi, which knows nothing of OpenStack, and outside pkg/openstack, which knows nothing of CSI). Handlers
 * deal with the cases that mean success for them (e.g. 404 on delete) before calling this; everything
 * else passes through here so each OpenStack failure maps to the same code everywhere.
 */
import { Code, CsiError, notFound } from '../csi/errors';
import {
  BadRequestError,
  ConfigError,
  ConflictError,
  EndpointNotFoundError,
  ForbiddenError,
  MicroversionUnsupportedError,
  NotFoundError,
  OpenStackError,
  OverLimitError,
  RateLimitedError,
  ResourceErrorStateError,
  TimeoutError,
  UnauthorizedError,
  UnavailableError,
  WaitTimeoutError,
} from '../openstack/errors';

export interface ErrorContext {
  /** What the driver was doing, e.g. `create volume "pvc-1"`; prefixes the message. */
  operation?: string;
  /**
   * A 400 from the cloud means the request's input was wrong (INVALID_ARGUMENT, the default) or the
   * resource's current state forbids it (FAILED_PRECONDITION, e.g. snapshot of an in-use volume).
   */
  badRequest?: 'invalid-argument' | 'failed-precondition';
  /** What a status wait was waiting for, e.g. `volume to become available`. */
  waitingFor?: string;
}

function withRequestId(message: string, error: OpenStackError): string {
  return error.requestId && !message.includes(error.requestId) ? `${message} (request ${error.requestId})` : message;
}

function prefix(context: ErrorContext | undefined, message: string): string {
  return context?.operation ? `${context.operation}: ${message}` : message;
}

function codeFor(error: OpenStackError, context: ErrorContext | undefined): Code {
  if (error instanceof NotFoundError) return Code.NOT_FOUND;
  if (error instanceof OverLimitError) return Code.RESOURCE_EXHAUSTED;
  if (error instanceof ConflictError) return Code.FAILED_PRECONDITION;
  if (error instanceof BadRequestError) {
    return context?.badRequest === 'failed-precondition' ? Code.FAILED_PRECONDITION : Code.INVALID_ARGUMENT;
  }
  if (error instanceof UnauthorizedError) return Code.UNAUTHENTICATED;
  if (error instanceof ForbiddenError) return Code.PERMISSION_DENIED;
  if (error instanceof RateLimitedError || error instanceof UnavailableError || error instanceof TimeoutError) {
    return Code.UNAVAILABLE;
  }
  if (error instanceof WaitTimeoutError) return Code.DEADLINE_EXCEEDED;
  if (error instanceof ResourceErrorStateError) return Code.INTERNAL;
  if (error instanceof MicroversionUnsupportedError) return Code.FAILED_PRECONDITION;
  if (error instanceof ConfigError) return Code.INVALID_ARGUMENT;
  if (error instanceof EndpointNotFoundError) return Code.FAILED_PRECONDITION;
  return Code.INTERNAL;
}

function messageFor(error: OpenStackError, context: ErrorContext | undefined): string {
  if (error instanceof OverLimitError) {
    return withRequestId(`quota exceeded: ${error.message}`, error);
  }
  if (error instanceof WaitTimeoutError) {
    const what = context?.waitingFor ?? 'the resource to reach its target status';
    const last = error.lastStatus === undefined ? 'no status seen' : `last status "${error.lastStatus}"`;
    return `timed out waiting for ${what} (${error.resourceId}, ${last}): ${error.message}`;
  }
  if (error instanceof ResourceErrorStateError) {
    const fault = error.fault ? `: ${error.fault}` : ' (the cloud gave no fault message)';
    const what = context?.waitingFor ? ` while waiting for ${context.waitingFor}` : '';
    return `${error.resourceId} went to status "${error.resourceStatus}"${what}${fault}`;
  }
  if (error instanceof RateLimitedError && error.retryAfterSeconds !== undefined) {
    return withRequestId(`${error.message} (rate limited, retry after ${error.retryAfterSeconds}s)`, error);
  }
  // MicroversionUnsupportedError's own message already names the required and maximum versions.
  return withRequestId(error.message, error);
}

/** Maps any error to what a handler should throw: CsiErrors pass, OpenStack errors get their code. */
export function toCsiError(error: unknown, context?: ErrorContext): Error {
  if (error instanceof CsiError) return error;
  if (error instanceof OpenStackError) {
    return new CsiError(codeFor(error, context), prefix(context, messageFor(error, context)), { cause: error });
  }
  // Not ours to classify: the CSI pipeline turns it into INTERNAL with a safe message.
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs `work` and rethrows its failure through `toCsiError`. */
export async function mapErrors<T>(context: ErrorContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toCsiError(error, context);
  }
}

/**
 * The cloud said the resource does not exist: an HTTP 404, or a status wait that saw it disappear. The
 * helpers below are the only places that ask; handlers say what "gone" means for them through them.
 */
export function isGone(error: unknown): error is NotFoundError {
  return error instanceof NotFoundError;
}

/** "Gone is success": `work`'s result, or `undefined` when the resource is gone. Other failures pass. */
export async function goneIsSuccess<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

/** "Gone is this error": a 404 from `work` becomes `toError(it)` (e.g. INVALID_ARGUMENT for an unknown type). */
export async function goneIsError<T>(work: () => Promise<T>, toError: (gone: NotFoundError) => Error): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isGone(error)) throw toError(error);
    throw error;
  }
}

/** "Gone is NOT_FOUND": a 404 from `work` becomes NOT_FOUND with `message` (which says what is missing). */
export function goneIsNotFound<T>(work: () => Promise<T>, message: string): Promise<T> {
  return goneIsError(work, (gone) => notFound(message, gone));
}
