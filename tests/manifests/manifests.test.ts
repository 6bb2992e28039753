/**
 * The deployment files, checked the way a cluster would see them, for every driver (deployments.ts):
 * - every manifest, every kustomize overlay's output, every example and every YAML block of docs/ against
 *   the Kubernetes API schemas (and the snapshot CRDs'), unknown fields rejected;
 * - `kubectl apply -f manifests/<driver>` reads only Kubernetes objects, none of them a Secret;
 * - CPO's names (drop-in), socket paths shared by plugin and sidecars, the StatefulSet's Service;
 * - feature gates: the default only turns gates off, overlays turn them on;
 * - RBAC covers what each sidecar needs with the features it runs with (sidecar-needs.ts);
 * - the Cinder CSIDriver matches what the plugin, started in-process from the manifests' own flags, advertises;
 * - tests/ci's e2e test-driver.yaml and scripts are well formed.
 * Manila-only checks (runtime config, partner sockets, class parameters): manila.test.ts.
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
import { createCsiClient, type CsiClient } from '../../pkg/csi/client';
import { silentLogger } from '../../pkg/log/logger';
import { startSimulator, type Simulator } from '../../pkg/simulator';
import { CINDER, DEPLOYMENTS, KUSTOMIZE_DIR, NAMESPACE, overlayDir, type Deployment } from './deployments';
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
import { MINIMUM_SIDECAR_VERSIONS } from './sidecar-needs';
import {
  compareVersions,
  container,
  covers,
  expandedArgs,
  featureGates,
  find,
  flagValue,
  objectsOf,
  podSpec,
  rulesFor,
  sidecarOf,
  socketLocation,
  socketPathOf,
  uncoveredControllerNeeds,
  type Rule,
} from './workloads';

const run = promisify(execFile);

const CI_DIR = path.join(REPO_ROOT, 'tests', 'ci');
const KUBECTL = findKubectl();
const NO_KUBECTL =
  'kubectl not on PATH: overlay checks skipped. Install kubectl >= 1.27 (kustomize v5, components): the ' +
  '`kubectl` package of the Kubernetes apt repository or any kubectl binary on PATH; Debian bookworm\'s ' +
  '`kubernetes-client` (1.20) is too old.';

// ---------- the objects under test ----------

const plainFilesOf = (d: Deployment): string[] => filesKubectlApplyReads(d.plainDir);
const plainByDeployment = new Map(DEPLOYMENTS.map((d) => [d.name, plainFilesOf(d).flatMap(readObjects)]));
const plainOf = (d: Deployment): SourcedObject[] => plainByDeployment.get(d.name) ?? [];
const plain = DEPLOYMENTS.flatMap(plainOf);
const componentResources = listFiles(path.join(KUSTOMIZE_DIR, 'components'), isYaml)
  .filter((f) => !f.endsWith('kustomization.yaml'))
  .flatMap(readObjects)
  .filter(({ object }) => !Array.isArray(object)); // JSON-patch files are lists of operations
const examples = listFiles(path.join(REPO_ROOT, 'examples'), isYaml).flatMap(readObjects);
const docBlocks = listFiles(path.join(REPO_ROOT, 'docs'), (f) => f.endsWith('.md')).flatMap(yamlBlocksOf);

/** CSIDriver names of a deployment in any of its renders (base and overlays). */
const driverNamesIn = (objects: readonly K8sObject[]): string[] => objects.filter((o) => o.kind === 'CSIDriver').map((o) => o.metadata?.name ?? '');

/** Whether a class (StorageClass or VolumeSnapshotClass) of these drivers, in examples/ or docs/, names a Secret for the sidecars. */
function classesNameSecrets(driverNames: readonly string[]): boolean {
  return [...examples, ...docBlocks].some(({ object }) => {
    const o = object as K8sObject & { provisioner?: string; driver?: string; parameters?: Record<string, string> };
    const driver = o.kind === 'StorageClass' ? o.provisioner : o.kind === 'VolumeSnapshotClass' ? o.driver : undefined;
    return driver !== undefined && driverNames.includes(driver) && Object.keys(o.parameters ?? {}).some((k) => /^csi\.storage\.k8s\.io\/.+-secret-name$/.test(k));
  });
}

describe('deployment manifests', () => {
  /** Per deployment: 'base' and each overlay, rendered by kubectl kustomize. */
  const rendered = new Map<string, Map<string, K8sObject[]>>();
  const rendersOf = (d: Deployment): Map<string, K8sObject[]> => rendered.get(d.name) ?? new Map();
  /** Every driver name a deployment's renders define (NFS and CephFS for Manila). */
  const allDriverNames = (d: Deployment): string[] => [...new Set([...d.csiDrivers, ...[...rendersOf(d).values()].flatMap(driverNamesIn)])];

  beforeAll(async () => {
    if (!KUBECTL) return;
    for (const d of DEPLOYMENTS) {
      const renders = new Map<string, K8sObject[]>([['base', objectsOf(await kustomize(KUBECTL, d.plainDir))]]);
      for (const overlay of d.overlays) renders.set(overlay, objectsOf(await kustomize(KUBECTL, overlayDir(overlay))));
      rendered.set(d.name, renders);
    }
  });

  it('every overlay folder is built on exactly one deployment and listed there', () => {
    const folders = fs.readdirSync(path.join(KUSTOMIZE_DIR, 'overlays')).sort();
    expect(DEPLOYMENTS.flatMap((d) => d.overlays).sort()).toEqual(folders);
    for (const d of DEPLOYMENTS) {
      for (const overlay of d.overlays) {
        const kustomization = yaml.load(fs.readFileSync(path.join(overlayDir(overlay), 'kustomization.yaml'), 'utf8')) as { resources: string[] };
        expect({ overlay, base: kustomization.resources.map((r) => path.resolve(overlayDir(overlay), r)) }).toEqual({ overlay, base: [d.plainDir] });
      }
    }
  });

  describe('API schemas (unknown fields rejected)', () => {
    /** Problems of every object in one schema-check run (one child process: its start-up costs seconds). */
    let problemsBySource: Map<string, string[]>;
    const checked = (list: readonly SourcedObject[]) => list.flatMap((item) => (problemsBySource.get(item.source) ?? ['not checked']).map((p) => `${item.source}: ${p}`));
    const overlayObjects = () =>
      [...rendered.entries()].flatMap(([deployment, renders]) =>
        [...renders.entries()].flatMap(([name, objects]) => objects.map((object, i) => ({ source: `${deployment} overlay ${name}#${i}`, object }))),
      );

    beforeAll(async () => {
      const all = [...plain, ...componentResources, ...examples, ...docBlocks, ...overlayObjects()];
      const problems = await schemaProblems(objectsOf(all));
      problemsBySource = new Map(all.map((item, i) => [item.source, problems[i]]));
    });

    it('every plain manifest and component resource', () => {
      for (const d of DEPLOYMENTS) expect({ deployment: d.name, enough: plainOf(d).length >= 10 }).toEqual({ deployment: d.name, enough: true });
      expect(checked([...plain, ...componentResources])).toEqual([]);
    });

    it('every example and every YAML block of docs/', () => {
      expect(examples.length).toBeGreaterThanOrEqual(18);
      expect(docBlocks.length).toBeGreaterThanOrEqual(10);
      expect(checked([...examples, ...docBlocks])).toEqual([]);
    });

    it('every overlay output', () => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      const all = overlayObjects();
      expect(all.length).toBeGreaterThan(3 * plain.length);
      expect(checked(all)).toEqual([]);
    });

    it('catches what a cluster would reject: the checker is not a yes-machine', async () => {
      const [statefulSet] = [find(objectsOf(plainOf(CINDER)), 'StatefulSet', CINDER.controller.statefulSet)];
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

  describe.each(DEPLOYMENTS)('kubectl apply -f $plainDir', (d) => {
    const files = plainFilesOf(d);

    it('reads only Kubernetes objects: no Kustomization, no Secret', () => {
      expect(files.length).toBeGreaterThanOrEqual(5);
      const kinds = plainOf(d).map((p) => p.object.kind);
      expect(kinds).not.toContain('Kustomization');
      expect(kinds).not.toContain('Secret');
    });

    it('the extensionless Kustomization base lists exactly the files kubectl apply -f reads', () => {
      const base = yaml.load(fs.readFileSync(path.join(d.plainDir, 'Kustomization'), 'utf8')) as { kind: string; resources: string[] };
      expect(base.kind).toBe('Kustomization');
      expect([...base.resources].sort()).toEqual(files.map((f) => path.basename(f)));
    });

    it('kubectl kustomize of the base gives the same objects as the plain files', () => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      const key = (o: K8sObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
      expect(rendersOf(d).get('base')!.map(key).sort()).toEqual(objectsOf(plainOf(d)).map(key).sort());
    });
  });

  it('the Cinder plain files are the ones the docs name', () => {
    expect(plainFilesOf(CINDER).map((f) => path.basename(f))).toEqual(expect.arrayContaining(['csi-cinder-driver.yaml', 'cinder-csi-controllerplugin.yaml']));
  });

  it('nothing in manifests/, examples/ or docs/ YAML writes a Secret (the cloud-config one included)', () => {
    const everything = [...plain, ...componentResources, ...examples, ...docBlocks, ...[...rendered.values()].flatMap((r) => [...r.values()].flat()).map((object) => ({ source: 'overlay', object }))];
    expect(everything.filter(({ object }) => object.kind === 'Secret').map((s) => s.source)).toEqual([]);
  });

  describe.each(DEPLOYMENTS)("$name: CPO's names and paths (drop-in)", (d) => {
    const objects = objectsOf(plainOf(d));
    const controller = podSpec(find(objects, 'StatefulSet', d.controller.statefulSet));
    const node = podSpec(find(objects, 'DaemonSet', d.node.daemonSet));

    it('names the driver, workloads, service accounts and cloud-config secret as CPO does', () => {
      for (const name of d.csiDrivers) find(objects, 'CSIDriver', name);
      expect(driverNamesIn(objects)).toEqual([...d.csiDrivers]);
      expect(controller.serviceAccountName).toBe(d.controller.serviceAccount);
      expect(node.serviceAccountName).toBe(d.node.serviceAccount);
      for (const kind of ['StatefulSet', 'DaemonSet', 'ServiceAccount', 'Service', 'Role', 'RoleBinding', 'ConfigMap']) {
        for (const o of objects.filter((x) => x.kind === kind)) expect({ kind, name: o.metadata?.name, namespace: o.metadata?.namespace }).toEqual({ kind, name: o.metadata?.name, namespace: NAMESPACE });
      }
      for (const spec of [controller, node]) {
        expect(spec.volumes?.find((v) => v.secret)?.secret?.secretName).toBe('cloud-config');
        const plugin = container(spec, d.pluginContainer);
        expect(flagValue(expandedArgs(plugin), 'cloud-config')).toBe('/etc/config/cloud.conf');
        expect(plugin.volumeMounts?.find((m) => m.mountPath === '/etc/config')).toBeDefined();
      }
    });

    it('controller sidecars and plugin share one socket', () => {
      const plugin = container(controller, d.pluginContainer);
      const pluginSocket = socketLocation(controller, plugin, socketPathOf(flagValue(expandedArgs(plugin), 'endpoint')!));
      expect(pluginSocket).toMatch(/^volume:/); // an emptyDir of the pod, not a host path
      for (const c of controller.containers.filter((c) => c !== plugin)) {
        const address = flagValue(expandedArgs(c), 'csi-address');
        expect({ container: c.name, socket: address && socketLocation(controller, c, address) }).toEqual({ container: c.name, socket: pluginSocket });
      }
    });

    it('node: socket in /var/lib/kubelet/plugins/<driver>, registered there', () => {
      const plugin = container(node, d.pluginContainer);
      const [driverName] = d.csiDrivers;
      const pluginSocket = socketLocation(node, plugin, socketPathOf(flagValue(expandedArgs(plugin), 'endpoint')!));
      expect(pluginSocket).toBe(`hostPath:/var/lib/kubelet/plugins/${driverName}/csi.sock`);
      const registrar = node.containers.find((c) => sidecarOf(c) === 'csi-node-driver-registrar')!;
      expect(flagValue(expandedArgs(registrar), 'kubelet-registration-path')).toBe(`/var/lib/kubelet/plugins/${driverName}/csi.sock`);
      expect(socketLocation(node, registrar, flagValue(expandedArgs(registrar), 'csi-address')!)).toBe(pluginSocket);
    });

    it('the StatefulSet has its headless Service, selecting its pods', () => {
      const statefulSet = find(objects, 'StatefulSet', d.controller.statefulSet) as unknown as {
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

  it('Cinder: CPO\'s endpoint form and the kubelet dir mounted Bidirectional on the node', () => {
    const objects = objectsOf(plainOf(CINDER));
    const controllerPlugin = container(podSpec(find(objects, 'StatefulSet', CINDER.controller.statefulSet)), CINDER.pluginContainer);
    expect(flagValue(expandedArgs(controllerPlugin), 'endpoint')).toBe('unix://csi/csi.sock');
    const nodePlugin = container(podSpec(find(objects, 'DaemonSet', CINDER.node.daemonSet)), CINDER.pluginContainer);
    expect(nodePlugin.volumeMounts).toEqual(expect.arrayContaining([{ name: 'kubelet-dir', mountPath: '/var/lib/kubelet', mountPropagation: 'Bidirectional' }]));
  });

  it('sidecar versions agree across drivers (one release of each sidecar in the repository)', () => {
    const bySidecar = new Map<string, Set<string>>();
    for (const d of DEPLOYMENTS) {
      const objects = objectsOf(plainOf(d));
      for (const spec of [podSpec(find(objects, 'StatefulSet', d.controller.statefulSet)), podSpec(find(objects, 'DaemonSet', d.node.daemonSet))]) {
        for (const c of spec.containers) {
          const sidecar = sidecarOf(c);
          if (sidecar) bySidecar.set(sidecar, (bySidecar.get(sidecar) ?? new Set()).add(c.image));
        }
      }
    }
    for (const [sidecar, images] of bySidecar) expect({ sidecar, images: images.size }).toEqual({ sidecar, images: 1 });
  });

  describe('feature gates and RBAC', () => {
    it.each(DEPLOYMENTS)('$name: the default install only turns gates off, and turns off those whose API a bare cluster may lack', (d) => {
      const spec = podSpec(find(objectsOf(plainOf(d)), 'StatefulSet', d.controller.statefulSet));
      for (const c of spec.containers) for (const [gate, on] of featureGates(c)) expect({ container: c.name, gate, on }).toEqual({ container: c.name, gate, on: false });
      expect(featureGates(container(spec, 'csi-snapshotter')).get('CSIVolumeGroupSnapshot')).toBe(false);
      expect(featureGates(container(spec, 'csi-resizer')).get('VolumeAttributesClass')).toBe(false);
      expect(featureGates(container(spec, 'csi-provisioner')).get('VolumeAttributesClass')).toBe(false);
    });

    const gatesOf = (d: Deployment, name: string) => {
      const spec = podSpec(find(rendersOf(d).get(name)!, 'StatefulSet', d.controller.statefulSet));
      return Object.fromEntries(spec.containers.flatMap((c) => [...featureGates(c)].map(([gate, on]) => [`${c.name}:${gate}`, on])));
    };

    it('Cinder: each overlay turns on exactly its gates', () => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      const off = { 'csi-provisioner:VolumeAttributesClass': false, 'csi-snapshotter:CSIVolumeGroupSnapshot': false, 'csi-resizer:VolumeAttributesClass': false };
      expect(gatesOf(CINDER, 'base')).toEqual(off);
      expect(gatesOf(CINDER, 'group-snapshots')).toEqual({ ...off, 'csi-snapshotter:CSIVolumeGroupSnapshot': true });
      expect(gatesOf(CINDER, 'volume-modify')).toEqual({ ...off, 'csi-provisioner:VolumeAttributesClass': true, 'csi-resizer:VolumeAttributesClass': true });
      expect(gatesOf(CINDER, 'storage-capacity')).toEqual(off);
      expect(Object.values(gatesOf(CINDER, 'all')).every(Boolean)).toBe(true);
    });

    it('overlays of other drivers change no gate', () => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      for (const d of DEPLOYMENTS.filter((x) => x !== CINDER)) for (const overlay of d.overlays) expect({ overlay, gates: gatesOf(d, overlay) }).toEqual({ overlay, gates: gatesOf(d, 'base') });
    });

    it('CSIDriver.storageCapacity is on exactly where the provisioner publishes capacity (--enable-capacity)', () => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      const seen = DEPLOYMENTS.flatMap((d) =>
        [...rendersOf(d)].flatMap(([name, objects]) => {
          const provisioner = container(podSpec(find(objects, 'StatefulSet', d.controller.statefulSet)), 'csi-provisioner');
          return objects
            .filter((o) => o.kind === 'CSIDriver')
            .map((driver) => ({
              name: `${d.name}/${name}`,
              storageCapacity: (driver as unknown as { spec: { storageCapacity: boolean } }).spec.storageCapacity,
              enableCapacity: (provisioner.args ?? []).includes('--enable-capacity'),
            }));
        }),
      );
      for (const entry of seen) expect(entry.storageCapacity).toBe(entry.enableCapacity);
      expect(seen.filter((e) => e.storageCapacity).map((e) => e.name)).toEqual(['cinder/storage-capacity']);
    });

    it.each(DEPLOYMENTS)('$name: RBAC covers every sidecar with the features it runs with (default install)', (d) => {
      expect(uncoveredControllerNeeds(objectsOf(plainOf(d)), d, { secretRefs: classesNameSecrets(d.csiDrivers) })).toEqual([]);
    });

    it.each(DEPLOYMENTS)('$name: RBAC covers every sidecar in every overlay', (d) => {
      if (!KUBECTL) return void console.warn(NO_KUBECTL);
      const context = { secretRefs: classesNameSecrets(allDriverNames(d)) };
      for (const [name, objects] of rendersOf(d)) expect({ name, uncovered: uncoveredControllerNeeds(objects, d, context) }).toEqual({ name, uncovered: [] });
    });

    it('the RBAC check fails when a rule is missing or names the wrong API group', () => {
      const objects = structuredClone([...objectsOf(plainOf(CINDER)), ...objectsOf(componentResources)]);
      const snapshotter = podSpec(find(objects, 'StatefulSet', CINDER.controller.statefulSet)).containers.find((c) => c.name === 'csi-snapshotter')!;
      snapshotter.args = snapshotter.args!.map((a) => a.replace('CSIVolumeGroupSnapshot=false', 'CSIVolumeGroupSnapshot=true'));
      const groupRole = find(objects, 'ClusterRole', 'csi-cinder-groupsnapshotter-role') as unknown as { rules: Rule[] };
      groupRole.rules[0].apiGroups = ['snapshot.storage.k8s.io']; // the old manifests' mistake
      expect(uncoveredControllerNeeds(objects, CINDER, { secretRefs: false })).toEqual([
        'csi-snapshotter (CSIVolumeGroupSnapshot): groupsnapshot.storage.k8s.io/volumegroupsnapshotclasses get,list,watch',
      ]);
    });

    it('no RBAC rule names group-snapshot resources outside groupsnapshot.storage.k8s.io', () => {
      for (const { object } of [...plain, ...componentResources]) {
        for (const rule of ((object as unknown as { rules?: Rule[] }).rules ?? [])) {
          if ((rule.resources ?? []).some((r) => r.startsWith('volumegroupsnapshot'))) expect(rule.apiGroups).toEqual(['groupsnapshot.storage.k8s.io']);
        }
      }
    });

    it.each(DEPLOYMENTS)('$name: the node plugin may read Node objects (providerID fallback)', (d) => {
      expect(covers(rulesFor(objectsOf(plainOf(d)), d.node.serviceAccount, NAMESPACE).cluster, { group: '', resource: 'nodes', verbs: ['get'] })).toBe(true);
    });
  });

  describe('CSIDriver against what the plugin advertises', () => {
    let simulator: Simulator;
    let dir: string;
    const servers: CsiServer[] = [];
    const clients: CsiClient[] = [];
    const objects = objectsOf(plainOf(CINDER));
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
      const comment = fs.readFileSync(path.join(CINDER.plainDir, 'csi-cinder-driver.yaml'), 'utf8');
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
