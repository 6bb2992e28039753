/**
 * The deployment files, checked the way a cluster would see them:
 * - every manifest, every kustomize overlay's output, every example and every YAML block of docs/ against
 *   the Kubernetes API schemas (and the snapshot CRDs'), unknown fields rejected;
 * - `kubectl apply -f manifests/cinder-csi-plugin` reads only Kubernetes objects, none of them a Secret;
 * - CPO's names (drop-in), socket paths shared by plugin and sidecars, the StatefulSet's Service;
 * - feature gates: the default only turns gates off, overlays turn them on;
 * - RBAC covers what each sidecar needs with the features it runs with (sidecar-needs.ts);
 * - the CSIDriver matches what the plugin, started in-process from the manifests' own flags, advertises;
 * - tests/ci's e2e test-driver.yaml and scripts are well formed.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as yaml from 'js-yaml';
import { DRIVER_NAME, TOPOLOGY_ZONE_KEY } from '../../pkg/cinder/constants';
import { parseCinderOptions } from '../../pkg/cinder/options';
import { buildServices } from '../../pkg/cinder/plugin/services';
import { startCsiServer, type CsiServer } from '../../pkg/csi/server';
import { createCsiClient, type CsiClient } from '../../pkg/csi/testing/client';
import { silentLogger } from '../../pkg/log/logger';
import { startSimulator, type Simulator } from '../../pkg/simulator';
import {
  filesKubectlApplyReads,
  findKubectl,
  isYaml,
  kustomize,
  listFiles,
  readObjects,
  REPO_ROOT,
  schemaProblems,
  yamlBlocksOf,
  type K8sObject,
  type SourcedObject,
} from './manifest-files';
import { CAPACITY_NEEDS, LEADER_ELECTION_NEED, MINIMUM_SIDECAR_VERSIONS, SIDECAR_NEEDS, type ApiNeed, type Feature } from './sidecar-needs';

const run = promisify(execFile);

const PLAIN_DIR = path.join(REPO_ROOT, 'manifests', 'cinder-csi-plugin');
const KUSTOMIZE_DIR = path.join(REPO_ROOT, 'manifests', 'kustomize');
const OVERLAYS = ['group-snapshots', 'volume-modify', 'storage-capacity', 'all'] as const;
const CI_DIR = path.join(REPO_ROOT, 'tests', 'ci');
const NAMESPACE = 'kube-system';
const CONTROLLER_SA = 'csi-cinder-controller-sa';
const NODE_SA = 'csi-cinder-node-sa';
const KUBECTL = findKubectl();
const NO_KUBECTL =
  'kubectl not on PATH: overlay checks skipped. Install kubectl >= 1.27 (kustomize v5, components): the ' +
  '`kubectl` package of the Kubernetes apt repository or any kubectl binary on PATH; Debian bookworm\'s ' +
  '`kubernetes-client` (1.20) is too old.';

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string; mountPropagation?: string }>;
}
interface PodSpec {
  serviceAccountName?: string;
  containers: Container[];
  volumes?: Array<{ name: string; hostPath?: { path: string }; secret?: { secretName: string }; emptyDir?: object }>;
}
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

// ---------- helpers over object sets ----------

const objectsOf = (list: readonly SourcedObject[]): K8sObject[] => list.map((s) => s.object);

function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

function podSpec(workload: K8sObject): PodSpec {
  return (workload as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
}

function container(spec: PodSpec, name: string): Container {
  const found = spec.containers.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

/** Container args with $(VAR) expanded from the container's env, as the kubelet does. */
function expandedArgs(c: Container): string[] {
  const env = new Map((c.env ?? []).map((e) => [e.name, e.value ?? '']));
  return (c.args ?? []).map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env.get(name) ?? whole));
}

/** Feature gates a container's --feature-gates flags set. */
function featureGates(c: Container): Map<string, boolean> {
  const gates = new Map<string, boolean>();
  for (const arg of c.args ?? []) {
    const match = /^--feature-gates=(.*)$/.exec(arg);
    if (!match) continue;
    for (const pair of match[1].split(',')) {
      const [key, value] = pair.split('=');
      gates.set(key, value === 'true');
    }
  }
  return gates;
}

/** Where a socket path lands: the pod volume it is under and the path inside that volume. */
function socketLocation(spec: PodSpec, c: Container, socketPath: string): string {
  const mount = (c.volumeMounts ?? [])
    .filter((m) => socketPath.startsWith(m.mountPath.replace(/\/?$/, '/')))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) throw new Error(`${c.name}: socket ${socketPath} is on no mounted volume`);
  const volume = spec.volumes?.find((v) => v.name === mount.name);
  const inside = socketPath.slice(mount.mountPath.replace(/\/?$/, '/').length);
  return `${volume?.hostPath ? `hostPath:${volume.hostPath.path}` : `volume:${mount.name}`}/${inside}`;
}

function flagValue(args: readonly string[], flag: string): string | undefined {
  const prefix = `--${flag}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/** Rules granted to a service account: ClusterRoles bound cluster-wide, and Roles/ClusterRoles bound in `namespace`. */
function rulesFor(objects: readonly K8sObject[], serviceAccount: string, namespace: string): { cluster: Rule[]; namespaced: Rule[] } {
  type Binding = { subjects?: Array<{ kind: string; name: string; namespace?: string }>; roleRef: { kind: string; name: string } };
  const boundTo = (b: Binding) => (b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === serviceAccount && s.namespace === namespace);
  const rulesOf = (kind: string, name: string, ns?: string): Rule[] =>
    ((objects.find((o) => o.kind === kind && o.metadata?.name === name && (ns === undefined || o.metadata?.namespace === ns)) as unknown as { rules?: Rule[] })
      ?.rules) ?? [];
  const cluster = objects
    .filter((o) => o.kind === 'ClusterRoleBinding' && boundTo(o as unknown as Binding))
    .flatMap((o) => rulesOf('ClusterRole', (o as unknown as Binding).roleRef.name));
  const namespaced = objects
    .filter((o) => o.kind === 'RoleBinding' && o.metadata?.namespace === namespace && boundTo(o as unknown as Binding))
    .flatMap((o) => {
      const ref = (o as unknown as Binding).roleRef;
      return ref.kind === 'Role' ? rulesOf('Role', ref.name, namespace) : rulesOf('ClusterRole', ref.name);
    });
  return { cluster, namespaced };
}

function covers(rules: readonly Rule[], need: ApiNeed): boolean {
  const missing = new Set(need.verbs);
  for (const rule of rules) {
    const groupOk = (rule.apiGroups ?? []).some((g) => g === need.group || g === '*');
    const resourceOk = (rule.resources ?? []).some((r) => r === need.resource || r === '*');
    if (groupOk && resourceOk) for (const verb of rule.verbs) (verb === '*' ? need.verbs : [verb]).forEach((v) => missing.delete(v));
  }
  return missing.size === 0;
}

/** Every RBAC need of the controller's sidecars that the granted rules do not cover, as readable lines. */
function uncoveredControllerNeeds(objects: readonly K8sObject[]): string[] {
  const spec = podSpec(find(objects, 'StatefulSet', 'csi-cinder-controllerplugin'));
  const { cluster, namespaced } = rulesFor(objects, CONTROLLER_SA, NAMESPACE);
  const problems: string[] = [];
  for (const c of spec.containers) {
    if (c.name === 'cinder-csi-plugin') continue;
    const table = SIDECAR_NEEDS[c.name];
    if (!table) {
      problems.push(`${c.name}: no entry in sidecar-needs.ts`);
      continue;
    }
    const gates = featureGates(c);
    const features: Feature[] = ['base', ...(['CSIVolumeGroupSnapshot', 'VolumeAttributesClass'] as const).filter((f) => gates.get(f) !== false && table[f])];
    for (const feature of features) {
      for (const need of table[feature] ?? []) {
        if (!covers(cluster, need)) problems.push(`${c.name} (${feature}): ${need.group || 'core'}/${need.resource} ${need.verbs.join(',')}`);
      }
    }
    if ((c.args ?? []).includes('--enable-capacity')) {
      for (const need of CAPACITY_NEEDS) {
        if (!covers([...cluster, ...namespaced], need)) problems.push(`${c.name} (--enable-capacity): ${need.group || 'core'}/${need.resource} ${need.verbs.join(',')}`);
      }
    }
    if ((c.args ?? []).includes('--leader-election=true') && !covers([...cluster, ...namespaced], LEADER_ELECTION_NEED)) {
      problems.push(`${c.name}: leases in ${NAMESPACE} for leader election`);
    }
  }
  return problems;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

// ---------- the objects under test ----------

const plainFiles = filesKubectlApplyReads(PLAIN_DIR);
const plain = plainFiles.flatMap(readObjects);
const componentResources = listFiles(path.join(KUSTOMIZE_DIR, 'components'), isYaml)
  .filter((f) => !f.endsWith('kustomization.yaml'))
  .flatMap(readObjects)
  .filter(({ object }) => !Array.isArray(object)); // JSON-patch files are lists of operations
const examples = listFiles(path.join(REPO_ROOT, 'examples'), isYaml).flatMap(readObjects);
const docBlocks = listFiles(path.join(REPO_ROOT, 'docs'), (f) => f.endsWith('.md')).flatMap(yamlBlocksOf);

describe('deployment manifests', () => {
  const rendered = new Map<string, K8sObject[]>();

  beforeAll(async () => {
    if (!KUBECTL) return;
    rendered.set('base', objectsOf(await kustomize(KUBECTL, PLAIN_DIR)));
    for (const overlay of OVERLAYS) rendered.set(overlay, objectsOf(await kustomize(KUBECTL, path.join(KUSTOMIZE_DIR, 'overlays', overlay))));
  });

  describe('API schemas (unknown fields rejected)', () => {
    /** Problems of every object in one schema-check run (one child process: its start-up costs seconds). */
    let problemsBySource: Map<string, string[]>;
    const checked = (list: readonly SourcedObject[]) => list.flatMap((item) => (problemsBySource.get(item.source) ?? ['not checked']).map((p) => `${item.source}: ${p}`));
    const overlayObjects = () => [...rendered.entries()].flatMap(([name, objects]) => objects.map((object, i) => ({ source: `overlay ${name}#${i}`, object })));

    beforeAll(async () => {
      const all = [...plain, ...componentResources, ...examples, ...docBlocks, ...overlayObjects()];
      const problems = await schemaProblems(objectsOf(all));
      problemsBySource = new Map(all.map((item, i) => [item.source, problems[i]]));
    });

    it('every plain manifest and component resource', () => {
      expect(plain.length).toBeGreaterThanOrEqual(10);
      expect(checked([...plain, ...componentResources])).toEqual([]);
    });

    it('every example and every YAML block of docs/', () => {
      expect(examples.length).toBeGreaterThanOrEqual(10);
      expect(docBlocks.length).toBeGreaterThanOrEqual(5);
      expect(checked([...examples, ...docBlocks])).toEqual([]);
    });

    it('every overlay output', () => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      const all = overlayObjects();
      expect(all.length).toBeGreaterThan(3 * plain.length);
      expect(checked(all)).toEqual([]);
    });

    it('catches what a cluster would reject: the checker is not a yes-machine', async () => {
      const [statefulSet] = [find(objectsOf(plain), 'StatefulSet', 'csi-cinder-controllerplugin')];
      const typo = structuredClone(statefulSet) as K8sObject & { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
      typo.spec.template.spec.containers[0].volumeMount = [];
      const oldVac = { apiVersion: 'storage.k8s.io/v1beta2', kind: 'VolumeAttributesClass', metadata: { name: 'x' }, driverName: DRIVER_NAME };
      const badClass = { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'x' }, driver: DRIVER_NAME, deletionPolicy: 'Keep' };
      const problems = await schemaProblems([typo, oldVac, badClass]);
      expect(problems[0].join()).toMatch(/volumeMount: unknown field/);
      expect(problems[1].join()).toMatch(/no API schema|has no kind/);
      expect(problems[2].join()).toMatch(/deletionPolicy/);
    });
  });

  describe('kubectl apply -f manifests/cinder-csi-plugin', () => {
    it('reads only Kubernetes objects: no Kustomization, no Secret', () => {
      expect(plainFiles.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['csi-cinder-driver.yaml', 'cinder-csi-controllerplugin.yaml']));
      const kinds = plain.map((p) => p.object.kind);
      expect(kinds).not.toContain('Kustomization');
      expect(kinds).not.toContain('Secret');
    });

    it('the extensionless Kustomization base lists exactly the files kubectl apply -f reads', () => {
      const base = yaml.load(fs.readFileSync(path.join(PLAIN_DIR, 'Kustomization'), 'utf8')) as { kind: string; resources: string[] };
      expect(base.kind).toBe('Kustomization');
      expect([...base.resources].sort()).toEqual(plainFiles.map((f) => path.basename(f)));
    });

    it('kubectl kustomize of the base gives the same objects as the plain files', () => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      const key = (o: K8sObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
      expect(rendered.get('base')!.map(key).sort()).toEqual(objectsOf(plain).map(key).sort());
    });

    it('nothing in manifests/, examples/ or docs/ YAML writes the cloud-config Secret', () => {
      const everything = [...plain, ...componentResources, ...examples, ...docBlocks, ...[...rendered.values()].flat().map((object) => ({ source: 'overlay', object }))];
      expect(everything.filter(({ object }) => object.kind === 'Secret').map((s) => s.source)).toEqual([]);
    });
  });

  describe("CPO's names and paths (drop-in)", () => {
    const objects = objectsOf(plain);
    const controller = podSpec(find(objects, 'StatefulSet', 'csi-cinder-controllerplugin'));
    const node = podSpec(find(objects, 'DaemonSet', 'csi-cinder-nodeplugin'));

    it('names the driver, workloads, service accounts and cloud-config secret as CPO does', () => {
      find(objects, 'CSIDriver', DRIVER_NAME);
      expect(controller.serviceAccountName).toBe(CONTROLLER_SA);
      expect(node.serviceAccountName).toBe(NODE_SA);
      for (const spec of [controller, node]) {
        expect(spec.volumes?.find((v) => v.secret)?.secret?.secretName).toBe('cloud-config');
        const plugin = container(spec, 'cinder-csi-plugin');
        expect(flagValue(expandedArgs(plugin), 'cloud-config')).toBe('/etc/config/cloud.conf');
        expect(plugin.volumeMounts?.find((m) => m.mountPath === '/etc/config')).toBeDefined();
      }
    });

    it('controller sidecars and plugin share one socket', () => {
      const plugin = container(controller, 'cinder-csi-plugin');
      const endpoint = flagValue(expandedArgs(plugin), 'endpoint')!;
      expect(endpoint).toBe('unix://csi/csi.sock');
      const pluginSocket = socketLocation(controller, plugin, '/csi/csi.sock');
      for (const c of controller.containers.filter((c) => c !== plugin)) {
        const address = flagValue(expandedArgs(c), 'csi-address');
        expect({ container: c.name, socket: address && socketLocation(controller, c, address) }).toEqual({ container: c.name, socket: pluginSocket });
      }
    });

    it('node: socket in /var/lib/kubelet/plugins/<driver>, registered there, kubelet dir Bidirectional', () => {
      const plugin = container(node, 'cinder-csi-plugin');
      const pluginSocket = socketLocation(node, plugin, '/csi/csi.sock');
      expect(pluginSocket).toBe(`hostPath:/var/lib/kubelet/plugins/${DRIVER_NAME}/csi.sock`);
      const registrar = container(node, 'node-driver-registrar');
      expect(flagValue(expandedArgs(registrar), 'kubelet-registration-path')).toBe(`/var/lib/kubelet/plugins/${DRIVER_NAME}/csi.sock`);
      expect(socketLocation(node, registrar, flagValue(expandedArgs(registrar), 'csi-address')!)).toBe(pluginSocket);
      expect(plugin.volumeMounts).toEqual(expect.arrayContaining([{ name: 'kubelet-dir', mountPath: '/var/lib/kubelet', mountPropagation: 'Bidirectional' }]));
    });

    it('the StatefulSet has its headless Service, selecting its pods', () => {
      const statefulSet = find(objects, 'StatefulSet', 'csi-cinder-controllerplugin') as unknown as {
        spec: { serviceName: string; template: { metadata: { labels: Record<string, string> } } };
      };
      const service = find(objects, 'Service', statefulSet.spec.serviceName) as unknown as { metadata: { namespace: string }; spec: { clusterIP: string; selector: Record<string, string> } };
      expect(service.metadata.namespace).toBe(NAMESPACE);
      expect(service.spec.clusterIP).toBe('None');
      expect(statefulSet.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    });

    it('sidecars are current releases from registry.k8s.io/sig-storage, one livenessprobe version', () => {
      const images = [...controller.containers, ...node.containers].map((c) => c.image).filter((i) => i.includes('sig-storage'));
      for (const image of images) {
        const match = /^registry\.k8s\.io\/sig-storage\/([a-z-]+):v(\d+\.\d+\.\d+)$/.exec(image);
        expect(match).not.toBeNull();
        const [, name, version] = match!;
        expect({ image, atLeast: compareVersions(version, MINIMUM_SIDECAR_VERSIONS[name] ?? '999.0.0') >= 0 }).toEqual({ image, atLeast: true });
      }
      expect(new Set(images.filter((i) => i.includes('/livenessprobe:'))).size).toBe(1);
    });
  });

  describe('feature gates and RBAC', () => {
    it('the default install only turns gates off, and turns off those whose API a bare cluster may lack', () => {
      const spec = podSpec(find(objectsOf(plain), 'StatefulSet', 'csi-cinder-controllerplugin'));
      for (const c of spec.containers) for (const [gate, on] of featureGates(c)) expect({ container: c.name, gate, on }).toEqual({ container: c.name, gate, on: false });
      expect(featureGates(container(spec, 'csi-snapshotter')).get('CSIVolumeGroupSnapshot')).toBe(false);
      expect(featureGates(container(spec, 'csi-resizer')).get('VolumeAttributesClass')).toBe(false);
      expect(featureGates(container(spec, 'csi-provisioner')).get('VolumeAttributesClass')).toBe(false);
    });

    it('each overlay turns on exactly its gates', () => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      const gatesOf = (name: string) => {
        const spec = podSpec(find(rendered.get(name)!, 'StatefulSet', 'csi-cinder-controllerplugin'));
        return Object.fromEntries(spec.containers.flatMap((c) => [...featureGates(c)].map(([gate, on]) => [`${c.name}:${gate}`, on])));
      };
      const off = { 'csi-provisioner:VolumeAttributesClass': false, 'csi-snapshotter:CSIVolumeGroupSnapshot': false, 'csi-resizer:VolumeAttributesClass': false };
      expect(gatesOf('base')).toEqual(off);
      expect(gatesOf('group-snapshots')).toEqual({ ...off, 'csi-snapshotter:CSIVolumeGroupSnapshot': true });
      expect(gatesOf('volume-modify')).toEqual({ ...off, 'csi-provisioner:VolumeAttributesClass': true, 'csi-resizer:VolumeAttributesClass': true });
      expect(gatesOf('storage-capacity')).toEqual(off);
      expect(Object.values(gatesOf('all')).every(Boolean)).toBe(true);
    });

    it('CSIDriver.storageCapacity is on exactly where the provisioner publishes capacity (--enable-capacity)', () => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      const seen = [...rendered].map(([name, objects]) => {
        const driver = find(objects, 'CSIDriver', DRIVER_NAME) as unknown as { spec: { storageCapacity: boolean } };
        const provisioner = container(podSpec(find(objects, 'StatefulSet', 'csi-cinder-controllerplugin')), 'csi-provisioner');
        return { name, storageCapacity: driver.spec.storageCapacity, enableCapacity: (provisioner.args ?? []).includes('--enable-capacity') };
      });
      for (const entry of seen) expect(entry.storageCapacity).toBe(entry.enableCapacity);
      expect(seen.filter((e) => e.storageCapacity).map((e) => e.name)).toEqual(['storage-capacity']);
    });

    it('RBAC covers every sidecar with the features it runs with (default install)', () => {
      expect(uncoveredControllerNeeds(objectsOf(plain))).toEqual([]);
    });

    it('RBAC covers every sidecar in every overlay', () => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      for (const [name, objects] of rendered) expect({ name, uncovered: uncoveredControllerNeeds(objects) }).toEqual({ name, uncovered: [] });
    });

    it('the RBAC check fails when a rule is missing or names the wrong API group', () => {
      const objects = structuredClone([...objectsOf(plain), ...objectsOf(componentResources)]);
      const snapshotter = podSpec(find(objects, 'StatefulSet', 'csi-cinder-controllerplugin')).containers.find((c) => c.name === 'csi-snapshotter')!;
      snapshotter.args = snapshotter.args!.map((a) => a.replace('CSIVolumeGroupSnapshot=false', 'CSIVolumeGroupSnapshot=true'));
      const groupRole = find(objects, 'ClusterRole', 'csi-cinder-groupsnapshotter-role') as unknown as { rules: Rule[] };
      groupRole.rules[0].apiGroups = ['snapshot.storage.k8s.io']; // the old manifests' mistake
      expect(uncoveredControllerNeeds(objects)).toEqual(['csi-snapshotter (CSIVolumeGroupSnapshot): groupsnapshot.storage.k8s.io/volumegroupsnapshotclasses get,list,watch']);
    });

    it('no RBAC rule names group-snapshot resources outside groupsnapshot.storage.k8s.io', () => {
      for (const { object } of [...plain, ...componentResources]) {
        for (const rule of ((object as unknown as { rules?: Rule[] }).rules ?? [])) {
          if ((rule.resources ?? []).some((r) => r.startsWith('volumegroupsnapshot'))) expect(rule.apiGroups).toEqual(['groupsnapshot.storage.k8s.io']);
        }
      }
    });

    it('the node plugin may read Node objects (providerID fallback)', () => {
      expect(covers(rulesFor(objectsOf(plain), NODE_SA, NAMESPACE).cluster, { group: '', resource: 'nodes', verbs: ['get'] })).toBe(true);
    });
  });

  describe('CSIDriver against what the plugin advertises', () => {
    let simulator: Simulator;
    let dir: string;
    const servers: CsiServer[] = [];
    const clients: CsiClient[] = [];
    const objects = objectsOf(plain);
    const driver = find(objects, 'CSIDriver', DRIVER_NAME) as unknown as {
      spec: { attachRequired: boolean; podInfoOnMount: boolean; storageCapacity: boolean; fsGroupPolicy: string; volumeLifecycleModes: string[] };
    };

    beforeAll(async () => {
      simulator = await startSimulator({ latencyMs: 1, devices: { enabled: false }, servers: [{ name: 'manifest-node' }] });
      await simulator.whenIdle();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-plugin-'));
      await simulator.writeCloudConf(path.join(dir, 'cloud.conf'));
    });
    afterAll(async () => {
      for (const client of clients) client.close();
      for (const server of servers) await server.stop();
      await simulator.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Serves the plugin with a manifest container's own flags; only the socket and cloud.conf paths are local. */
    const serveFromManifest = async (workload: string, extra: string[] = []): Promise<CsiClient> => {
      const plugin = container(podSpec(find(objects, workload === 'controller' ? 'StatefulSet' : 'DaemonSet', `csi-cinder-${workload}plugin`)), 'cinder-csi-plugin');
      const socket = path.join(dir, `${workload}.sock`);
      const args = expandedArgs(plugin).map((arg) =>
        arg.startsWith('--endpoint=') ? `--endpoint=unix://${socket}` : arg.startsWith('--cloud-config=') ? `--cloud-config=${path.join(dir, 'cloud.conf')}` : arg,
      );
      const parsed = parseCinderOptions([...args, ...extra]);
      if (parsed.help) throw new Error('--help in manifest args');
      const services = await buildServices(parsed.options, silentLogger);
      const server = await startCsiServer({ endpoint: parsed.options.endpoint, services: services.services, logger: silentLogger });
      servers.push(server);
      const client = createCsiClient(server.address);
      clients.push(client);
      return client;
    };

    it('controller: attachRequired ⇔ PUBLISH_UNPUBLISH_VOLUME; storageCapacity off although GET_CAPACITY is served (reason in the manifest)', async () => {
      const csi = await serveFromManifest('controller');
      expect((await csi.identity.GetPluginInfo({})).name).toBe(DRIVER_NAME);
      const plugin = (await csi.identity.GetPluginCapabilities({})).capabilities.map((c) => c.service?.type ?? c.volume_expansion?.type);
      const rpcs = (await csi.controller.ControllerGetCapabilities({})).capabilities.map((c) => c.rpc?.type);
      expect(plugin).toEqual(expect.arrayContaining(['CONTROLLER_SERVICE', 'VOLUME_ACCESSIBILITY_CONSTRAINTS', 'ONLINE']));
      expect(driver.spec.attachRequired).toBe(rpcs.includes('PUBLISH_UNPUBLISH_VOLUME'));
      expect(rpcs).toContain('GET_CAPACITY');
      expect(driver.spec.storageCapacity).toBe(false);
      const comment = fs.readFileSync(path.join(PLAIN_DIR, 'csi-cinder-driver.yaml'), 'utf8');
      expect(comment).toMatch(/storageCapacity: false — the controller does serve GET_CAPACITY/);
      // Features the sidecars are deployed for are served: snapshots, expansion, and the opt-in ones.
      expect(rpcs).toEqual(expect.arrayContaining(['CREATE_DELETE_SNAPSHOT', 'EXPAND_VOLUME', 'CLONE_VOLUME', 'MODIFY_VOLUME']));
      expect(plugin).toContain('GROUP_CONTROLLER_SERVICE');
    });

    it('node: Persistent only (inline ephemeral rejected), fsGroupPolicy File (no VOLUME_MOUNT_GROUP), topology key', async () => {
      const csi = await serveFromManifest('node', [
        `--config-drive-dir=${simulator.configDriveDir(simulator.defaultServer.id)}`,
        `--metadata-url=${simulator.metadataUrlFor(simulator.defaultServer.id)}`,
        `--device-dir=${dir}`,
      ]);
      expect(driver.spec.volumeLifecycleModes).toEqual(['Persistent']);
      await expect(
        csi.node.NodePublishVolume({
          volume_id: 'inline',
          target_path: path.join(dir, 'target'),
          volume_capability: { mount: { fs_type: 'ext4' }, access_mode: { mode: 'SINGLE_NODE_WRITER' } },
          volume_context: { 'csi.storage.k8s.io/ephemeral': 'true' },
        }),
      ).rejects.toMatchObject({ code: 3 }); // INVALID_ARGUMENT
      const rpcs = (await csi.node.NodeGetCapabilities({})).capabilities.map((c) => c.rpc?.type);
      expect(driver.spec.fsGroupPolicy).toBe('File');
      expect(rpcs).not.toContain('VOLUME_MOUNT_GROUP');
      expect(rpcs).toContain('STAGE_UNSTAGE_VOLUME');
      const info = await csi.node.NodeGetInfo({});
      expect(Object.keys(info.accessible_topology?.segments ?? {})).toContain(TOPOLOGY_ZONE_KEY);
    });
  });
});

describe('docs point at files that exist', () => {
  it('every repository path and relative link in README.md, docs/ and tests/ci/README.md exists', () => {
    const pages = [path.join(REPO_ROOT, 'README.md'), path.join(CI_DIR, 'README.md'), ...listFiles(path.join(REPO_ROOT, 'docs'), (f) => f.endsWith('.md'))];
    const missing: string[] = [];
    let seen = 0;
    for (const page of pages) {
      const text = fs.readFileSync(page, 'utf8');
      for (const [, ref] of text.matchAll(/`((?:manifests|examples|docs|tests\/ci)\/[\w./-]*[\w/])`/g)) {
        seen++;
        if (!fs.existsSync(path.join(REPO_ROOT, ref))) missing.push(`${path.relative(REPO_ROOT, page)}: ${ref}`);
      }
      for (const [, link] of text.matchAll(/\]\(((?!https?:)[^)#\s]+)\)/g)) {
        seen++;
        if (!fs.existsSync(path.resolve(path.dirname(page), link))) missing.push(`${path.relative(REPO_ROOT, page)}: (${link})`);
      }
    }
    expect(seen).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});

describe('tests/ci devstack job files', () => {
  const driverFile = path.join(CI_DIR, 'test-driver.yaml');

  it('test-driver.yaml: our driver, fs types, topology key and capabilities, only keys e2e.test knows', () => {
    const config = yaml.load(fs.readFileSync(driverFile, 'utf8')) as Record<string, unknown>;
    const known = ['StorageClass', 'SnapshotClass', 'VolumeAttributesClass', 'InlineVolumes', 'ClaimSize', 'DriverInfo', 'Timeouts'];
    expect(Object.keys(config).filter((k) => !known.includes(k))).toEqual([]);
    const info = config.DriverInfo as { Name: string; SupportedFsType: Record<string, null>; TopologyKeys: string[]; Capabilities: Record<string, boolean>; SupportedSizeRange: { Min: string } };
    expect(info.Name).toBe(DRIVER_NAME);
    expect(Object.keys(info.SupportedFsType).sort()).toEqual(['', 'btrfs', 'ext2', 'ext3', 'ext4', 'xfs']);
    expect(info.TopologyKeys).toEqual([TOPOLOGY_ZONE_KEY]);
    const capabilityNames = [
      'persistence', 'block', 'fsGroup', 'volumeMountGroup', 'exec', 'snapshotDataSource', 'pvcDataSource', 'multipods', 'RWX',
      'controllerExpansion', 'nodeExpansion', 'onlineExpansion', 'offlineExpansion', 'volumeLimits', 'singleNodeVolume', 'topology',
      'capacity', 'readWriteOncePod', 'multiplePVsSameID', 'FSResizeFromSourceNotSupported', 'SELinuxMountReadWriteOncePod', 'groupSnapshot',
    ];
    expect(Object.keys(info.Capabilities).filter((c) => !capabilityNames.includes(c))).toEqual([]);
    for (const wanted of ['persistence', 'block', 'snapshotDataSource', 'pvcDataSource', 'controllerExpansion', 'nodeExpansion', 'onlineExpansion', 'topology', 'readWriteOncePod']) {
      expect({ wanted, on: info.Capabilities[wanted] }).toEqual({ wanted, on: true });
    }
    // Classes the e2e suite creates from files: those files exist and pass the same schema checks.
    for (const key of ['StorageClass', 'SnapshotClass', 'VolumeAttributesClass']) {
      const from = (config[key] as { FromFile?: string; FromName?: boolean } | undefined) ?? {};
      expect({ key, defined: from.FromFile !== undefined || from.FromName === true }).toEqual({ key, defined: true });
      if (from.FromFile) expect(fs.existsSync(path.join(CI_DIR, from.FromFile))).toBe(true);
    }
  });

  it('class files referenced by test-driver.yaml pass the schema checks', async () => {
    const files = listFiles(CI_DIR, (f) => isYaml(f) && /class/.test(path.basename(f)));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const objects = files.flatMap(readObjects);
    const problems = await schemaProblems(objectsOf(objects));
    expect(objects.flatMap((o, i) => problems[i].map((p) => `${o.source}: ${p}`))).toEqual([]);
    for (const { object } of objects) expect(JSON.stringify(object)).toContain(DRIVER_NAME);
  });

  it('shell scripts pass bash -n; playbooks are YAML lists of plays', async () => {
    const scripts = listFiles(CI_DIR, (f) => f.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThanOrEqual(1);
    for (const script of scripts) await run('bash', ['-n', script]);
    const playbooks = listFiles(path.join(CI_DIR, 'playbooks'), isYaml);
    expect(playbooks.length).toBeGreaterThanOrEqual(1);
    for (const file of playbooks) {
      const plays = yaml.load(fs.readFileSync(file, 'utf8'));
      expect(Array.isArray(plays)).toBe(true);
      for (const play of plays as Array<Record<string, unknown>>) expect(play.hosts ?? play.import_playbook).toBeDefined();
    }
  });
});
