/**
 * Which volume capabilities a Manila share honours: every access mode (a share is a network filesystem,
 * ReadWriteMany included), mount access only (there is no block device behind a share).
 */
import { invalidArgument } from '../../csi/errors';
import type { VolumeCapability__Output as VolumeCapability } from '../../csi/types';

export function capabilityProblem(capability: VolumeCapability): string | undefined {
  if (capability.block || capability.access_type === 'block') return 'block access is not supported: a Manila share is a filesystem';
  if (!capability.mount && capability.access_type !== 'mount') return 'volume capability has no mount access type';
  const mode = capability.access_mode?.mode;
  if (!mode || mode === 'UNKNOWN') return 'volume capability has no access mode';
  return undefined;
}

export function assertCapabilities(capabilities: readonly VolumeCapability[] | null | undefined): void {
  if (!capabilities || capabilities.length === 0) throw invalidArgument('volume_capabilities must not be empty');
  for (const capability of capabilities) {
    const problem = capabilityProblem(capability);
    if (problem) throw invalidArgument(problem);
  }
}
