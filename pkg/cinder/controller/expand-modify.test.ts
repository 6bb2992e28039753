/** ControllerExpandVolume's capacity range against the fake cloud: the answer must lie inside the range. */
import { Code, CsiError } from '../../csi/errors';
import type { ControllerHandlers } from '../../csi/handlers';
import { silentLogger } from '../../log/logger';
import type { Cloud } from '../../openstack/api';
import { createCinderControllerService } from './service';
import { createFakeCloud } from './testing/fake-cloud';

const GiB = 1024 ** 3;
const fast = { initialDelayMs: 1, factor: 1, checks: 10 };
const scope = { requestId: 'r', method: 'test', logger: silentLogger };
const mountRWO = {
  access_mode: { mode: 'SINGLE_NODE_WRITER' as const },
  access_type: 'mount' as const,
  mount: { fs_type: 'ext4', mount_flags: [], volume_mount_group: '' },
};

async function twoGiBVolume() {
  const { cloud, state } = createFakeCloud('');
  const service = createCinderControllerService({
    clouds: new Map<string, Cloud>([['', cloud]]),
    clusterId: 'test-cluster',
    withTopology: true,
    ignoreVolumeAZ: false,
    pvcAnnotations: false,
    logger: silentLogger,
    waitSchedules: { volumeCreate: fast, volumeStatus: fast, diskAttached: fast, diskDetached: fast, snapshotReady: fast, groupStatus: fast },
  });
  const controller = service.controller as Required<ControllerHandlers>;
  const created = await controller.CreateVolume(
    {
      name: 'two',
      capacity_range: { required_bytes: String(2 * GiB), limit_bytes: '0' },
      volume_capabilities: [mountRWO],
      parameters: {},
      secrets: {},
      volume_content_source: null,
      accessibility_requirements: null,
      mutable_parameters: {},
    },
    scope,
  );
  return { controller, state, volumeId: created.volume?.volume_id as string };
}

function expandRequest(volumeId: string, requiredBytes: number, limitBytes: number) {
  return {
    volume_id: volumeId,
    capacity_range: { required_bytes: String(requiredBytes), limit_bytes: String(limitBytes) },
    secrets: {},
    volume_capability: mountRWO,
  };
}

describe('ControllerExpandVolume capacity range', () => {
  it('answers OK without extending when the volume already has the required size and is within the limit', async () => {
    const { controller, state, volumeId } = await twoGiBVolume();
    const response = await controller.ControllerExpandVolume(expandRequest(volumeId, GiB, 3 * GiB), scope);
    expect(response.capacity_bytes).toBe(String(2 * GiB));
    expect(state.volumes.get(volumeId)?.size).toBe(2);
  });

  it('answers OUT_OF_RANGE when the volume is already bigger than limit_bytes (it cannot shrink)', async () => {
    const { controller, state, volumeId } = await twoGiBVolume();
    const error = await controller.ControllerExpandVolume(expandRequest(volumeId, GiB, GiB), scope).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CsiError);
    expect((error as CsiError).code).toBe(Code.OUT_OF_RANGE);
    expect((error as CsiError).message).toMatch(/already 2 GiB, more than limit_bytes=1073741824/);
    expect(state.volumes.get(volumeId)?.size).toBe(2);
  });
});
