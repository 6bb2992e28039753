/** DeleteSnapshot against a cloud that, like Cinder, refuses to delete a snapshot still being cut. */
import type { ControllerHandlers } from '../../csi/handlers';
import { silentLogger } from '../../log/logger';
import type { Cloud } from '../../openstack/api';
import { BadRequestError } from '../../openstack/errors';
import { createCinderControllerService } from './service';
import { createFakeCloud } from './testing/fake-cloud';

const fast = { initialDelayMs: 1, factor: 1, checks: 10 };
const scope = { requestId: 'r', method: 'test', logger: silentLogger };
const mountRWO = {
  access_mode: { mode: 'SINGLE_NODE_WRITER' as const },
  access_type: 'mount' as const,
  mount: { fs_type: 'ext4', mount_flags: [], volume_mount_group: '' },
};

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
  const service = createCinderControllerService({
    clouds: new Map<string, Cloud>([['', cloud]]),
    clusterId: 'test-cluster',
    withTopology: true,
    ignoreVolumeAZ: false,
    pvcAnnotations: false,
    logger: silentLogger,
    waitSchedules: { volumeCreate: fast, volumeStatus: fast, diskAttached: fast, diskDetached: fast, snapshotReady: fast, groupStatus: fast },
  });
  return { controller: service.controller as Required<ControllerHandlers>, state };
}

describe('DeleteSnapshot of a snapshot still being created', () => {
  it('waits for the cut to finish, then deletes it (no FAILED_PRECONDITION from Cinder)', async () => {
    const { controller, state } = setup();
    const volume = await controller.CreateVolume(
      {
        name: 'src',
        capacity_range: { required_bytes: String(1024 ** 3), limit_bytes: '0' },
        volume_capabilities: [mountRWO],
        parameters: {},
        secrets: {},
        volume_content_source: null,
        accessibility_requirements: null,
        mutable_parameters: {},
      },
      scope,
    );
    const created = await controller.CreateSnapshot(
      { name: 'snap', source_volume_id: volume.volume?.volume_id as string, parameters: {}, secrets: {} },
      scope,
    );
    const snapshotId = created.snapshot?.snapshot_id as string;
    expect(created.snapshot?.ready_to_use).toBe(false);
    expect(state.snapshots.get(snapshotId)?.status).toBe('creating');

    await controller.DeleteSnapshot({ snapshot_id: snapshotId, secrets: {} }, scope);
    expect(state.snapshots.has(snapshotId)).toBe(false);
  });
});
