/**
 * Publish waits that end in an error status (the simulator rolls failed attaches back instead, see
 * tests/controller/attach-faults.test.ts): the answer carries the fault the cloud recorded.
 */
import { Code, CsiError } from '../../csi/errors';
import { controllerOn, createVolumeRequest, MOUNT_RWO, TEST_SCOPE } from './testing/controller-under-test';
import { addServer, createFakeCloud } from './testing/fake-cloud';
import type { CinderCloud } from './clouds';

it("answers INTERNAL with Cinder's fault when the volume turns to error while attaching", async () => {
  const { cloud, state } = createFakeCloud('');
  addServer(state, 'node-1');
  const { controller } = controllerOn(cloud);
  const created = await controller.CreateVolume(
    createVolumeRequest('pub-error'),
    TEST_SCOPE,
  );
  const volumeId = created.volume?.volume_id as string;

  // The attach never completes; the backend puts the volume in error instead.
  state.readsPerTransition = Number.MAX_SAFE_INTEGER;
  const attach = cloud.compute.attachVolume.bind(cloud.compute);
  cloud.compute.attachVolume = async (serverId, id, multiattach) => {
    const attachment = await attach(serverId, id, multiattach);
    const volume = state.volumes.get(id);
    if (volume) Object.assign(volume, { status: 'error', fault: 'the backend lost the export' });
    return attachment;
  };

  let error: unknown;
  try {
    await controller.ControllerPublishVolume(
      { volume_id: volumeId, node_id: 'node-1', volume_capability: MOUNT_RWO, readonly: false, secrets: {}, volume_context: {} },
      TEST_SCOPE,
    );
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(CsiError);
  expect((error as CsiError).code).toBe(Code.INTERNAL);
  expect((error as CsiError).message).toContain('status "error"');
  expect((error as CsiError).message).toContain('the backend lost the export');
});

/**
 * Cinder answers for a volume only once Nova's `method` has been called: a controller that asks Cinder
 * first and Nova after its answer hangs. Returns what undoes the hold on Cinder.
 */
function holdVolumeReadsUntilNovaAsked(cloud: CinderCloud, method: 'getServer' | 'listVolumeAttachments'): () => void {
  const getVolume = cloud.blockStorage.getVolume.bind(cloud.blockStorage);
  const novaCall = cloud.compute[method].bind(cloud.compute) as (id: string) => Promise<never>;
  let asked!: () => void;
  const novaAsked = new Promise<void>((resolve) => (asked = resolve));
  cloud.compute[method] = (id: string) => {
    asked();
    return novaCall(id);
  };
  cloud.blockStorage.getVolume = async (id) => {
    await novaAsked;
    return getVolume(id);
  };
  return () => {
    cloud.blockStorage.getVolume = getVolume;
  };
}

it('asks Nova for the server while Cinder is still answering for the volume, and a missing volume still decides the answer', async () => {
  const { cloud, state } = createFakeCloud('');
  addServer(state, 'node-1');
  const { controller } = controllerOn(cloud);
  const created = await controller.CreateVolume(createVolumeRequest('pub-together'), TEST_SCOPE);
  const volumeId = created.volume?.volume_id as string;
  const publish = (volume: string, node: string) =>
    controller.ControllerPublishVolume(
      { volume_id: volume, node_id: node, volume_capability: MOUNT_RWO, readonly: false, secrets: {}, volume_context: {} },
      TEST_SCOPE,
    );

  // A publish that asked one after the other would hang here.
  const release = holdVolumeReadsUntilNovaAsked(cloud, 'getServer');
  const published = await publish(volumeId, 'node-1');
  expect(published.publish_context).toBeDefined();
  expect(state.volumes.get(volumeId)?.status).toBe('in-use');

  // Neither the volume nor the server exists: the answer names the volume, as when the GETs went one by one.
  release();
  const error = await publish('no-such-volume', 'no-such-node').catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(CsiError);
  expect((error as CsiError).code).toBe(Code.NOT_FOUND);
  expect((error as CsiError).message).toContain('no-such-volume');
});

it("asks Nova for the named node's attachments while Cinder is still answering for the volume on unpublish", async () => {
  const { cloud, state } = createFakeCloud('');
  addServer(state, 'node-1');
  const { controller } = controllerOn(cloud);
  const created = await controller.CreateVolume(createVolumeRequest('unpub-together'), TEST_SCOPE);
  const volumeId = created.volume?.volume_id as string;
  await controller.ControllerPublishVolume(
    { volume_id: volumeId, node_id: 'node-1', volume_capability: MOUNT_RWO, readonly: false, secrets: {}, volume_context: {} },
    TEST_SCOPE,
  );
  expect(state.volumes.get(volumeId)?.status).toBe('in-use');

  // An unpublish that asked one after the other would hang here.
  holdVolumeReadsUntilNovaAsked(cloud, 'listVolumeAttachments');
  await controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: 'node-1', secrets: {} }, TEST_SCOPE);
  expect(state.volumes.get(volumeId)?.status).toBe('available');
  // A volume that is gone is unpublished (idempotent), whatever Nova says about the node.
  await expect(controller.ControllerUnpublishVolume({ volume_id: 'no-such-volume', node_id: 'no-such-node', secrets: {} }, TEST_SCOPE)).resolves.toEqual({});
});
