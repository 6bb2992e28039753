/**
 * Fast checks of the controller's logic against the in-memory fake cloud (direct handler calls). The
 * gRPC + simulator suite in tests/controller is the acceptance test; this one pins the decisions.
 */
import { Code, CsiError } from '../../csi/errors';
import type { ControllerHandlers } from '../../csi/handlers';
import type { CinderCloud } from './clouds';
import { createLogger } from '../../log/logger';
import { TOPOLOGY_ZONE_KEY } from '../constants';
import { codeOf, controllerOn, createVolumeRequest, MOUNT_RWO, TEST_SCOPE } from './testing/controller-under-test';
import { addServer, createFakeCloud, type FakeCloudState } from './testing/fake-cloud';
import { GiB } from '../../units/bytes';

const blockRWX = { access_mode: { mode: 'MULTI_NODE_MULTI_WRITER' as const }, access_type: 'block' as const, block: {} };

function setup(extraClouds: Record<string, CinderCloud> = {}) {
  const { cloud, state } = createFakeCloud('');
  return { ...controllerOn(new Map<string, CinderCloud>([['', cloud], ...Object.entries(extraClouds)])), state };
}

/** Just over 1 GiB, so the size is rounded up to whole GiB. */
function createRequest(name: string, overrides: Record<string, unknown> = {}) {
  return createVolumeRequest(name, { capacity_range: { required_bytes: String(GiB + 1), limit_bytes: '0' }, ...overrides });
}

describe('CreateVolume (fake cloud)', () => {
  it('creates a 2 GiB volume, waits for available, writes CPO metadata and reports its zone', async () => {
    const { controller, state } = setup();
    const response = await controller.CreateVolume(
      createRequest('pvc-a', { parameters: { 'csi.storage.k8s.io/pvc/name': 'data', 'csi.storage.k8s.io/pvc/namespace': 'ns' } }),
      TEST_SCOPE,
    );
    const volume = state.volumes.get(response.volume?.volume_id as string);
    expect(volume?.status).toBe('available');
    expect(volume?.size).toBe(2);
    expect(volume?.metadata).toEqual({
      'cinder.csi.openstack.org/cluster': 'test-cluster',
      'csi.storage.k8s.io/pvc/name': 'data',
      'csi.storage.k8s.io/pvc/namespace': 'ns',
    });
    expect(response.volume?.capacity_bytes).toBe(String(2 * GiB));
    expect(response.volume?.accessible_topology).toEqual([{ segments: { [TOPOLOGY_ZONE_KEY]: 'nova' } }]);
  });

  it('is idempotent by name and answers ALREADY_EXISTS for another size', async () => {
    const { controller, state } = setup();
    const first = await controller.CreateVolume(createRequest('pvc-b'), TEST_SCOPE);
    const again = await controller.CreateVolume(createRequest('pvc-b'), TEST_SCOPE);
    expect(again.volume?.volume_id).toBe(first.volume?.volume_id);
    expect(state.volumes.size).toBe(1);
    expect(
      await codeOf(controller.CreateVolume(createRequest('pvc-b', { capacity_range: { required_bytes: String(5 * GiB), limit_bytes: '0' } }), TEST_SCOPE)),
    ).toBe(Code.ALREADY_EXISTS);
  });

  it("reports Cinder's fault and deletes the failed volume", async () => {
    const { controller, state } = setup();
    state.failCreate.set('pvc-bad', 'No valid backend was found. Exceeded max scheduling attempts 3');
    const error = await controller.CreateVolume(createRequest('pvc-bad'), TEST_SCOPE).catch((e: unknown) => e as CsiError);
    expect(error).toBeInstanceOf(CsiError);
    expect((error as CsiError).code).toBe(Code.INTERNAL);
    expect((error as CsiError).message).toContain('No valid backend was found');
    expect(state.calls.filter((call) => call.startsWith('deleteVolume'))).toHaveLength(1);
  });

  it('maps a quota refusal to RESOURCE_EXHAUSTED with the message', async () => {
    const { controller, state } = setup();
    state.quota.gigabytes.limit = 1;
    const error = (await controller.CreateVolume(createRequest('pvc-big'), TEST_SCOPE).catch((e: unknown) => e)) as CsiError;
    expect(error.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(error.message).toContain('exceeds allowed gigabytes quota');
  });

  it('accepts MULTI_NODE_MULTI_WRITER only for block with a multi-attach type', async () => {
    const { controller } = setup();
    expect(await codeOf(controller.CreateVolume(createRequest('rwx-1', { volume_capabilities: [blockRWX] }), TEST_SCOPE))).toBe(Code.INVALID_ARGUMENT);
    expect(
      await codeOf(controller.CreateVolume(createRequest('rwx-2', { volume_capabilities: [blockRWX], parameters: { type: 'fast' } }), TEST_SCOPE)),
    ).toBe(Code.INVALID_ARGUMENT);
    const ok = await controller.CreateVolume(createRequest('rwx-3', { volume_capabilities: [blockRWX], parameters: { type: 'multi' } }), TEST_SCOPE);
    expect(ok.volume?.volume_id).toBeTruthy();
  });

  it('rejects an unknown cloud and a parameter typo before touching the cloud', async () => {
    const { controller, state } = setup();
    expect(await codeOf(controller.CreateVolume(createRequest('x', { secrets: { cloud: 'west' } }), TEST_SCOPE))).toBe(Code.INVALID_ARGUMENT);
    expect(await codeOf(controller.CreateVolume(createRequest('x', { parameters: { avaliability: 'nova' } }), TEST_SCOPE))).toBe(Code.INVALID_ARGUMENT);
    expect(state.calls).toEqual([]);
  });

  it('with --unknown-parameters=warn logs unknown StorageClass and VolumeSnapshotClass keys on the call and goes on, as CPO does', async () => {
    const { cloud, state } = createFakeCloud('');
    const { controller } = controllerOn(cloud, { unknownParameters: 'warn' });
    const lines: string[] = [];
    const scope = { ...TEST_SCOPE, logger: createLogger({ sink: (line) => lines.push(line) }) };
    const created = await controller.CreateVolume(createRequest('pvc-legacy', { parameters: { type: 'fast', fsType: 'ext4', iops: '300' } }), scope);
    expect(state.volumes.get(created.volume?.volume_id as string)?.volume_type).toBe('fast');
    await controller.CreateSnapshot(
      { name: 'snap-legacy', source_volume_id: created.volume?.volume_id as string, parameters: { 'snapshot-type': 'x' }, secrets: {} },
      scope,
    );
    const warnings = lines
      .map((line) => JSON.parse(line) as { level: string; msg: string; unknown: string[] })
      .filter((record) => record.level === 'warn');
    expect(warnings.map((w) => [w.level, w.msg, w.unknown])).toEqual([
      ['warn', 'unknown StorageClass parameter "iops" ignored (--unknown-parameters=reject refuses them)', ['iops']],
      ['warn', 'unknown VolumeSnapshotClass parameter "snapshot-type" ignored (--unknown-parameters=reject refuses them)', ['snapshot-type']],
    ]);
    // VolumeAttributesClasses never existed under CPO: still strict.
    expect(
      await codeOf(controller.ControllerModifyVolume({ volume_id: created.volume?.volume_id as string, mutable_parameters: { iops: '3' }, secrets: {} }, scope)),
    ).toBe(Code.INVALID_ARGUMENT);
  });
});

describe('Publish / Unpublish (fake cloud)', () => {
  async function volumeFor(controller: Required<ControllerHandlers>, state: FakeCloudState, name: string) {
    addServer(state, 'node-1', 1);
    addServer(state, 'node-2');
    return (await controller.CreateVolume(createRequest(name), TEST_SCOPE)).volume?.volume_id as string;
  }

  function publish(volumeId: string, nodeId: string) {
    return { volume_id: volumeId, node_id: nodeId, volume_capability: MOUNT_RWO, readonly: false, secrets: {}, volume_context: {} };
  }

  it('attaches, returns the same context again, refuses a second node, detaches idempotently', async () => {
    const { controller, state } = setup();
    const volumeId = await volumeFor(controller, state, 'pub-1');
    const first = await controller.ControllerPublishVolume(publish(volumeId, 'node-1'), TEST_SCOPE);
    expect(first.publish_context).toEqual({ DevicePath: '/dev/vdb', VolumeID: volumeId });
    expect(state.volumes.get(volumeId)?.attachments.map((a) => a.server_id)).toEqual(['node-1']);
    expect(await controller.ControllerPublishVolume(publish(volumeId, 'node-1'), TEST_SCOPE)).toEqual(first);
    expect(await codeOf(controller.ControllerPublishVolume(publish(volumeId, 'node-2'), TEST_SCOPE))).toBe(Code.FAILED_PRECONDITION);
    expect(await codeOf(controller.DeleteVolume({ volume_id: volumeId, secrets: {} }, TEST_SCOPE))).toBe(Code.FAILED_PRECONDITION);

    const unpublish = { volume_id: volumeId, node_id: 'node-1', secrets: {} };
    await controller.ControllerUnpublishVolume(unpublish, TEST_SCOPE);
    expect(state.volumes.get(volumeId)?.attachments).toEqual([]);
    await controller.ControllerUnpublishVolume(unpublish, TEST_SCOPE);
    await controller.ControllerUnpublishVolume({ ...unpublish, node_id: 'gone-node' }, TEST_SCOPE);
  });

  it('answers RESOURCE_EXHAUSTED at the per-node limit and NOT_FOUND for unknown nodes/volumes', async () => {
    const { controller, state } = setup();
    const a = await volumeFor(controller, state, 'lim-1');
    const b = (await controller.CreateVolume(createRequest('lim-2'), TEST_SCOPE)).volume?.volume_id as string;
    await controller.ControllerPublishVolume(publish(a, 'node-1'), TEST_SCOPE);
    expect(await codeOf(controller.ControllerPublishVolume(publish(b, 'node-1'), TEST_SCOPE))).toBe(Code.RESOURCE_EXHAUSTED);
    expect(await codeOf(controller.ControllerPublishVolume(publish(b, 'nope'), TEST_SCOPE))).toBe(Code.NOT_FOUND);
    expect(await codeOf(controller.ControllerPublishVolume(publish('00000000-0000-4000-8000-ffffffffffff', 'node-2'), TEST_SCOPE))).toBe(
      Code.NOT_FOUND,
    );
  });
});

describe('Snapshots (fake cloud)', () => {
  it('returns ready_to_use=false while creating and true later; source mismatch → ALREADY_EXISTS', async () => {
    const { controller } = setup();
    const volumeId = (await controller.CreateVolume(createRequest('snap-src'), TEST_SCOPE)).volume?.volume_id as string;
    const other = (await controller.CreateVolume(createRequest('snap-other'), TEST_SCOPE)).volume?.volume_id as string;
    const request = { name: 'snap-1', source_volume_id: volumeId, parameters: {}, secrets: {} };
    const first = await controller.CreateSnapshot(request, TEST_SCOPE);
    expect(first.snapshot?.ready_to_use).toBe(false);
    const second = await controller.CreateSnapshot(request, TEST_SCOPE);
    expect(second.snapshot?.snapshot_id).toBe(first.snapshot?.snapshot_id);
    expect(second.snapshot?.ready_to_use).toBe(true);
    expect(second.snapshot?.creation_time?.seconds).toMatch(/^\d+$/);
    expect(await codeOf(controller.CreateSnapshot({ ...request, source_volume_id: other }, TEST_SCOPE))).toBe(Code.ALREADY_EXISTS);
    expect(await codeOf(controller.DeleteVolume({ volume_id: volumeId, secrets: {} }, TEST_SCOPE))).toBe(Code.FAILED_PRECONDITION);
    await controller.DeleteSnapshot({ snapshot_id: first.snapshot?.snapshot_id as string, secrets: {} }, TEST_SCOPE);
    await controller.DeleteSnapshot({ snapshot_id: first.snapshot?.snapshot_id as string, secrets: {} }, TEST_SCOPE);
    await controller.DeleteVolume({ volume_id: volumeId, secrets: {} }, TEST_SCOPE);
  });

  it('makes a backup through an intermediate snapshot that is removed once the backup is ready', async () => {
    const { controller, state } = setup();
    const volumeId = (await controller.CreateVolume(createRequest('bk-src'), TEST_SCOPE)).volume?.volume_id as string;
    const request = { name: 'bk-1', source_volume_id: volumeId, parameters: { type: 'backup' }, secrets: {} };
    const first = await controller.CreateSnapshot(request, TEST_SCOPE);
    expect(state.backups.has(first.snapshot?.snapshot_id as string)).toBe(true);
    expect(first.snapshot?.ready_to_use).toBe(false);
    expect([...state.snapshots.values()].map((s) => s.name)).toEqual(['bk-1']);
    const second = await controller.CreateSnapshot(request, TEST_SCOPE);
    expect(second.snapshot?.ready_to_use).toBe(true);
    // The intermediate snapshot is being deleted; one more read completes it.
    await controller.ListSnapshots({ max_entries: 0, starting_token: '', source_volume_id: '', snapshot_id: 'x', secrets: {} }, TEST_SCOPE);
    const snapshotIds = [...state.snapshots.values()].filter((s) => s.status !== 'deleting');
    expect(snapshotIds).toEqual([]);
  });
});

describe('Expand, modify, capacity (fake cloud)', () => {
  it('extends online with node expansion only for mount', async () => {
    const { controller, state } = setup();
    addServer(state, 'node-1');
    const volumeId = (await controller.CreateVolume(createRequest('ex-1'), TEST_SCOPE)).volume?.volume_id as string;
    await controller.ControllerPublishVolume(
      { volume_id: volumeId, node_id: 'node-1', volume_capability: MOUNT_RWO, readonly: false, secrets: {}, volume_context: {} },
      TEST_SCOPE,
    );
    const grown = await controller.ControllerExpandVolume(
      { volume_id: volumeId, capacity_range: { required_bytes: String(5 * GiB), limit_bytes: '0' }, secrets: {}, volume_capability: MOUNT_RWO },
      TEST_SCOPE,
    );
    expect(grown).toEqual({ capacity_bytes: String(5 * GiB), node_expansion_required: true });
    expect(state.calls).toContain(`extendVolume ${volumeId} 5 true`);
    const again = await controller.ControllerExpandVolume(
      { volume_id: volumeId, capacity_range: { required_bytes: String(4 * GiB), limit_bytes: '0' }, secrets: {}, volume_capability: { access_mode: { mode: 'SINGLE_NODE_WRITER' }, access_type: 'block', block: {} } },
      TEST_SCOPE,
    );
    expect(again).toEqual({ capacity_bytes: String(5 * GiB), node_expansion_required: false });
    expect(
      await codeOf(
        controller.ControllerExpandVolume(
          { volume_id: volumeId, capacity_range: { required_bytes: String(6 * GiB), limit_bytes: String(5 * GiB) }, secrets: {}, volume_capability: MOUNT_RWO },
          TEST_SCOPE,
        ),
      ),
    ).toBe(Code.OUT_OF_RANGE);
  });

  it('retypes and rejects unknown mutable keys', async () => {
    const { controller, state } = setup();
    const volumeId = (await controller.CreateVolume(createRequest('mod-1'), TEST_SCOPE)).volume?.volume_id as string;
    await controller.ControllerModifyVolume({ volume_id: volumeId, mutable_parameters: { type: 'fast' }, secrets: {} }, TEST_SCOPE);
    expect(state.volumes.get(volumeId)?.volume_type).toBe('fast');
    expect(await codeOf(controller.ControllerModifyVolume({ volume_id: volumeId, mutable_parameters: { iops: '5' }, secrets: {} }, TEST_SCOPE))).toBe(
      Code.INVALID_ARGUMENT,
    );
  });

  it('reports capacity from quota and omits it when unlimited', async () => {
    const { controller, state } = setup();
    state.quota = { gigabytes: { limit: 100, in_use: 30, reserved: 5 }, gigabytes_fast: { limit: 20, in_use: 0, reserved: 0 } };
    const request = { volume_capabilities: [], parameters: {}, accessible_topology: null };
    expect((await controller.GetCapacity(request, TEST_SCOPE)).available_capacity).toBe(String(65 * GiB));
    expect((await controller.GetCapacity({ ...request, parameters: { type: 'fast' } }, TEST_SCOPE)).available_capacity).toBe(String(20 * GiB));
    state.quota = { gigabytes: { limit: -1, in_use: 30, reserved: 0 } };
    expect(await controller.GetCapacity(request, TEST_SCOPE)).toEqual({});
  });
});

describe('ListVolumes across clouds (fake cloud)', () => {
  it('walks clouds in name order with <marker>:<cloud> tokens and rejects bad tokens', async () => {
    const east = createFakeCloud('east');
    const { controller } = setup({ east: east.cloud });
    for (const name of ['l1', 'l2', 'l3']) await controller.CreateVolume(createRequest(name), TEST_SCOPE);
    await east.cloud.blockStorage.createVolume({ size: 1, name: 'e1' });
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await controller.ListVolumes({ max_entries: 2, starting_token: token }, TEST_SCOPE);
      seen.push(...page.entries!.map((entry) => entry.volume?.volume_id as string));
      token = page.next_token ?? '';
      pages++;
    } while (token && pages < 10);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect(await codeOf(controller.ListVolumes({ max_entries: 2, starting_token: 'bogus' }, TEST_SCOPE))).toBe(Code.ABORTED);
    // Cinder capping pages below max_entries must not skip the rest of a cloud.
    east.state.maxPageSize = 1;
    for (const name of ['e2', 'e3']) await east.cloud.blockStorage.createVolume({ size: 1, name });
    const eastOnly = await controller.ListVolumes({ max_entries: 10, starting_token: ':east' }, TEST_SCOPE);
    expect(eastOnly.entries).toHaveLength(3);
    expect(eastOnly.next_token).toBe('');
    expect(await codeOf(controller.ListVolumes({ max_entries: 2, starting_token: 'x:nowhere' }, TEST_SCOPE))).toBe(Code.ABORTED);
  });
});

describe('PVC annotations (fake cloud)', () => {
  it('turns affinity / anti-affinity annotations into Cinder scheduler hints', async () => {
    const { cloud, state } = createFakeCloud('');
    const seen: unknown[] = [];
    const createVolume = cloud.blockStorage.createVolume.bind(cloud.blockStorage);
    cloud.blockStorage.createVolume = async (options) => {
      seen.push(options.schedulerHints);
      return createVolume(options);
    };
    const reads: string[] = [];
    const { controller } = controllerOn(cloud, {
      pvcAnnotations: true,
      pvcAnnotationReader: async (namespace, name): Promise<Record<string, string>> => {
        reads.push(`${namespace}/${name}`);
        return name === 'data'
          ? { 'cinder.csi.openstack.org/affinity': 'neighbour', 'cinder.csi.openstack.org/anti-affinity': '11111111-2222-4333-8444-555555555555' }
          : {};
      },
    });
    const neighbour = await controller.CreateVolume(createRequest('neighbour'), TEST_SCOPE);
    await controller.CreateVolume(
      createRequest('with-hints', { parameters: { 'csi.storage.k8s.io/pvc/name': 'data', 'csi.storage.k8s.io/pvc/namespace': 'apps' } }),
      TEST_SCOPE,
    );
    expect(reads).toEqual(['apps/data']);
    expect(seen).toEqual([
      undefined,
      { same_host: [neighbour.volume?.volume_id], different_host: ['11111111-2222-4333-8444-555555555555'] },
    ]);
    expect(state.volumes.size).toBe(2);
    // A PVC without the annotations gets no hints (and no error).
    const plain = await codeOf(
      controller.CreateVolume(
        createRequest('no-hints', { parameters: { 'csi.storage.k8s.io/pvc/name': 'data2', 'csi.storage.k8s.io/pvc/namespace': 'apps' } }),
        TEST_SCOPE,
      ),
    );
    expect(plain).toBeUndefined();
    expect(seen[2]).toBeUndefined();
  });
});

describe('without topology (fake cloud)', () => {
  it('ignores topology requirements and reports no accessible topology', async () => {
    const { cloud, state } = createFakeCloud('');
    const { controller } = controllerOn(cloud, { withTopology: false });
    const response = await controller.CreateVolume(
      createRequest('no-topo', { accessibility_requirements: { requisite: [{ segments: { [TOPOLOGY_ZONE_KEY]: 'zone-x' } }], preferred: [] } }),
      TEST_SCOPE,
    );
    expect(response.volume?.accessible_topology).toEqual([]);
    expect(state.volumes.get(response.volume?.volume_id as string)?.availability_zone).toBe('nova');
  });
});

describe('backup budget (fake cloud)', () => {
  it('answers DEADLINE_EXCEEDED once a backup is still creating past backup-max-duration-seconds-per-gb', async () => {
    const { controller, state } = setup();
    const volumeId = (await controller.CreateVolume(createRequest('budget-src'), TEST_SCOPE)).volume?.volume_id as string;
    const request = { name: 'budget', source_volume_id: volumeId, parameters: { type: 'backup', 'backup-max-duration-seconds-per-gb': '10' }, secrets: {} };
    const first = await controller.CreateSnapshot(request, TEST_SCOPE);
    const backup = state.backups.get(first.snapshot?.snapshot_id as string)!;
    state.readsPerTransition = 1000;
    // 2 GiB × 10 s + 30 s = 50 s budget: 40 s in is fine, 60 s in is not.
    backup.created_at = new Date(Date.now() - 40_000).toISOString();
    expect((await controller.CreateSnapshot(request, TEST_SCOPE)).snapshot?.ready_to_use).toBe(false);
    backup.created_at = new Date(Date.now() - 60_000).toISOString();
    const error = (await controller.CreateSnapshot(request, TEST_SCOPE).catch((e: unknown) => e)) as CsiError;
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(error.message).toContain('50 s');
  });
});
