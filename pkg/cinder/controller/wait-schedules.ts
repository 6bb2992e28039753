/**
 * How long the controller waits for Cinder and Nova, per kind of wait. Defaults are CPO's schedules
 * (see the reference table), so a slow cloud is tolerated exactly as long as with CPO; tests pass
 * faster ones.
 */
import type { WaitSchedule } from '../../openstack/api';
import { DEFAULT_WAIT_SCHEDULES as CLOUD_WAIT_SCHEDULES } from '../../openstack/waiter';

export interface ControllerWaitSchedules {
  /** A new volume reaching `available`. CPO does not wait at all; we reuse the extend budget ×1.5. */
  volumeCreate: WaitSchedule;
  /** Extend, retype, delete: back to a stable status. */
  volumeStatus: WaitSchedule;
  diskAttached: WaitSchedule;
  diskDetached: WaitSchedule;
  snapshotReady: WaitSchedule;
  /** Group and group snapshot transitions. */
  groupStatus: WaitSchedule;
}

// The CPO figures live once, in the client's table; only the create wait is the controller's own.
export const DEFAULT_WAIT_SCHEDULES: ControllerWaitSchedules = {
  volumeCreate: { ...CLOUD_WAIT_SCHEDULES.volumeStatus, checks: 15 },
  volumeStatus: CLOUD_WAIT_SCHEDULES.volumeStatus,
  diskAttached: CLOUD_WAIT_SCHEDULES.diskAttached,
  diskDetached: CLOUD_WAIT_SCHEDULES.diskDetached,
  snapshotReady: CLOUD_WAIT_SCHEDULES.snapshotReady,
  groupStatus: CLOUD_WAIT_SCHEDULES.groupStatus,
};

export function resolveWaitSchedules(overrides?: Partial<ControllerWaitSchedules>): ControllerWaitSchedules {
  return { ...DEFAULT_WAIT_SCHEDULES, ...(overrides ?? {}) };
}
