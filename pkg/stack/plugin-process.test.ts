import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startPluginProcess } from './plugin-process';

const fakePlugin = path.join(__dirname, 'testing', 'fake-plugin.ts');
const command = { file: process.execPath, args: ['--import', 'tsx', fakePlugin] };

describe('startPluginProcess', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-process-test-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('waits until Probe says ready, and SIGTERM stops the process cleanly', async () => {
    const socketPath = path.join(dir, 'csi.sock');
    const logFile = path.join(dir, 'plugin.log');
    const started = Date.now();
    const plugin = await startPluginProcess({
      name: 'fake',
      args: ['--endpoint', `unix://${socketPath}`, '--ready-after-ms', '1500'],
      socketPath,
      logFile,
      command,
    });
    // Probe said not-ready for the first 1.5 s of the process's life, so readiness cannot come sooner.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(plugin.exitCode()).toBeNull();
    expect(await plugin.stop()).toBe(0);
    expect(fs.existsSync(socketPath)).toBe(false);
    expect(fs.readFileSync(logFile, 'utf8')).toContain('fake plugin: listening');
  }, 60_000);

  it('reports an early exit with the tail of the log', async () => {
    const socketPath = path.join(dir, 'csi.sock');
    const logFile = path.join(dir, 'plugin.log');
    await expect(
      startPluginProcess({ name: 'broken', args: ['--exit-code', '3'], socketPath, logFile, command }),
    ).rejects.toThrow(/broken plugin exited early \(code 3[\s\S]*failing on purpose/);
  }, 60_000);

  it('gives up after the ready timeout and kills the process', async () => {
    const socketPath = path.join(dir, 'csi.sock');
    const logFile = path.join(dir, 'plugin.log');
    await expect(
      startPluginProcess({
        name: 'slow',
        args: ['--endpoint', `unix://${socketPath}`, '--ready-after-ms', '600000'],
        socketPath,
        logFile,
        command,
        readyTimeoutMs: 8_000,
      }),
    ).rejects.toThrow(/slow plugin was not ready within 8000 ms \(Probe answered ready=false\)/);
  }, 60_000);
});
