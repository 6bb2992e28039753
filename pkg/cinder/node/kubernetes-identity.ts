/**
 * Last-resort node identity from the Kubernetes Node object: `spec.providerID` (set by the OpenStack
 * cloud controller manager) and the zone label. Lets the node plugin register on clouds without a
 * config drive or metadata service.
 */
import { promises as fsp } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import axios from 'axios';
import type * as KubernetesClient from '@kubernetes/client-node';

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

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
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

type KubernetesClientModule = typeof KubernetesClient;

// @kubernetes/client-node v2 is ESM-only. TypeScript compiling to CommonJS rewrites `import()` into
// `require()`, which cannot load it under every runtime (jest, older Node); a Function-constructed
// import() is left alone by the compiler and stays a real dynamic import.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the pod's service-account token and CA are mounted. */
  serviceAccountDir?: string;
  /** API server base URL; default from KUBERNETES_SERVICE_HOST/PORT. */
  apiServerUrl?: string;
  timeoutMs?: number;
}

/**
 * `GET /api/v1/nodes/<name>` with the pod's service-account token. Used when @kubernetes/client-node
 * cannot be loaded: v2 pulls in undici 8, which needs Node >= 22.19 and throws at import on Node 20.
 */
export async function readNodeInCluster(nodeName: string, options: InClusterOptions = {}): Promise<KubernetesNodeIdentity> {
  const env = options.env ?? process.env;
  const accountDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const baseUrl = options.apiServerUrl ?? (host ? `https://${host.includes(':') ? `[${host}]` : host}:${port}` : undefined);
  if (!baseUrl) throw new Error('KUBERNETES_SERVICE_HOST is not set');
  const token = (await fsp.readFile(path.join(accountDir, 'token'), 'utf8')).trim();
  const ca = await fsp.readFile(path.join(accountDir, 'ca.crt')).catch(() => undefined);
  const response = await axios.get<{ spec?: { providerID?: string }; metadata?: { labels?: Record<string, string> } }>(
    `${baseUrl}/api/v1/nodes/${encodeURIComponent(nodeName)}`,
    {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      httpsAgent: new https.Agent({ ca }),
      proxy: false,
      timeout: options.timeoutMs ?? 10_000,
      validateStatus: () => true,
    },
  );
  if (response.status !== 200) {
    const reason = (response.data as { message?: string } | undefined)?.message;
    throw new Error(`GET /api/v1/nodes/${nodeName} answered HTTP ${response.status}${reason ? `: ${reason}` : ''}`);
  }
  return { providerId: response.data.spec?.providerID || undefined, zone: zoneFromLabels(response.data.metadata?.labels) };
}

export interface KubernetesFallbackOptions {
  /** Path to a kubeconfig; otherwise the in-cluster service account is used. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  /** Replaceable for tests. */
  loadClient?: () => Promise<KubernetesClientModule>;
  /** Replaceable for tests; used in-cluster when the client module cannot be loaded. */
  readInCluster?: (nodeName: string) => Promise<KubernetesNodeIdentity>;
}

export function createKubernetesNodeIdentityFallback(options: KubernetesFallbackOptions = {}): NodeIdentityFallback {
  const env = options.env ?? process.env;
  const loadClient = options.loadClient ?? (() => importEsm('@kubernetes/client-node') as Promise<KubernetesClientModule>);
  const readInCluster = options.readInCluster ?? ((nodeName: string) => readNodeInCluster(nodeName, { env }));
  return {
    description: options.kubeconfig ? `Kubernetes Node (kubeconfig ${options.kubeconfig})` : 'Kubernetes Node (in-cluster)',
    available: () => Boolean(options.kubeconfig || env.KUBERNETES_SERVICE_HOST),
    async lookup(nodeName) {
      let client: KubernetesClientModule;
      try {
        client = await loadClient();
      } catch (error) {
        if (options.kubeconfig) {
          throw new Error(`cannot load @kubernetes/client-node to read ${options.kubeconfig}: ${(error as Error).message}`, {
            cause: error,
          });
        }
        return readInCluster(nodeName);
      }
      const config = new client.KubeConfig();
      if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
      else config.loadFromCluster();
      const api = config.makeApiClient(client.CoreV1Api);
      const node = await api.readNode({ name: nodeName });
      return { providerId: node.spec?.providerID || undefined, zone: zoneFromLabels(node.metadata?.labels) };
    },
  };
}
