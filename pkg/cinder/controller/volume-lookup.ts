/**
 * Reading a volume the request names. Whether Cinder's 404 is the caller's error (CSI NOT_FOUND) or
 * success (an idempotent delete or detach of something already gone) depends on the RPC, so each
 * reading is one of these two.
 */
import { notFound } from '../../csi/errors';
import type { Cloud, Volume } from '../../openstack/api';
import { NotFoundError } from '../../openstack/errors';

/** The volume, or CSI NOT_FOUND naming it as `role` ("volume", "source volume"). */
export async function getVolumeOrNotFound(cloud: Cloud, volumeId: string, role = 'volume'): Promise<Volume> {
  try {
    return await cloud.blockStorage.getVolume(volumeId);
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound(`${role} ${volumeId} does not exist`);
    throw error;
  }
}

/** The volume, or undefined when Cinder no longer has it. */
export async function findVolume(cloud: Cloud, volumeId: string): Promise<Volume | undefined> {
  try {
    return await cloud.blockStorage.getVolume(volumeId);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
