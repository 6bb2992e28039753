/**
 * Runs a driver's plugin binary (e.g. `cmd/cinder-csi-plugin/main.ts`) as a child process, exactly as a
 * sidecar would see it: its own process, a unix socket, logs in a file. Readiness = the socket answers
 * Probe with ready=true.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCsiClient } from '../csi/client';
import { REPO_ROOT } from './paths';

export interface PluginProcessOptions {
  /** Shown in errors and log separators, e.g. "controller". */
  name: string;
  /** Flags after the script, e.g. ['--endpoint', 'unix:///tmp/x/csi.sock', '--provide-node-service=true']. */
  args: string[];
  /** Socket the plugin listens on (must match --endpoint); polled until Probe says ready. */
  socketPath: string;
  /** Plugin stdout and stderr are appended here; 'inherit' passes them through to this process's. */
  logFile: string | 'inherit';
  /** Default 90 s: the first start compiles the whole plugin through tsx on a possibly busy machine. */
  readyTimeoutMs?: number;
  /** What to run, e.g. `pluginCommand(driver.entryPoint)` (`node --import tsx <entry point>`). */
  command: { file: string; args: string[] };
  env?: NodeJS.ProcessEnv;
}

export interface PluginProcess {
  readonly name: string;
  readonly pid: number;
  readonly socketPath: string;
  /** Exit code once exited (null while running or when killed by a signal). */
  exitCode(): number | null;
  /** False once the process has exited for any reason. */
  running(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (default 20 s). Resolves with the exit code (null if killed). */
  stop(graceMs?: number): Promise<number | null>;
}

function tail(file: string, lines = 15): string {
  if (file === 'inherit') return '(see the output above)';
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function startPluginProcess(options: PluginProcessOptions): Promise<PluginProcess> {
  const command = options.command;
  const logFile = options.logFile;
  let logFd: number | undefined;
  if (logFile !== 'inherit') {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.appendFileSync(
      logFile,
      `----- ${new Date().toISOString()} starting ${options.name}: ${[command.file, ...command.args, ...options.args].join(' ')}\n`,
    );
    logFd = fs.openSync(logFile, 'a');
  }
  let child: ChildProcess;
  try {
    child = spawn(command.file, [...command.args, ...options.args], {
      cwd: REPO_ROOT,
      env: options.env ?? process.env,
      stdio: logFd === undefined ? ['ignore', 'inherit', 'inherit'] : ['ignore', logFd, logFd],
    });
  } finally {
    if (logFd !== undefined) fs.closeSync(logFd);
  }

  let exited = false;
  let code: number | null = null;
  let signal: NodeJS.Signals | null = null;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      exited = true;
      resolve();
    });
    child.once('exit', (exitCode, exitSignal) => {
      code = exitCode;
      signal = exitSignal;
      exited = true;
      resolve();
    });
  });

  const stop = async (graceMs = 20_000): Promise<number | null> => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, graceMs);
      await exitPromise;
      clearTimeout(timer);
    }
    return code;
  };

  const describeExit = (): string =>
    spawnError
      ? `could not be started: ${spawnError.message}`
      : `exited early (code ${String(code)}, signal ${String(signal)})`;

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  let lastError = 'socket not created yet';
  while (!exited) {
    if (Date.now() > deadline) {
      await stop(2_000);
      throw new Error(
        `${options.name} plugin was not ready within ${options.readyTimeoutMs ?? 90_000} ms (${lastError}); last log lines of ${options.logFile}:\n${tail(options.logFile)}`,
      );
    }
    if (fs.existsSync(options.socketPath)) {
      const client = createCsiClient(options.socketPath);
      try {
        const probe = await client.identity.Probe({}, { deadline: 2_000 });
        if (probe.ready?.value !== false) break;
        lastError = 'Probe answered ready=false';
      } catch (error) {
        lastError = `Probe failed: ${(error as Error).message}`;
      } finally {
        client.close();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (exited) {
    throw new Error(`${options.name} plugin ${describeExit()}; last log lines of ${options.logFile}:\n${tail(options.logFile)}`);
  }

  return {
    name: options.name,
    pid: child.pid as number,
    socketPath: options.socketPath,
    exitCode: () => code,
    running: () => !exited,
    stop,
  };
}
