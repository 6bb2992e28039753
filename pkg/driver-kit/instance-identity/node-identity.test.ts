import { hostname } from 'node:os';
import {
  createKubernetesNodeIdentityFallback,
  parseProviderId,
  zoneFromLabels,
  type NodeIdentityFallback,
} from './kubernetes-identity';
import type { MetadataSource } from './metadata';
import { createNodeIdentityResolver, NodeIdentityUnavailableError, resolveNodeName } from './node-identity';

const UUID = '0b7a6c43-7f1e-4c57-9c1c-2b5e3c0f9e11';

function source(name: string, result: { uuid: string; availabilityZone?: string } | Error): MetadataSource & { reads: number } {
  const s = {
    name,
    reads: 0,
    async read() {
      s.reads++;
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return s;
}

function fallback(result: { providerId?: string; zone?: string } | Error, available = true): NodeIdentityFallback & { names: string[] } {
  const f = {
    description: 'Kubernetes Node (fake)',
    names: [] as string[],
    available: () => available,
    async lookup(nodeName: string) {
      f.names.push(nodeName);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return f;
}

describe('parseProviderId', () => {
  it('accepts both OpenStack forms', () => {
    expect(parseProviderId(`openstack:///${UUID}`)).toEqual({ instanceId: UUID, region: undefined });
    expect(parseProviderId(`openstack://RegionOne/${UUID}`)).toEqual({ instanceId: UUID, region: 'RegionOne' });
  });
  it('rejects other providers and malformed IDs', () => {
    expect(() => parseProviderId(`aws:///eu-west-1a/i-0123`)).toThrow(/not an OpenStack provider ID/);
    expect(() => parseProviderId('openstack:///')).toThrow(/openstack:\/\/\/<instance-uuid>/);
    expect(() => parseProviderId(`openstack://${UUID}`)).toThrow();
  });
});

describe('zoneFromLabels', () => {
  it('prefers the standard label, then the beta one', () => {
    expect(zoneFromLabels({ 'topology.kubernetes.io/zone': 'a', 'failure-domain.beta.kubernetes.io/zone': 'b' })).toBe('a');
    expect(zoneFromLabels({ 'failure-domain.beta.kubernetes.io/zone': 'b' })).toBe('b');
    expect(zoneFromLabels({})).toBeUndefined();
    expect(zoneFromLabels(undefined)).toBeUndefined();
  });
});

describe('resolveNodeName', () => {
  it('flag, then NODE_NAME, then hostname', () => {
    expect(resolveNodeName('flagged', { NODE_NAME: 'env' })).toBe('flagged');
    expect(resolveNodeName(undefined, { NODE_NAME: 'env' })).toBe('env');
    expect(resolveNodeName('', {})).toBe(hostname());
  });
});

describe('node identity resolver', () => {
  it('uses the first source that answers and caches it', async () => {
    const drive = source('configDrive', new Error('no drive'));
    const service = source('metadataService', { uuid: UUID, availabilityZone: 'nova' });
    const resolver = createNodeIdentityResolver({ sources: [drive, service], nodeName: 'n1' });
    const [a, b] = await Promise.all([resolver.resolve(), resolver.resolve()]);
    expect(a).toEqual({ instanceId: UUID, availabilityZone: 'nova', source: 'metadataService' });
    expect(b).toEqual(a);
    await resolver.resolve();
    expect(drive.reads).toBe(1);
    expect(service.reads).toBe(1);
  });

  it('falls back to the Kubernetes Node providerID and zone label', async () => {
    const k8s = fallback({ providerId: `openstack://RegionOne/${UUID}`, zone: 'az-2' });
    const resolver = createNodeIdentityResolver({
      sources: [source('configDrive', new Error('no drive')), source('metadataService', new Error('timeout'))],
      fallback: k8s,
      nodeName: 'worker-7',
    });
    expect(await resolver.resolve()).toEqual({ instanceId: UUID, availabilityZone: 'az-2', source: 'Kubernetes Node (fake)' });
    expect(k8s.names).toEqual(['worker-7']);
  });

  it('lists every attempt when everything fails', async () => {
    const resolver = createNodeIdentityResolver({
      sources: [source('configDrive', new Error('no drive')), source('metadataService', new Error('GET x failed: ETIMEDOUT'))],
      fallback: fallback({ providerId: 'kind://docker/kind/worker' }),
      nodeName: 'worker-7',
    });
    const error = (await resolver.resolve().catch((e: unknown) => e)) as NodeIdentityUnavailableError;
    expect(error).toBeInstanceOf(NodeIdentityUnavailableError);
    expect(error.attempts.map((a) => a.source)).toEqual(['configDrive', 'metadataService', 'Kubernetes Node (fake) "worker-7"']);
    expect(error.message).toContain('no drive');
    expect(error.message).toContain('ETIMEDOUT');
    expect(error.message).toContain('kind://docker/kind/worker');
  });

  it('explains why the fallback was not used outside a cluster, and retries later', async () => {
    const k8s = fallback({ providerId: `openstack:///${UUID}` }, false);
    const drive = source('configDrive', new Error('no drive'));
    const resolver = createNodeIdentityResolver({ sources: [drive], fallback: k8s, nodeName: 'n' });
    await expect(resolver.resolve()).rejects.toThrow(/not running in a Kubernetes cluster/);
    expect(k8s.names).toEqual([]);
    await expect(resolver.resolve()).rejects.toThrow(NodeIdentityUnavailableError);
    expect(drive.reads).toBe(2);
  });

  it('rejects a Node without providerID', async () => {
    const resolver = createNodeIdentityResolver({ sources: [], fallback: fallback({ zone: 'x' }), nodeName: 'n' });
    await expect(resolver.resolve()).rejects.toThrow(/Node "n" has no spec.providerID/);
  });
});

describe('Kubernetes fallback', () => {
  it('is available in a cluster or with a kubeconfig', () => {
    expect(createKubernetesNodeIdentityFallback({ env: {} }).available()).toBe(false);
    expect(createKubernetesNodeIdentityFallback({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' } }).available()).toBe(true);
    expect(createKubernetesNodeIdentityFallback({ env: {}, kubeconfig: '/k' }).available()).toBe(true);
  });

  it('reads providerID and zone from the Node through the client', async () => {
    const requested: string[] = [];
    const loaded: string[] = [];
    class KubeConfig {
      loadFromFile(file: string) {
        loaded.push(`file:${file}`);
      }
      loadFromCluster() {
        loaded.push('cluster');
      }
      makeApiClient() {
        return {
          async readNode({ name }: { name: string }) {
            requested.push(name);
            return { spec: { providerID: `openstack:///${UUID}` }, metadata: { labels: { 'topology.kubernetes.io/zone': 'z1' } } };
          },
        };
      }
    }
    const loadClient = async () => ({ KubeConfig, CoreV1Api: class {} }) as unknown as typeof import('@kubernetes/client-node');
    const inCluster = createKubernetesNodeIdentityFallback({ env: { KUBERNETES_SERVICE_HOST: 'h' }, loadClient });
    expect(await inCluster.lookup('node-a')).toEqual({ providerId: `openstack:///${UUID}`, zone: 'z1' });
    const withFile = createKubernetesNodeIdentityFallback({ kubeconfig: '/etc/kube.conf', loadClient });
    await withFile.lookup('node-b');
    expect(requested).toEqual(['node-a', 'node-b']);
    expect(loaded).toEqual(['cluster', 'file:/etc/kube.conf']);
  });
});

describe('Kubernetes fallback when the client module fails to load', () => {
  it('says so instead of guessing', async () => {
    const k8s = createKubernetesNodeIdentityFallback({
      env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' },
      loadClient: async () => {
        throw new Error('boom');
      },
    });
    await expect(k8s.lookup('w')).rejects.toThrow('cannot load @kubernetes/client-node: boom');
  });
});
