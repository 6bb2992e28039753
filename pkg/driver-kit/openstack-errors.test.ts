import { Code, CsiError } from '../csi/errors';
import {
  BadRequestError,
  ConfigError,
  ConflictError,
  ForbiddenError,
  MicroversionUnsupportedError,
  NotFoundError,
  OverLimitError,
  RateLimitedError,
  ResourceErrorStateError,
  TimeoutError,
  UnauthorizedError,
  UnavailableError,
  WaitTimeoutError,
} from '../openstack/errors';
import { goneIsError, goneIsNotFound, goneIsSuccess, isGone, mapErrors, toCsiError } from './openstack-errors';

function mapped(error: unknown, context = {}): CsiError {
  const result = toCsiError(error, context);
  expect(result).toBeInstanceOf(CsiError);
  return result as CsiError;
}

describe('toCsiError', () => {
  it.each([
    [new NotFoundError('Volume x could not be found.'), Code.NOT_FOUND],
    [new ConflictError('Volume is in use'), Code.FAILED_PRECONDITION],
    [new BadRequestError('Invalid input'), Code.INVALID_ARGUMENT],
    [new UnauthorizedError('The request you have made requires authentication.'), Code.UNAUTHENTICATED],
    [new ForbiddenError('Policy does not allow'), Code.PERMISSION_DENIED],
    [new UnavailableError('503 Service Unavailable'), Code.UNAVAILABLE],
    [new TimeoutError('timeout of 30000ms exceeded'), Code.UNAVAILABLE],
    [new RateLimitedError('Too many requests', { retryAfterSeconds: 3 }), Code.UNAVAILABLE],
    [new ConfigError('auth-url is missing'), Code.INVALID_ARGUMENT],
  ])('%s → code %s', (error, code) => {
    const result = mapped(error);
    expect(result.code).toBe(code);
    expect(result.message).toContain(error.message);
  });

  it('maps 400 to FAILED_PRECONDITION when the state, not the input, is wrong', () => {
    expect(mapped(new BadRequestError('Volume status must be available'), { badRequest: 'failed-precondition' }).code).toBe(
      Code.FAILED_PRECONDITION,
    );
  });

  it('maps 413 to RESOURCE_EXHAUSTED keeping the quota message and request ID', () => {
    const result = mapped(new OverLimitError('VolumeSizeExceedsAvailableQuota: Requested volume exceeds allowed gigabytes quota', { requestId: 'req-1' }), {
      operation: 'create volume "pvc-1"',
    });
    expect(result.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(result.message).toBe(
      'create volume "pvc-1": quota exceeded: VolumeSizeExceedsAvailableQuota: Requested volume exceeds allowed gigabytes quota (request req-1)',
    );
  });

  it('maps a wait timeout to DEADLINE_EXCEEDED with what was awaited and the last status', () => {
    const result = mapped(new WaitTimeoutError('gave up after 10 checks', 'vol-1', 'attaching'), {
      waitingFor: 'volume to be attached to server srv-1',
    });
    expect(result.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(result.message).toContain('volume to be attached to server srv-1');
    expect(result.message).toContain('last status "attaching"');
    expect(result.message).toContain('vol-1');
  });

  it("maps an error state to INTERNAL with the cloud's fault", () => {
    const result = mapped(new ResourceErrorStateError('volume went to error', 'vol-2', 'error', 'No valid backend was found.'));
    expect(result.code).toBe(Code.INTERNAL);
    expect(result.message).toContain('No valid backend was found.');
    expect(result.message).toContain('"error"');
  });

  it('maps an unsupported microversion to FAILED_PRECONDITION naming both versions', () => {
    const result = mapped(new MicroversionUnsupportedError('volume', '3.42', '3.27'));
    expect(result.code).toBe(Code.FAILED_PRECONDITION);
    expect(result.message).toContain('3.42');
    expect(result.message).toContain('3.27');
  });

  it('passes CsiErrors and foreign errors through unchanged', () => {
    const csi = new CsiError(Code.ABORTED, 'busy');
    expect(toCsiError(csi)).toBe(csi);
    const foreign = new TypeError('oops');
    expect(toCsiError(foreign)).toBe(foreign);
  });

  it('mapErrors rethrows mapped', async () => {
    await expect(
      mapErrors({ operation: 'delete volume v' }, async () => {
        throw new ConflictError('Volume is attached');
      }),
    ).rejects.toMatchObject({ code: Code.FAILED_PRECONDITION, message: 'delete volume v: Volume is attached' });
  });
});

describe('what "gone" means, said once', () => {
  const gone = () => Promise.reject(new NotFoundError('Volume v-1 could not be found.'));
  const broken = () => Promise.reject(new UnavailableError('503 Service Unavailable'));

  it('isGone is true for a 404 only', () => {
    expect(isGone(new NotFoundError('x'))).toBe(true);
    expect(isGone(new BadRequestError('x'))).toBe(false);
    expect(isGone(new Error('x'))).toBe(false);
  });

  it('goneIsSuccess: the result, or undefined when gone; other failures pass unchanged', async () => {
    await expect(goneIsSuccess(() => Promise.resolve('v-1'))).resolves.toBe('v-1');
    await expect(goneIsSuccess(gone)).resolves.toBeUndefined();
    await expect(goneIsSuccess(broken)).rejects.toBeInstanceOf(UnavailableError);
  });

  it('goneIsNotFound: a 404 becomes NOT_FOUND with the given message, other failures pass unchanged', async () => {
    await expect(goneIsNotFound(() => Promise.resolve(1), 'unused')).resolves.toBe(1);
    const error = await goneIsNotFound(gone, 'volume v-1 does not exist').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsiError);
    expect((error as CsiError).code).toBe(Code.NOT_FOUND);
    expect((error as CsiError).message).toBe('volume v-1 does not exist');
    expect((error as CsiError).cause).toBeInstanceOf(NotFoundError);
    await expect(goneIsNotFound(broken, 'unused')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('goneIsError: a 404 becomes the error the caller builds from it', async () => {
    const error = await goneIsError(gone, (notFound) => new CsiError(Code.INVALID_ARGUMENT, `type: ${notFound.message}`)).catch(
      (e: unknown) => e,
    );
    expect((error as CsiError).code).toBe(Code.INVALID_ARGUMENT);
    expect((error as CsiError).message).toBe('type: Volume v-1 could not be found.');
  });
});
