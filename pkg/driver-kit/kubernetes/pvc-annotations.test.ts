/**
 * The Kubernetes-backed PVC annotation reader, with a fake @kubernetes/client-node module (jest cannot
 * load the real ESM-only package), and the controller using it to build Cinder scheduler hints.
 */
import { Code, CsiError } from '../../csi/errors';
import type { CreateVolumeOptions } from '../../openstack/api';
import { controllerOn, createVolumeRequest, TEST_SCOPE } from '../../cinder/controller/testing/controller-under-test';
import { createFakeCloud } from '../../cinder/controller/testing/fake-cloud';
import type { KubernetesClientModule } from './client-loader';
import { createKubernetesPvcAnnotationReader } from './pvc-annotations';

interface FakeApi {
  configs: string[];
  reads: Array<{ name: string; namespace: string }>;
  loadClient: () => Promise<KubernetesClientModule>;
}

/** A client module whose CoreV1Api answers PVC reads from `claims` (key `namespace/name`), or fails with `failure`. */
function fakeClient(claims: Record<string, Record<string, string> | undefined>, failure?: Error & { code?: number }): FakeApi {
  const configs: string[] = [];
  const reads: Array<{ name: string; namespace: string }> = [];
  class KubeConfig {
    loadFromFile(file: string) {
      configs.push(`file:${file}`);
    }
    loadFromCluster() {
      configs.push('cluster');
    }
    makeApiClient() {
      return {
        async readNamespacedPersistentVolumeClaim(request: { name: string; namespace: string }) {
          reads.push(request);
          if (failure) throw failure;
          const key = `${request.namespace}/${request.name}`;
          if (!(key in claims)) throw Object.assign(new Error('HTTP-Code: 404 Message: Not Found'), { code: 404 });
          return { metadata: { name: request.name, namespace: request.namespace, annotations: claims[key] } };
        },
      };
    }
  }
  const module = { KubeConfig, CoreV1Api: class {} } as unknown as KubernetesClientModule;
  return { configs, reads, loadClient: async () => module };
}

async function failureOf(promise: Promise<unknown>): Promise<CsiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CsiError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('createKubernetesPvcAnnotationReader', () => {
  it('reads the named PVC in its namespace and returns its annotations (none → empty map)', async () => {
    const fake = fakeClient({ 'apps/data': { 'cinder.csi.openstack.org/affinity': 'vol-a', other: 'x' }, 'apps/plain': undefined });
    const read = createKubernetesPvcAnnotationReader({ loadClient: fake.loadClient });
    expect(await read('apps', 'data')).toEqual({ 'cinder.csi.openstack.org/affinity': 'vol-a', other: 'x' });
    expect(await read('apps', 'plain')).toEqual({});
    expect(fake.reads).toEqual([
      { name: 'data', namespace: 'apps' },
      { name: 'plain', namespace: 'apps' },
    ]);
    // One client for the process, from the in-cluster config when no kubeconfig is given.
    expect(fake.configs).toEqual(['cluster']);
  });

  it('uses --kubeconfig when given', async () => {
    const fake = fakeClient({ 'ns/c': { a: 'b' } });
    const read = createKubernetesPvcAnnotationReader({ kubeconfig: '/etc/kube/config', loadClient: fake.loadClient });
    expect(await read('ns', 'c')).toEqual({ a: 'b' });
    expect(fake.configs).toEqual(['file:/etc/kube/config']);
  });

  it('fails on a missing PVC (no silent empty map), naming it', async () => {
    const read = createKubernetesPvcAnnotationReader({ loadClient: fakeClient({}).loadClient });
    const error = await failureOf(read('apps', 'gone'));
    expect(error.code).toBe(Code.FAILED_PRECONDITION);
    expect(error.message).toContain('PersistentVolumeClaim apps/gone');
    expect(error.message).toContain('does not exist');
  });

  it('points at RBAC when the API forbids the read', async () => {
    const forbidden = Object.assign(new Error('HTTP-Code: 403 Message: Forbidden'), { code: 403 });
    const read = createKubernetesPvcAnnotationReader({ loadClient: fakeClient({}, forbidden).loadClient });
    const error = await failureOf(read('apps', 'data'));
    expect(error.code).toBe(Code.PERMISSION_DENIED);
    expect(error.message).toContain('PersistentVolumeClaim apps/data');
    expect(error.message).toContain('"get" on persistentvolumeclaims');
  });

  it('reports other API failures as UNAVAILABLE with the cause', async () => {
    const read = createKubernetesPvcAnnotationReader({ loadClient: fakeClient({}, new Error('connect ECONNREFUSED 10.0.0.1:443')).loadClient });
    const error = await failureOf(read('apps', 'data'));
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(error.message).toContain('apps/data');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('names the PVC and the config source when no client can be made, and retries setup next time', async () => {
    let attempts = 0;
    const working = fakeClient({ 'apps/data': { k: 'v' } });
    const read = createKubernetesPvcAnnotationReader({
      kubeconfig: '/nowhere/config',
      loadClient: async () => {
        attempts++;
        if (attempts === 1) throw new Error('boom');
        return working.loadClient();
      },
    });
    const error = await failureOf(read('apps', 'data'));
    expect(error.code).toBe(Code.FAILED_PRECONDITION);
    expect(error.message).toContain('apps/data');
    expect(error.message).toContain('kubeconfig /nowhere/config');
    expect(error.message).toContain('cannot load @kubernetes/client-node: boom');
    expect(await read('apps', 'data')).toEqual({ k: 'v' });
    expect(attempts).toBe(2);
  });
});

describe('CreateVolume with the Kubernetes PVC annotation reader (fake cloud)', () => {
  const request = (name: string, parameters: Record<string, string> = {}) => createVolumeRequest(name, { parameters });
  const pvcParameters = (namespace: string, name: string) => ({
    'csi.storage.k8s.io/pvc/name': name,
    'csi.storage.k8s.io/pvc/namespace': namespace,
  });

  function setup(fake: FakeApi) {
    const { cloud } = createFakeCloud('');
    const creates: CreateVolumeOptions[] = [];
    const createVolume = cloud.blockStorage.createVolume.bind(cloud.blockStorage);
    cloud.blockStorage.createVolume = async (options) => {
      creates.push(options);
      return createVolume(options);
    };
    const { controller } = controllerOn(cloud, {
      pvcAnnotations: true,
      pvcAnnotationReader: createKubernetesPvcAnnotationReader({ loadClient: fake.loadClient }),
    });
    return { controller, creates };
  }

  it('sends same_host for an affinity annotation naming another volume', async () => {
    const fake = fakeClient({ 'apps/db-0': {}, 'apps/db-1': { 'cinder.csi.openstack.org/affinity': 'pvc-first' } });
    const { controller, creates } = setup(fake);
    const first = await controller.CreateVolume(request('pvc-first', pvcParameters('apps', 'db-0')), TEST_SCOPE);
    await controller.CreateVolume(request('pvc-second', pvcParameters('apps', 'db-1')), TEST_SCOPE);
    expect(fake.reads).toEqual([
      { name: 'db-0', namespace: 'apps' },
      { name: 'db-1', namespace: 'apps' },
    ]);
    expect(creates.map((c) => [c.name, c.schedulerHints])).toEqual([
      ['pvc-first', undefined],
      ['pvc-second', { same_host: [first.volume?.volume_id] }],
    ]);
  });

  it('fails CreateVolume, naming the PVC, when the PVC cannot be read; nothing is created', async () => {
    const { controller, creates } = setup(fakeClient({}));
    const error = await failureOf(controller.CreateVolume(request('pvc-x', pvcParameters('apps', 'missing')), TEST_SCOPE));
    expect(error.code).toBe(Code.FAILED_PRECONDITION);
    expect(error.message).toContain('PersistentVolumeClaim apps/missing');
    expect(creates).toEqual([]);
  });
});
