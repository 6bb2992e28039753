/**
 * `--pvc-annotations`: reads a PVC's annotations from the Kubernetes API so CreateVolume can turn
 * them into scheduler hints (Cinder: `cinder.csi.openstack.org/affinity` / `anti-affinity`).
 */
import { Code, CsiError } from '../../csi/errors';
import { connectCoreV1Api, loadKubernetesClient, type CoreV1Api, type KubernetesClientModule } from './client-loader';

/** Reads a PVC's annotations; drivers depend on this type, so no Kubernetes client is needed to test them. */
export type PvcAnnotationReader = (namespace: string, name: string) => Promise<Record<string, string>>;

export interface PvcAnnotationReaderOptions {
  /** `--kubeconfig`; otherwise the in-cluster service account is used. */
  kubeconfig?: string;
  /** Replaceable for tests. */
  loadClient?: () => Promise<KubernetesClientModule>;
}

/** The HTTP status of a client-node ApiException (its `code`), if the error carries one. */
function httpStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function readFailure(pvc: string, source: string, error: unknown): CsiError {
  const status = httpStatus(error);
  const detail = (error as Error)?.message ?? String(error);
  const what = `cannot read PersistentVolumeClaim ${pvc} for its affinity annotations (--pvc-annotations, ${source})`;
  if (status === 401 || status === 403) {
    return new CsiError(
      Code.PERMISSION_DENIED,
      `${what}: HTTP ${status}; the controller's service account needs "get" on persistentvolumeclaims (ClusterRole RBAC)`,
      { cause: error },
    );
  }
  if (status === 404) {
    return new CsiError(
      Code.FAILED_PRECONDITION,
      `${what}: the PVC does not exist (HTTP 404); it must exist while its volume is provisioned`,
      { cause: error },
    );
  }
  return new CsiError(Code.UNAVAILABLE, `${what}: ${status ? `HTTP ${status}: ` : ''}${detail}`, { cause: error });
}

export function createKubernetesPvcAnnotationReader(options: PvcAnnotationReaderOptions = {}): PvcAnnotationReader {
  const loadClient = options.loadClient ?? loadKubernetesClient;
  const source = options.kubeconfig ? `kubeconfig ${options.kubeconfig}` : 'in-cluster config';
  let api: Promise<CoreV1Api> | undefined;

  return async (namespace, name) => {
    const pvc = `${namespace}/${name}`;
    let core: CoreV1Api;
    try {
      // One client for the process; a failed setup is retried on the next CreateVolume.
      api ??= connectCoreV1Api(loadClient, options.kubeconfig);
      core = await api;
    } catch (error) {
      api = undefined;
      throw new CsiError(
        Code.FAILED_PRECONDITION,
        `cannot read PersistentVolumeClaim ${pvc} for its affinity annotations (--pvc-annotations): no Kubernetes client from ${source}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    try {
      const claim = await core.readNamespacedPersistentVolumeClaim({ name, namespace });
      return claim.metadata?.annotations ?? {};
    } catch (error) {
      throw readFailure(pvc, source, error);
    }
  };
}
