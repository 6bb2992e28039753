/**
 * Errors raised by host-side operations. They say which command failed and what it printed, so the
 * driver can pass a useful message up; the driver maps them to gRPC codes in one place of its own.
 */
import { packageHint } from './host-tools';

const MAX_DETAIL_CHARS = 2000;

function trimDetail(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > MAX_DETAIL_CHARS ? `${trimmed.slice(0, MAX_DETAIL_CHARS)}…` : trimmed;
}

export class MounterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The program is not installed on this host; the message names the package that ships it. */
export class CommandNotFoundError extends MounterError {
  constructor(readonly command: string) {
    super(`${command}: command not found on this host${packageHint(command)}`);
  }
}

/** The program ran but exited with a code the caller does not accept. */
export class CommandFailedError extends MounterError {
  readonly output: string;
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly exitCode: number,
    output: string,
    options?: { cause?: unknown },
  ) {
    const detail = trimDetail(output);
    super(
      `${command} ${args.join(' ')} failed with exit code ${exitCode}${detail ? `: ${detail}` : ''}`,
      options,
    );
    this.output = detail;
  }
}

export class CommandTimeoutError extends MounterError {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly timeoutMs: number,
  ) {
    super(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms and was killed`);
  }
}

/**
 * `blkid` could not say for sure whether the device is blank (any exit code other than 0 or 2, or an
 * answer without a filesystem or partition-table type). Formatting is refused in this case.
 */
export class UncertainProbeError extends MounterError {
  constructor(
    readonly device: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `cannot tell whether ${device} holds data (${trimDetail(detail)}); refusing to format it`,
      options,
    );
  }
}

/** `fsck` reported errors it could not correct (exit code 4 and above, except 8 "operational error"). */
export class FilesystemCorruptError extends MounterError {
  constructor(
    readonly device: string,
    readonly exitCode: number,
    output: string,
  ) {
    super(
      `fsck found errors on ${device} that it could not correct (exit code ${exitCode}): ${trimDetail(output)}; ` +
        'repair the filesystem by hand before using the volume',
    );
  }
}

/** The operation is not possible for this filesystem type (format or resize of an unsupported one). */
export class UnsupportedFilesystemError extends MounterError {
  constructor(
    readonly fsType: string,
    readonly operation: string,
  ) {
    super(`${operation} is not supported for filesystem type "${fsType}"`);
  }
}

/** The command's output could not be understood (e.g. `findmnt -J` returned something that is not JSON). */
export class UnexpectedOutputError extends MounterError {
  constructor(command: string, detail: string) {
    super(`${command} printed output that could not be parsed: ${trimDetail(detail)}`);
  }
}
