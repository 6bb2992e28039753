/** ValidateVolumeCapabilities: the share exists, is `available`, has this plugin's protocol, and the capabilities are mount ones. */
import { invalidArgument } from '../../csi/errors';
import type { ValidateVolumeCapabilitiesRequest, ValidateVolumeCapabilitiesResponse } from '../../csi/types';
import { mapErrors } from '../../driver-kit/openstack-errors';
import { capabilityProblem } from './capabilities';
import type { ManilaControllerContext } from './context';
import { getShareOrNotFound } from './share-lookup';

export async function validateVolumeCapabilities(
  ctx: ManilaControllerContext,
  req: ValidateVolumeCapabilitiesRequest,
): Promise<ValidateVolumeCapabilitiesResponse> {
  if (!req.volume_id) throw invalidArgument('volume_id is required');
  if (!req.volume_capabilities?.length) throw invalidArgument('volume_capabilities must not be empty');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const share = await mapErrors({ operation: `validate volume ${req.volume_id}` }, () => getShareOrNotFound(cloud, req.volume_id));
  if (share.share_proto.toUpperCase() !== ctx.protocol) {
    return { message: `share ${share.id} is ${share.share_proto}; this plugin serves ${ctx.protocol}` };
  }
  if (share.status !== 'available') return { message: `share ${share.id} is "${share.status}", not available` };
  const problem = req.volume_capabilities.map(capabilityProblem).find((p) => p !== undefined);
  if (problem) return { message: problem };
  return {
    confirmed: {
      volume_context: req.volume_context,
      volume_capabilities: req.volume_capabilities,
      parameters: req.parameters,
    },
  };
}
