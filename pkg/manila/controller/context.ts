/**
 * What every Manila controller handler shares: where clouds come from, the protocol this instance
 * serves, the flags that shape answers, and logging. Wait schedules live in each cloud client's table
 * (`openstack/wait-schedules.ts`, scaled once by `--wait-initial-delay-ms`).
 */
import type { Logger } from '../../log/logger';
import type { PvcAnnotationReader } from '../../driver-kit/kubernetes/pvc-annotations';
import type { ManilaClouds } from '../cloud-source';
import type { ShareProtocol } from '../constants';

export interface ManilaControllerContext {
  clouds: ManilaClouds;
  protocol: ShareProtocol;
  /** `--cluster-id`: share metadata `manila.csi.openstack.org/cluster`. */
  clusterId: string;
  /** `--with-topology`. */
  withTopology: boolean;
  /** `--pvc-annotations` (needs `pvcAnnotationReader`). */
  pvcAnnotationReader?: PvcAnnotationReader;
  logger: Logger;
}

/** The part of the CSI pipeline's per-call context the handlers use. */
export interface RequestScope {
  logger: Logger;
}
