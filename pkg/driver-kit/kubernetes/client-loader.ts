/** Lazy loading of @kubernetes/client-node, shared by every part of the driver that talks to the Kubernetes API. */
import type * as KubernetesClient from '@kubernetes/client-node';

export type KubernetesClientModule = typeof KubernetesClient;

// @kubernetes/client-node is ESM-only. TypeScript compiling to CommonJS rewrites `import()` into
// `require()`, which jest's module system cannot do for ESM; a Function-constructed import() is left
// alone by the compiler and stays a real dynamic import. (v1.x is used: v2 needs Node >= 22.19.)
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export function loadKubernetesClient(): Promise<KubernetesClientModule> {
  return importEsm('@kubernetes/client-node') as Promise<KubernetesClientModule>;
}

export type CoreV1Api = InstanceType<KubernetesClientModule['CoreV1Api']>;

/** A CoreV1Api client configured from `kubeconfig`, or from the in-cluster service account without one. */
export async function connectCoreV1Api(
  loadClient: () => Promise<KubernetesClientModule>,
  kubeconfig: string | undefined,
): Promise<CoreV1Api> {
  let client: KubernetesClientModule;
  try {
    client = await loadClient();
  } catch (error) {
    throw new Error(`cannot load @kubernetes/client-node: ${(error as Error).message}`, { cause: error });
  }
  const config = new client.KubeConfig();
  if (kubeconfig) config.loadFromFile(kubeconfig);
  else config.loadFromCluster();
  return config.makeApiClient(client.CoreV1Api);
}
