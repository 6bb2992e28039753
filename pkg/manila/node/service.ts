/**
 * The Manila node service: every RPC forwards to the partner plugin (one file each); `ready` (Probe)
 * includes the partner's Probe.
 */
import type { NodeHandlers } from '../../csi/handlers';
import type { ManilaNodeContext } from './context';
import { createNodeGetCapabilities } from './node-get-capabilities';
import { nodeGetInfo } from './node-get-info';
import { nodeGetVolumeStats } from './node-get-volume-stats';
import { nodePublishVolume } from './node-publish-volume';
import { nodeStageVolume } from './node-stage-volume';
import { nodeUnpublishVolume } from './node-unpublish-volume';
import { nodeUnstageVolume } from './node-unstage-volume';

export interface ManilaNodeService {
  handlers: NodeHandlers;
  /** The partner answers Probe ready (a partner without an answer counts as ready, per the spec). */
  ready(): Promise<boolean>;
}

export function createManilaNodeService(ctx: ManilaNodeContext): ManilaNodeService {
  return {
    handlers: {
      NodeStageVolume: (req) => nodeStageVolume(ctx, req),
      NodeUnstageVolume: (req) => nodeUnstageVolume(ctx, req),
      NodePublishVolume: (req) => nodePublishVolume(ctx, req),
      NodeUnpublishVolume: (req) => nodeUnpublishVolume(ctx, req),
      NodeGetVolumeStats: (req) => nodeGetVolumeStats(ctx, req),
      NodeGetCapabilities: createNodeGetCapabilities(ctx),
      NodeGetInfo: () => nodeGetInfo(ctx),
    },
    async ready() {
      try {
        const probe = await ctx.partner.call('Probe', (client) => client.identity.Probe({}, { deadline: 5_000 }));
        return probe.ready?.value ?? true;
      } catch (error) {
        ctx.logger.warn('partner node plugin is not ready', { endpoint: ctx.partner.endpoint, error: (error as Error).message });
        return false;
      }
    },
  };
}
