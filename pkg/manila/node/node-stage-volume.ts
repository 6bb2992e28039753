/**
 * NodeStageVolume: forward to the partner with `volume_context` and `secrets` replaced by what the
 * partner needs (built from the share); IDs, paths, capability (its mount flags carry the StorageClass
 * `mountOptions`) and publish context pass through unchanged.
 */
import { invalidArgument } from '../../csi/errors';
import type { NodeStageVolumeRequest, NodeStageVolumeResponse } from '../../csi/types';
import { hasOpenStackSecrets } from '../cloud-source';
import type { ManilaNodeContext } from './context';
import { partnerRequestParts } from './partner-context';
import { readRuntimeConfig } from './runtime-config';

export async function nodeStageVolume(ctx: ManilaNodeContext, req: NodeStageVolumeRequest): Promise<NodeStageVolumeResponse> {
  if (!req.volume_id) throw invalidArgument('volume_id is required');
  if (!req.staging_target_path) throw invalidArgument('staging_target_path is required');
  if (!req.volume_capability) throw invalidArgument('volume_capability is required');
  const runtime = await readRuntimeConfig(ctx.runtimeConfigFile);
  const parts = await partnerRequestParts({
    cloud: ctx.clouds.forSecrets(req.secrets),
    protocol: ctx.protocol,
    volumeId: req.volume_id,
    volumeContext: req.volume_context ?? {},
    matchExportLocationAddress: runtime.nfs?.matchExportLocationAddress,
  });
  await ctx.partner.call('NodeStageVolume', (client) =>
    client.node.NodeStageVolume({ ...req, volume_context: parts.volumeContext, secrets: parts.secrets }),
  );
  if (hasOpenStackSecrets(req.secrets)) ctx.stageCredentials.set(req.volume_id, { ...req.secrets });
  return {};
}
