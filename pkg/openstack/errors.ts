/**
 * Typed errors for everything that crosses the OpenStack boundary. HTTP failures become one of these
 * classes in the HTTP layer; drivers map them to gRPC codes in exactly one place. Messages carry the
 * cloud's own text and request ID, never credentials.
 */
export interface OpenStackErrorDetails {
  /** HTTP status code, when the error came from a response. */
  status?: number;
  /** `x-openstack-request-id` / `x-compute-request-id` of the failed request. */
  requestId?: string;
  /** Service type that failed, e.g. `volumev3`, `compute`, `sharev2`, `identity`. */
  service?: string;
  method?: string;
  /** Path of the failed request (no query string carrying tokens). */
  path?: string;
  cause?: unknown;
}

export class OpenStackError extends Error {
  readonly status?: number;
  readonly requestId?: string;
  readonly service?: string;
  readonly method?: string;
  readonly path?: string;

  constructor(message: string, details: OpenStackErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.requestId = details.requestId;
    this.service = details.service;
    this.method = details.method;
    this.path = details.path;
  }
}

/** 404: the resource does not exist (or is not visible to this project). */
export class NotFoundError extends OpenStackError {}
/** 409: the resource is in a state that does not allow the request (e.g. delete while attached). */
export class ConflictError extends OpenStackError {}
/** 400: the cloud rejected the request body or parameters. */
export class BadRequestError extends OpenStackError {}
/** 401: authentication failed even after one re-authentication. */
export class UnauthorizedError extends OpenStackError {}
/** 403: the credentials are valid but not allowed to do this. */
export class ForbiddenError extends OpenStackError {}
/** 413 without Retry-After: a quota is exceeded; retrying will not help. */
export class OverLimitError extends OpenStackError {}
/** 413/429 with Retry-After that did not clear within the retry bound. */
export class RateLimitedError extends OpenStackError {
  constructor(
    message: string,
    details: OpenStackErrorDetails & { retryAfterSeconds?: number } = {},
  ) {
    super(message, details);
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
  readonly retryAfterSeconds?: number;
}
/** 5xx, connection refused/reset, or an unreadable response body: the cloud is not answering well. */
export class UnavailableError extends OpenStackError {}
/** The HTTP request itself timed out. */
export class TimeoutError extends OpenStackError {}
/** The call needs a microversion above what the cloud's version document offers. */
export class MicroversionUnsupportedError extends OpenStackError {
  constructor(
    readonly serviceName: string,
    readonly required: string,
    readonly maximum: string,
    details: OpenStackErrorDetails = {},
  ) {
    super(
      `${serviceName} microversion ${required} is required but the cloud supports at most ${maximum}`,
      details,
    );
  }
}
/** The Keystone catalog has no endpoint for a service type / region / interface. */
export class EndpointNotFoundError extends OpenStackError {}
/** cloud.conf / clouds.yaml / secrets are missing a required key or have a bad value. */
export class ConfigError extends OpenStackError {}
/** A status wait ran out of checks; carries the last status seen. */
export class WaitTimeoutError extends OpenStackError {
  constructor(
    message: string,
    readonly resourceId: string,
    readonly lastStatus: string | undefined,
    details: OpenStackErrorDetails = {},
  ) {
    super(message, details);
  }
}
/** A waited-for resource entered an error state (e.g. `error`, `error_extending`); carries the fault. */
export class ResourceErrorStateError extends OpenStackError {
  constructor(
    message: string,
    readonly resourceId: string,
    readonly resourceStatus: string,
    readonly fault?: string,
    details: OpenStackErrorDetails = {},
  ) {
    super(message, details);
  }
}
