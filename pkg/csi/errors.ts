/**
 * The one error type handlers throw to choose a gRPC status. The request pipeline turns a CsiError
 * into that status with its message; anything else becomes INTERNAL with a safe message.
 * Drivers translate their own domain errors into CsiError in one place of their own.
 */
import { status } from '@grpc/grpc-js';

export const Code = status;
export type Code = status;

export class CsiError extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CsiError';
    this.code = code;
  }
}

export function isCsiError(err: unknown): err is CsiError {
  return err instanceof CsiError;
}

export const invalidArgument = (msg: string, cause?: unknown): CsiError =>
  new CsiError(status.INVALID_ARGUMENT, msg, { cause });
export const notFound = (msg: string, cause?: unknown): CsiError => new CsiError(status.NOT_FOUND, msg, { cause });
export const alreadyExists = (msg: string, cause?: unknown): CsiError =>
  new CsiError(status.ALREADY_EXISTS, msg, { cause });
export const failedPrecondition = (msg: string, cause?: unknown): CsiError =>
  new CsiError(status.FAILED_PRECONDITION, msg, { cause });
export const outOfRange = (msg: string, cause?: unknown): CsiError => new CsiError(status.OUT_OF_RANGE, msg, { cause });
export const resourceExhausted = (msg: string, cause?: unknown): CsiError =>
  new CsiError(status.RESOURCE_EXHAUSTED, msg, { cause });
export const aborted = (msg: string, cause?: unknown): CsiError => new CsiError(status.ABORTED, msg, { cause });
export const unavailable = (msg: string, cause?: unknown): CsiError => new CsiError(status.UNAVAILABLE, msg, { cause });
export const internal = (msg: string, cause?: unknown): CsiError => new CsiError(status.INTERNAL, msg, { cause });
export const unimplemented = (msg: string, cause?: unknown): CsiError =>
  new CsiError(status.UNIMPLEMENTED, msg, { cause });
export const deadlineExceeded = (msg: string, cause?: unknown): CsiError =>
  new CsiError(status.DEADLINE_EXCEEDED, msg, { cause });
export const permissionDenied = (msg: string, cause?: unknown): CsiError =>
  new CsiError(status.PERMISSION_DENIED, msg, { cause });
export const unauthenticated = (msg: string, cause?: unknown): CsiError =>
  new CsiError(status.UNAUTHENTICATED, msg, { cause });

/** Name of a gRPC code for logs ("NOT_FOUND"), since the numeric value is opaque to readers. */
export function codeName(code: Code): string {
  return status[code] ?? String(code);
}
