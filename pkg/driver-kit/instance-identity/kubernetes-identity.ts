/**
 * Last-resort node identity from the Kubernetes Node object: `spec.providerID` (set by the OpenStack
 * cloud controller manager) and the zone label. Lets the node plugin register on clouds without a
 * config drive or metadata service.
 */
import { connectCoreV1Api, loadKubernetesClient, type KubernetesClientModule } from '../kubernetes/client-loader';

export interface KubernetesNodeIdentity {
  providerId?: string;
  zone?: string;
}

export interface NodeIdentityFallback {
  /** For error messages: what this fallback reads. */
  readonly description: string;
  /** False when it cannot work here (not in a cluster and no kubeconfig); `lookup` is then not called. */
  available(): boolean;
  lookup(nodeName: string): Promise<KubernetesNodeIdentity>;
}

const ZONE_LABEL = 'topology.kubernetes.io/zone';
const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';

/** `openstack:///<uuid>` or `openstack://<region>/<uuid>` → the instance UUID (and region). */
export function parseProviderId(providerId: string): { instanceId: string; region?: string } {
  const match = /^openstack:\/\/([^/]*)\/([0-9a-fA-F-]{32,36})$/.exec(providerId.trim());
  if (!match) {
    throw new Error(
      `providerID "${providerId}" is not an OpenStack provider ID (expected openstack:///<instance-uuid> or openstack://<region>/<instance-uuid>)`,
    );
  }
  return { instanceId: match[2], region: match[1] || undefined };
}

/** Picks the zone from Node labels: the standard label, else the deprecated beta one. */
export function zoneFromLabels(labels: Record<string, string> | undefined): string | undefined {
  return labels?.[ZONE_LABEL] || labels?.[LEGACY_ZONE_LABEL] || undefined;
}

export interface KubernetesFallbackOptions {
  /** Path to a kubeconfig; otherwise the in-cluster service account is used. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  /** Replaceable for tests. */
  loadClient?: () => Promise<KubernetesClientModule>;
}

export function createKubernetesNodeIdentityFallback(options: KubernetesFallbackOptions = {}): NodeIdentityFallback {
  const env = options.env ?? process.env;
  const loadClient = options.loadClient ?? loadKubernetesClient;
  return {
    description: options.kubeconfig ? `Kubernetes Node (kubeconfig ${options.kubeconfig})` : 'Kubernetes Node (in-cluster)',
    available: () => Boolean(options.kubeconfig || env.KUBERNETES_SERVICE_HOST),
    async lookup(nodeName) {
      const api = await connectCoreV1Api(loadClient, options.kubeconfig);
      const node = await api.readNode({ name: nodeName });
      return { providerId: node.spec?.providerID || undefined, zone: zoneFromLabels(node.metadata?.labels) };
    },
  };
}
