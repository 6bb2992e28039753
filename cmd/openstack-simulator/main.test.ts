import { spawn } from 'node:child_process';
import fs, { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCloudConfig, createCloud } from '../../pkg/openstack';
import { fastClientOptions } from '../../pkg/simulator/testing/cloud';
import { parseCommandLine } from './main';

describe('openstack-simulator command line', () => {
  it('parses ports, regions, servers, latency ranges and device modes', () => {
    const parsed = parseCommandLine([
      '--port', '0', '--region', 'R1', '--region', 'R2', '--server', 'n1:az1', '--server', 'n2',
      '--latency-ms', '10-30', '--devices', 'off', '--cloud-config-out', '/tmp/x.conf', '--max-volumes-per-server', '4',
    ]);
    expect(parsed.cloudConfigOut).toBe('/tmp/x.conf');
    expect(parsed.options).toMatchObject({
      port: 0,
      regions: ['R1', 'R2'],
      servers: [{ name: 'n1', availabilityZone: 'az1' }, { name: 'n2', availabilityZone: undefined }],
      latencyMs: { min: 10, max: 30 },
      maxVolumesPerServer: 4,
      devices: { enabled: false },
      adminApi: true,
    });
    expect(() => parseCommandLine(['--port', 'x'])).toThrow(/--port/);
    expect(() => parseCommandLine(['--devices', 'maybe'])).toThrow(/--devices/);
  });

  it('runs standalone: writes a cloud.conf the production client can use, serves the admin API, and cleans up on SIGTERM', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sim-cmd-'));
    const conf = path.join(dir, 'cloud.conf');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'main.ts'), '--port', '0', '--devices', 'off', '--cloud-config-out', conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('cloud.conf written')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`simulator exited early with ${code}`)));
      });
      const adminUrl = /admin:\s+(\S+)/.exec(out)?.[1];
      const byIdDir = /by-id directory:\s+(\S+)/.exec(out)?.[1];
      expect(out).toMatch(/metadata URL:\s+http:\/\/127\.0\.0\.1:\d+\/metadata\//);

      const config = loadCloudConfig([conf]);
      const credentials = config.clouds.get('');
      expect(credentials?.authUrl).toMatch(/\/identity\/v3$/);
      const cloud = createCloud(credentials ?? {}, fastClientOptions());
      const volume = await cloud.blockStorage.createVolume({ size: 1, name: 'from-cmd' });
      expect((await cloud.blockStorage.waitForVolume(volume.id, ['available'])).name).toBe('from-cmd');

      const counts = (await (await fetch(`${adminUrl}/requests`)).json()) as { counts: Record<string, number> };
      expect(counts.counts['POST /volume/v3/{project_id}/volumes']).toBe(1);
      const expire = await fetch(`${adminUrl}/tokens/expire`, { method: 'POST' });
      expect(expire.status).toBe(204);

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(byIdDir && fs.existsSync(byIdDir)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
