/**
 * The controller service on fake clouds as the unit tests drive it: direct handler calls, waits that
 * poll every millisecond, and the request pieces most cases share.
 */
import { Code, CsiError } from '../../../csi/errors';
import type { ControllerHandlers } from '../../../csi/handlers';
import type { CreateVolumeRequest } from '../../../csi/types';
import { silentLogger } from '../../../log/logger';
import type { CinderCloud } from '../clouds';
import { createCinderControllerService, type CinderControllerOptions, type CinderControllerService } from '../service';

export const FAST_WAIT = { initialDelayMs: 1, factor: 1, checks: 10 };
export const TEST_SCOPE = { requestId: 'r', method: 'test', logger: silentLogger };
export const MOUNT_RWO = {
  access_mode: { mode: 'SINGLE_NODE_WRITER' as const },
  access_type: 'mount' as const,
  mount: { fs_type: 'ext4', mount_flags: [], volume_mount_group: '' },
};

/** A controller serving `clouds` (the first one is `[Global]`) with every wait schedule fast. */
export function controllerOn(
  clouds: CinderCloud | Map<string, CinderCloud>,
  overrides: Partial<CinderControllerOptions> = {},
): { controller: Required<ControllerHandlers>; service: CinderControllerService } {
  const service = createCinderControllerService({
    clouds: clouds instanceof Map ? clouds : new Map([['', clouds]]),
    clusterId: 'test-cluster',
    withTopology: true,
    ignoreVolumeAZ: false,
    pvcAnnotations: false,
    logger: silentLogger,
    waitSchedules: {
      volumeCreate: FAST_WAIT,
      volumeStatus: FAST_WAIT,
      diskAttached: FAST_WAIT,
      diskDetached: FAST_WAIT,
      snapshotReady: FAST_WAIT,
      groupStatus: FAST_WAIT,
    },
    ...overrides,
  });
  return { controller: service.controller as Required<ControllerHandlers>, service };
}

/** A CreateVolume request for a 1 GiB single-writer mount volume, with `overrides` on top. */
export function createVolumeRequest(name: string, overrides: Partial<CreateVolumeRequest> = {}): CreateVolumeRequest {
  return {
    name,
    capacity_range: { required_bytes: String(1024 ** 3), limit_bytes: '0' },
    volume_capabilities: [MOUNT_RWO],
    parameters: {},
    secrets: {},
    volume_content_source: null,
    accessibility_requirements: null,
    mutable_parameters: {},
    ...overrides,
  } as CreateVolumeRequest;
}

/** The CSI code a call fails with, or undefined when it succeeds. */
export async function codeOf(promise: Promise<unknown>): Promise<Code | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CsiError) return error.code;
    throw error;
  }
  return undefined;
}

/** The CSI code a synchronous call throws, or undefined when it returns or throws something else. */
export function codeThrownBy(call: () => unknown): Code | undefined {
  try {
    call();
  } catch (error) {
    return error instanceof CsiError ? error.code : undefined;
  }
  return undefined;
}
