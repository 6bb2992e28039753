/**
 * Cinder controller over real gRPC against the simulator: capabilities, CreateVolume, DeleteVolume,
 * ValidateVolumeCapabilities, ListVolumes, ControllerGetVolume, GetCapacity, multi-cloud, in-flight.
 */
import { Code } from '../../pkg/csi/errors';
import type { CreateVolumeRequest } from '../../pkg/csi/generated/csi/v1/CreateVolumeRequest';
import { TOPOLOGY_ZONE_KEY } from '../../pkg/cinder/constants';
import { block, eventually, failure, GiB, mount, RWO, harnessForFile, pagedIds, startHarness, type Harness } from './harness';

const h = harnessForFile({ withEast: true });

const zone = (name: string) => ({ segments: { [TOPOLOGY_ZONE_KEY]: name } });

function request(name: string, extra: Partial<CreateVolumeRequest> = {}): CreateVolumeRequest {
  return { name, capacity_range: { required_bytes: String(GiB) }, volume_capabilities: [RWO], ...extra };
}

describe('capabilities', () => {
  it('advertises every controller and group controller capability of the issue', async () => {
    const controller = await h().client.controller.ControllerGetCapabilities({});
    expect(controller.capabilities.map((c) => c.rpc?.type).sort()).toEqual(
      [
        'CREATE_DELETE_VOLUME',
        'PUBLISH_UNPUBLISH_VOLUME',
        'LIST_VOLUMES',
        'LIST_VOLUMES_PUBLISHED_NODES',
        'GET_VOLUME',
        'VOLUME_CONDITION',
        'CREATE_DELETE_SNAPSHOT',
        'LIST_SNAPSHOTS',
        'GET_SNAPSHOT',
        'CLONE_VOLUME',
        'EXPAND_VOLUME',
        'MODIFY_VOLUME',
        'GET_CAPACITY',
        'SINGLE_NODE_MULTI_WRITER',
      ].sort(),
    );
    const group = await h().client.groupController.GroupControllerGetCapabilities({});
    expect(group.capabilities.map((c) => c.rpc?.type)).toEqual(['CREATE_DELETE_GET_VOLUME_GROUP_SNAPSHOT']);
  });
});

describe('CreateVolume', () => {
  it('rounds up to whole GiB, waits for available and writes CPO metadata', async () => {
    const response = await h().client.controller.CreateVolume(
      request('cv-round', {
        capacity_range: { required_bytes: String(GiB + 1) },
        parameters: {
          'csi.storage.k8s.io/pvc/name': 'data',
          'csi.storage.k8s.io/pvc/namespace': 'apps',
          'csi.storage.k8s.io/pv/name': 'pv-round',
          'csi.storage.k8s.io/fstype': 'xfs',
          fsType: 'ext4',
        },
      }),
    );
    expect(response.volume?.capacity_bytes).toBe(String(2 * GiB));
    const volume = await h().cloud.blockStorage.getVolume(response.volume!.volume_id);
    // Answered only once Cinder reports the volume usable (CPO returns while it is still `creating`).
    expect(volume.status).toBe('available');
    expect(volume.size).toBe(2);
    expect(volume.name).toBe('cv-round');
    expect(volume.description).toBe('Created by OpenStack Cinder CSI driver');
    expect(volume.metadata).toEqual({
      'cinder.csi.openstack.org/cluster': 'ctrl-test',
      'csi.storage.k8s.io/pvc/name': 'data',
      'csi.storage.k8s.io/pvc/namespace': 'apps',
      'csi.storage.k8s.io/pv/name': 'pv-round',
    });
    expect(response.volume?.accessible_topology).toEqual([zone('nova')]);
    expect(response.volume?.volume_context).toEqual({});
  });

  it('defaults to 1 GiB and answers OUT_OF_RANGE when no whole GiB fits', async () => {
    const small = await h().client.controller.CreateVolume(request('cv-default', { capacity_range: null }));
    expect(small.volume?.capacity_bytes).toBe(String(GiB));
    const error = await failure(
      h().client.controller.CreateVolume(request('cv-range', { capacity_range: { required_bytes: String(GiB + 1), limit_bytes: String(GiB + 2) } })),
    );
    expect(error.code).toBe(Code.OUT_OF_RANGE);
  });

  it('rejects a parameter typo listing the accepted keys, and an unknown cloud', async () => {
    const typo = await failure(h().client.controller.CreateVolume(request('cv-typo', { parameters: { avaliability: 'nova' } })));
    expect(typo.code).toBe(Code.INVALID_ARGUMENT);
    expect(typo.details).toContain('"avaliability"');
    expect(typo.details).toContain('"type", "availability", "fsType", "csi.storage.k8s.io/*"');
    const badType = await failure(h().client.controller.CreateVolume(request('cv-gold', { parameters: { type: 'gold' } })));
    expect(badType.code).toBe(Code.INVALID_ARGUMENT);
    expect(badType.details).toContain('gold');
    const cloud = await failure(h().client.controller.CreateVolume(request('cv-cloud', { secrets: { cloud: 'west' } })));
    expect(cloud.code).toBe(Code.INVALID_ARGUMENT);
    expect(cloud.details).toContain('"west"');
    expect((await h().cloud.blockStorage.listVolumes({ name: 'cv-typo' })).items).toEqual([]);
  });

  it('takes the zone from `availability`, else preferred, else requisite topology', async () => {
    const byParameter = await h().client.controller.CreateVolume(
      request('cv-az-param', { parameters: { availability: 'zone-b' }, accessibility_requirements: { preferred: [zone('nova')] } }),
    );
    expect(byParameter.volume?.accessible_topology).toEqual([zone('zone-b')]);
    const byPreferred = await h().client.controller.CreateVolume(
      request('cv-az-pref', { accessibility_requirements: { requisite: [zone('nova'), zone('zone-b')], preferred: [zone('zone-b')] } }),
    );
    expect(byPreferred.volume?.accessible_topology).toEqual([zone('zone-b')]);
    const byRequisite = await h().client.controller.CreateVolume(request('cv-az-req', { accessibility_requirements: { requisite: [zone('zone-b')] } }));
    expect((await h().cloud.blockStorage.getVolume(byRequisite.volume!.volume_id)).availability_zone).toBe('zone-b');
  });

  it('is idempotent by name; another size is ALREADY_EXISTS', async () => {
    const first = await h().client.controller.CreateVolume(request('cv-idem'));
    const second = await h().client.controller.CreateVolume(request('cv-idem'));
    expect(second.volume?.volume_id).toBe(first.volume?.volume_id);
    expect((await h().cloud.blockStorage.listVolumes({ name: 'cv-idem' })).items).toHaveLength(1);
    const error = await failure(h().client.controller.CreateVolume(request('cv-idem', { capacity_range: { required_bytes: String(3 * GiB) } })));
    expect(error.code).toBe(Code.ALREADY_EXISTS);
    expect(error.details).toContain(first.volume!.volume_id);
  });

  it("reports Cinder's fault when creation ends in error, and deletes the failed volume", async () => {
    h().sim.control.failNextTransition({ kind: 'volume', operation: 'create', fault: 'No valid backend was found.' });
    const error = await failure(h().client.controller.CreateVolume(request('cv-fail')));
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.details).toContain('No valid backend was found.');
    await eventually(async () => (await h().cloud.blockStorage.listVolumes({ name: 'cv-fail' })).items.length === 0, 'the failed volume to go');
    // The retry starts clean.
    const retry = await h().client.controller.CreateVolume(request('cv-fail'));
    expect((await h().cloud.blockStorage.getVolume(retry.volume!.volume_id)).status).toBe('available');
  });

  it('validates access modes; MULTI_NODE_MULTI_WRITER only for block on a multi-attach type', async () => {
    const mountRwx = await failure(h().client.controller.CreateVolume(request('cv-rwx-mount', { volume_capabilities: [mount('MULTI_NODE_MULTI_WRITER')], parameters: { type: 'multiattach' } })));
    expect(mountRwx.code).toBe(Code.INVALID_ARGUMENT);
    expect(mountRwx.details).toContain('only supported for block');
    const plainType = await failure(h().client.controller.CreateVolume(request('cv-rwx-ssd', { volume_capabilities: [block('MULTI_NODE_MULTI_WRITER')], parameters: { type: 'ssd' } })));
    expect(plainType.code).toBe(Code.INVALID_ARGUMENT);
    expect(plainType.details).toContain('multi-attach');
    const singleWriter = await failure(h().client.controller.CreateVolume(request('cv-mnsw', { volume_capabilities: [mount('MULTI_NODE_SINGLE_WRITER')] })));
    expect(singleWriter.code).toBe(Code.INVALID_ARGUMENT);
    const ok = await h().client.controller.CreateVolume(request('cv-rwx-ok', { volume_capabilities: [block('MULTI_NODE_MULTI_WRITER')], parameters: { type: 'multiattach' } }));
    expect((await h().cloud.blockStorage.getVolume(ok.volume!.volume_id)).multiattach).toBe(true);
    for (const mode of ['SINGLE_NODE_SINGLE_WRITER', 'SINGLE_NODE_MULTI_WRITER', 'SINGLE_NODE_READER_ONLY', 'MULTI_NODE_READER_ONLY']) {
      await h().client.controller.CreateVolume(request(`cv-mode-${mode.toLowerCase()}`, { volume_capabilities: [mount(mode)] }));
    }
  });

  it('clones a volume and restores a snapshot, marking both for a filesystem resize', async () => {
    const source = await h().client.controller.CreateVolume(request('cv-src'));
    const clone = await h().client.controller.CreateVolume(
      request('cv-clone', { capacity_range: { required_bytes: String(2 * GiB) }, volume_content_source: { volume: { volume_id: source.volume!.volume_id } } }),
    );
    expect(clone.volume?.volume_context).toEqual({ 'cinder.csi.openstack.org/resizeRequired': 'true' });
    expect(clone.volume?.content_source?.volume?.volume_id).toBe(source.volume!.volume_id);
    expect((await h().cloud.blockStorage.getVolume(clone.volume!.volume_id)).source_volid).toBe(source.volume!.volume_id);

    const snapshot = await h().client.controller.CreateSnapshot({ name: 'cv-src-snap', source_volume_id: source.volume!.volume_id });
    await eventually(async () => (await h().client.controller.GetSnapshot({ snapshot_id: snapshot.snapshot!.snapshot_id })).snapshot?.ready_to_use === true, 'snapshot ready');
    const restored = await h().client.controller.CreateVolume(
      request('cv-restore', { volume_content_source: { snapshot: { snapshot_id: snapshot.snapshot!.snapshot_id } } }),
    );
    expect(restored.volume?.volume_context).toEqual({ 'cinder.csi.openstack.org/resizeRequired': 'true' });
    expect((await h().cloud.blockStorage.getVolume(restored.volume!.volume_id)).snapshot_id).toBe(snapshot.snapshot!.snapshot_id);

    const missing = await failure(h().client.controller.CreateVolume(request('cv-missing-src', { volume_content_source: { volume: { volume_id: '00000000-0000-4000-8000-00000000dead' } } })));
    expect(missing.code).toBe(Code.NOT_FOUND);
    const missingSnapshot = await failure(h().client.controller.CreateVolume(request('cv-missing-snap', { volume_content_source: { snapshot: { snapshot_id: '00000000-0000-4000-8000-00000000beef' } } })));
    expect(missingSnapshot.code).toBe(Code.NOT_FOUND);
  });

  it('waits for a source snapshot that is still creating, and answers UNAVAILABLE if it stays so', async () => {
    const source = await h().client.controller.CreateVolume(request('cv-src-busy'));
    // Restoring right after snapshotting: the controller waits for the snapshot instead of failing.
    const fresh = await h().client.controller.CreateSnapshot({ name: 'cv-fresh-snap', source_volume_id: source.volume!.volume_id });
    expect(fresh.snapshot?.ready_to_use).toBe(false);
    const restored = await h().client.controller.CreateVolume(request('cv-from-fresh', { volume_content_source: { snapshot: { snapshot_id: fresh.snapshot!.snapshot_id } } }));
    expect((await h().cloud.blockStorage.getVolume(restored.volume!.volume_id)).snapshot_id).toBe(fresh.snapshot!.snapshot_id);

    const impatient = await startHarness({ controller: { waitSchedules: { snapshotReady: { initialDelayMs: 10, factor: 1, checks: 3 } } } });
    try {
      const volume = await impatient.client.controller.CreateVolume(request('cv-src-held'));
      const hold = impatient.sim.control.holdStatus({ kind: 'snapshot', status: 'creating' });
      const snapshot = await impatient.client.controller.CreateSnapshot({ name: 'cv-busy-snap', source_volume_id: volume.volume!.volume_id });
      const error = await failure(impatient.client.controller.CreateVolume(request('cv-from-busy', { volume_content_source: { snapshot: { snapshot_id: snapshot.snapshot!.snapshot_id } } })));
      expect(error.code).toBe(Code.UNAVAILABLE);
      expect(error.details).toContain('still "creating"');
      impatient.sim.control.releaseHold(hold);
    } finally {
      await impatient.stop();
    }
  });

  it('answers RESOURCE_EXHAUSTED with the quota message on 413', async () => {
    const error = await failure(h().client.controller.CreateVolume(request('cv-huge', { capacity_range: { required_bytes: String(5000 * GiB) } })));
    expect(error.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/quota/i);
  });

  it('gets concurrent duplicates ABORTED while the first is still waiting', async () => {
    const hold = h().sim.control.holdStatus({ kind: 'volume', status: 'creating' });
    const first = h().client.controller.CreateVolume(request('cv-dup'));
    await eventually(async () => (await h().cloud.blockStorage.listVolumes({ name: 'cv-dup' })).items.length === 1, 'the first create to reach Cinder');
    const duplicate = await failure(h().client.controller.CreateVolume(request('cv-dup')));
    expect(duplicate.code).toBe(Code.ABORTED);
    h().sim.control.releaseHold(hold);
    const done = await first;
    expect((await h().cloud.blockStorage.getVolume(done.volume!.volume_id)).status).toBe('available');
  });
});

describe('CreateVolume waits', () => {
  it('answers DEADLINE_EXCEEDED with the last status when Cinder is slow, and the retry returns the same volume', async () => {
    const impatient = await startHarness({ controller: { waitSchedules: { volumeCreate: { initialDelayMs: 10, factor: 1, checks: 3 } } } });
    try {
      const hold = impatient.sim.control.holdStatus({ kind: 'volume', status: 'creating' });
      const slow = await failure(impatient.client.controller.CreateVolume(request('cv-slow')));
      expect(slow.code).toBe(Code.DEADLINE_EXCEEDED);
      expect(slow.details).toContain('to become available');
      expect(slow.details).toContain('last status "creating"');
      impatient.sim.control.releaseHold(hold);
      // The retry's own wait is deliberately short; let Cinder finish first so it is not a race.
      await eventually(
        async () => (await impatient.cloud.blockStorage.listVolumes({ name: 'cv-slow' })).items[0]?.status === 'available',
        'the held volume to become available',
      );
      const retried = await impatient.client.controller.CreateVolume(request('cv-slow'));
      const volumes = (await impatient.cloud.blockStorage.listVolumes({ name: 'cv-slow' })).items;
      expect(volumes.map((volume) => volume.id)).toEqual([retried.volume!.volume_id]);
      expect(volumes[0].status).toBe('available');
    } finally {
      await impatient.stop();
    }
  });
});

describe('DeleteVolume', () => {
  it('deletes and waits until gone; gone is OK', async () => {
    const created = await h().client.controller.CreateVolume(request('dv-1'));
    await h().client.controller.DeleteVolume({ volume_id: created.volume!.volume_id });
    await expect(h().cloud.blockStorage.getVolume(created.volume!.volume_id)).rejects.toThrow(/could not be found/);
    await h().client.controller.DeleteVolume({ volume_id: created.volume!.volume_id });
  });

  it('refuses while attached, naming the server, and while snapshots exist, naming them', async () => {
    const created = await h().client.controller.CreateVolume(request('dv-attached'));
    const volumeId = created.volume!.volume_id;
    await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO });
    const attached = await failure(h().client.controller.DeleteVolume({ volume_id: volumeId }));
    expect(attached.code).toBe(Code.FAILED_PRECONDITION);
    expect(attached.details).toContain(h().nodes.a.id);
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id });

    const snapshot = await h().client.controller.CreateSnapshot({ name: 'dv-snap', source_volume_id: volumeId });
    const withSnapshot = await failure(h().client.controller.DeleteVolume({ volume_id: volumeId }));
    expect(withSnapshot.code).toBe(Code.FAILED_PRECONDITION);
    expect(withSnapshot.details).toContain(snapshot.snapshot!.snapshot_id);
    await eventually(async () => (await h().client.controller.GetSnapshot({ snapshot_id: snapshot.snapshot!.snapshot_id })).snapshot?.ready_to_use === true, 'snapshot ready');
    await h().client.controller.DeleteSnapshot({ snapshot_id: snapshot.snapshot!.snapshot_id });
    await h().client.controller.DeleteVolume({ volume_id: volumeId });
  });
});

describe('ValidateVolumeCapabilities', () => {
  it('confirms supported capabilities and explains unsupported ones', async () => {
    const created = await h().client.controller.CreateVolume(request('vc-1'));
    const volumeId = created.volume!.volume_id;
    const ok = await h().client.controller.ValidateVolumeCapabilities({ volume_id: volumeId, volume_capabilities: [RWO, block('SINGLE_NODE_READER_ONLY')] });
    expect(ok.confirmed?.volume_capabilities).toHaveLength(2);
    const rwx = await h().client.controller.ValidateVolumeCapabilities({ volume_id: volumeId, volume_capabilities: [block('MULTI_NODE_MULTI_WRITER')] });
    expect(rwx.confirmed).toBeNull();
    expect(rwx.message).toContain('multi-attach');
    const missing = await failure(h().client.controller.ValidateVolumeCapabilities({ volume_id: '00000000-0000-4000-8000-00000000dead', volume_capabilities: [RWO] }));
    expect(missing.code).toBe(Code.NOT_FOUND);
  });
});

describe('ListVolumes and ControllerGetVolume', () => {
  it('pages across clouds in name order with published node IDs; bad tokens are ABORTED', async () => {
    const east = await h().client.controller.CreateVolume(request('lv-east', { secrets: { cloud: 'east' } }));
    expect((await h().eastCloud!.blockStorage.getVolume(east.volume!.volume_id)).name).toBe('lv-east');
    const attached = await h().client.controller.CreateVolume(request('lv-attached'));
    await h().client.controller.ControllerPublishVolume({ volume_id: attached.volume!.volume_id, node_id: h().nodes.a.id, volume_capability: RWO });

    const all = await h().client.controller.ListVolumes({});
    expect(all.next_token).toBe('');
    const allIds = all.entries.map((entry) => entry.volume!.volume_id);
    expect(allIds[allIds.length - 1]).toBe(east.volume!.volume_id);
    const attachedEntry = all.entries.find((entry) => entry.volume?.volume_id === attached.volume!.volume_id);
    expect(attachedEntry?.status?.published_node_ids).toEqual([h().nodes.a.id]);

    const paged = await pagedIds(async (request) => {
      const page = await h().client.controller.ListVolumes(request);
      return { ids: page.entries.map((entry) => entry.volume!.volume_id), next_token: page.next_token };
    }, 3);
    expect(paged).toEqual(allIds);

    expect((await failure(h().client.controller.ListVolumes({ starting_token: 'not-a-token' }))).code).toBe(Code.ABORTED);
    expect((await failure(h().client.controller.ListVolumes({ starting_token: '00000000-0000-4000-8000-00000000dead:' }))).code).toBe(Code.ABORTED);
    await h().client.controller.ControllerUnpublishVolume({ volume_id: attached.volume!.volume_id, node_id: h().nodes.a.id });
  });

  it('reports capacity, published nodes and a volume condition', async () => {
    const created = await h().client.controller.CreateVolume(request('gv-1', { capacity_range: { required_bytes: String(3 * GiB) } }));
    const volumeId = created.volume!.volume_id;
    await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO });
    const healthy = await h().client.controller.ControllerGetVolume({ volume_id: volumeId });
    expect(healthy.volume?.capacity_bytes).toBe(String(3 * GiB));
    expect(healthy.status?.published_node_ids).toEqual([h().nodes.a.id]);
    expect(healthy.status?.volume_condition?.abnormal).toBe(false);

    // Nova forgets the server (deleted node): the attachment is now abnormal.
    const fault = h().sim.control.addFault({ match: { method: 'GET', path: new RegExp(`/servers/${h().nodes.a.id}$`) }, action: { type: 'error', status: 404, message: 'Instance could not be found.' } });
    const orphaned = await h().client.controller.ControllerGetVolume({ volume_id: volumeId });
    expect(orphaned.status?.volume_condition).toEqual({ abnormal: true, message: expect.stringContaining(h().nodes.a.id) });
    h().sim.control.removeFault(fault);
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id });

    // An extend that fails leaves the volume in error_extending.
    h().sim.control.failNextTransition({ kind: 'volume', operation: 'extend', fault: 'backend refused to grow' });
    const extend = await failure(h().client.controller.ControllerExpandVolume({ volume_id: volumeId, capacity_range: { required_bytes: String(4 * GiB) } }));
    expect(extend.code).toBe(Code.INTERNAL);
    const broken = await h().client.controller.ControllerGetVolume({ volume_id: volumeId });
    expect(broken.status?.volume_condition?.abnormal).toBe(true);
    expect(broken.status?.volume_condition?.message).toContain('error_extending');

    expect((await failure(h().client.controller.ControllerGetVolume({ volume_id: '00000000-0000-4000-8000-00000000dead' }))).code).toBe(Code.NOT_FOUND);
  });

  it('finds volumes of other clouds without secrets', async () => {
    const east = await h().client.controller.CreateVolume(request('gv-east', { secrets: { cloud: 'east' } }));
    const found = await h().client.controller.ControllerGetVolume({ volume_id: east.volume!.volume_id });
    expect(found.volume?.volume_id).toBe(east.volume!.volume_id);
  });
});

describe('GetCapacity', () => {
  it('reports what is left of the gigabytes quota', async () => {
    const usage = await h().cloud.blockStorage.getQuotaUsage(await h().cloud.projectId());
    const left = usage.gigabytes.limit - usage.gigabytes.in_use - usage.gigabytes.reserved;
    const capacity = await h().client.controller.GetCapacity({});
    expect(capacity.available_capacity).toBe(String(left * GiB));
    // Per-type quotas are unlimited here, so the project-wide one decides.
    const typed = await h().client.controller.GetCapacity({ parameters: { type: 'ssd' } });
    expect(typed.available_capacity).toBe(String(left * GiB));
    expect(capacity.maximum_volume_size).toBeNull();
    const typo = await failure(h().client.controller.GetCapacity({ parameters: { tpye: 'ssd' } }));
    expect(typo.code).toBe(Code.INVALID_ARGUMENT);
  });

  it('omits the capacity when the quota is unlimited, and reports the per-volume limit', async () => {
    let other: Harness | undefined;
    try {
      other = await startHarness({ sim: { quotas: { blockStorage: { gigabytes: -1, per_volume_gigabytes: 50 } } } });
      const capacity = await other.client.controller.GetCapacity({});
      // Omitted: an unset int64 reads as "0" on the wire.
      expect(capacity.available_capacity).toBe('0');
      expect(capacity.maximum_volume_size).toEqual({ value: String(50 * GiB) });
    } finally {
      await other?.stop();
    }
  });
});

describe('ignore-volume-az', () => {
  it('lets Cinder choose when the node zone is unknown to Cinder, and echoes the requested topology', async () => {
    const other = await startHarness({ controller: { ignoreVolumeAZ: true } });
    try {
      const response = await other.client.controller.CreateVolume(request('az-ignore', { accessibility_requirements: { requisite: [zone('compute-1')], preferred: [zone('compute-1')] } }));
      expect(response.volume?.accessible_topology).toEqual([zone('compute-1')]);
      expect((await other.cloud.blockStorage.getVolume(response.volume!.volume_id)).availability_zone).toBe('nova');
    } finally {
      await other.stop();
    }
  });
});
