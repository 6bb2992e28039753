/**
 * The one way host commands are run: `execFile` with an argument array (never a shell string), a
 * timeout (except where a command must be allowed to finish, e.g. mkfs/fsck), and a C locale so output
 * and error text do not depend on the host's language.
 */
import { execFile } from 'node:child_process';
import { CommandNotFoundError, CommandTimeoutError, CommandFailedError } from './errors';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Kill the command after this long. `0` or `undefined` = no timeout. */
  timeoutMs?: number;
}

export interface CommandExecutor {
  /**
   * Runs `command` with `args` and resolves with its exit code and output, whatever the exit code.
   * Rejects with `CommandNotFoundError` when the program does not exist and `CommandTimeoutError` when
   * it was killed for taking too long.
   */
  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export function createCommandExecutor(): CommandExecutor {
  return {
    run(command, args, options = {}) {
      return new Promise((resolve, reject) => {
        execFile(
          command,
          [...args],
          {
            timeout: options.timeoutMs ?? 0,
            killSignal: 'SIGKILL',
            maxBuffer: MAX_OUTPUT_BYTES,
            env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
            encoding: 'utf8',
          },
          (error, stdout, stderr) => {
            if (!error) {
              resolve({ exitCode: 0, stdout, stderr });
              return;
            }
            const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
            if (failure.code === 'ENOENT') {
              reject(new CommandNotFoundError(command));
              return;
            }
            if (failure.killed && options.timeoutMs) {
              reject(new CommandTimeoutError(command, args, options.timeoutMs));
              return;
            }
            if (typeof failure.code === 'number') {
              resolve({ exitCode: failure.code, stdout, stderr });
              return;
            }
            // Killed by a signal or failed to spawn for another reason (EACCES, maxBuffer, ...).
            reject(
              new CommandFailedError(command, args, -1, stderr || failure.message, {
                cause: error,
              }),
            );
          },
        );
      });
    },
  };
}

/** Runs a command and throws `CommandFailedError` unless its exit code is one of `okExitCodes`. */
export async function runChecked(
  executor: CommandExecutor,
  command: string,
  args: readonly string[],
  options: RunOptions & { okExitCodes?: readonly number[] } = {},
): Promise<CommandResult> {
  const result = await executor.run(command, args, options);
  const ok = options.okExitCodes ?? [0];
  if (!ok.includes(result.exitCode)) {
    throw new CommandFailedError(command, args, result.exitCode, result.stderr || result.stdout);
  }
  return result;
}
