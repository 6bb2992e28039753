/** The Manila controller service: each RPC is a small function in its own module; this file wires them. */
import type { ControllerHandlers } from '../../csi/handlers';
import type { ControllerServiceCapability } from '../../csi/types';
import type { ManilaControllerContext } from './context';
import { controllerGetVolume } from './controller-get-volume';
import { controllerPublishVolume } from './controller-publish-volume';
import { controllerUnpublishVolume } from './controller-unpublish-volume';
import { createSnapshot } from './create-snapshot';
import { createVolume } from './create-volume';
import { deleteSnapshot } from './delete-snapshot';
import { deleteVolume } from './delete-volume';
import { controllerExpandVolume } from './expand-volume';
import { getCapacity } from './get-capacity';
import { listSnapshots } from './list-snapshots';
import { listVolumes } from './list-volumes';
import { validateVolumeCapabilities } from './validate-volume-capabilities';

export const CONTROLLER_CAPABILITIES = [
  'CREATE_DELETE_VOLUME',
  'CREATE_DELETE_SNAPSHOT',
  'EXPAND_VOLUME',
  'LIST_VOLUMES',
  'LIST_SNAPSHOTS',
  'GET_VOLUME',
  'VOLUME_CONDITION',
  'GET_CAPACITY',
  'SINGLE_NODE_MULTI_WRITER',
  // Per-node NFS access (`nfs-nodeAccess`); a no-op for other shares, and only called with attachRequired.
  'PUBLISH_UNPUBLISH_VOLUME',
  'PUBLISH_READONLY',
  // CreateVolume from another share, through a transient snapshot (clone-source.ts).
  'CLONE_VOLUME',
] as const;

type CapabilityType = NonNullable<ControllerServiceCapability['rpc']>['type'];

export function createManilaControllerService(ctx: ManilaControllerContext): ControllerHandlers {
  return {
    ControllerGetCapabilities: async () => ({
      capabilities: CONTROLLER_CAPABILITIES.map((type) => ({ rpc: { type: type as CapabilityType } })),
    }),
    CreateVolume: (req, scope) => createVolume(ctx, req, scope),
    DeleteVolume: (req, scope) => deleteVolume(ctx, req, scope),
    ControllerExpandVolume: (req, scope) => controllerExpandVolume(ctx, req, scope),
    CreateSnapshot: (req, scope) => createSnapshot(ctx, req, scope),
    DeleteSnapshot: (req, scope) => deleteSnapshot(ctx, req, scope),
    ControllerPublishVolume: (req, scope) => controllerPublishVolume(ctx, req, scope),
    ControllerUnpublishVolume: (req, scope) => controllerUnpublishVolume(ctx, req, scope),
    ValidateVolumeCapabilities: (req) => validateVolumeCapabilities(ctx, req),
    ListVolumes: (req) => listVolumes(ctx, req),
    ListSnapshots: (req) => listSnapshots(ctx, req),
    ControllerGetVolume: (req) => controllerGetVolume(ctx, req),
    GetCapacity: (req) => getCapacity(ctx, req),
  };
}
