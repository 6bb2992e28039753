/**
 * Runs the few system tools the block backend needs (losetup, blockdev, cp) without a shell,
 * with a timeout, and reports failures as one typed error carrying the tool's stderr.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export type CommandRunner = (file: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly file: string,
    readonly args: readonly string[],
    readonly exitCode: number | string | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(`${path.basename(file)} ${args.join(' ')} failed (${exitCode ?? 'killed'}): ${stderr.trim()}`, options);
  }
}

export const runCommand: CommandRunner = (file, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          // `code` is the exit status, or a string such as 'ENOENT' when the tool could not start.
          const code = (error as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
          const reason = error.killed ? `timed out after ${timeoutMs} ms` : stderr || error.message;
          reject(new CommandError(file, args, code, reason, { cause: error }));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });

/** Absolute path of an executable on PATH or in the system directories (shared with the node's tool checks). */
export { findExecutable } from '../../mounter/host-tools';
