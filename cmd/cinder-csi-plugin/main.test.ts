/**
 * Runs the real binary (through tsx) as a child process and talks to it over its unix socket.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { spawnPlugin, type PluginChild } from '../../pkg/cinder/testing/plugin-child';
import { createCsiClient } from '../../pkg/csi/client';

const repoRoot = path.resolve(__dirname, '../..');
const mainPath = path.join(__dirname, 'main.ts');
const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const nodeArgs = ['--import', 'tsx', mainPath];

type Running = PluginChild;

/** Starts the plugin and resolves once it logs that it is listening (or rejects if it exits first). */
function startPlugin(args: string[], readyMessage = 'CSI server listening'): Promise<Running> {
  return spawnPlugin(process.execPath, [...nodeArgs, ...args], { cwd: repoRoot, readyMessage });
}

describe('cinder-csi-plugin binary', () => {
  let dir: string;
  let running: Running | undefined;

  let cloudConf: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinder-plugin-'));
    // A syntactically complete cloud whose Keystone is unreachable: enough to start; these tests never
    // make a call that needs the cloud (the controller/node suites cover that against the simulator).
    cloudConf = path.join(dir, 'cloud.conf');
    fs.writeFileSync(
      cloudConf,
      '[Global]\nauth-url = http://127.0.0.1:9/v3\nusername = demo\npassword = demo-password\ntenant-name = demo\ndomain-name = Default\nregion = RegionOne\n',
    );
  });
  afterEach(async () => {
    await running?.kill();
    running = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('serves Identity on its socket and exits 0 without a socket on %s', async (signal) => {
    const socketPath = path.join(dir, 'plugin', 'csi.sock');
    running = await startPlugin([
      `--endpoint=unix://${socketPath}`,
      '--cloud-config',
      cloudConf,
      '--provide-node-service=false',
      '--driver-name=cinder-test.csi.openstack.org',
    ]);
    expect(fs.lstatSync(socketPath).isSocket()).toBe(true);

    const client = createCsiClient(socketPath);
    try {
      await expect(client.identity.GetPluginInfo({})).resolves.toMatchObject({
        name: 'cinder-test.csi.openstack.org',
        vendor_version: version,
      });
      const caps = await client.identity.GetPluginCapabilities({});
      expect(caps.capabilities).toContainEqual({ type: 'service', service: { type: 'VOLUME_ACCESSIBILITY_CONSTRAINTS' } });
      expect(caps.capabilities).toContainEqual({ type: 'volume_expansion', volume_expansion: { type: 'ONLINE' } });
    } finally {
      client.close();
    }

    running.child.kill(signal);
    await expect(running.exited).resolves.toEqual({ code: 0, signal: null });
    expect(fs.existsSync(socketPath)).toBe(false);
    expect(running.stderr()).toContain('"msg":"CSI server stopped"');
    expect(running.stderr()).not.toContain('demo-password');
  });

  it('omits VOLUME_ACCESSIBILITY_CONSTRAINTS with --with-topology=false', async () => {
    const socketPath = path.join(dir, 'csi.sock');
    running = await startPlugin([
      `--endpoint=unix://${socketPath}`,
      `--cloud-config=${cloudConf}`,
      '--provide-node-service=false',
      '--with-topology=false',
    ]);
    const client = createCsiClient(socketPath);
    try {
      const caps = await client.identity.GetPluginCapabilities({});
      expect(caps.capabilities.map((c) => c.service?.type)).not.toContain('VOLUME_ACCESSIBILITY_CONSTRAINTS');
    } finally {
      client.close();
    }
    running.child.kill('SIGTERM');
    await expect(running.exited).resolves.toEqual({ code: 0, signal: null });
  });

  it('serves CSI call metrics on --http-endpoint', async () => {
    const socketPath = path.join(dir, 'csi.sock');
    running = await startPlugin([
      `--endpoint=unix://${socketPath}`,
      `--cloud-config=${cloudConf}`,
      '--provide-node-service=false',
      '--http-endpoint=127.0.0.1:0',
    ], 'HTTP endpoint listening');
    const listening = running
      .stderr()
      .split('\n')
      .filter((line) => line.includes('"msg":"HTTP endpoint listening"'))
      .map((line) => JSON.parse(line) as { address: string })[0];
    expect(listening).toBeDefined();
    const port = Number(listening.address.split(':').pop());

    const client = createCsiClient(socketPath);
    try {
      await client.identity.GetPluginInfo({});
    } finally {
      client.close();
    }
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toContain('csi_plugin_operations_seconds_count{method_name="GetPluginInfo",grpc_status_code="OK"} 1');
    expect(body).toContain('# HELP openstack_api_request_duration_seconds');

    running.child.kill('SIGTERM');
    await expect(running.exited).resolves.toEqual({ code: 0, signal: null });
  });

  it('prints help listing the flags and exits 0', () => {
    const result = spawnSync(process.execPath, [...nodeArgs, '--help'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--cloud-config');
    expect(result.stdout).toContain('--provide-node-service');
  });

  it('exits non-zero naming the bad flag', () => {
    const result = spawnSync(process.execPath, [...nodeArgs, '--cloud-config=/dev/null', '--with-topology=sometimes'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid value "sometimes" for flag --with-topology');
  });

  it('exits 2 at start for an --additional-topology segment that cannot be a node label', () => {
    const result = spawnSync(
      process.execPath,
      [...nodeArgs, '--cloud-config=/dev/null', '--additional-topology=topology.kubernetes.io/region=Region One'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid value "topology.kubernetes.io/region=Region One" for flag --additional-topology');
  });
});
