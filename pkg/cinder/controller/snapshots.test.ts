/** DeleteSnapshot against a cloud that, like Cinder, refuses to delete a snapshot still being cut. */
import { BadRequestError } from '../../openstack/errors';
import { controllerOn, createVolumeRequest, TEST_SCOPE } from './testing/controller-under-test';
import { createFakeCloud } from './testing/fake-cloud';

function setup() {
  const { cloud, state } = createFakeCloud('');
  // Cinder takes a while to cut a snapshot: several reads see it "creating".
  state.readsPerTransition = 3;
  const deleteSnapshot = cloud.blockStorage.deleteSnapshot.bind(cloud.blockStorage);
  cloud.blockStorage.deleteSnapshot = async (id: string) => {
    const status = state.snapshots.get(id)?.status;
    if (status && status !== 'available' && status !== 'error') {
      throw new BadRequestError('Invalid snapshot: Volume Snapshot status must be available or error and must not be part of a group.');
    }
    return deleteSnapshot(id);
  };
  const { controller } = controllerOn(cloud);
  return { controller, state };
}

describe('DeleteSnapshot of a snapshot still being created', () => {
  it('waits for the cut to finish, then deletes it (no FAILED_PRECONDITION from Cinder)', async () => {
    const { controller, state } = setup();
    const volume = await controller.CreateVolume(
      createVolumeRequest('src'),
      TEST_SCOPE,
    );
    const created = await controller.CreateSnapshot(
      { name: 'snap', source_volume_id: volume.volume?.volume_id as string, parameters: {}, secrets: {} },
      TEST_SCOPE,
    );
    const snapshotId = created.snapshot?.snapshot_id as string;
    expect(created.snapshot?.ready_to_use).toBe(false);
    expect(state.snapshots.get(snapshotId)?.status).toBe('creating');

    await controller.DeleteSnapshot({ snapshot_id: snapshotId, secrets: {} }, TEST_SCOPE);
    expect(state.snapshots.has(snapshotId)).toBe(false);
  });
});
