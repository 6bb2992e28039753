/**
 * The wiring from flags and cloud.conf to services, served for real on a unix socket against the
 * simulator (no block devices needed: only identity, info and controller calls).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCinderOptions } from '../options';
import { startCsiServer, type CsiServer } from '../../csi/server';
import { createCsiClient, type CsiClient } from '../../csi/client';
import { silentLogger } from '../../log/logger';
import { startSimulator, type Simulator } from '../../simulator';
import type { ServiceError } from '@grpc/grpc-js';
import type { KubernetesClientModule } from '../../driver-kit/kubernetes/client-loader';
import { Code } from '../../csi/errors';
import { buildServices, ConfigurationError, type BuildServicesDependencies } from './services';

describe('buildServices', () => {
  let simulator: Simulator;
  let dir: string;
  let cloudConf: string;
  let server: CsiServer | undefined;
  let client: CsiClient | undefined;

  beforeAll(async () => {
    simulator = await startSimulator({ latencyMs: 5, devices: { enabled: false }, servers: [{ name: 'wired-node' }] });
    await simulator.whenIdle();
  });
  afterAll(async () => {
    await simulator.stop();
  });
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-services-'));
    cloudConf = path.join(dir, 'cloud.conf');
    await simulator.writeCloudConf(cloudConf);
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await server?.stop();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const options = (...flags: string[]) => {
    const parsed = parseCinderOptions([`--endpoint=unix://${path.join(dir, 'csi.sock')}`, `--cloud-config=${cloudConf}`, ...flags]);
    if (parsed.help) throw new Error('unexpected help');
    return parsed.options;
  };

  const serve = (...flags: string[]): Promise<CsiClient> => serveWith({}, ...flags);

  const serveWith = async (dependencies: BuildServicesDependencies, ...flags: string[]): Promise<CsiClient> => {
    const parsed = options(...flags);
    const plugin = await buildServices(parsed, silentLogger, dependencies);
    server = await startCsiServer({ endpoint: parsed.endpoint, services: plugin.services, logger: silentLogger });
    client = createCsiClient(server.address);
    return client;
  };

  const nodeFlags = () => [
    `--config-drive-dir=${simulator.configDriveDir(simulator.defaultServer.id)}`,
    `--metadata-url=${simulator.metadataUrlFor(simulator.defaultServer.id)}`,
    `--device-dir=${dir}`,
    '--wait-initial-delay-ms=20',
  ];

  it('serves controller, group controller and node from one process', async () => {
    const csi = await serve(...nodeFlags());
    const caps = (await csi.identity.GetPluginCapabilities({})).capabilities.map((c) => c.service?.type).filter(Boolean);
    expect(caps).toEqual(expect.arrayContaining(['CONTROLLER_SERVICE', 'GROUP_CONTROLLER_SERVICE', 'VOLUME_ACCESSIBILITY_CONSTRAINTS']));
    await expect(csi.identity.Probe({})).resolves.toEqual({ ready: { value: true } });

    const info = await csi.node.NodeGetInfo({});
    expect(info.node_id).toBe(simulator.defaultServer.id);

    const created = await csi.controller.CreateVolume({
      name: 'wired-volume',
      capacity_range: { required_bytes: String(1024 ** 3) },
      volume_capabilities: [{ mount: { fs_type: 'ext4' }, access_mode: { mode: 'SINGLE_NODE_WRITER' } }],
    });
    expect(created.volume?.volume_id).toMatch(/^[0-9a-f-]{36}$/);
    await csi.controller.DeleteVolume({ volume_id: created.volume!.volume_id });
  });

  it('serves no controller when only the node service is asked for, yet advertises the same plugin capabilities', async () => {
    const full = await serve(...nodeFlags());
    const everything = (await full.identity.GetPluginCapabilities({})).capabilities;
    full.close();
    await server?.stop();
    const csi = await serve('--provide-controller-service=false', ...nodeFlags());
    // CSI: all instances SHALL return the same set "regardless of ... which RPCs an instance is serving".
    const caps = (await csi.identity.GetPluginCapabilities({})).capabilities;
    expect(caps).toEqual(everything);
    expect(caps.map((c) => c.service?.type)).toContain('CONTROLLER_SERVICE');
    await expect(csi.controller.ControllerGetCapabilities({})).rejects.toMatchObject({ code: 12 }); // UNIMPLEMENTED
    await expect(csi.node.NodeGetInfo({})).resolves.toMatchObject({ node_id: simulator.defaultServer.id });
  });

  it('runs a node-only plugin from a cloud.conf that holds no credentials', async () => {
    fs.writeFileSync(cloudConf, '[BlockStorage]\nnode-volume-attach-limit = 12\n');
    const csi = await serve('--provide-controller-service=false', ...nodeFlags());
    await expect(csi.node.NodeGetInfo({})).resolves.toMatchObject({
      node_id: simulator.defaultServer.id,
      max_volumes_per_node: '12',
    });
  });

  it('falls back to the metadata service when the config drive has no metadata', async () => {
    const emptyDrive = path.join(dir, 'empty-config-drive');
    fs.mkdirSync(emptyDrive);
    const csi = await serve(
      '--provide-controller-service=false',
      `--config-drive-dir=${emptyDrive}`,
      `--metadata-url=${simulator.metadataUrlFor(simulator.defaultServer.id)}`,
    );
    await expect(csi.identity.Probe({})).resolves.toEqual({ ready: { value: true } });
    await expect(csi.node.NodeGetInfo({})).resolves.toMatchObject({ node_id: simulator.defaultServer.id });
  });

  it('answers Probe not-ready while the node cannot find its instance metadata', async () => {
    const emptyDrive = path.join(dir, 'no-config-drive');
    fs.mkdirSync(emptyDrive);
    const csi = await serve(
      '--provide-controller-service=false',
      `--config-drive-dir=${emptyDrive}`,
      // Nothing listens on port 9 (discard): the metadata service is unreachable at once.
      '--metadata-url=http://127.0.0.1:9/openstack/latest/meta_data.json',
    );
    await expect(csi.identity.Probe({})).resolves.toEqual({ ready: { value: false } });
  });

  it("answers Probe ready from a controller that also serves an unidentified node, as CPO's controller pods run it", async () => {
    const emptyDrive = path.join(dir, 'controller-pod-drive');
    fs.mkdirSync(emptyDrive);
    // CPO's controller manifests leave --provide-node-service at true; the controller pod has no metadata.
    const csi = await serve(`--config-drive-dir=${emptyDrive}`, '--metadata-url=http://127.0.0.1:9/openstack/latest/meta_data.json');
    await expect(csi.identity.Probe({})).resolves.toEqual({ ready: { value: true } });
    await expect(csi.node.NodeGetInfo({})).rejects.toMatchObject({ details: expect.stringContaining("cannot determine this node's Nova instance ID") });
  });

  it('names a --cloud-name that cloud.conf does not define', async () => {
    await expect(buildServices(options('--cloud-name=east', ...nodeFlags()), silentLogger)).rejects.toThrow(
      new ConfigurationError('--cloud-name "east" has no [Global "east"] section in the cloud config (found: [Global])'),
    );
  });

  it('reports an unusable cloud config as a configuration error', async () => {
    fs.writeFileSync(cloudConf, '[BlockStorage]\nrescan-on-resize = true\n');
    await expect(buildServices(options(...nodeFlags()), silentLogger)).rejects.toThrow(ConfigurationError);
    await expect(buildServices(options(...nodeFlags()), silentLogger)).rejects.toThrow(/no \[Global\] section/);
  });

  describe('--pvc-annotations', () => {
    const GiB = String(1024 ** 3);
    const capabilities = [{ mount: { fs_type: 'ext4' }, access_mode: { mode: 'SINGLE_NODE_WRITER' as const } }];

    /** A fake client module: PVC `apps/<name>` carries `annotations[name]`; records kubeconfig loads and reads. */
    function fakeKubernetes(annotations: Record<string, Record<string, string>>) {
      const seen: string[] = [];
      class KubeConfig {
        loadFromFile(file: string) {
          seen.push(`kubeconfig:${file}`);
        }
        loadFromCluster() {
          seen.push('in-cluster');
        }
        makeApiClient() {
          return {
            async readNamespacedPersistentVolumeClaim({ name, namespace }: { name: string; namespace: string }) {
              seen.push(`read:${namespace}/${name}`);
              return { metadata: { annotations: namespace === 'apps' ? annotations[name] : undefined } };
            },
          };
        }
      }
      const module = { KubeConfig, CoreV1Api: class {} } as unknown as KubernetesClientModule;
      return { seen, loadKubernetesClient: async () => module };
    }

    const createFor = (csi: CsiClient, name: string, pvc: string) =>
      csi.controller.CreateVolume({
        name,
        capacity_range: { required_bytes: GiB },
        volume_capabilities: capabilities,
        parameters: { 'csi.storage.k8s.io/pvc/name': pvc, 'csi.storage.k8s.io/pvc/namespace': 'apps' },
      });

    it('reads the PVC through the Kubernetes client (from --kubeconfig) and resolves its affinity annotation', async () => {
      const kube = fakeKubernetes({
        first: {},
        second: { 'cinder.csi.openstack.org/affinity': 'annotated-first' },
        broken: { 'cinder.csi.openstack.org/anti-affinity': 'no-such-volume' },
      });
      const kubeconfig = path.join(dir, 'kubeconfig');
      const csi = await serveWith(kube, '--pvc-annotations', `--kubeconfig=${kubeconfig}`, '--provide-node-service=false');
      const first = await createFor(csi, 'annotated-first', 'first');
      const second = await createFor(csi, 'annotated-second', 'second');
      expect(second.volume?.volume_id).toMatch(/^[0-9a-f-]{36}$/);
      // The annotation is really used: one naming a volume that does not exist fails CreateVolume.
      let failure: ServiceError | undefined;
      await createFor(csi, 'annotated-broken', 'broken').catch((error: ServiceError) => {
        failure = error;
      });
      expect(failure?.code).toBe(Code.INVALID_ARGUMENT);
      expect(failure?.details).toContain('"no-such-volume"');
      expect(kube.seen).toEqual([`kubeconfig:${kubeconfig}`, 'read:apps/first', 'read:apps/second', 'read:apps/broken']);
      await csi.controller.DeleteVolume({ volume_id: first.volume!.volume_id });
      await csi.controller.DeleteVolume({ volume_id: second.volume!.volume_id });
    });

    it('leaves the Kubernetes API alone without the flag', async () => {
      const kube = fakeKubernetes({ plain: { 'cinder.csi.openstack.org/affinity': 'no-such-volume' } });
      const csi = await serveWith(kube, '--provide-node-service=false');
      const created = await createFor(csi, 'not-annotated', 'plain');
      expect(kube.seen).toEqual([]);
      await csi.controller.DeleteVolume({ volume_id: created.volume!.volume_id });
    });
  });
});
