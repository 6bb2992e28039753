/**
 * Reading workloads and RBAC out of rendered manifests: pod specs, containers with their flags as the
 * kubelet expands them, where a socket lands, and which API rules a service account is granted against
 * what each sidecar needs (sidecar-needs.ts). Shared by the Cinder and Manila manifest tests.
 */
import type { K8sObject, SourcedObject } from './manifest-files';
import type { Deployment } from './deployments';
import { NAMESPACE } from './deployments';
import { CAPACITY_NEEDS, LEADER_ELECTION_NEED, SECRET_REF_NEEDS, SIDECAR_NEEDS, type ApiNeed, type Feature } from './sidecar-needs';

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string; mountPropagation?: string }>;
}
export interface Volume {
  name: string;
  hostPath?: { path: string; type?: string };
  secret?: { secretName: string; optional?: boolean };
  configMap?: { name: string };
  emptyDir?: object;
}
export interface PodSpec {
  serviceAccountName?: string;
  hostNetwork?: boolean;
  containers: Container[];
  volumes?: Volume[];
}
export interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

export const objectsOf = (list: readonly SourcedObject[]): K8sObject[] => list.map((s) => s.object);

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

export function podSpec(workload: K8sObject): PodSpec {
  return (workload as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
}

export function container(spec: PodSpec, name: string): Container {
  const found = spec.containers.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

/** The sig-storage image a sidecar container runs ("csi-provisioner", "livenessprobe"), or undefined for the plugin. */
export function sidecarOf(c: Container): string | undefined {
  return /^registry\.k8s\.io\/sig-storage\/([a-z-]+):/.exec(c.image)?.[1];
}

/** Container args with $(VAR) expanded from the container's env, as the kubelet does. */
export function expandedArgs(c: Container): string[] {
  const env = new Map((c.env ?? []).map((e) => [e.name, e.value ?? '']));
  return (c.args ?? []).map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env.get(name) ?? whole));
}

/** Feature gates a container's --feature-gates flags set. */
export function featureGates(c: Container): Map<string, boolean> {
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

export function flagValue(args: readonly string[], flag: string): string | undefined {
  const prefix = `--${flag}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/** The socket path of a unix:// endpoint; CPO's `unix://csi/csi.sock` form means /csi/csi.sock. */
export function socketPathOf(endpoint: string): string {
  const match = /^unix:\/\/(.+)$/.exec(endpoint);
  if (!match) throw new Error(`not a unix endpoint: ${endpoint}`);
  return match[1].startsWith('/') ? match[1] : `/${match[1]}`;
}

/** Where a socket path lands: the pod volume it is under and the path inside that volume. */
export function socketLocation(spec: PodSpec, c: Container, socketPath: string): string {
  const mount = (c.volumeMounts ?? [])
    .filter((m) => socketPath.startsWith(m.mountPath.replace(/\/?$/, '/')))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) throw new Error(`${c.name}: socket ${socketPath} is on no mounted volume`);
  const volume = spec.volumes?.find((v) => v.name === mount.name);
  const inside = socketPath.slice(mount.mountPath.replace(/\/?$/, '/').length);
  return `${volume?.hostPath ? `hostPath:${volume.hostPath.path.replace(/\/$/, '')}` : `volume:${mount.name}`}/${inside}`;
}

/** Rules granted to a service account: ClusterRoles bound cluster-wide, and Roles/ClusterRoles bound in `namespace`. */
export function rulesFor(objects: readonly K8sObject[], serviceAccount: string, namespace: string): { cluster: Rule[]; namespaced: Rule[] } {
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

export function covers(rules: readonly Rule[], need: ApiNeed): boolean {
  const missing = new Set(need.verbs);
  for (const rule of rules) {
    const groupOk = (rule.apiGroups ?? []).some((g) => g === need.group || g === '*');
    const resourceOk = (rule.resources ?? []).some((r) => r === need.resource || r === '*');
    if (groupOk && resourceOk) for (const verb of rule.verbs) (verb === '*' ? need.verbs : [verb]).forEach((v) => missing.delete(v));
  }
  return missing.size === 0;
}

export interface RbacContext {
  /** Classes for this driver name csi.storage.k8s.io/*-secret-name keys: the sidecars then read Secrets. */
  secretRefs: boolean;
}

/** Every RBAC need of the controller's sidecars that the granted rules do not cover, as readable lines. */
export function uncoveredControllerNeeds(objects: readonly K8sObject[], deployment: Deployment, context: RbacContext): string[] {
  const spec = podSpec(find(objects, 'StatefulSet', deployment.controller.statefulSet));
  const { cluster, namespaced } = rulesFor(objects, deployment.controller.serviceAccount, NAMESPACE);
  const problems: string[] = [];
  const need = (c: Container, why: string, item: ApiNeed, rules: readonly Rule[]) => {
    if (!covers(rules, item)) problems.push(`${c.name} (${why}): ${item.group || 'core'}/${item.resource} ${item.verbs.join(',')}`);
  };
  for (const c of spec.containers) {
    const sidecar = sidecarOf(c);
    if (sidecar === undefined) continue; // the plugin
    const table = SIDECAR_NEEDS[sidecar];
    if (!table) {
      problems.push(`${c.name}: no entry for ${sidecar} in sidecar-needs.ts`);
      continue;
    }
    const gates = featureGates(c);
    const features: Feature[] = ['base', ...(['CSIVolumeGroupSnapshot', 'VolumeAttributesClass'] as const).filter((f) => gates.get(f) !== false && table[f])];
    for (const feature of features) for (const item of table[feature] ?? []) need(c, feature, item, cluster);
    if ((c.args ?? []).includes('--enable-capacity')) for (const item of CAPACITY_NEEDS) need(c, '--enable-capacity', item, [...cluster, ...namespaced]);
    if (context.secretRefs) for (const item of SECRET_REF_NEEDS[sidecar] ?? []) need(c, 'secret references', item, cluster);
    if ((c.args ?? []).includes('--leader-election=true') && !covers([...cluster, ...namespaced], LEADER_ELECTION_NEED)) {
      problems.push(`${c.name}: leases in ${NAMESPACE} for leader election`);
    }
  }
  return problems;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
