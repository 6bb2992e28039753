/**
 * Errors raised by host-side operations. They say which command failed and what it printed, so the
 * driver can pass a useful message up; the driver maps them to gRPC codes in one place of its own.
 * Mount options may carry secrets (CSI `mount_flags`, e.g. `password=...`): every message, and the
 * `args` and `output` kept on the error, have them masked, so no caller can leak them by accident.
 */
import { redactMountOptions, redactText } from '../log/redact';
import { packageHint } from './host-tools';

const MAX_DETAIL_CHARS = 2000;

function trimDetail(text: string): string {
  const trimmed = redactText(text.trim());
  return trimmed.length > MAX_DETAIL_CHARS ? `${trimmed.slice(0, MAX_DETAIL_CHARS)}…` : trimmed;
}

/** A command's arguments as they may be shown: the value after `-o`/`--options` is a mount option list. */
export function displayArgs(args: readonly string[]): string[] {
  return args.map((arg, index) => {
    const previous = args[index - 1];
    if (previous === '-o' || previous === '--options') return redactMountOptions(arg);
    if (arg.startsWith('--options=')) return `--options=${redactMountOptions(arg.slice('--options='.length))}`;
    return redactText(arg);
  });
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
  /** The arguments with mount options and secret-looking values masked. */
  readonly args: readonly string[];
  constructor(
    readonly command: string,
    args: readonly string[],
    readonly exitCode: number,
    output: string,
    options?: { cause?: unknown },
  ) {
    const detail = trimDetail(output);
    const shown = displayArgs(args);
    super(
      `${command} ${shown.join(' ')} failed with exit code ${exitCode}${detail ? `: ${detail}` : ''}`,
      options,
    );
    this.args = shown;
    this.output = detail;
  }
}

export class CommandTimeoutError extends MounterError {
  /** The arguments with mount options and secret-looking values masked. */
  readonly args: readonly string[];
  constructor(
    readonly command: string,
    args: readonly string[],
    readonly timeoutMs: number,
  ) {
    const shown = displayArgs(args);
    super(`${command} ${shown.join(' ')} did not finish within ${timeoutMs} ms and was killed`);
    this.args = shown;
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
