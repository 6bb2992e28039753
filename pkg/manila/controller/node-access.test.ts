/**
 * Opt-in per-node NFS access over real gRPC against the simulator: CreateVolume grants nothing, publish
 * grants the node's Nova addresses (rw, or ro for read-only) and waits for them to be active, unpublish
 * revokes them while keeping what another node still needs; repeats are idempotent; an unknown node is
 * NOT_FOUND; shares without the parameter keep CPO's 0.0.0.0/0 rule and publish is a no-op for them.
 */
import { Code } from '../../csi/errors';
import { codeOf, GiB, MOUNT_RWX, startControllerHarness, type ControllerHarness } from '../testing/controller-harness';

let h: ControllerHarness;
let nodeA: string;
let nodeB: string;
beforeAll(async () => {
  h = await startControllerHarness();
  nodeA = h.sim.addServer({ name: 'node-a' }).id;
  nodeB = h.sim.addServer({ name: 'node-b' }).id;
});
afterAll(async () => h.stop());

async function createShare(name: string, parameters: Record<string, string>): Promise<string> {
  const res = await h.client.controller.CreateVolume({
    name,
    capacity_range: { required_bytes: String(GiB) },
    volume_capabilities: [MOUNT_RWX],
    parameters,
  });
  return res.volume!.volume_id;
}

async function novaAddresses(nodeId: string): Promise<string[]> {
  const server = await h.cloud.compute.getServer(nodeId);
  return Object.values(server.addresses ?? {}).flatMap((entries) => entries.map((e) => e.addr)).sort();
}

async function rules(shareId: string) {
  const all = await h.cloud.sharedFileSystem.listAccessRules(shareId);
  return all.filter((r) => r.state !== 'queued_to_deny' && r.state !== 'denying').map((r) => ({ to: r.access_to, level: r.access_level, state: r.state }));
}

const publish = (volumeId: string, nodeId: string, extra: Record<string, unknown> = {}) =>
  h.client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: nodeId, volume_capability: MOUNT_RWX, ...extra });
const unpublish = (volumeId: string, nodeId: string) => h.client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: nodeId });

it('the simulator gives each server fixed and floating IPv4 and an IPv6 address, shaped as Nova does', async () => {
  const server = await h.cloud.compute.getServer(nodeA);
  const entries = Object.values(server.addresses ?? {}).flat();
  expect(entries.map((e) => [e.version, e['OS-EXT-IPS:type']]).sort()).toEqual([[4, 'fixed'], [4, 'floating'], [6, 'fixed']]);
  expect(new Set([...(await novaAddresses(nodeA)), ...(await novaAddresses(nodeB))]).size).toBe(6);
});

it('advertises PUBLISH_UNPUBLISH_VOLUME', async () => {
  const caps = await h.client.controller.ControllerGetCapabilities({});
  expect(caps.capabilities.map((c) => c.rpc?.type)).toEqual(expect.arrayContaining(['PUBLISH_UNPUBLISH_VOLUME', 'PUBLISH_READONLY']));
});

it('grants nothing at creation, the node addresses (active) on publish, and revokes them on unpublish; repeats are idempotent', async () => {
  const id = await createShare('pvc-node-access-1', { 'nfs-nodeAccess': 'true' });
  expect(await rules(id)).toEqual([]);

  await publish(id, nodeA);
  await publish(id, nodeA);
  const addresses = await novaAddresses(nodeA);
  expect((await rules(id)).sort((a, b) => a.to.localeCompare(b.to))).toEqual(addresses.map((to) => ({ to, level: 'rw', state: 'active' })));

  await unpublish(id, nodeA);
  await unpublish(id, nodeA);
  expect(await rules(id)).toEqual([]);
  expect(Object.keys((await h.cloud.sharedFileSystem.getShare(id)).metadata).filter((k) => k.includes('node-access.'))).toEqual([]);
});

it('two nodes: unpublishing one keeps the other node rules, and an address both share is kept until the last', async () => {
  const id = await createShare('pvc-node-access-2', { 'nfs-nodeAccess': 'true' });
  await Promise.all([publish(id, nodeA), publish(id, nodeB)]);
  const a = await novaAddresses(nodeA);
  const b = await novaAddresses(nodeB);
  expect((await rules(id)).map((r) => r.to).sort()).toEqual([...a, ...b].sort());

  await unpublish(id, nodeA);
  expect((await rules(id)).map((r) => r.to).sort()).toEqual(b);
  await unpublish(id, nodeB);
  expect(await rules(id)).toEqual([]);

  // A shared address (e.g. one NAT gateway): recorded for both nodes, revoked only when neither needs it.
  const shared = b[0];
  await publish(id, nodeB);
  const key = `manila.csi.openstack.org/node-access.${nodeA}`;
  await h.cloud.sharedFileSystem.setShareMetadata(id, { [key]: `rw:${shared}` });
  await unpublish(id, nodeB);
  expect((await rules(id)).map((r) => r.to)).toEqual([shared]);
  await unpublish(id, nodeA);
  expect(await rules(id)).toEqual([]);
});

it('readonly or a reader-only mode grants ro; a different level for the same node is ALREADY_EXISTS', async () => {
  const id = await createShare('pvc-node-access-ro', { 'nfs-nodeAccess': 'true' });
  await publish(id, nodeA, { readonly: true });
  expect(new Set((await rules(id)).map((r) => r.level))).toEqual(new Set(['ro']));
  expect(await codeOf(publish(id, nodeA))).toBe(Code.ALREADY_EXISTS);
  await unpublish(id, nodeA);

  await publish(id, nodeB, { volume_capability: { mount: {}, access_mode: { mode: 'MULTI_NODE_READER_ONLY' } } });
  expect(new Set((await rules(id)).map((r) => r.level))).toEqual(new Set(['ro']));
  await unpublish(id, nodeB);
  expect(await rules(id)).toEqual([]);
});

it('an unknown node is NOT_FOUND and grants nothing; a gone volume unpublishes OK', async () => {
  const id = await createShare('pvc-node-access-unknown', { 'nfs-nodeAccess': 'true' });
  expect(await codeOf(publish(id, 'no-such-server'))).toBe(Code.NOT_FOUND);
  expect(await rules(id)).toEqual([]);
  expect(await codeOf(publish('no-such-share', nodeA))).toBe(Code.NOT_FOUND);
  await unpublish('no-such-share', nodeA);
  await unpublish(id, 'no-such-server');
});

it('without the parameter: CPO default rule at creation, publish and unpublish change nothing', async () => {
  const id = await createShare('pvc-node-access-default', {});
  const before = await rules(id);
  expect(before).toEqual([{ to: '0.0.0.0/0', level: 'rw', state: 'active' }]);
  await publish(id, nodeA);
  await unpublish(id, nodeA);
  expect(await rules(id)).toEqual(before);
});

it('nfs-nodeAccess with nfs-shareClient is INVALID_ARGUMENT', async () => {
  expect(await codeOf(createShare('pvc-node-access-bad', { 'nfs-nodeAccess': 'true', 'nfs-shareClient': '10.0.0.0/8' }))).toBe(Code.INVALID_ARGUMENT);
  expect(await codeOf(createShare('pvc-node-access-bad2', { 'nfs-nodeAccess': 'maybe' }))).toBe(Code.INVALID_ARGUMENT);
});
