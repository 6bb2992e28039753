/**
 * Runs the few system tools the block backend needs (losetup, blockdev, cp) through the project's one
 * command runner (`mounter/exec.ts`: no shell, a timeout, a C locale), failing with its typed errors
 * (`CommandFailedError` carrying the tool's stderr, `CommandNotFoundError`, `CommandTimeoutError`).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { createCommandExecutor, runChecked, type CommandResult } from '../../mounter';

export type { CommandResult };

/** Runs `file` with `args`, killed after `timeoutMs`; rejects unless it exits 0. Replaceable in tests. */
export type CommandRunner = (file: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

const executor = createCommandExecutor();

export const runCommand: CommandRunner = (file, args, timeoutMs) => runChecked(executor, file, args, { timeoutMs });

/** util-linux tools live in sbin, which a non-login PATH often lacks. */
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable found on PATH or in the usual system directories, or undefined. */
export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  const dirs = [...searchPath.split(path.delimiter).filter((dir) => dir !== ''), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
