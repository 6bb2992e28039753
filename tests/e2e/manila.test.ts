/**
 * manila-csi-plugin as processes, as a CO and kubelet see it: a controller process and a node process
 * (`cmd/manila-csi-plugin/main.ts`) against the simulator, the node forwarding to a recording partner
 * plugin on a unix socket. Credentials come from cloud.conf (controller) and os-* secrets (node).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCsiClient, type CsiClient } from '../../pkg/csi/client';
import { openStackSecrets } from '../../pkg/manila/testing/controller-harness';
import { startRecordingPartner, type RecordingPartner } from '../../pkg/manila/testing/recording-partner';
import { startSimulator, type Simulator } from '../../pkg/simulator';

jest.setTimeout(180_000);

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(REPO_ROOT, 'cmd', 'manila-csi-plugin', 'main.ts');
const GiB = 1024 ** 3;

interface Plugin {
  child: ChildProcess;
  client: CsiClient;
  log: string;
}

async function startPlugin(dir: string, name: string, args: string[]): Promise<Plugin> {
  const socket = path.join(dir, `${name}.sock`);
  const log = path.join(dir, `${name}.log`);
  const fd = fs.openSync(log, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, `--endpoint=unix://${socket}`, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const client = createCsiClient(`unix://${socket}`);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${fs.readFileSync(log, 'utf8')}`);
    try {
      await client.identity.GetPluginInfo({}, { deadline: 1000 });
      return { child, client, log };
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${name} not serving: ${String(error)}\n${fs.readFileSync(log, 'utf8')}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function stopPlugin(plugin: Plugin | undefined): Promise<number | null> {
  if (!plugin) return null;
  plugin.client.close();
  if (plugin.child.exitCode !== null) return plugin.child.exitCode;
  const exited = new Promise<number | null>((resolve) => plugin.child.once('exit', (code) => resolve(code)));
  plugin.child.kill('SIGTERM');
  return exited;
}

describe('manila-csi-plugin processes', () => {
  let dir: string;
  let sim: Simulator;
  let partner: RecordingPartner;
  let controller: Plugin | undefined;
  let node: Plugin | undefined;
  let instanceId: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manila-e2e-'));
    sim = await startSimulator({ latencyMs: 20, availabilityZones: ['nova'], devices: { enabled: false } });
    await sim.writeCloudConf(path.join(dir, 'cloud.conf'));
    partner = await startRecordingPartner({ socketDir: dir });
    instanceId = sim.addServer({ name: 'node-e2e' }).id;
    const common = ['--share-protocol-selector=nfs', '--drivername=nfs.manila.csi.openstack.org', '--wait-initial-delay-ms=20'];
    [controller, node] = await Promise.all([
      startPlugin(dir, 'controller', [
        ...common,
        `--cloud-config=${path.join(dir, 'cloud.conf')}`,
        '--provide-node-service=false',
        '--cluster-id=e2e',
        '--nodeid=ignored',
        '--kube-api-qps=5',
      ]),
      startPlugin(dir, 'node', [
        ...common,
        '--provide-controller-service=false',
        `--fwdendpoint=${partner.endpoint}`,
        `--config-drive-dir=${sim.configDriveDir(instanceId)}`,
        '--with-topology',
      ]),
    ]);
  });

  afterAll(async () => {
    const codes = await Promise.all([stopPlugin(controller), stopPlugin(node)]);
    expect(codes).toEqual([0, 0]);
    await partner.stop();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the NFS lifecycle: create (rules active), stage/publish through the partner, expand, snapshot, restore, delete', async () => {
    const c = controller!.client;
    const n = node!.client;
    expect(fs.readFileSync(controller!.log, 'utf8')).toMatch(/ignoring cloud-provider-openstack flags that have no effect here: --nodeid --kube-api-qps/);
    const identity = await c.identity.GetPluginCapabilities({});
    expect(identity.capabilities.map((cap) => cap.service?.type)).toContain('CONTROLLER_SERVICE');
    expect((await n.identity.GetPluginCapabilities({})).capabilities.map((cap) => cap.service?.type)).toContain('CONTROLLER_SERVICE');

    const capability = { mount: {}, access_mode: { mode: 'MULTI_NODE_MULTI_WRITER' as const } };
    const created = await c.controller.CreateVolume({
      name: 'pvc-e2e',
      capacity_range: { required_bytes: String(GiB) },
      volume_capabilities: [capability],
      parameters: { 'nfs-shareClient': '10.0.0.0/8' },
    });
    const volume = created.volume!;
    const described = sim.sharedFileSystem.describeShare(volume.volume_id);
    expect(described?.accessRules).toEqual([expect.objectContaining({ accessType: 'ip', accessTo: '10.0.0.0/8', state: 'active' })]);

    const secrets = openStackSecrets(sim);
    const caps = await n.node.NodeGetCapabilities({});
    expect(caps.capabilities.map((cap) => cap.rpc?.type)).toEqual(['STAGE_UNSTAGE_VOLUME', 'GET_VOLUME_STATS']);
    const info = await n.node.NodeGetInfo({});
    expect(info.node_id).toBe(instanceId);
    await n.node.NodeStageVolume({ volume_id: volume.volume_id, staging_target_path: path.join(dir, 'stage'), volume_capability: capability, volume_context: volume.volume_context, secrets });
    for (const pod of ['a', 'b']) {
      await n.node.NodePublishVolume({
        volume_id: volume.volume_id,
        staging_target_path: path.join(dir, 'stage'),
        target_path: path.join(dir, `pod-${pod}`),
        volume_capability: capability,
        volume_context: volume.volume_context,
      });
    }
    const forwarded = partner.calls.filter((call) => call.method.startsWith('NodeStage') || call.method.startsWith('NodePublish'));
    expect(forwarded).toHaveLength(3);
    for (const call of forwarded) {
      expect(call.request.volume_context).toEqual({ server: expect.stringMatching(/^192\.0\.2\./), share: sim.sharedFileSystem.backingDir(volume.volume_id) });
      expect(call.request.secrets).toEqual({});
    }

    const grown = await c.controller.ControllerExpandVolume({ volume_id: volume.volume_id, capacity_range: { required_bytes: String(2 * GiB) } });
    expect(grown.capacity_bytes).toBe(String(2 * GiB));
    const snap = await c.controller.CreateSnapshot({ name: 'snap-e2e', source_volume_id: volume.volume_id });
    await sim.whenIdle();
    const restored = await c.controller.CreateVolume({
      name: 'pvc-e2e-restored',
      capacity_range: { required_bytes: String(2 * GiB) },
      volume_capabilities: [capability],
      volume_content_source: { snapshot: { snapshot_id: snap.snapshot!.snapshot_id } },
    });
    expect(restored.volume!.capacity_bytes).toBe(String(2 * GiB));

    await n.node.NodeUnpublishVolume({ volume_id: volume.volume_id, target_path: path.join(dir, 'pod-a') });
    await n.node.NodeUnstageVolume({ volume_id: volume.volume_id, staging_target_path: path.join(dir, 'stage') });
    await c.controller.DeleteVolume({ volume_id: restored.volume!.volume_id });
    await c.controller.DeleteSnapshot({ snapshot_id: snap.snapshot!.snapshot_id });
    await sim.whenIdle();
    await c.controller.DeleteVolume({ volume_id: volume.volume_id });
    await c.controller.DeleteVolume({ volume_id: volume.volume_id });
    await sim.whenIdle();
    expect((await c.controller.ListVolumes({})).entries).toEqual([]);
  });
});
