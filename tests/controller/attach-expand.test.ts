/**
 * Cinder controller over real gRPC against the simulator: ControllerPublish/Unpublish through Nova,
 * ControllerExpandVolume and ControllerModifyVolume.
 */
import { TOPOLOGY_ZONE_KEY } from '../../pkg/cinder/constants';
import { sanitizeZone } from '../../pkg/cinder/node';
import { Code } from '../../pkg/csi/errors';
import type { CreateVolumeRequest } from '../../pkg/csi/generated/csi/v1/CreateVolumeRequest';
import { block, eventually, failure, GiB, mount, requestCount, RWO, harnessForFile, startHarness } from './harness';

const h = harnessForFile();

async function newVolume(name: string, extra: Partial<CreateVolumeRequest> = {}): Promise<string> {
  const response = await h().client.controller.CreateVolume({ name, capacity_range: { required_bytes: String(GiB) }, volume_capabilities: [RWO], ...extra });
  return response.volume!.volume_id;
}

describe('ControllerPublishVolume / ControllerUnpublishVolume', () => {
  it('attaches through Nova, waits until Cinder shows it, and repeats with the same context', async () => {
    const volumeId = await newVolume('pub-1');
    const published = await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO });
    const volume = await h().cloud.blockStorage.getVolume(volumeId);
    expect(volume.status).toBe('in-use');
    expect(volume.attachments.map((attachment) => attachment.server_id)).toEqual([h().nodes.a.id]);
    expect(published.publish_context).toEqual({ DevicePath: volume.attachments[0].device, VolumeID: volumeId });
    expect(published.publish_context.DevicePath).toMatch(/^\/dev\/\w+$/);

    const attachCalls = () => requestCount(h().sim, 'POST', /os-volume_attachments$/);
    const before = attachCalls();
    const again = await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO });
    expect(again.publish_context).toEqual(published.publish_context);
    expect(attachCalls()).toBe(before);

    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id });
    const detached = await h().cloud.blockStorage.getVolume(volumeId);
    expect(detached.status).toBe('available');
    expect(detached.attachments).toEqual([]);
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id });
  });

  it('refuses a second node for a single-attach volume, allows it for a multi-attach one', async () => {
    const single = await newVolume('pub-single');
    await h().client.controller.ControllerPublishVolume({ volume_id: single, node_id: h().nodes.a.id, volume_capability: RWO });
    const refused = await failure(h().client.controller.ControllerPublishVolume({ volume_id: single, node_id: h().nodes.b.id, volume_capability: RWO }));
    expect(refused.code).toBe(Code.FAILED_PRECONDITION);
    expect(refused.details).toContain(h().nodes.a.id);
    await h().client.controller.ControllerUnpublishVolume({ volume_id: single, node_id: h().nodes.a.id });

    const rwx = block('MULTI_NODE_MULTI_WRITER');
    const shared = await newVolume('pub-shared', { volume_capabilities: [rwx], parameters: { type: 'multiattach' } });
    await h().client.controller.ControllerPublishVolume({ volume_id: shared, node_id: h().nodes.a.id, volume_capability: rwx });
    await h().client.controller.ControllerPublishVolume({ volume_id: shared, node_id: h().nodes.b.id, volume_capability: rwx });
    const volume = await h().cloud.blockStorage.getVolume(shared);
    expect(volume.attachments.map((attachment) => attachment.server_id).sort()).toEqual([h().nodes.a.id, h().nodes.b.id].sort());
    const listed = await h().client.controller.ControllerGetVolume({ volume_id: shared });
    expect([...listed.status!.published_node_ids].sort()).toEqual([h().nodes.a.id, h().nodes.b.id].sort());
    // An empty node ID detaches from every node.
    await h().client.controller.ControllerUnpublishVolume({ volume_id: shared, node_id: '' });
    expect((await h().cloud.blockStorage.getVolume(shared)).attachments).toEqual([]);
  });

  it('rejects a filesystem capability with several writers on a multi-attach volume', async () => {
    const shared = await newVolume('pub-shared-mount', { volume_capabilities: [block('MULTI_NODE_MULTI_WRITER')], parameters: { type: 'multiattach' } });
    const error = await failure(
      h().client.controller.ControllerPublishVolume({ volume_id: shared, node_id: h().nodes.a.id, volume_capability: mount('MULTI_NODE_MULTI_WRITER') }),
    );
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
  });

  it('answers NOT_FOUND for an unknown volume or node, RESOURCE_EXHAUSTED at the node limit', async () => {
    const volumeId = await newVolume('pub-limit-1');
    const second = await newVolume('pub-limit-2');
    expect((await failure(h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: '00000000-0000-4000-8000-0000000000aa', volume_capability: RWO }))).code).toBe(
      Code.NOT_FOUND,
    );
    expect((await failure(h().client.controller.ControllerPublishVolume({ volume_id: '00000000-0000-4000-8000-00000000dead', node_id: h().nodes.a.id, volume_capability: RWO }))).code).toBe(
      Code.NOT_FOUND,
    );
    await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.small.id, volume_capability: RWO });
    const limit = await failure(h().client.controller.ControllerPublishVolume({ volume_id: second, node_id: h().nodes.small.id, volume_capability: RWO }));
    expect(limit.code).toBe(Code.RESOURCE_EXHAUSTED);
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.small.id });
  });

  it('treats a gone volume or server as detached', async () => {
    await h().client.controller.ControllerUnpublishVolume({ volume_id: '00000000-0000-4000-8000-00000000dead', node_id: h().nodes.a.id });
    const volumeId = await newVolume('unpub-gone-server');
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: '00000000-0000-4000-8000-0000000000aa' });
  });

  it('reports a wait timeout as DEADLINE_EXCEEDED naming what it waited for and the last status', async () => {
    const impatient = await startHarness({
      controller: { waitSchedules: { diskAttached: { initialDelayMs: 10, factor: 1, checks: 3 } } },
    });
    try {
      const created = await impatient.client.controller.CreateVolume({ name: 'slow-attach', volume_capabilities: [RWO] });
      const volumeId = created.volume!.volume_id;
      const hold = impatient.sim.control.holdStatus({ kind: 'volume', id: volumeId, status: 'attaching' });
      const error = await failure(impatient.client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: impatient.nodes.a.id, volume_capability: RWO }));
      expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
      expect(error.details).toContain(`server ${impatient.nodes.a.id}`);
      expect(error.details).toMatch(/last status "(attaching|reserved)"/);
      // The statuses the wait went through, not only the last one.
      expect(error.details).toMatch(/statuses seen: (reserved|attaching)/);
      impatient.sim.control.releaseHold(hold);
      // Let the released attach finish (three 10 ms checks are no budget to wait for it), then the retry
      // returns that attachment instead of attaching twice.
      await impatient.sim.whenIdle();
      const retried = await impatient.client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: impatient.nodes.a.id, volume_capability: RWO });
      expect(retried.publish_context.VolumeID).toBe(volumeId);
      expect(requestCount(impatient.sim, 'POST', /os-volume_attachments$/)).toBe(1);
    } finally {
      await impatient.stop();
    }
  });

  it('gets a concurrent duplicate publish ABORTED', async () => {
    const volumeId = await newVolume('pub-dup');
    const hold = h().sim.control.holdStatus({ kind: 'volume', id: volumeId, status: 'attaching' });
    const first = h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO });
    await eventually(async () => (await h().cloud.blockStorage.getVolume(volumeId)).status !== 'available', 'the attach to start');
    const duplicate = await failure(h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO }));
    expect(duplicate.code).toBe(Code.ABORTED);
    h().sim.control.releaseHold(hold);
    await first;
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id });
  });
});

describe('topology of a zone whose name is no valid label value', () => {
  it('reports the Cinder zone sanitised exactly as a node in that zone advertises its own', async () => {
    const spaced = await startHarness({ sim: { availabilityZones: ['az 1', 'nova'] } });
    try {
      const node = spaced.sim.addServer({ name: 'node-az1', availabilityZone: 'az 1' });
      // What NodeGetInfo of that node advertises.
      const nodeZone = sanitizeZone(node.availabilityZone);
      expect(nodeZone).toBe('az-1');
      const zoneSegment = { segments: { [TOPOLOGY_ZONE_KEY]: nodeZone } };

      const created = await spaced.client.controller.CreateVolume({ name: 'spaced-az', volume_capabilities: [RWO], parameters: { availability: 'az 1' } });
      const volumeId = created.volume!.volume_id;
      expect((await spaced.cloud.blockStorage.getVolume(volumeId)).availability_zone).toBe('az 1');
      expect(created.volume?.accessible_topology).toEqual([zoneSegment]);
      const listed = await spaced.client.controller.ListVolumes({});
      expect(listed.entries.find((entry) => entry.volume?.volume_id === volumeId)?.volume?.accessible_topology).toEqual([zoneSegment]);

      // The provisioner passes the node's (sanitised) label back as the requested topology.
      const fromTopology = await spaced.client.controller.CreateVolume({
        name: 'spaced-az-topology',
        volume_capabilities: [RWO],
        accessibility_requirements: { requisite: [zoneSegment], preferred: [zoneSegment] },
      });
      expect((await spaced.cloud.blockStorage.getVolume(fromTopology.volume!.volume_id)).availability_zone).toBe('az 1');
      expect(fromTopology.volume?.accessible_topology).toEqual([zoneSegment]);

      const unknown = { segments: { [TOPOLOGY_ZONE_KEY]: 'az-9' } };
      await expect(
        spaced.client.controller.CreateVolume({
          name: 'spaced-az-unknown',
          volume_capabilities: [RWO],
          accessibility_requirements: { requisite: [unknown], preferred: [unknown] },
        }),
      ).rejects.toMatchObject({ code: Code.RESOURCE_EXHAUSTED });
    } finally {
      await spaced.stop();
    }
  });
});

describe('ControllerExpandVolume', () => {
  it('extends an in-use volume online and needs node expansion for mount only', async () => {
    const volumeId = await newVolume('ex-online');
    await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO });
    const grown = await h().client.controller.ControllerExpandVolume({ volume_id: volumeId, capacity_range: { required_bytes: String(3 * GiB) }, volume_capability: RWO });
    expect(grown).toEqual({ capacity_bytes: String(3 * GiB), node_expansion_required: true });
    const volume = await h().cloud.blockStorage.getVolume(volumeId);
    expect(volume.size).toBe(3);
    expect(volume.status).toBe('in-use');
    const asBlock = await h().client.controller.ControllerExpandVolume({
      volume_id: volumeId,
      capacity_range: { required_bytes: String(4 * GiB) },
      volume_capability: block('SINGLE_NODE_WRITER'),
    });
    expect(asBlock).toEqual({ capacity_bytes: String(4 * GiB), node_expansion_required: false });
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id });
  });

  it('does nothing when already big enough; OUT_OF_RANGE when the limit is below the request', async () => {
    const volumeId = await newVolume('ex-noop', { capacity_range: { required_bytes: String(2 * GiB) } });
    const extends0 = requestCount(h().sim, 'POST', new RegExp(`/volumes/${volumeId}/action$`));
    expect(extends0).toBe(0);
    const same = await h().client.controller.ControllerExpandVolume({ volume_id: volumeId, capacity_range: { required_bytes: String(GiB) }, volume_capability: RWO });
    expect(same).toEqual({ capacity_bytes: String(2 * GiB), node_expansion_required: true });
    expect(requestCount(h().sim, 'POST', new RegExp(`/volumes/${volumeId}/action$`))).toBe(extends0);
    const range = await failure(
      h().client.controller.ControllerExpandVolume({ volume_id: volumeId, capacity_range: { required_bytes: String(5 * GiB), limit_bytes: String(4 * GiB) } }),
    );
    expect(range.code).toBe(Code.OUT_OF_RANGE);
    expect((await failure(h().client.controller.ControllerExpandVolume({ volume_id: '00000000-0000-4000-8000-00000000dead', capacity_range: { required_bytes: String(GiB) } }))).code).toBe(
      Code.NOT_FOUND,
    );
  });

  it('explains a cloud without online extend (microversion 3.42)', async () => {
    const old = await startHarness({ sim: { microversions: { volumeMax: '3.40' } } });
    try {
      const created = await old.client.controller.CreateVolume({ name: 'old-cloud', volume_capabilities: [RWO] });
      const volumeId = created.volume!.volume_id;
      // Offline extend still works.
      const offline = await old.client.controller.ControllerExpandVolume({ volume_id: volumeId, capacity_range: { required_bytes: String(2 * GiB) } });
      expect(offline.capacity_bytes).toBe(String(2 * GiB));
      await old.client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: old.nodes.a.id, volume_capability: RWO });
      const error = await failure(old.client.controller.ControllerExpandVolume({ volume_id: volumeId, capacity_range: { required_bytes: String(3 * GiB) } }));
      expect(error.code).toBe(Code.FAILED_PRECONDITION);
      expect(error.details).toContain('3.42');
      expect(error.details).toContain('3.40');
    } finally {
      await old.stop();
    }
  });
});

describe('ControllerModifyVolume', () => {
  it('retypes with migration on demand and waits; unknown keys and types are INVALID_ARGUMENT', async () => {
    const volumeId = await newVolume('mod-1');
    await h().client.controller.ControllerModifyVolume({ volume_id: volumeId, mutable_parameters: { type: 'ssd' } });
    const volume = await h().cloud.blockStorage.getVolume(volumeId);
    expect(volume.volume_type).toBe('ssd');
    expect(volume.status).toBe('available');
    // Already that type: nothing to do.
    await h().client.controller.ControllerModifyVolume({ volume_id: volumeId, mutable_parameters: { type: 'ssd' } });

    const unknownKey = await failure(h().client.controller.ControllerModifyVolume({ volume_id: volumeId, mutable_parameters: { iops: '3000' } }));
    expect(unknownKey.code).toBe(Code.INVALID_ARGUMENT);
    expect(unknownKey.details).toContain('"iops"');
    const unknownType = await failure(h().client.controller.ControllerModifyVolume({ volume_id: volumeId, mutable_parameters: { type: 'gold' } }));
    expect(unknownType.code).toBe(Code.INVALID_ARGUMENT);
    expect((await failure(h().client.controller.ControllerModifyVolume({ volume_id: '00000000-0000-4000-8000-00000000dead', mutable_parameters: { type: 'ssd' } }))).code).toBe(
      Code.NOT_FOUND,
    );
  });
});
