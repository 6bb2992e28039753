/**
 * Clone (CreateVolume from another share) over real gRPC against the simulator: made through a transient
 * snapshot that is gone afterwards, with the source's bytes in the clone's NFS backing directory;
 * idempotent by name; a share type without create-from-snapshot is INVALID_ARGUMENT saying why; a failed
 * clone leaves no transient snapshot behind.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { Code } from '../../csi/errors';
import { codeOf, GiB, MOUNT_RWX, startControllerHarness, type ControllerHarness } from '../testing/controller-harness';

let h: ControllerHarness;
beforeAll(async () => {
  h = await startControllerHarness();
});
afterAll(async () => h.stop());
afterEach(() => h.sim.control.clearFaults());

const request = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  capacity_range: { required_bytes: String(GiB) },
  volume_capabilities: [MOUNT_RWX],
  parameters: {},
  ...extra,
});
const cloneOf = (volumeId: string) => ({ volume_content_source: { volume: { volume_id: volumeId } } });

async function snapshotsNamed(name: string) {
  return (await h.cloud.sharedFileSystem.listSnapshots({ allPages: true })).items.filter((s) => s.name === name);
}

it('advertises CLONE_VOLUME', async () => {
  const caps = await h.client.controller.ControllerGetCapabilities({});
  expect(caps.capabilities.map((c) => c.rpc?.type)).toContain('CLONE_VOLUME');
});

it('clones a share through a transient snapshot: same bytes, snapshot gone, idempotent, source untouched', async () => {
  const source = await h.client.controller.CreateVolume(request('pvc-clone-src', { capacity_range: { required_bytes: String(2 * GiB) } }));
  const sourceId = source.volume!.volume_id;
  await fsp.mkdir(path.join(h.sim.sharedFileSystem.backingDir(sourceId), 'dir'), { recursive: true });
  await fsp.writeFile(path.join(h.sim.sharedFileSystem.backingDir(sourceId), 'dir', 'data.txt'), 'cloned bytes');

  const clone = await h.client.controller.CreateVolume(request('pvc-clone-1', cloneOf(sourceId)));
  const cloneId = clone.volume!.volume_id;
  expect(cloneId).not.toBe(sourceId);
  expect(clone.volume!.content_source).toMatchObject({ volume: { volume_id: sourceId } });
  // At least the source's size (2 GiB) although 1 GiB was asked.
  expect(clone.volume!.capacity_bytes).toBe(String(2 * GiB));
  expect(await fsp.readFile(path.join(h.sim.sharedFileSystem.backingDir(cloneId), 'dir', 'data.txt'), 'utf8')).toBe('cloned bytes');
  const share = await h.cloud.sharedFileSystem.getShare(cloneId);
  expect(share.metadata['manila.csi.openstack.org/clone-of']).toBe(sourceId);

  const again = await h.client.controller.CreateVolume(request('pvc-clone-1', cloneOf(sourceId)));
  expect(again.volume!.volume_id).toBe(cloneId);
  await h.sim.whenIdle();
  expect(await snapshotsNamed('csi-clone-pvc-clone-1')).toEqual([]);

  // Writes to the clone do not reach the source.
  await fsp.writeFile(path.join(h.sim.sharedFileSystem.backingDir(cloneId), 'dir', 'data.txt'), 'changed');
  expect(await fsp.readFile(path.join(h.sim.sharedFileSystem.backingDir(sourceId), 'dir', 'data.txt'), 'utf8')).toBe('cloned bytes');

  // The same name with another source, or without one, is ALREADY_EXISTS.
  expect(await codeOf(h.client.controller.CreateVolume(request('pvc-clone-1')))).toBe(Code.ALREADY_EXISTS);
  const other = await h.client.controller.CreateVolume(request('pvc-clone-other-src', { capacity_range: { required_bytes: String(2 * GiB) } }));
  expect(await codeOf(h.client.controller.CreateVolume(request('pvc-clone-1', cloneOf(other.volume!.volume_id))))).toBe(Code.ALREADY_EXISTS);

  // The clone is a normal volume: deleting it works, and so does deleting the source (no snapshot holds it).
  await h.client.controller.DeleteVolume({ volume_id: cloneId });
  await h.client.controller.DeleteVolume({ volume_id: sourceId });
  await h.sim.whenIdle();
  expect(await codeOf(h.client.controller.ControllerGetVolume({ volume_id: sourceId }))).toBe(Code.NOT_FOUND);
});

it('a share type without create-from-snapshot support is INVALID_ARGUMENT naming the spec', async () => {
  const source = await h.client.controller.CreateVolume(request('pvc-clone-nosnap-src', { parameters: { type: 'no-snapshots' } }));
  let message = '';
  try {
    await h.client.controller.CreateVolume(request('pvc-clone-nosnap', cloneOf(source.volume!.volume_id)));
  } catch (error) {
    expect((error as { code?: number }).code).toBe(Code.INVALID_ARGUMENT);
    message = (error as Error).message;
  }
  expect(message).toMatch(/snapshot_support=True/);
  expect(await snapshotsNamed('csi-clone-pvc-clone-nosnap')).toEqual([]);
});

it('an unknown source is NOT_FOUND; an empty source ID is INVALID_ARGUMENT', async () => {
  expect(await codeOf(h.client.controller.CreateVolume(request('pvc-clone-missing', cloneOf('00000000-0000-0000-0000-000000000000'))))).toBe(Code.NOT_FOUND);
  expect(await codeOf(h.client.controller.CreateVolume(request('pvc-clone-empty', cloneOf(''))))).toBe(Code.INVALID_ARGUMENT);
});

it('a clone whose share creation fails leaves neither the share nor the transient snapshot behind', async () => {
  const source = await h.client.controller.CreateVolume(request('pvc-clone-fail-src'));
  h.sim.control.failNextTransition({ kind: 'share', operation: 'create' });
  expect(await codeOf(h.client.controller.CreateVolume(request('pvc-clone-fail', cloneOf(source.volume!.volume_id))))).not.toBeUndefined();
  await h.sim.whenIdle();
  expect(await snapshotsNamed('csi-clone-pvc-clone-fail')).toEqual([]);
  expect((await h.cloud.sharedFileSystem.listShares({ name: 'pvc-clone-fail', allPages: true })).items.filter((s) => s.name === 'pvc-clone-fail')).toEqual([]);
  // The retry succeeds and cleans up the same way.
  const clone = await h.client.controller.CreateVolume(request('pvc-clone-fail', cloneOf(source.volume!.volume_id)));
  expect(clone.volume!.content_source).toMatchObject({ volume: { volume_id: source.volume!.volume_id } });
  await h.sim.whenIdle();
  expect(await snapshotsNamed('csi-clone-pvc-clone-fail')).toEqual([]);
});
