/**
 * The one place where the node service's domain errors (host commands, device discovery, instance
 * identity) become gRPC status codes. Handlers throw CsiError for request problems themselves and let
 * everything else pass through `toNodeCsiError`.
 */
import { Code, CsiError, isCsiError } from '../../csi/errors';
import {
  CommandFailedError,
  CommandNotFoundError,
  CommandTimeoutError,
  FilesystemCorruptError,
  MounterError,
  UncertainProbeError,
  UnsupportedFilesystemError,
} from '../../mounter';
import { DeviceNotFoundError } from './device-finder';
import { NodeIdentityUnavailableError } from '../../driver-kit/instance-identity/node-identity';

/** `action` says what was being done, e.g. "staging volume X at /path". */
export function toNodeCsiError(error: unknown, action: string): CsiError {
  if (isCsiError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${action}: ${detail}`;
  if (error instanceof DeviceNotFoundError) return new CsiError(Code.NOT_FOUND, message, { cause: error });
  if (error instanceof NodeIdentityUnavailableError) return new CsiError(Code.UNAVAILABLE, message, { cause: error });
  if (error instanceof UncertainProbeError) return new CsiError(Code.INTERNAL, message, { cause: error });
  if (error instanceof FilesystemCorruptError) return new CsiError(Code.FAILED_PRECONDITION, message, { cause: error });
  if (error instanceof UnsupportedFilesystemError) return new CsiError(Code.FAILED_PRECONDITION, message, { cause: error });
  if (error instanceof CommandNotFoundError) return new CsiError(Code.FAILED_PRECONDITION, message, { cause: error });
  if (error instanceof CommandTimeoutError) return new CsiError(Code.DEADLINE_EXCEEDED, message, { cause: error });
  if (error instanceof CommandFailedError || error instanceof MounterError) {
    return new CsiError(Code.INTERNAL, message, { cause: error });
  }
  // Filesystem calls (mkdir, rmdir, statfs) fail with Node errno errors, whose messages are safe to show.
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string') return new CsiError(Code.INTERNAL, message, { cause: error });
  return new CsiError(Code.INTERNAL, `${action}: unexpected error: ${detail}`, { cause: error });
}

/** Runs `work` and converts whatever it throws with `toNodeCsiError`. */
export async function withNodeErrors<T>(action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toNodeCsiError(error, action);
  }
}
