/**
 * Publish waits that end in an error status (the simulator rolls failed attaches back instead, see
 * tests/controller/attach-faults.test.ts): the answer carries the fault the cloud recorded.
 */
import { Code, CsiError } from '../../csi/errors';
import { controllerOn, createVolumeRequest, MOUNT_RWO, TEST_SCOPE } from './testing/controller-under-test';
import { addServer, createFakeCloud } from './testing/fake-cloud';

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
