/** ControllerExpandVolume's capacity range against the fake cloud: the answer must lie inside the range. */
import { Code, CsiError } from '../../csi/errors';
import { controllerOn, createVolumeRequest, MOUNT_RWO, TEST_SCOPE } from './testing/controller-under-test';
import { createFakeCloud } from './testing/fake-cloud';
import { GiB } from '../../units/bytes';


async function twoGiBVolume() {
  const { cloud, state } = createFakeCloud('');
  const { controller } = controllerOn(cloud);
  const created = await controller.CreateVolume(
    createVolumeRequest('two', { capacity_range: { required_bytes: String(2 * GiB), limit_bytes: '0' } }),
    TEST_SCOPE,
  );
  return { controller, state, volumeId: created.volume?.volume_id as string };
}

function expandRequest(volumeId: string, requiredBytes: number, limitBytes: number) {
  return {
    volume_id: volumeId,
    capacity_range: { required_bytes: String(requiredBytes), limit_bytes: String(limitBytes) },
    secrets: {},
    volume_capability: MOUNT_RWO,
  };
}

describe('ControllerExpandVolume capacity range', () => {
  it('answers OK without extending when the volume already has the required size and is within the limit', async () => {
    const { controller, state, volumeId } = await twoGiBVolume();
    const response = await controller.ControllerExpandVolume(expandRequest(volumeId, GiB, 3 * GiB), TEST_SCOPE);
    expect(response.capacity_bytes).toBe(String(2 * GiB));
    expect(state.volumes.get(volumeId)?.size).toBe(2);
  });

  it('answers OUT_OF_RANGE when the volume is already bigger than limit_bytes (it cannot shrink)', async () => {
    const { controller, state, volumeId } = await twoGiBVolume();
    const error = await controller.ControllerExpandVolume(expandRequest(volumeId, GiB, GiB), TEST_SCOPE).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CsiError);
    expect((error as CsiError).code).toBe(Code.OUT_OF_RANGE);
    expect((error as CsiError).message).toMatch(/already 2 GiB, more than limit_bytes=1073741824/);
    expect(state.volumes.get(volumeId)?.size).toBe(2);
  });
});
