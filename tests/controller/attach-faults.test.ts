/**
 * ControllerPublish/Unpublish when Nova accepts the request but the attach or detach then fails (the
 * simulator rolls it back, as Nova does). The controller must answer with the cause as soon as the
 * evidence is there, not wait out its budget and report a bare timeout (CPO's top complaint). The wait
 * budgets here are a minute long and jest's timeout is 20 s, so a test passes only if the failure is
 * recognised instead of waited out.
 */
import { Code } from '../../pkg/csi/errors';
import type { Simulator } from '../../pkg/simulator';
import { block, eventually, failure, RWO, harnessForFile } from './harness';

// Generous: each case waits through real (fast) status transitions, which a loaded CI host slows down.
jest.setTimeout(60_000);

/** Shaped like CPO's schedule, about 60 s in all: 250 ms growing by 1.2 up to 2 s per check. */
const MINUTE = { initialDelayMs: 250, factor: 1.2, maxDelayMs: 2000, checks: 40 };

const h = harnessForFile({ controller: { waitSchedules: { diskAttached: MINUTE, diskDetached: MINUTE } } });

async function newVolume(name: string, parameters: Record<string, string> = {}): Promise<string> {
  const response = await h().client.controller.CreateVolume({ name, volume_capabilities: [RWO], parameters });
  return response.volume!.volume_id;
}

/** GETs of paths ending in `pathEnd` since the last Nova attach (`POST`) or detach (`DELETE`) request. */
function readsAfterNovaCall(sim: Simulator, pathEnd: string, method: 'POST' | 'DELETE'): number {
  const entries = sim.requests.entries();
  let novaCall = -1;
  entries.forEach((entry, index) => {
    if (entry.method === method && /\/os-volume_attachments(\/[^/]+)?$/.test(entry.path)) novaCall = index;
  });
  if (novaCall < 0) return 0;
  return entries.slice(novaCall + 1).filter((entry) => entry.method === 'GET' && entry.path.endsWith(pathEnd)).length;
}

const volumeReadAfterNovaCall = (sim: Simulator, volumeId: string, method: 'POST' | 'DELETE'): boolean =>
  readsAfterNovaCall(sim, `/volumes/${volumeId}`, method) > 0;

describe('a failed attach', () => {
  it('is answered INTERNAL with what Cinder and Nova showed once the volume falls back to available', async () => {
    const volumeId = await newVolume('fault-attach');
    const messageLookups = jest.spyOn(h().cloud.blockStorage, 'latestUserMessage');
    const beforePublish = Date.now();
    // Keep the volume reserved until the controller has seen it so, then let the attach fail.
    const hold = h().sim.control.holdStatus({ kind: 'volume', id: volumeId, status: 'reserved' });
    h().sim.control.failNextTransition({ kind: 'volume', id: volumeId, operation: 'attach', fault: 'libvirt refused the disk' });
    const publishing = failure(h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO }));
    await eventually(async () => volumeReadAfterNovaCall(h().sim, volumeId, 'POST'), 'the controller to read the reserved volume');
    h().sim.control.releaseHold(hold);

    const error = await publishing;
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.details).toContain(`attach of volume ${volumeId} to server ${h().nodes.a.id} failed`);
    expect(error.details).toContain('went reserved → available without an attachment');
    expect(error.details).toContain('Nova no longer lists it');
    expect(error.details).not.toMatch(/timed out/);
    // Cinder's user message for the failed attach, looked up among those recorded since this publish began.
    expect(error.details).toContain('Cinder reports: attach volume: libvirt refused the disk');
    const since = messageLookups.mock.calls.find(([id]) => id === volumeId)?.[1];
    messageLookups.mockRestore();
    expect(since?.getTime()).toBeGreaterThanOrEqual(beforePublish);

    const volume = await h().cloud.blockStorage.getVolume(volumeId);
    expect(volume.status).toBe('available');
    expect(volume.attachments).toEqual([]);
    // Nothing is left in progress: the attacher's retry attaches cleanly.
    const retried = await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO });
    expect(retried.publish_context.VolumeID).toBe(volumeId);
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id });
  });

  it('is recognised from Nova when Cinder never leaves in-use (a multi-attach volume attached elsewhere)', async () => {
    const rwx = block('MULTI_NODE_MULTI_WRITER');
    const volumeId = await h().client.controller
      .CreateVolume({ name: 'fault-attach-shared', volume_capabilities: [rwx], parameters: { type: 'multiattach' } })
      .then((response) => response.volume!.volume_id);
    await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: rwx });
    // The volume stays in-use throughout, so only Nova can tell a pending attach from a failed one.
    const hold = h().sim.control.holdStatus({ kind: 'volume', id: volumeId, status: 'in-use' });
    h().sim.control.failNextTransition({ kind: 'volume', id: volumeId, operation: 'attach' });
    const publishing = failure(h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.b.id, volume_capability: rwx }));
    await eventually(async () => volumeReadAfterNovaCall(h().sim, volumeId, 'POST'), 'the controller to read the volume while Nova lists the attachment');
    h().sim.control.releaseHold(hold);

    const error = await publishing;
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.details).toContain(`attach of volume ${volumeId} to server ${h().nodes.b.id} failed`);
    expect(error.details).toContain('Cinder shows the volume "in-use" without an attachment to the server');
    expect(error.details).toContain('Nova no longer lists it');
    expect(error.details).toContain('Cinder reports: attach volume: Simulated failure of volume attach.');
    const volume = await h().cloud.blockStorage.getVolume(volumeId);
    expect(volume.attachments.map((attachment) => attachment.server_id)).toEqual([h().nodes.a.id]);
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: '' });
  });

  it('is not concluded from a stable status while Nova still lists the pending attachment', async () => {
    const rwx = block('MULTI_NODE_MULTI_WRITER');
    const volumeId = await h().client.controller
      .CreateVolume({ name: 'slow-attach-shared', volume_capabilities: [rwx], parameters: { type: 'multiattach' } })
      .then((response) => response.volume!.volume_id);
    await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: rwx });
    const hold = h().sim.control.holdStatus({ kind: 'volume', id: volumeId, status: 'in-use' });
    const publishing = h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.b.id, volume_capability: rwx });
    // Two readings after the attach request, each without node b's attachment, each answered by asking Nova.
    await eventually(
      async () =>
        readsAfterNovaCall(h().sim, `/volumes/${volumeId}`, 'POST') >= 2 &&
        readsAfterNovaCall(h().sim, `/servers/${h().nodes.b.id}/os-volume_attachments`, 'POST') >= 2,
      'the controller to read the volume and ask Nova twice while the attach is pending',
      400,
    );
    h().sim.control.releaseHold(hold);

    const published = await publishing;
    expect(published.publish_context.VolumeID).toBe(volumeId);
    const volume = await h().cloud.blockStorage.getVolume(volumeId);
    expect(volume.attachments.map((attachment) => attachment.server_id).sort()).toEqual([h().nodes.a.id, h().nodes.b.id].sort());
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: '' });
  });
});

describe('a failed detach', () => {
  it('is answered INTERNAL once the volume returns to in-use still attached', async () => {
    const volumeId = await newVolume('fault-detach');
    await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO });
    const hold = h().sim.control.holdStatus({ kind: 'volume', id: volumeId, status: 'detaching' });
    h().sim.control.failNextTransition({ kind: 'volume', id: volumeId, operation: 'detach', fault: 'guest did not release the disk' });
    const unpublishing = failure(h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id }));
    await eventually(async () => volumeReadAfterNovaCall(h().sim, volumeId, 'DELETE'), 'the controller to read the detaching volume');
    h().sim.control.releaseHold(hold);

    const error = await unpublishing;
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.details).toContain(`detach of volume ${volumeId} from server ${h().nodes.a.id} failed`);
    expect(error.details).toContain('went detaching → in-use and is still attached to the server');
    expect(error.details).toContain("Nova still lists it among the server's attachments");
    expect(error.details).not.toMatch(/timed out/);

    const volume = await h().cloud.blockStorage.getVolume(volumeId);
    expect(volume.status).toBe('in-use');
    expect(volume.attachments.map((attachment) => attachment.server_id)).toEqual([h().nodes.a.id]);
    // The retry detaches.
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id });
    expect((await h().cloud.blockStorage.getVolume(volumeId)).attachments).toEqual([]);
  });
});
