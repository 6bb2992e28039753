/**
 * What every controller handler shares: the clouds, the flags that shape answers, waits and logging.
 */
import type { Logger } from '../../log/logger';
import type { CloudSelector } from './clouds';
import type { PvcAnnotationReader } from '../../driver-kit/kubernetes/pvc-annotations';
import type { WaitSchedules } from '../../openstack/wait-schedules';
import type { AbandonedVolumes } from './abandoned-volumes';
import type { LeftoverVolumes } from './leftover-volumes';
import { REJECT_UNKNOWN_KEYS, type UnknownKeys, type UnknownParameterPolicy } from './parameters';

export type { PvcAnnotationReader };

/**
 * The waits the Cinder controller makes, from the one wait table (`openstack/wait-schedules.ts`). It passes
 * them explicitly because one client call serves several waits (waitForVolume: create vs extend/delete).
 */
export type ControllerWaitSchedules = Pick<
  WaitSchedules,
  'volumeCreate' | 'volumeStatus' | 'diskAttached' | 'diskDetached' | 'snapshotReady' | 'groupStatus'
>;

export interface ControllerContext {
  clouds: CloudSelector;
  /** `--cluster`: written to volume and snapshot metadata. */
  clusterId: string;
  /** `--with-topology`. */
  withTopology: boolean;
  /** `[BlockStorage] ignore-volume-az`. */
  ignoreVolumeAZ: boolean;
  /** `--pvc-annotations`: scheduler hints from PVC annotations (needs `pvcAnnotationReader`). */
  pvcAnnotations: boolean;
  pvcAnnotationReader?: PvcAnnotationReader;
  logger: Logger;
  waits: ControllerWaitSchedules;
  /** Volumes given up on, each reported once. */
  leftovers: LeftoverVolumes;
  /** Volumes the plugin created, gave up on and deletes in the background (reports them via `leftovers`). */
  abandoned: AbandonedVolumes;
  /**
   * `--unknown-parameters`: unknown StorageClass/VolumeSnapshotClass keys are logged (`warn`, the binary's
   * default, as CPO ignores them) or refused (`reject`). Unset means `reject`, the strict library default.
   */
  unknownParameters?: UnknownParameterPolicy;
}

/** The part of the CSI pipeline's per-call context the handlers use. */
export interface RequestScope {
  logger: Logger;
}

/** The unknown-key handling for one call's class parameters; warnings go to the call's logger. */
export function unknownKeysFor(ctx: ControllerContext, logger: Logger): UnknownKeys {
  return ctx.unknownParameters === 'warn' ? { policy: 'warn', logger } : REJECT_UNKNOWN_KEYS;
}
