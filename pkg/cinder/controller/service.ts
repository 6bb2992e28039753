/**
 * The Cinder controller and group controller services: each RPC is a small function in its own module;
 * this file wires them to the shared context.
 */
import type {
  ControllerGetCapabilitiesResponse,
  ControllerServiceCapability,
  GroupControllerGetCapabilitiesResponse,
} from '../../csi/types';
import type { ControllerHandlers, GroupControllerHandlers } from '../../csi/handlers';
import type { CinderCloud } from './clouds';
import { CloudSelector } from './clouds';
import type { ControllerContext, ControllerWaitSchedules } from './context';
import { createVolume } from './create-volume';
import { LeftoverVolumes } from './leftover-volumes';
import { AbandonedVolumes, janitorSchedule } from './abandoned-volumes';
import { deleteVolume } from './delete-volume';
import { controllerExpandVolume, controllerModifyVolume } from './expand-modify';
import { getCapacity } from './get-capacity';
import { createVolumeGroupSnapshot, deleteVolumeGroupSnapshot, getVolumeGroupSnapshot } from './group-snapshots';
import { controllerPublishVolume, controllerUnpublishVolume } from './publish';
import { createSnapshot, deleteSnapshot, getSnapshot, listSnapshots } from './snapshots';
import { controllerGetVolume, listVolumes, validateVolumeCapabilities } from './volume-info';
import { resolveWaitSchedules } from '../../openstack/wait-schedules';

/** The shared context's flags as they are; clouds and wait schedules in the form the caller has them. */
export interface CinderControllerOptions extends Omit<ControllerContext, 'clouds' | 'waits' | 'leftovers' | 'abandoned'> {
  /** Configured clouds by name ("" = `[Global]`). */
  clouds: Map<string, CinderCloud>;
  waitSchedules?: Partial<ControllerWaitSchedules>;
  /**
   * First retry delay of the abandoned-volume janitor (`--abandoned-volume-retry-ms`); the backoff cap,
   * the give-up time and the rescan period scale with it (see `janitorSchedule`). Default 10 s.
   */
  abandonedVolumeRetryMs?: number;
}

export const CONTROLLER_CAPABILITIES = [
  'CREATE_DELETE_VOLUME',
  'PUBLISH_UNPUBLISH_VOLUME',
  'LIST_VOLUMES',
  'LIST_VOLUMES_PUBLISHED_NODES',
  'GET_VOLUME',
  'VOLUME_CONDITION',
  'CREATE_DELETE_SNAPSHOT',
  'LIST_SNAPSHOTS',
  'GET_SNAPSHOT',
  'CLONE_VOLUME',
  'EXPAND_VOLUME',
  'MODIFY_VOLUME',
  'GET_CAPACITY',
  'SINGLE_NODE_MULTI_WRITER',
] as const;

export const GROUP_CONTROLLER_CAPABILITIES = ['CREATE_DELETE_GET_VOLUME_GROUP_SNAPSHOT'] as const;

function capabilities(names: readonly string[]): ControllerServiceCapability[] {
  return names.map((type) => ({ rpc: { type: type as NonNullable<ControllerServiceCapability['rpc']>['type'] } }));
}

export interface CinderControllerService {
  controller: ControllerHandlers;
  groupController: GroupControllerHandlers;
  ready(): boolean;
  /** The abandoned-volume janitor: `start()` begins looking for marked volumes; `close()` stops its timers. */
  abandoned: AbandonedVolumes;
  /** Stops the background work (the janitor's timers). */
  close(): void;
}

export function createCinderControllerService(options: CinderControllerOptions): CinderControllerService {
  const { clouds, waitSchedules, abandonedVolumeRetryMs, ...flags } = options;
  const selector = new CloudSelector(clouds);
  const leftovers = new LeftoverVolumes();
  const abandoned = new AbandonedVolumes({
    clusterId: flags.clusterId,
    clouds: selector,
    leftovers,
    logger: flags.logger.child({ janitor: 'abandoned-volumes' }),
    schedule: janitorSchedule(abandonedVolumeRetryMs),
  });
  const ctx: ControllerContext = { ...flags, clouds: selector, waits: resolveWaitSchedules(waitSchedules), leftovers, abandoned };
  if (options.pvcAnnotations && !options.pvcAnnotationReader) {
    options.logger.warn('--pvc-annotations is set but no Kubernetes client is available: affinity annotations are ignored');
  }

  const controller: ControllerHandlers = {
    ControllerGetCapabilities: async (): Promise<ControllerGetCapabilitiesResponse> => ({
      capabilities: capabilities(CONTROLLER_CAPABILITIES),
    }),
    CreateVolume: (req, scope) => createVolume(ctx, req, scope),
    DeleteVolume: (req, scope) => deleteVolume(ctx, req, scope),
    ControllerPublishVolume: (req, scope) => controllerPublishVolume(ctx, req, scope),
    ControllerUnpublishVolume: (req, scope) => controllerUnpublishVolume(ctx, req, scope),
    ValidateVolumeCapabilities: (req) => validateVolumeCapabilities(ctx, req),
    ListVolumes: (req) => listVolumes(ctx, req),
    ControllerGetVolume: (req) => controllerGetVolume(ctx, req),
    GetCapacity: (req) => getCapacity(ctx, req),
    CreateSnapshot: (req, scope) => createSnapshot(ctx, req, scope),
    DeleteSnapshot: (req, scope) => deleteSnapshot(ctx, req, scope),
    ListSnapshots: (req) => listSnapshots(ctx, req),
    GetSnapshot: (req) => getSnapshot(ctx, req),
    ControllerExpandVolume: (req, scope) => controllerExpandVolume(ctx, req, scope),
    ControllerModifyVolume: (req, scope) => controllerModifyVolume(ctx, req, scope),
  };

  const groupController: GroupControllerHandlers = {
    GroupControllerGetCapabilities: async (): Promise<GroupControllerGetCapabilitiesResponse> => ({
      capabilities: GROUP_CONTROLLER_CAPABILITIES.map((type) => ({ rpc: { type } })),
    }),
    CreateVolumeGroupSnapshot: (req, scope) => createVolumeGroupSnapshot(ctx, req, scope),
    DeleteVolumeGroupSnapshot: (req, scope) => deleteVolumeGroupSnapshot(ctx, req, scope),
    GetVolumeGroupSnapshot: (req) => getVolumeGroupSnapshot(ctx, req),
  };

  return {
    controller,
    groupController,
    /** Ready once at least one cloud is configured; the clouds authenticate lazily on first use. */
    ready: (): boolean => clouds.size > 0,
    abandoned,
    close: (): void => abandoned.close(),
  };
}
