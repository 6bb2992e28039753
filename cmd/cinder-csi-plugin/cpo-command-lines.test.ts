/**
 * Drop-in check: the plugin containers of cloud-provider-openstack's (CPO) manifests and Helm chart start
 * our binary with their argument lists unchanged. Each list is fed, after Kubernetes' `$(VAR)` expansion
 * from the container's env, to the real binary in its own process against the OpenStack simulator; the
 * server must answer over gRPC, the controller must reach the cloud, and CPO flags without effect here
 * must be named in exactly one warning line.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createCsiClient } from '../../pkg/csi/testing/client';
import { startSimulator, type Simulator } from '../../pkg/simulator';

const repoRoot = path.resolve(__dirname, '../..');
const mainPath = path.join(__dirname, 'main.ts');

interface CpoCommandLine {
  /** Where CPO has it (cloud-provider-openstack, release noted). */
  source: string;
  args: string[];
  /** Which services the container runs, by its flags. */
  serves: 'controller+node' | 'node';
}

/**
 * The `args:` of the cinder-csi-plugin containers. `$(VAR)` is expanded from the container env the same
 * manifest sets (CSI_ENDPOINT, CLOUD_CONFIG, CLUSTER_NAME, NODE_ID); only the values differ here (a
 * socket and cloud.conf in a temporary directory).
 */
const CPO_COMMAND_LINES: CpoCommandLine[] = [
  {
    source: 'manifests/cinder-csi-plugin/cinder-csi-controllerplugin.yaml (v1.36)',
    args: ['/bin/cinder-csi-plugin', '--endpoint=$(CSI_ENDPOINT)', '--cloud-config=$(CLOUD_CONFIG)', '--cluster=$(CLUSTER_NAME)', '--pvc-annotations', '--v=1'],
    serves: 'controller+node',
  },
  {
    source: 'manifests/cinder-csi-plugin/cinder-csi-nodeplugin.yaml (v1.36)',
    args: ['/bin/cinder-csi-plugin', '--endpoint=$(CSI_ENDPOINT)', '--provide-controller-service=false', '--cloud-config=$(CLOUD_CONFIG)', '--v=1'],
    serves: 'node',
  },
  {
    source: 'charts/cinder-csi-plugin/templates/controllerplugin-deployment.yaml (default values: logVerbosityLevel 2)',
    args: ['/bin/cinder-csi-plugin', '-v=2', '--endpoint=$(CSI_ENDPOINT)', '--cloud-config=$(CLOUD_CONFIG)', '--cluster=$(CLUSTER_NAME)'],
    serves: 'controller+node',
  },
  {
    source: 'charts/cinder-csi-plugin/templates/nodeplugin-daemonset.yaml (default values)',
    args: ['/bin/cinder-csi-plugin', '-v=2', '--endpoint=$(CSI_ENDPOINT)', '--provide-controller-service=false', '--cloud-config=$(CLOUD_CONFIG)'],
    serves: 'node',
  },
  {
    source: 'manifests and chart before v1.22 (controller and node pass --nodeid)',
    args: ['/bin/cinder-csi-plugin', '--nodeid=$(NODE_ID)', '--endpoint=$(CSI_ENDPOINT)', '--cloud-config=$(CLOUD_CONFIG)', '--cluster=$(CLUSTER_NAME)'],
    serves: 'controller+node',
  },
  {
    source: 'every other flag CPO v1.36 cinder-csi-plugin accepts (component-base/klog and Kubernetes client flags)',
    args: [
      '/bin/cinder-csi-plugin',
      '--endpoint=$(CSI_ENDPOINT)',
      '--cloud-config=$(CLOUD_CONFIG_AUTH),$(CLOUD_CONFIG_EXTRA)',
      '--nodeid', '$(NODE_ID)',
      '--node-service-no-os-client=true',
      '--master=https://127.0.0.1:6443',
      '--kube-api-qps=5',
      '--kube-api-burst', '10',
      '--min-resync-period=12h0m0s',
      '--log-flush-frequency=5s',
      '--vmodule=controller*=4',
      '--logtostderr',
      '--alsologtostderr=false',
      '--log_dir=/var/log',
      '--log_file=/var/log/cinder.log',
      '--log_file_max_size=1800',
      '--skip_headers',
      '--skip_log_headers',
      '--add_dir_header',
      '--one_output',
      '--stderrthreshold=2',
      '--log_backtrace_at=:0',
      '--v=2',
    ],
    serves: 'controller+node',
  },
];

/** Kubernetes' `$(VAR)` expansion in container args. */
function expand(arg: string, env: Record<string, string>): string {
  return arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
}

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

async function startPlugin(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', mainPath, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    // As in a pod: no kubeconfig, no in-cluster service account.
    env: { ...process.env, KUBERNETES_SERVICE_HOST: '', KUBECONFIG: '' },
  });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('"msg":"CSI server listening"')) resolve();
    });
    void exited.then(({ code }) => reject(new Error(`plugin exited with ${code} before listening:\n${stderr}`)));
  });
  return { child, exited, stderr: () => stderr };
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
  let running: Running | undefined;
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
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    running = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(CPO_COMMAND_LINES.map((line) => [line.source, line] as const))('%s', async (_source, line) => {
    const args = line.args.map((arg) => expand(arg, env));
    expect(args.join(' ')).not.toContain('$(');
    running = await startPlugin(args);
    const client = createCsiClient(path.join(dir, 'csi', 'csi.sock'));
    try {
      const probe = await client.identity.Probe({});
      const services = (await client.identity.GetPluginCapabilities({})).capabilities.map((c) => c.service?.type).filter(Boolean);
      await expect(client.node.NodeGetCapabilities({})).resolves.toMatchObject({ capabilities: expect.any(Array) });
      if (line.serves === 'node') {
        expect(services).not.toContain('CONTROLLER_SERVICE');
        // A node without a config drive cannot name its Nova instance yet: it says so, and keeps serving.
        expect(probe).toEqual({ ready: { value: false } });
        expect(running.stderr()).toContain('config drive');
      } else {
        expect(services).toContain('CONTROLLER_SERVICE');
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
