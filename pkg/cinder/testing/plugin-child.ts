/**
 * A plugin binary in its own process for the tests that start it as a container would: resolves once it
 * logs that it listens (or rejects with its output if it exits first), and keeps its stderr for checks.
 */
import { ChildProcess, spawn } from 'child_process';

export interface PluginChild {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
  /** SIGKILL if still running (test cleanup). */
  kill(): Promise<void>;
}

export interface SpawnPluginOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The JSON log `msg` meaning "ready for calls"; default "CSI server listening". */
  readyMessage?: string;
}

export async function spawnPlugin(file: string, args: readonly string[], options: SpawnPluginOptions): Promise<PluginChild> {
  const readyMessage = options.readyMessage ?? 'CSI server listening';
  const child = spawn(file, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(`"msg":"${readyMessage}"`)) resolve();
    });
    void exited.then(({ code }) => reject(new Error(`plugin exited with ${code} before "${readyMessage}":\n${stderr}`)));
  });
  return {
    child,
    exited,
    stderr: () => stderr,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
