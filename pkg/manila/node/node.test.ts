/**
 * The Manila node service over real gRPC, forwarding to a RECORDING partner plugin on a unix socket:
 * asserts the exact requests the partner receives (context, secrets, paths, capability, readonly) for NFS
 * and CephFS shares made by the real controller against the simulator, plus error paths.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCsiClient, type CsiClient } from '../../csi/client';
import { Code } from '../../csi/errors';
import { createIdentityService } from '../../csi/identity';
import { startCsiServer, type CsiServer } from '../../csi/server';
import { createConfigDriveSource } from '../../driver-kit/instance-identity/metadata';
import { createNodeIdentityResolver } from '../../driver-kit/instance-identity/node-identity';
import { silentLogger } from '../../log/logger';
import { CloudCache } from '../../openstack/cloud-cache';
import { fastClientOptions, passwordCredentials } from '../../simulator/testing/cloud';
import { ManilaCloudSource } from '../cloud-source';
import type { ShareProtocol } from '../constants';
import { codeOf, MOUNT_RWX, openStackSecrets, startControllerHarness, type ControllerHarness } from '../testing/controller-harness';
import { startRecordingPartner, type RecordingPartner } from '../testing/recording-partner';
import { connectPartner } from './partner';
import { createManilaNodeService } from './service';

interface NodeUnderTest {
  client: CsiClient;
  partner: RecordingPartner;
  runtimeConfig: string;
  stop(): Promise<void>;
}

async function startNode(h: ControllerHarness, protocol: ShareProtocol, partnerEndpoint?: string): Promise<NodeUnderTest & { dir: string }> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'manila-node-'));
  const partner = await startRecordingPartner();
  const server = h.sim.addServer({ name: `node-${path.basename(dir)}`, availabilityZone: 'zone-b' });
  const runtimeConfig = path.join(dir, 'runtime-config.json');
  const cache = new CloudCache(fastClientOptions());
  const forwarded = connectPartner(partnerEndpoint ?? partner.endpoint);
  const service = createManilaNodeService({
    clouds: new ManilaCloudSource(cache, passwordCredentials(h.sim)),
    protocol,
    partner: forwarded,
    runtimeConfigFile: runtimeConfig,
    identity: createNodeIdentityResolver({ sources: [createConfigDriveSource({ directory: h.sim.configDriveDir(server.id) })], nodeName: 'n' }),
    withTopology: true,
    logger: silentLogger,
    stageCredentials: new Map(),
  });
  const csi: CsiServer = await startCsiServer({
    endpoint: `unix://${path.join(dir, 'node.sock')}`,
    services: {
      identity: createIdentityService({ driverName: 'nfs.manila.csi.openstack.org', vendorVersion: 't', capabilities: {}, ready: service.ready }),
      node: service.handlers,
    },
    logger: silentLogger,
    drainTimeoutMs: 1000,
  });
  const client = createCsiClient(csi.address);
  return {
    dir,
    client,
    partner,
    runtimeConfig,
    async stop() {
      client.close();
      await csi.stop();
      forwarded.close();
      cache.clear();
      await partner.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

const capability = { mount: { mount_flags: ['nfsvers=4.1'] }, access_mode: { mode: 'MULTI_NODE_MULTI_WRITER' as const } };

describe('NFS node forwarding', () => {
  let h: ControllerHarness;
  let n: NodeUnderTest;
  beforeAll(async () => {
    h = await startControllerHarness({ protocol: 'NFS' });
    n = await startNode(h, 'NFS');
  });
  afterAll(async () => {
    await n.stop();
    await h.stop();
  });
  beforeEach(() => {
    n.partner.calls.length = 0;
  });

  async function createNfs(name: string) {
    const res = await h.client.controller.CreateVolume({ name, volume_capabilities: [MOUNT_RWX], parameters: {} });
    return res.volume!;
  }

  it('stages and publishes with server/share from the export location; everything else passes through', async () => {
    const volume = await createNfs('node-nfs-1');
    const [location] = await h.cloud.sharedFileSystem.listExportLocations(volume.volume_id);
    const [server, share] = [location.path.slice(0, location.path.lastIndexOf(':')), location.path.slice(location.path.lastIndexOf(':') + 1)];
    await n.client.node.NodeStageVolume({
      volume_id: volume.volume_id,
      staging_target_path: '/var/lib/kubelet/plugins/x/globalmount',
      volume_capability: capability,
      volume_context: volume.volume_context,
      publish_context: { a: 'b' },
      secrets: {},
    });
    await n.client.node.NodePublishVolume({
      volume_id: volume.volume_id,
      staging_target_path: '/var/lib/kubelet/plugins/x/globalmount',
      target_path: '/var/lib/kubelet/pods/p/volumes/v/mount',
      volume_capability: capability,
      volume_context: volume.volume_context,
      readonly: true,
    });
    const [stage, publish] = n.partner.calls;
    expect(stage.method).toBe('NodeStageVolume');
    expect(stage.request).toMatchObject({
      volume_id: volume.volume_id,
      staging_target_path: '/var/lib/kubelet/plugins/x/globalmount',
      volume_capability: { mount: { mount_flags: ['nfsvers=4.1'] }, access_mode: { mode: 'MULTI_NODE_MULTI_WRITER' } },
      publish_context: { a: 'b' },
      secrets: {},
      volume_context: { server, share },
    });
    expect(Object.keys(stage.request.volume_context as object).sort()).toEqual(['server', 'share']);
    expect(publish.method).toBe('NodePublishVolume');
    expect(publish.request).toMatchObject({
      target_path: '/var/lib/kubelet/pods/p/volumes/v/mount',
      readonly: true,
      volume_context: { server, share },
    });
    expect(server).toMatch(/^192\.0\.2\./);
    expect(share).toBe(h.sim.sharedFileSystem.backingDir(volume.volume_id));
  });

  it('honours the runtime config CIDR, brackets IPv6 servers, and forwards unstage/unpublish/stats verbatim', async () => {
    h.sim.sharedFileSystem.setExportLocations({ count: 2, addressFamily: 'dual', preferredIndex: 0 });
    const volume = await createNfs('node-nfs-dual');
    h.sim.sharedFileSystem.setExportLocations({ count: 1, addressFamily: 'ipv4', preferredIndex: 0 });
    await fsp.writeFile(n.runtimeConfig, JSON.stringify({ nfs: { matchExportLocationAddress: '2001:db8::/32' } }));
    const req = { volume_id: volume.volume_id, target_path: '/t', volume_capability: capability, volume_context: volume.volume_context };
    await n.client.node.NodePublishVolume(req);
    expect((n.partner.calls[0].request.volume_context as Record<string, string>).server).toMatch(/^\[2001:db8::[0-9a-f]+\]$/);
    await fsp.writeFile(n.runtimeConfig, JSON.stringify({ nfs: { matchExportLocationAddress: '192.0.2.0/24' } }));
    await n.client.node.NodePublishVolume(req);
    expect((n.partner.calls[1].request.volume_context as Record<string, string>).server).toMatch(/^192\.0\.2\.\d+$/);
    await fsp.writeFile(n.runtimeConfig, JSON.stringify({ nfs: { matchExportLocationAddress: '10.0.0.0/8' } }));
    expect(await codeOf(n.client.node.NodePublishVolume(req))).toBe(Code.FAILED_PRECONDITION);
    await fsp.rm(n.runtimeConfig);

    n.partner.calls.length = 0;
    await n.client.node.NodeUnpublishVolume({ volume_id: volume.volume_id, target_path: '/t' });
    await n.client.node.NodeUnstageVolume({ volume_id: volume.volume_id, staging_target_path: '/s' });
    const stats = await n.client.node.NodeGetVolumeStats({ volume_id: volume.volume_id, volume_path: '/t', staging_target_path: '' });
    expect(stats.usage[0]).toMatchObject({ unit: 'BYTES', total: '1073741824', used: '4096' });
    expect(n.partner.calls.map((c) => [c.method, c.request])).toEqual([
      ['NodeUnpublishVolume', { volume_id: volume.volume_id, target_path: '/t' }],
      ['NodeUnstageVolume', { volume_id: volume.volume_id, staging_target_path: '/s' }],
      ['NodeGetVolumeStats', { volume_id: volume.volume_id, volume_path: '/t', staging_target_path: '' }],
    ]);
  });

  it('keeps partner error codes, mirrors its capabilities, reports the node, and probes the partner', async () => {
    n.partner.failNext('NodeUnpublishVolume', Code.NOT_FOUND, 'no such mount');
    const err = await n.client.node.NodeUnpublishVolume({ volume_id: 'v', target_path: '/t' }).catch((e: { code: number; details: string }) => e);
    expect(err).toMatchObject({ code: Code.NOT_FOUND });
    expect((err as { details: string }).details).toContain('no such mount');
    const caps = await n.client.node.NodeGetCapabilities({});
    expect(caps.capabilities.map((c) => c.rpc?.type)).toEqual(['STAGE_UNSTAGE_VOLUME', 'GET_VOLUME_STATS']);
    const info = await n.client.node.NodeGetInfo({});
    expect(info.node_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(info.accessible_topology).toEqual({ segments: { 'topology.manila.csi.openstack.org/zone': 'zone-b' } });
    expect((await n.client.identity.Probe({})).ready?.value).toBe(true);
  });

  it('answers NOT_FOUND for a missing share and INVALID_ARGUMENT for shareID with shareName', async () => {
    const req = { volume_id: '00000000-0000-0000-0000-000000000000', target_path: '/t', volume_capability: capability, volume_context: {} };
    expect(await codeOf(n.client.node.NodePublishVolume(req))).toBe(Code.NOT_FOUND);
    expect(await codeOf(n.client.node.NodePublishVolume({ ...req, volume_context: { shareID: 'a', shareName: 'b' } }))).toBe(Code.INVALID_ARGUMENT);
  });

  it('serves a static PV by shareName', async () => {
    const volume = await createNfs('node-nfs-static');
    n.partner.calls.length = 0;
    await n.client.node.NodePublishVolume({ volume_id: 'static-pv-handle', target_path: '/t', volume_capability: capability, volume_context: { shareName: 'node-nfs-static' } });
    expect(n.partner.calls[0].request).toMatchObject({ volume_id: 'static-pv-handle', volume_context: { share: h.sim.sharedFileSystem.backingDir(volume.volume_id) } });
  });
});

describe('CephFS node forwarding', () => {
  let h: ControllerHarness;
  let n: NodeUnderTest;
  beforeAll(async () => {
    h = await startControllerHarness({ protocol: 'CEPHFS' });
    n = await startNode(h, 'CEPHFS');
  });
  afterAll(async () => {
    await n.stop();
    await h.stop();
  });

  it('grants every cephfs-clientID and stages with monitors, rootPath, mounter, fsName and the cephx key', async () => {
    const res = await h.client.controller.CreateVolume({
      name: 'node-ceph-1',
      volume_capabilities: [MOUNT_RWX],
      parameters: { 'cephfs-clientID': 'alice, bob', 'cephfs-mounter': 'kernel', 'cephfs-kernelMountOptions': 'noatime' },
    });
    const volume = res.volume!;
    const rules = await h.cloud.sharedFileSystem.listAccessRules(volume.volume_id);
    expect(rules.map((r) => [r.access_type, r.access_to, r.state]).sort()).toEqual([
      ['cephx', 'alice', 'active'],
      ['cephx', 'bob', 'active'],
    ]);
    expect(volume.volume_context).toMatchObject({ 'cephfs-mounter': 'kernel', 'cephfs-kernelMountOptions': 'noatime' });
    const alice = rules.find((r) => r.id === volume.volume_context.shareAccessIDs.split(',')[0])!;
    expect(alice.access_to).toBe('alice');
    await n.client.node.NodeStageVolume({
      volume_id: volume.volume_id,
      staging_target_path: '/stage',
      volume_capability: capability,
      volume_context: volume.volume_context,
      secrets: {},
    });
    const [location] = await h.cloud.sharedFileSystem.listExportLocations(volume.volume_id);
    const split = location.path.lastIndexOf(':');
    expect(n.partner.calls[0].request).toMatchObject({
      volume_context: {
        monitors: location.path.slice(0, split),
        rootPath: location.path.slice(split + 1),
        mounter: 'kernel',
        provisionVolume: 'false',
        kernelMountOptions: 'noatime',
        fsName: 'cephfs',
      },
      secrets: { userID: alice.access_to, userKey: alice.access_key },
    });
  });

  it('publishes after a plugin restart exactly as before: context and cephx secrets come from the share, not memory', async () => {
    const res = await h.client.controller.CreateVolume({ name: 'node-ceph-restart', volume_capabilities: [MOUNT_RWX], parameters: { 'cephfs-clientID': 'carol' } });
    const volume = res.volume!;
    const publish = (client: CsiClient) =>
      client.node.NodePublishVolume({ volume_id: volume.volume_id, staging_target_path: '/stage', target_path: '/t', volume_capability: capability, volume_context: volume.volume_context });
    await n.client.node.NodeStageVolume({
      volume_id: volume.volume_id,
      staging_target_path: '/stage',
      volume_capability: capability,
      volume_context: volume.volume_context,
      secrets: openStackSecrets(h.sim),
    });
    await publish(n.client);
    const before = n.partner.calls.filter((c) => c.method !== 'NodeGetCapabilities').slice(-2);
    const restarted = await startNode(h, 'CEPHFS');
    try {
      await publish(restarted.client);
      const [after] = restarted.partner.calls;
      expect(after.request).toEqual(before[1].request);
      expect(after.request.secrets).toEqual(before[0].request.secrets);
      expect((after.request.secrets as Record<string, string>).userID).toBe('carol');
    } finally {
      await restarted.stop();
    }
  });

  it('answers FAILED_PRECONDITION when the volume has no usable access rule (CPO exits)', async () => {
    const res = await h.client.controller.CreateVolume({ name: 'node-ceph-2', volume_capabilities: [MOUNT_RWX], parameters: {} });
    const volume = res.volume!;
    const stage = (context: Record<string, string>) =>
      n.client.node.NodeStageVolume({ volume_id: volume.volume_id, staging_target_path: '/s', volume_capability: capability, volume_context: context });
    expect(await codeOf(stage({ shareID: volume.volume_id }))).toBe(Code.FAILED_PRECONDITION);
    expect(await codeOf(stage({ shareID: volume.volume_id, shareAccessIDs: 'not-a-rule' }))).toBe(Code.FAILED_PRECONDITION);
    expect(await codeOf(stage(volume.volume_context))).toBeUndefined();
  });
});

describe('partner down', () => {
  it('answers UNAVAILABLE naming the endpoint and reports not ready', async () => {
    const h = await startControllerHarness({ protocol: 'NFS' });
    const n = await startNode(h, 'NFS', 'unix:///nonexistent/manila-partner.sock');
    try {
      const err = await n.client.node.NodeUnpublishVolume({ volume_id: 'v', target_path: '/t' }).catch((e: { code: number; details: string }) => e);
      expect(err).toMatchObject({ code: Code.UNAVAILABLE });
      expect((err as { details: string }).details).toContain('/nonexistent/manila-partner.sock');
      expect((await n.client.identity.Probe({})).ready?.value).toBe(false);
    } finally {
      await n.stop();
      await h.stop();
    }
  });
});
