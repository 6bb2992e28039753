/**
 * Runs the few system tools the block backend needs (losetup, blockdev, cp) through the project's one
 * command runner (`mounter/exec.ts`: no shell, a timeout, a C locale), failing with its typed errors
 * (`CommandFailedError` carrying the tool's stderr, `CommandNotFoundError`, `CommandTimeoutError`).
 */
import { createCommandExecutor, runChecked, type CommandResult } from '../../mounter';

export type { CommandResult };

/** Runs `file` with `args`, killed after `timeoutMs`; rejects unless it exits 0. Replaceable in tests. */
export type CommandRunner = (file: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

const executor = createCommandExecutor();

export const runCommand: CommandRunner = (file, args, timeoutMs) => runChecked(executor, file, args, { timeoutMs });

/** Absolute path of an executable on PATH or in the system directories (shared with the node's tool checks). */
export { findExecutable } from '../../mounter/host-tools';
