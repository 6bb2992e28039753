/**
 * Manila's deployment files beyond what manifests.test.ts checks for every driver:
 * - one CSIDriver per protocol, its name the one the plugin is started with and registered under;
 * - the node plugin reaches the partner node plugin's socket (csi-driver-nfs, ceph-csi CephFS) through
 *   --fwdendpoint on a host directory; the controller needs neither the partner nor host access;
 * - the runtime-config ConfigMap is valid JSON the plugin understands, mounted where the flag says;
 * - every StorageClass parameter, VolumeSnapshotClass parameter and static-PV attribute used in examples/
 *   and docs/ is a key the driver knows (issue #10's list, kept here), and the os-* secret example uses
 *   only CPO's keys;
 * - once the plugin exists on the branch: its flag parser accepts the manifests' arguments, and the
 *   controller, started as a process with them against the simulator, advertises what the CSIDriver says.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { createCsiClient } from '../../pkg/csi/client';
import { parseManilaOptions } from '../../pkg/manila/options';
import { startSimulator } from '../../pkg/simulator';
import { startPluginProcess } from '../../pkg/stack';
import { CINDER, MANILA, overlayDir } from './deployments';
import { filesKubectlApplyReads, findKubectl, isYaml, kustomize, listFiles, readObjects, REPO_ROOT, yamlBlocksOf, type K8sObject } from './manifest-files';
import { container, expandedArgs, find, flagValue, objectsOf, podSpec, sidecarOf, socketLocation, socketPathOf, uncoveredControllerNeeds, type Rule } from './workloads';

const KUBECTL = findKubectl();
const NFS_DRIVER = 'nfs.manila.csi.openstack.org';
const CEPHFS_DRIVER = 'cephfs.manila.csi.openstack.org';
/** Per driver: the share protocol it serves and where its partner node plugin puts its socket (CPO's manifests and chart). */
const PROTOCOLS: Record<string, { selector: string; partnerDir: string }> = {
  [NFS_DRIVER]: { selector: 'NFS', partnerDir: '/var/lib/kubelet/plugins/csi-nfsplugin' },
  [CEPHFS_DRIVER]: { selector: 'CEPHFS', partnerDir: '/var/lib/kubelet/plugins/cephfs.csi.ceph.com' },
};

/** StorageClass parameters of issue #10 (CPO v1.36), per protocol they apply to. */
const COMMON_PARAMETERS = ['type', 'shareNetworkID', 'availability', 'autoTopology', 'appendShareMetadata', 'groupID', 'affinity', 'antiAffinity'];
const CEPHFS_PARAMETERS = ['cephfs-mounter', 'cephfs-clientID', 'cephfs-kernelMountOptions', 'cephfs-fuseMountOptions'];
const NFS_PARAMETERS = ['nfs-shareClient', 'nfs-nodeAccess'];
/** Static PV volumeAttributes: the share (exactly one), its rules, and the CephFS node keys. */
const SHARE_KEYS = ['shareID', 'shareName'];
const ACCESS_KEYS = ['shareAccessIDs', 'shareAccessID'];
const CEPHFS_NODE_KEYS = ['cephfs-mounter', 'cephfs-kernelMountOptions', 'cephfs-fuseMountOptions'];
/** The sidecars' secret references a class may carry (name and namespace come in pairs). */
const STORAGE_CLASS_SECRETS = ['provisioner', 'controller-expand', 'node-stage', 'node-publish'];
const SNAPSHOT_CLASS_SECRETS = ['snapshotter'];
/** Every os-* key CPO's Manila plugin reads from a CSI secret. */
const OS_SECRET_KEYS = [
  'os-authURL', 'os-region', 'os-userID', 'os-userName', 'os-password', 'os-token', 'os-projectID', 'os-projectName',
  'os-projectDomainID', 'os-projectDomainName', 'os-domainID', 'os-domainName', 'os-userDomainID', 'os-userDomainName',
  'os-trustID', 'os-trusteeID', 'os-trusteePassword', 'os-applicationCredentialID', 'os-applicationCredentialName',
  'os-applicationCredentialSecret', 'os-endpointType', 'os-certAuthorityPath', 'os-certAuthority', 'os-TLSInsecure',
  'os-clientCertPath', 'os-clientKeyPath', 'os-useClouds', 'os-cloudsFile', 'os-cloud',
];

type Parameters = Record<string, string>;

/** What is wrong with a class's `csi.storage.k8s.io/*` keys: unknown ones, and name/namespace not in pairs. */
function secretKeyProblems(parameters: Parameters, allowed: readonly string[]): string[] {
  const problems: string[] = [];
  const keys = Object.keys(parameters).filter((k) => k.startsWith('csi.storage.k8s.io/'));
  for (const key of keys) {
    const match = /^csi\.storage\.k8s\.io\/(.+)-secret-(name|namespace)$/.exec(key);
    if (!match || !allowed.includes(match[1])) problems.push(`${key}: not a secret reference this class's sidecars read`);
    else if (!keys.includes(`csi.storage.k8s.io/${match[1]}-secret-${match[2] === 'name' ? 'namespace' : 'name'}`)) problems.push(`${key}: without its ${match[2] === 'name' ? 'namespace' : 'name'}`);
  }
  return problems;
}

/** Problems of a Manila StorageClass's parameters: keys issue #10 does not list, or keys of the other protocol. */
function storageClassProblems(driver: string, parameters: Parameters): string[] {
  const own = driver === CEPHFS_DRIVER ? CEPHFS_PARAMETERS : NFS_PARAMETERS;
  const problems = secretKeyProblems(parameters, STORAGE_CLASS_SECRETS);
  for (const key of Object.keys(parameters).filter((k) => !k.startsWith('csi.storage.k8s.io/'))) {
    if (!COMMON_PARAMETERS.includes(key) && !own.includes(key)) {
      const other = [...CEPHFS_PARAMETERS, ...NFS_PARAMETERS].includes(key);
      problems.push(other ? `${key}: a parameter of the other protocol` : `${key}: not a Manila StorageClass parameter`);
    }
  }
  if (parameters.appendShareMetadata !== undefined) {
    try {
      const parsed = JSON.parse(parameters.appendShareMetadata) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
        problems.push('appendShareMetadata: must be a JSON object of strings');
      }
    } catch {
      problems.push('appendShareMetadata: not JSON');
    }
  }
  if (parameters['cephfs-mounter'] !== undefined && !['kernel', 'fuse'].includes(parameters['cephfs-mounter'])) problems.push('cephfs-mounter: kernel or fuse');
  return problems;
}

/** Problems of a static PV's volumeAttributes. */
function staticVolumeProblems(driver: string, attributes: Parameters): string[] {
  const problems: string[] = [];
  const allowed = [...SHARE_KEYS, ...ACCESS_KEYS, ...(driver === CEPHFS_DRIVER ? CEPHFS_NODE_KEYS : [])];
  for (const key of Object.keys(attributes)) if (!allowed.includes(key)) problems.push(`${key}: not a static-PV attribute of ${driver}`);
  if (SHARE_KEYS.filter((k) => k in attributes).length !== 1) problems.push('exactly one of shareID, shareName');
  if (!ACCESS_KEYS.some((k) => k in attributes)) problems.push('shareAccessIDs missing');
  return problems;
}

/** Problems of the runtime config file's content (CPO: {"nfs":{"matchExportLocationAddress":"CIDR"}}). */
function runtimeConfigProblems(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(parsed)) return ['not a JSON object'];
  const problems = Object.keys(parsed).filter((k) => k !== 'nfs').map((k) => `${k}: unknown section`);
  const nfs = parsed.nfs;
  if (nfs === undefined) return problems;
  if (!isObject(nfs)) return [...problems, 'nfs: must be an object'];
  problems.push(...Object.keys(nfs).filter((k) => k !== 'matchExportLocationAddress').map((k) => `nfs.${k}: unknown key`));
  const cidr = nfs.matchExportLocationAddress;
  if (cidr !== undefined) {
    const [address, bits, extra] = typeof cidr === 'string' ? cidr.split('/') : [];
    const max = net.isIPv4(address ?? '') ? 32 : net.isIPv6(address ?? '') ? 128 : -1;
    if (extra !== undefined || max < 0 || !/^\d+$/.test(bits ?? '') || Number(bits) > max) problems.push(`nfs.matchExportLocationAddress: "${String(cidr)}" is not a CIDR`);
  }
  return problems;
}

const plain = objectsOf(filesKubectlApplyReads(MANILA.plainDir).flatMap(readObjects));
const classSources = [...listFiles(path.join(REPO_ROOT, 'examples'), isYaml).flatMap(readObjects), ...listFiles(path.join(REPO_ROOT, 'docs'), (f) => f.endsWith('.md')).flatMap(yamlBlocksOf)];
const manilaDriver = (name: string | undefined): name is string => name === NFS_DRIVER || name === CEPHFS_DRIVER;

describe('Manila deployment', () => {
  /** The plain files and every Manila overlay's render (only the plain files without kubectl). */
  const renders = new Map<string, K8sObject[]>([['plain', plain]]);

  beforeAll(async () => {
    if (!KUBECTL) return;
    for (const overlay of MANILA.overlays) renders.set(overlay, objectsOf(await kustomize(KUBECTL, overlayDir(overlay))));
  });

  it('the overlays are rendered (kubectl on PATH) so both protocols and per-node access are checked below', () => {
    if (!KUBECTL) return void console.warn('kubectl not on PATH: the Manila overlays are not checked');
    const drivers = [...renders.values()].map((objects) => objects.filter((o) => o.kind === 'CSIDriver').map((o) => o.metadata?.name));
    expect(drivers).toEqual([[NFS_DRIVER], [CEPHFS_DRIVER], [NFS_DRIVER]]);
  });

  describe('per render: one protocol, one driver name everywhere', () => {
    it('the CSIDriver is the name the plugin serves, registers and keeps its socket under', () => {
      for (const [render, objects] of renders) {
        const [csiDriver, ...more] = objects.filter((o) => o.kind === 'CSIDriver') as Array<K8sObject & { spec: Record<string, unknown> }>;
        expect(more).toEqual([]);
        const name = csiDriver.metadata!.name!;
        const { selector } = PROTOCOLS[name];
        const controller = podSpec(find(objects, 'StatefulSet', MANILA.controller.statefulSet));
        const node = podSpec(find(objects, 'DaemonSet', MANILA.node.daemonSet));
        for (const spec of [controller, node]) {
          const args = expandedArgs(container(spec, MANILA.pluginContainer));
          expect({ render, drivername: flagValue(args, 'drivername'), protocol: flagValue(args, 'share-protocol-selector') }).toEqual({ render, drivername: name, protocol: selector });
        }
        const plugin = container(node, MANILA.pluginContainer);
        const socket = socketLocation(node, plugin, socketPathOf(flagValue(expandedArgs(plugin), 'endpoint')!));
        expect({ render, socket }).toEqual({ render, socket: `hostPath:/var/lib/kubelet/plugins/${name}/csi.sock` });
        const registrar = node.containers.find((c) => sidecarOf(c) === 'csi-node-driver-registrar')!;
        expect(flagValue(expandedArgs(registrar), 'kubelet-registration-path')).toBe(`/var/lib/kubelet/plugins/${name}/csi.sock`);
        expect(socketLocation(node, registrar, flagValue(expandedArgs(registrar), 'csi-address')!)).toBe(socket);
        // Nothing is attached: Kubernetes calls ControllerPublish (through csi-attacher) only for the opt-in
        // per-node NFS access; the node reads no pod info.
        const attacher = controller.containers.map(sidecarOf).includes('csi-attacher');
        expect({ render, attachRequired: csiDriver.spec.attachRequired, podInfoOnMount: csiDriver.spec.podInfoOnMount }).toEqual({ render, attachRequired: attacher, podInfoOnMount: false });
        expect({ render, attacher }).toEqual({ render, attacher: render === 'manila-nfs-node-access' });
        expect(csiDriver.spec.volumeLifecycleModes).toEqual(['Persistent']);
        expect(csiDriver.spec.fsGroupPolicy).toBe('None');
      }
    });

    it("the node plugin forwards to the partner's socket on the partner's host directory, created if missing", () => {
      for (const [render, objects] of renders) {
        const name = objects.find((o) => o.kind === 'CSIDriver')!.metadata!.name!;
        const node = podSpec(find(objects, 'DaemonSet', MANILA.node.daemonSet));
        const plugin = container(node, MANILA.pluginContainer);
        const fwd = flagValue(expandedArgs(plugin), 'fwdendpoint')!;
        expect({ render, fwd }).toEqual({ render, fwd: `unix://${PROTOCOLS[name].partnerDir}/csi.sock` });
        expect(socketLocation(node, plugin, socketPathOf(fwd))).toBe(`hostPath:${PROTOCOLS[name].partnerDir}/csi.sock`);
        const partnerVolume = node.volumes!.find((v) => v.hostPath?.path === PROTOCOLS[name].partnerDir)!;
        expect(partnerVolume.hostPath!.type).toBe('DirectoryOrCreate'); // our plugin may start before the partner
      }
    });

    it('the controller needs neither the partner nor the host (CPO #2707): no --fwdendpoint, no hostPath, unprivileged', () => {
      for (const [render, objects] of renders) {
        const controller = podSpec(find(objects, 'StatefulSet', MANILA.controller.statefulSet));
        const plugin = container(controller, MANILA.pluginContainer) as ReturnType<typeof container> & { securityContext?: { privileged?: boolean } };
        expect({ render, fwd: flagValue(expandedArgs(plugin), 'fwdendpoint') }).toEqual({ render, fwd: undefined });
        expect(controller.volumes!.filter((v) => v.hostPath)).toEqual([]);
        expect(plugin.securityContext?.privileged).toBeUndefined();
      }
    });
  });

  describe('plugin containers', () => {
    const controller = container(podSpec(find(plain, 'StatefulSet', MANILA.controller.statefulSet)), MANILA.pluginContainer);
    const node = container(podSpec(find(plain, 'DaemonSet', MANILA.node.daemonSet)), MANILA.pluginContainer);

    it("start /bin/manila-csi-plugin from the Cinder manifests' image with CPO's flags", () => {
      const cinderImage = container(podSpec(find(objectsOf(filesKubectlApplyReads(CINDER.plainDir).flatMap(readObjects)), 'DaemonSet', CINDER.node.daemonSet)), CINDER.pluginContainer).image;
      for (const plugin of [controller, node]) {
        expect(plugin.image).toBe(cinderImage);
        expect(plugin.command).toEqual(['/bin/manila-csi-plugin']);
        const args = expandedArgs(plugin);
        for (const flag of ['endpoint', 'drivername', 'share-protocol-selector', 'cluster-id', 'cloud-config']) expect({ flag, set: flagValue(args, flag) !== undefined }).toEqual({ flag, set: true });
        expect(flagValue(args, 'cluster-id')).toBe('kubernetes');
        expect(args.filter((a) => a.includes('$('))).toEqual([]); // every $(VAR) has its env entry
      }
      expect(flagValue(expandedArgs(controller), 'provide-node-service')).toBe('false');
      expect(flagValue(expandedArgs(node), 'provide-controller-service')).toBe('false');
      expect(flagValue(expandedArgs(node), 'runtime-config-file')).toBeDefined();
    });

    it('the cloud-config Secret is optional: classes with os-* secrets only (CPO) need none', () => {
      for (const workload of [podSpec(find(plain, 'StatefulSet', MANILA.controller.statefulSet)), podSpec(find(plain, 'DaemonSet', MANILA.node.daemonSet))]) {
        expect(workload.volumes!.find((v) => v.secret)!.secret).toEqual({ secretName: 'cloud-config', optional: true });
      }
    });

    it("the plugin's own flag parser accepts the manifests' arguments", () => {
      for (const plugin of [controller, node]) {
        const parsed = parseManilaOptions(expandedArgs(plugin));
        if (parsed.help) throw new Error('the manifest asks for --help');
        expect(parsed.options).toMatchObject({ driverName: NFS_DRIVER, shareProtocol: 'NFS' });
        expect(parsed.ignoredFlags).toEqual([]);
      }
    });
  });

  describe('CSIDriver against what the plugin advertises', () => {
    const main = path.join(REPO_ROOT, 'cmd', 'manila-csi-plugin', 'main.ts');

    it('controller from the manifest\'s own flags: driver name, attachRequired, the sidecars\' RPCs', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manila-manifest-'));
      const simulator = await startSimulator({ latencyMs: 1, devices: { enabled: false } });
      try {
        await simulator.writeCloudConf(path.join(dir, 'cloud.conf'));
        const socketPath = path.join(dir, 'controller.sock');
        const plugin = container(podSpec(find(plain, 'StatefulSet', MANILA.controller.statefulSet)), MANILA.pluginContainer);
        // Only local paths change; the metrics port is dropped so the test binds no fixed port.
        const args = expandedArgs(plugin)
          .filter((a) => !a.startsWith('--http-endpoint='))
          .map((a) => (a.startsWith('--endpoint=') ? `--endpoint=unix://${socketPath}` : a.startsWith('--cloud-config=') ? `--cloud-config=${path.join(dir, 'cloud.conf')}` : a));
        const processHandle = await startPluginProcess({
          name: 'manila-controller',
          args,
          socketPath,
          logFile: path.join(dir, 'plugin.log'),
          command: { file: process.execPath, args: ['--import', 'tsx', main] },
        });
        const csi = createCsiClient(socketPath);
        try {
          const csiDriver = find(plain, 'CSIDriver', NFS_DRIVER) as unknown as { spec: { attachRequired: boolean; storageCapacity: boolean } };
          expect((await csi.identity.GetPluginInfo({})).name).toBe(NFS_DRIVER);
          const rpcs = (await csi.controller.ControllerGetCapabilities({})).capabilities.map((c) => c.rpc?.type);
          // attachRequired: false only means Kubernetes never calls ControllerPublish (the per-node NFS access
          // of overlays/manila-nfs-node-access needs it); true would need the RPC.
          if (csiDriver.spec.attachRequired) expect(rpcs).toContain('PUBLISH_UNPUBLISH_VOLUME');
          expect(rpcs).toEqual(expect.arrayContaining(['CREATE_DELETE_VOLUME', 'CREATE_DELETE_SNAPSHOT', 'EXPAND_VOLUME']));
          // storageCapacity stays off even where GET_CAPACITY is served: the quota is project-wide (csi-manila-nfs-driver.yaml).
          expect(csiDriver.spec.storageCapacity).toBe(false);
        } finally {
          csi.close();
          await processHandle.stop();
        }
      } finally {
        await simulator.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }, 150_000);
  });

  describe('runtime config', () => {
    const configMap = find(plain, 'ConfigMap', 'manila-csi-runtimeconf-cm') as K8sObject & { data: Record<string, string> };

    it('the ConfigMap holds JSON the plugin understands', () => {
      expect(Object.keys(configMap.data)).toEqual(['runtimeconfig.json']);
      expect(runtimeConfigProblems(configMap.data['runtimeconfig.json'])).toEqual([]);
    });

    it('the check rejects what the plugin would not read', () => {
      expect(runtimeConfigProblems('{"nfs": {"matchExportLocationAddress": "10.0.0.0/24"}}')).toEqual([]);
      expect(runtimeConfigProblems('{"nfs": {"matchExportLocationAddress": "fd00::/64"}}')).toEqual([]);
      expect(runtimeConfigProblems('{"nfs": {matchExportLocationAddress: "10.0.0.0/24"}}')[0]).toMatch(/^not JSON/);
      expect(runtimeConfigProblems('{"nfs": {"matchExportLocationAddress": "10.0.0.0"}}')).toEqual(['nfs.matchExportLocationAddress: "10.0.0.0" is not a CIDR']);
      expect(runtimeConfigProblems('{"nfs": {"matchExportLocationAddress": "10.0.0.0/33"}}')).toHaveLength(1);
      expect(runtimeConfigProblems('{"NFS": {}}')).toEqual(['NFS: unknown section']);
      expect(runtimeConfigProblems('{"nfs": {"matchExportLocation": "10.0.0.0/8"}}')).toEqual(['nfs.matchExportLocation: unknown key']);
    });

    it('runtime-config examples in docs/ are valid too', () => {
      const blocks = classSources.filter(({ source, object }) => source.startsWith('docs/') && object.kind === 'ConfigMap' && object.metadata?.name === configMap.metadata?.name);
      expect(blocks.length).toBeGreaterThanOrEqual(1);
      for (const { source, object } of blocks) {
        const text = (object as unknown as { data: Record<string, string> }).data['runtimeconfig.json'];
        expect({ source, problems: runtimeConfigProblems(text), matches: JSON.parse(text).nfs?.matchExportLocationAddress !== undefined }).toEqual({ source, problems: [], matches: true });
      }
    });

    it("the node plugin's --runtime-config-file is the ConfigMap's key, mounted read-only", () => {
      const spec = podSpec(find(plain, 'DaemonSet', MANILA.node.daemonSet));
      const plugin = container(spec, MANILA.pluginContainer);
      const file = flagValue(expandedArgs(plugin), 'runtime-config-file')!;
      const volume = spec.volumes!.find((v) => v.configMap?.name === configMap.metadata?.name)!;
      const mount = (plugin.volumeMounts as Array<{ name: string; mountPath: string; readOnly?: boolean }>).find((m) => m.name === volume.name)!;
      expect(file).toBe(`${mount.mountPath}/runtimeconfig.json`);
      expect(mount.readOnly).toBe(true);
    });
  });

  describe('classes, static PVs and secrets in examples/ and docs/', () => {
    const storageClasses = classSources.filter(({ object }) => object.kind === 'StorageClass' && manilaDriver((object as { provisioner?: string }).provisioner));
    const snapshotClasses = classSources.filter(({ object }) => object.kind === 'VolumeSnapshotClass' && manilaDriver((object as { driver?: string }).driver));
    const staticVolumes = classSources.filter(({ object }) => object.kind === 'PersistentVolume' && manilaDriver((object as { spec?: { csi?: { driver?: string } } }).spec?.csi?.driver));

    it('examples cover NFS and CephFS classes, snapshots and a static PV', () => {
      const drivers = new Set(storageClasses.map(({ object }) => (object as { provisioner?: string }).provisioner));
      expect([...drivers].sort()).toEqual([CEPHFS_DRIVER, NFS_DRIVER]);
      expect(snapshotClasses.length).toBeGreaterThanOrEqual(1);
      expect(staticVolumes.length).toBeGreaterThanOrEqual(1);
    });

    it("every StorageClass parameter is one of issue #10's keys for the class's protocol", () => {
      const problems = storageClasses.flatMap(({ source, object }) => {
        const sc = object as unknown as { provisioner: string; parameters?: Parameters };
        return storageClassProblems(sc.provisioner, sc.parameters ?? {}).map((p) => `${source}: ${p}`);
      });
      expect(problems).toEqual([]);
    });

    it('every VolumeSnapshotClass parameter is a snapshotter secret reference', () => {
      const problems = snapshotClasses.flatMap(({ source, object }) => {
        const parameters = (object as { parameters?: Parameters }).parameters ?? {};
        const other = Object.keys(parameters).filter((k) => !k.startsWith('csi.storage.k8s.io/'));
        return [...secretKeyProblems(parameters, SNAPSHOT_CLASS_SECRETS), ...other.map((k) => `${k}: Manila snapshots take no parameters`)].map((p) => `${source}: ${p}`);
      });
      expect(problems).toEqual([]);
    });

    it('every static PV names its share once and its access rules, with known attributes only', () => {
      const problems = staticVolumes.flatMap(({ source, object }) => {
        const csi = (object as unknown as { spec: { csi: { driver: string; volumeAttributes?: Parameters } } }).spec.csi;
        return staticVolumeProblems(csi.driver, csi.volumeAttributes ?? {}).map((p) => `${source}: ${p}`);
      });
      expect(problems).toEqual([]);
    });

    it('the checks catch wrong keys: the list is not a yes-machine', () => {
      expect(storageClassProblems(NFS_DRIVER, { 'nfs-shareclient': '10.0.0.0/8' })).toEqual(['nfs-shareclient: not a Manila StorageClass parameter']);
      expect(storageClassProblems(NFS_DRIVER, { 'cephfs-mounter': 'kernel' })).toEqual(['cephfs-mounter: a parameter of the other protocol']);
      expect(storageClassProblems(CEPHFS_DRIVER, { 'cephfs-mounter': 'ceph-fuse' })).toEqual(['cephfs-mounter: kernel or fuse']);
      expect(storageClassProblems(NFS_DRIVER, { appendShareMetadata: '{"a":1}' })).toEqual(['appendShareMetadata: must be a JSON object of strings']);
      expect(storageClassProblems(NFS_DRIVER, { 'csi.storage.k8s.io/provisioner-secret-name': 's' })).toEqual(['csi.storage.k8s.io/provisioner-secret-name: without its namespace']);
      expect(storageClassProblems(NFS_DRIVER, { 'csi.storage.k8s.io/fstype': 'ext4' })).toHaveLength(1);
      expect(staticVolumeProblems(NFS_DRIVER, { shareID: 'a', shareName: 'b', shareAccessIDs: 'c' })).toEqual(['exactly one of shareID, shareName']);
      expect(staticVolumeProblems(NFS_DRIVER, { shareID: 'a', 'cephfs-mounter': 'fuse' })).toEqual(['cephfs-mounter: not a static-PV attribute of nfs.manila.csi.openstack.org', 'shareAccessIDs missing']);
    });

    it('the os-* secret example is not applied with the folder and uses only keys CPO reads', () => {
      const file = path.join(REPO_ROOT, 'examples', 'manila', 'os-secrets.yaml.example');
      expect(isYaml(file)).toBe(false);
      const secret = yaml.load(fs.readFileSync(file, 'utf8')) as { kind: string; metadata: { name: string; namespace: string }; stringData: Record<string, string> };
      expect(secret.kind).toBe('Secret');
      expect(Object.keys(secret.stringData).filter((k) => !OS_SECRET_KEYS.includes(k))).toEqual([]);
      // The classes name this Secret.
      const named = [...storageClasses, ...snapshotClasses].flatMap(({ object }) => Object.entries((object as { parameters?: Parameters }).parameters ?? {}).filter(([k]) => k.endsWith('-secret-name')).map(([, v]) => v));
      expect(new Set(named)).toEqual(new Set([secret.metadata.name]));
    });

    it('the sidecars may read the secrets the classes name; the RBAC check notices when they may not', () => {
      const objects = structuredClone(plain);
      expect(uncoveredControllerNeeds(objects, MANILA, { secretRefs: true })).toEqual([]);
      // Rules are granted to the service account as a whole: take `secrets` out of every role.
      for (const role of objects.filter((o) => o.kind === 'ClusterRole') as unknown as Array<{ rules: Rule[] }>) {
        role.rules = role.rules.filter((r) => !(r.resources ?? []).includes('secrets'));
      }
      expect(uncoveredControllerNeeds(objects, MANILA, { secretRefs: true })).toEqual([
        'csi-provisioner (secret references): core/secrets get',
        'csi-snapshotter (secret references): core/secrets get',
        'csi-resizer (secret references): core/secrets get',
      ]);
      expect(uncoveredControllerNeeds(objects, MANILA, { secretRefs: false })).toEqual([]);
    });
  });
});
