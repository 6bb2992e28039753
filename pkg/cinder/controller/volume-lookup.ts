/**
 * Reading a volume the request names. Whether Cinder's 404 is the caller's error (CSI NOT_FOUND) or
 * success (an idempotent delete or detach of something already gone) depends on the RPC, so each
 * reading is one of these two.
 */
import type { Volume } from '../../openstack/api';
import type { CinderCloud } from './clouds';
import { goneIsNotFound, goneIsSuccess } from '../../driver-kit/openstack-errors';

/** The volume, or CSI NOT_FOUND naming it as `role` ("volume", "source volume"). */
export function getVolumeOrNotFound(cloud: CinderCloud, volumeId: string, role = 'volume'): Promise<Volume> {
  return goneIsNotFound(() => cloud.blockStorage.getVolume(volumeId), `${role} ${volumeId} does not exist`);
}

/** The volume, or undefined when Cinder no longer has it. */
export function getVolumeIfExists(cloud: CinderCloud, volumeId: string): Promise<Volume | undefined> {
  return goneIsSuccess(() => cloud.blockStorage.getVolume(volumeId));
}
