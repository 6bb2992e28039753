/**
 * Publish waits that end in an error status (the simulator rolls failed attaches back instead, see
 * tests/controller/attach-faults.test.ts): the answer carries the fault the cloud recorded.
 */
import { Code, CsiError } from '../../csi/errors';
import type { ControllerHandlers } from '../../csi/handlers';
import { silentLogger } from '../../log/logger';
import type { Cloud } from '../../openstack/api';
import { createCinderControllerService } from './service';
import { addServer, createFakeCloud } from './testing/fake-cloud';

const fast = { initialDelayMs: 1, factor: 1, checks: 10 };
const scope = { requestId: 'r', method: 'test', logger: silentLogger };
const mountRWO = { access_mode: { mode: 'SINGLE_NODE_WRITER' as const }, access_type: 'mount' as const, mount: { fs_type: 'ext4', mount_flags: [], volume_mount_group: '' } };

it("answers INTERNAL with Cinder's fault when the volume turns to error while attaching", async () => {
  const { cloud, state } = createFakeCloud('');
  addServer(state, 'node-1');
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
      name: 'pub-error',
      capacity_range: { required_bytes: String(1024 ** 3), limit_bytes: '0' },
      volume_capabilities: [mountRWO],
      parameters: {},
      secrets: {},
      volume_content_source: null,
      accessibility_requirements: null,
      mutable_parameters: {},
    } as Parameters<Required<ControllerHandlers>['CreateVolume']>[0],
    scope,
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
      { volume_id: volumeId, node_id: 'node-1', volume_capability: mountRWO, readonly: false, secrets: {}, volume_context: {} },
      scope,
    );
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(CsiError);
  expect((error as CsiError).code).toBe(Code.INTERNAL);
  expect((error as CsiError).message).toContain('status "error"');
  expect((error as CsiError).message).toContain('the backend lost the export');
});
