/**
 * Whether a share's type lets its snapshots become shares again (`snapshot_support` and
 * `create_share_from_snapshot_support`): CreateSnapshot needs it (else the snapshot could never be
 * restored), and so does a clone (made through a snapshot).
 */
import type { Share } from '../../openstack/api';
import type { ManilaCloud } from '../cloud-source';
import { EXTRA_SPEC_CREATE_FROM_SNAPSHOT, EXTRA_SPEC_SNAPSHOT_SUPPORT } from '../constants';

/** What stops snapshots of `share` from being restored, or undefined when nothing does. */
export async function snapshotSupportProblem(cloud: ManilaCloud, share: Share): Promise<string | undefined> {
  const shareType = share.share_type_name ?? share.share_type;
  if (!shareType) return `share ${share.id} has no share type, so snapshot support is unknown`;
  const type = await cloud.sharedFileSystem.getShareType(shareType);
  for (const spec of [EXTRA_SPEC_SNAPSHOT_SUPPORT, EXTRA_SPEC_CREATE_FROM_SNAPSHOT]) {
    if (!/^(<is>\s*)?true$/i.test(type.extra_specs?.[spec]?.trim() ?? '')) {
      return `share type "${type.name}" of volume ${share.id} does not have ${spec}=True`;
    }
  }
  return undefined;
}
