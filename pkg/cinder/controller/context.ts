/**
 * What every controller handler shares: the clouds, the flags that shape answers, waits and logging.
 */
import type { Logger } from '../../log/logger';
import type { CloudSelector } from './clouds';
import type { ControllerWaitSchedules } from './wait-schedules';

/** Reads a PVC's annotations (for `--pvc-annotations`); kept behind this interface so no Kubernetes client is needed here. */
export type PvcAnnotationReader = (namespace: string, name: string) => Promise<Record<string, string>>;

export interface ControllerContext {
  clouds: CloudSelector;
  clusterId: string;
  withTopology: boolean;
  ignoreVolumeAZ: boolean;
  pvcAnnotations: boolean;
  pvcAnnotationReader?: PvcAnnotationReader;
  logger: Logger;
  waits: ControllerWaitSchedules;
}

/** The part of the CSI pipeline's per-call context the handlers use. */
export interface RequestScope {
  logger: Logger;
}
