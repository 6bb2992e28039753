/**
 * How long the controller waits for Cinder and Nova, per kind of wait. Defaults are CPO's schedules
 * (see the reference table), so a slow cloud is tolerated exactly as long as with CPO; tests pass
 * faster ones.
 */
import type { WaitSchedule } from '../../openstack/api';

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

export const DEFAULT_WAIT_SCHEDULES: ControllerWaitSchedules = {
  volumeCreate: { initialDelayMs: 1000, factor: 1.1, checks: 15 },
  volumeStatus: { initialDelayMs: 1000, factor: 1.1, checks: 10 },
  diskAttached: { initialDelayMs: 1000, factor: 1.2, checks: 15 },
  diskDetached: { initialDelayMs: 1000, factor: 1.2, checks: 13 },
  snapshotReady: { initialDelayMs: 1000, factor: 1.2, checks: 10 },
  groupStatus: { initialDelayMs: 1000, factor: 1.2, checks: 10 },
};

export function resolveWaitSchedules(overrides?: Partial<ControllerWaitSchedules>): ControllerWaitSchedules {
  return { ...DEFAULT_WAIT_SCHEDULES, ...(overrides ?? {}) };
}
