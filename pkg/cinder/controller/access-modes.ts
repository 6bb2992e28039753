/**
 * Which volume capabilities a Cinder volume can honour. A Cinder volume is a block device attached
 * through Nova: one node writes unless the volume type is multi-attach, and several writers are only
 * safe on raw block (a node filesystem such as ext4 would be corrupted by two writers).
 */
import { invalidArgument } from '../../csi/errors';
import { isSupportedFilesystem, SUPPORTED_FILESYSTEMS } from '../../mounter/mounter';

/** Structural subset of the generated `VolumeCapability`, so pure checks need no generated types. */
export interface CapabilityLike {
  access_mode?: { mode?: string | null } | null;
  access_type?: string | null;
  block?: object | null;
  mount?: { fs_type?: string | null; mount_flags?: string[] | null } | null;
}

const SUPPORTED_ACCESS_MODES = [
  'SINGLE_NODE_WRITER',
  'SINGLE_NODE_SINGLE_WRITER',
  'SINGLE_NODE_MULTI_WRITER',
  'SINGLE_NODE_READER_ONLY',
  'MULTI_NODE_READER_ONLY',
] as const;
const MULTI_WRITER_MODE = 'MULTI_NODE_MULTI_WRITER';

export type AccessType = 'mount' | 'block';

export function accessTypeOf(capability: CapabilityLike): AccessType | undefined {
  if (capability.access_type === 'block' || capability.access_type === 'mount') return capability.access_type;
  // Without the oneof discriminator (e.g. a hand-built object), fall back to which member is set.
  if (capability.block) return 'block';
  if (capability.mount) return 'mount';
  return undefined;
}

export function needsMultiattach(capability: CapabilityLike): boolean {
  return capability.access_mode?.mode === MULTI_WRITER_MODE;
}

/**
 * Why a capability cannot be honoured, or undefined when it can. `multiattach` is whether the volume
 * (or the volume type it will be created with) is multi-attach; undefined = not known yet, which only
 * matters for MULTI_NODE_MULTI_WRITER.
 */
export function capabilityProblem(capability: CapabilityLike, multiattach: boolean | undefined): string | undefined {
  const accessType = accessTypeOf(capability);
  if (!accessType) return 'volume capability has neither a mount nor a block access type';
  const mode = capability.access_mode?.mode;
  if (!mode || mode === 'UNKNOWN') return 'volume capability has no access mode';
  const fsProblem = accessType === 'mount' ? filesystemProblem(capability.mount?.fs_type) : undefined;
  if (fsProblem) return fsProblem;
  if ((SUPPORTED_ACCESS_MODES as readonly string[]).includes(mode)) return undefined;
  if (mode === MULTI_WRITER_MODE) {
    if (accessType !== 'block') {
      return `${MULTI_WRITER_MODE} is only supported for block volumes: a filesystem written from several nodes would be corrupted`;
    }
    if (multiattach === false) {
      return `${MULTI_WRITER_MODE} needs a multi-attach Cinder volume (a volume type with extra spec multiattach="<is> True")`;
    }
    return undefined;
  }
  return `access mode ${mode} is not supported; supported: ${[...SUPPORTED_ACCESS_MODES, `${MULTI_WRITER_MODE} (block, multi-attach volume type)`].join(', ')}`;
}

/**
 * The node formats and mounts only the filesystems its mounter supports; refusing others here answers
 * at CreateVolume instead of leaving a volume that fails at NodeStage. Empty = the node's default (ext4).
 */
function filesystemProblem(fsType: string | null | undefined): string | undefined {
  const requested = (fsType ?? '').trim().toLowerCase();
  if (requested === '' || isSupportedFilesystem(requested)) return undefined;
  return `fs_type "${fsType}" is not supported; supported: ${SUPPORTED_FILESYSTEMS.join(', ')}`;
}

/** Throws INVALID_ARGUMENT for the first capability that cannot be honoured. */
export function assertCapabilities(capabilities: readonly CapabilityLike[] | null | undefined, multiattach: boolean | undefined): void {
  if (!capabilities || capabilities.length === 0) throw invalidArgument('volume_capabilities must not be empty');
  for (const capability of capabilities) {
    const problem = capabilityProblem(capability, multiattach);
    if (problem) throw invalidArgument(problem);
  }
}

/** Cinder stores the extra spec as `<is> True` (the scheduler filter syntax); plain `true` is seen too. */
export function isMultiattachSpec(value: string | undefined): boolean {
  if (!value) return false;
  return /^(<is>\s*)?true$/i.test(value.trim());
}
