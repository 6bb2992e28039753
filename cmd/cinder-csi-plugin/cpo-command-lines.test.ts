/**
 * Drop-in check: the plugin containers of cloud-provider-openstack's (CPO) manifests and Helm chart start
 * our binary with their argument lists unchanged. Each list is fed, after Kubernetes' `$(VAR)` expansion
 * from the container's env, to the real binary in its own process against the OpenStack simulator; the
 * server must answer over gRPC, the controller must reach the cloud, and CPO flags without effect here
 * must be named in exactly one warning line.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Code } from '../../pkg/csi/errors';
import { createCsiClient } from '../../pkg/csi/client';
import { spawnPlugin, type PluginChild } from '../../pkg/cinder/testing/plugin-child';
import { CPO_COMMAND_LINES, expandContainerArgs } from '../../pkg/cinder/testing/cpo-command-lines';
import { startSimulator, type Simulator } from '../../pkg/simulator';

const repoRoot = path.resolve(__dirname, '../..');
const mainPath = path.join(__dirname, 'main.ts');

function startPlugin(args: string[]): Promise<PluginChild> {
  return spawnPlugin(process.execPath, ['--import', 'tsx', mainPath, ...args], {
    cwd: repoRoot,
    // As in a pod: no kubeconfig, no in-cluster service account.
    env: { ...process.env, KUBERNETES_SERVICE_HOST: '', KUBECONFIG: '' },
  });
}

function warningLines(stderr: string): Array<{ msg: string; flags?: string[] }> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; msg: string; flags?: string[] })
    .filter((record) => record.level === 'warn');
}

describe("cinder-csi-plugin started with CPO's command lines", () => {
  let sim: Simulator;
  let dir: string;
  let running: PluginChild | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ latencyMs: 5, devices: { enabled: false } });
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpo-args-'));
    // The cloud's cloud.conf, read from the config drive only: this machine has none, so the node service
    // reports "not ready" at once rather than querying the host's own metadata service.
    const metadata = '\n[Metadata]\nsearch-order = configDrive\n';
    fs.writeFileSync(path.join(dir, 'cloud.conf'), sim.cloudConf() + metadata);
    const [auth, extra] = sim.cloudConf().split('[BlockStorage]');
    fs.writeFileSync(path.join(dir, 'auth.conf'), auth);
    fs.writeFileSync(path.join(dir, 'extra.conf'), `[BlockStorage]${extra}${metadata}`);
    env = {
      CSI_ENDPOINT: `unix://${path.join(dir, 'csi', 'csi.sock')}`,
      CLOUD_CONFIG: path.join(dir, 'cloud.conf'),
      CLOUD_CONFIG_AUTH: path.join(dir, 'auth.conf'),
      CLOUD_CONFIG_EXTRA: path.join(dir, 'extra.conf'),
      CLUSTER_NAME: 'kubernetes',
      NODE_ID: 'worker-1',
    };
  });
  afterEach(async () => {
    await running?.kill();
    running = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(CPO_COMMAND_LINES.map((line) => [line.source, line] as const))('%s', async (_source, line) => {
    const args = expandContainerArgs(line.args, env);
    expect(args.join(' ')).not.toContain('$(');
    running = await startPlugin(args);
    const client = createCsiClient(path.join(dir, 'csi', 'csi.sock'));
    try {
      const probe = await client.identity.Probe({});
      const services = (await client.identity.GetPluginCapabilities({})).capabilities.map((c) => c.service?.type).filter(Boolean);
      await expect(client.node.NodeGetCapabilities({})).resolves.toMatchObject({ capabilities: expect.any(Array) });
      // GetPluginCapabilities is the same on every instance (CSI spec), whichever services it serves.
      expect(services).toContain('CONTROLLER_SERVICE');
      if (line.serves === 'node') {
        // ... but a node-only process does not serve the Controller service itself.
        await expect(client.controller.ControllerGetCapabilities({})).rejects.toMatchObject({ code: Code.UNIMPLEMENTED });
        // A node without a config drive cannot name its Nova instance yet: it says so, and keeps serving.
        expect(probe).toEqual({ ready: { value: false } });
        expect(running.stderr()).toContain('config drive');
      } else {
        expect(probe).toEqual({ ready: { value: true } });
        // The controller reaches the simulator with the credentials of the cloud.conf (list) it was given.
        const created = await client.controller.CreateVolume({
          name: 'cpo-args-volume',
          capacity_range: { required_bytes: String(1024 ** 3) },
          volume_capabilities: [{ mount: { fs_type: 'ext4' }, access_mode: { mode: 'SINGLE_NODE_WRITER' } }],
          // A CPO-era StorageClass key this driver does not use: warned about, not refused (the default).
          parameters: { type: '', fsType: 'ext4', 'legacy-key': 'x' },
        });
        await client.controller.DeleteVolume({ volume_id: created.volume!.volume_id });
      }
    } finally {
      client.close();
    }

    running.child.kill('SIGTERM');
    await expect(running.exited).resolves.toEqual({ code: 0, signal: null });

    const ignored = line.args.filter((arg) => /^--?(nodeid|node-service|master|kube-api|min-resync|log|vmodule|alsolog|skip|add_dir|one_output|stderr)/.test(arg));
    const flagWarnings = warningLines(running.stderr()).filter((w) => w.msg.startsWith('ignoring cloud-provider-openstack flags'));
    if (ignored.length === 0) {
      expect(flagWarnings).toEqual([]);
    } else {
      expect(flagWarnings).toHaveLength(1);
      expect(flagWarnings[0].flags).toHaveLength(ignored.length);
    }
    if (line.serves !== 'node') {
      expect(warningLines(running.stderr()).map((w) => w.msg)).toContainEqual(expect.stringContaining('unknown StorageClass parameter "legacy-key" ignored'));
    }
  });
});
