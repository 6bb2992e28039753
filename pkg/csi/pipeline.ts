/**
 * The one request pipeline every CSI RPC goes through: request ID, the CSI size limits, in-flight guard,
 * redacted request logging, one completion log line (method, duration, gRPC code), and the single place
 * where thrown errors become gRPC statuses (redacted and bounded). Handlers never deal with any of this.
 */
import { randomUUID } from 'crypto';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log/logger';
import { redactText } from '../log/redact';
import { truncateUtf8 } from '../log/truncate';
import { Code, CsiError, codeName } from './errors';
import type { CallContext } from './handlers';
import { InFlight } from './inflight';
import { findLimitViolation } from './field-limits';
import { inFlightKey } from './inflight-keys';
import type { MessageShape } from './message-shape';
import type { CsiCallMetrics } from './metrics';
import { redactRequest } from './redact-request';

export type AsyncHandler = (request: unknown, ctx: CallContext) => Promise<unknown>;

export interface PipelineOptions {
  /** Short service name for logs: "Identity", "Controller", "Node", "GroupController". */
  service: string;
  logger: Logger;
  /** One guard per service, so node and controller calls on the same volume do not block each other. */
  inFlight: InFlight;
  /** Methods polled by sidecars (Probe...) log their success only at high verbosity. */
  quietMethods?: ReadonlySet<string>;
  metrics?: CsiCallMetrics;
  /** The RPC's request message, for the CSI size limits; without it no limit is checked. */
  requestShape?: MessageShape;
}

const REQUEST_ID_HEADER = 'x-request-id';
const QUIET_SUCCESS_VERBOSITY = 5;
const SUCCESS_VERBOSITY = 2;
const REQUEST_BODY_VERBOSITY = 4;
/**
 * Status messages travel in an HTTP/2 trailer: one echoing a megabyte input broke the caller's whole
 * connection. 1 KiB says what to fix; non-ASCII is percent-encoded on the wire, still far below limits.
 */
export const MAX_STATUS_MESSAGE_BYTES = 1024;
const SERVER_FAULT_CODES: ReadonlySet<Code> = new Set([Code.INTERNAL, Code.UNKNOWN, Code.DATA_LOSS]);

export interface Outcome {
  code: Code;
  message: string;
}

/**
 * Turns anything a handler threw into the status the caller sees. CsiError keeps its code and message;
 * a gRPC error coming back from another plugin (Manila forwards node calls) keeps its status; anything
 * else is an INTERNAL error whose details stay in our log, never in the response.
 */
export function toOutcome(err: unknown, requestId: string): Outcome {
  if (err instanceof CsiError && err.code !== Code.OK) return { code: err.code, message: err.message };
  if (isGrpcStatusError(err)) return { code: err.code, message: err.details };
  return { code: Code.INTERNAL, message: `internal error (request ${requestId})` };
}

function isGrpcStatusError(err: unknown): err is grpc.ServiceError {
  if (!(err instanceof Error)) return false;
  const candidate = err as Partial<grpc.ServiceError>;
  return (
    typeof candidate.code === 'number' &&
    candidate.code in Code &&
    candidate.code !== Code.OK &&
    typeof candidate.details === 'string' &&
    candidate.metadata instanceof grpc.Metadata
  );
}

/** What the caller may see of a message: secrets masked, bounded in size. */
export function statusMessage(message: string): string {
  return truncateUtf8(redactText(message), MAX_STATUS_MESSAGE_BYTES);
}

function requestIdFrom(metadata: grpc.Metadata): string {
  const supplied = metadata.get(REQUEST_ID_HEADER)[0];
  if (typeof supplied === 'string' && /^[\w.:-]{1,128}$/.test(supplied)) return supplied;
  return randomUUID();
}

function deadlineOf(call: grpc.ServerUnaryCall<unknown, unknown>): Date | undefined {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) return deadline;
  return Number.isFinite(deadline) ? new Date(deadline) : undefined;
}

export function wrapUnary(
  method: string,
  handler: AsyncHandler | undefined,
  options: PipelineOptions,
): grpc.handleUnaryCall<unknown, unknown> {
  const { service, inFlight } = options;
  const quiet = options.quietMethods?.has(method) ?? false;

  return (call, callback) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(call.metadata);
    const logger = options.logger.child({ requestId, method });
    const request = call.request;
    logger.debug(REQUEST_BODY_VERBOSITY, 'grpc request', { service, request: redactRequest(request) });

    const finish = (outcome: Outcome | undefined, response: unknown, err?: unknown): void => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const code = codeName(outcome?.code ?? Code.OK);
      options.metrics?.observe(method, code, durationMs / 1000);
      const fields = { service, code, durationMs: Math.round(durationMs * 1000) / 1000 };
      if (!outcome) {
        logger.debug(quiet ? QUIET_SUCCESS_VERBOSITY : SUCCESS_VERBOSITY, 'grpc call', fields);
        logger.debug(QUIET_SUCCESS_VERBOSITY, 'grpc response', { service, response: redactRequest(response) });
        callback(null, response ?? {});
        return;
      }
      // The cause (an OpenStack error, a stack trace) is for operators only; the caller gets the message.
      const cause = err instanceof CsiError ? err.cause : err;
      const failure = {
        ...fields,
        error: outcome.message,
        ...(cause === undefined ? {} : { cause }),
        request: redactRequest(request),
      };
      if (SERVER_FAULT_CODES.has(outcome.code)) {
        logger.error('grpc call failed', failure);
      } else {
        logger.warn('grpc call failed', failure);
      }
      callback({ code: outcome.code, details: statusMessage(outcome.message) }, null);
    };

    if (!handler) {
      finish({ code: Code.UNIMPLEMENTED, message: `${method} is not implemented` }, undefined);
      return;
    }

    const violation = options.requestShape && findLimitViolation(options.requestShape, request);
    if (violation) {
      finish({ code: Code.INVALID_ARGUMENT, message: violation }, undefined);
      return;
    }

    const key = inFlightKey(method, request);
    const release = key === undefined ? () => undefined : inFlight.tryAcquire(key);
    if (!release) {
      finish({ code: Code.ABORTED, message: `an operation for ${key} is already in progress` }, undefined);
      return;
    }

    const ctx: CallContext = { requestId, method, logger, deadline: deadlineOf(call) };
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(handler(request, ctx));
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (response) => {
        release();
        finish(undefined, response);
      },
      (err: unknown) => {
        release();
        finish(toOutcome(err, requestId), undefined, err);
      },
    );
  };
}
