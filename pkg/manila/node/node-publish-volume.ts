/**
 * NodePublishVolume: forward to the partner with the same share-derived `volume_context` and secrets as
 * NodeStage. Credentials: the publish secrets' `os-*` keys, else those NodeStage received, else the default
 * credentials, so a restarted plugin publishes as well as one that staged the volume itself.
 */
import { invalidArgument } from '../../csi/errors';
import type { NodePublishVolumeRequest, NodePublishVolumeResponse } from '../../csi/types';
import { hasOpenStackSecrets } from '../cloud-source';
import type { ManilaNodeContext } from './context';
import { partnerRequestParts } from './partner-context';
import { readRuntimeConfig } from './runtime-config';

export async function nodePublishVolume(ctx: ManilaNodeContext, req: NodePublishVolumeRequest): Promise<NodePublishVolumeResponse> {
  if (!req.volume_id) throw invalidArgument('volume_id is required');
  if (!req.target_path) throw invalidArgument('target_path is required');
  if (!req.volume_capability) throw invalidArgument('volume_capability is required');
  const credentials = hasOpenStackSecrets(req.secrets) ? req.secrets : ctx.stageCredentials.get(req.volume_id);
  const runtime = await readRuntimeConfig(ctx.runtimeConfigFile);
  const parts = await partnerRequestParts({
    cloud: ctx.clouds.forSecrets(credentials),
    protocol: ctx.protocol,
    volumeId: req.volume_id,
    volumeContext: req.volume_context ?? {},
    matchExportLocationAddress: runtime.nfs?.matchExportLocationAddress,
  });
  await ctx.partner.call('NodePublishVolume', (client) =>
    client.node.NodePublishVolume({ ...req, volume_context: parts.volumeContext, secrets: parts.secrets }),
  );
  return {};
}
