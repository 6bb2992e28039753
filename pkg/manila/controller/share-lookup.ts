/** Reading a volume's share by ID: the volume ID is the Manila share ID. */
import { goneIsNotFound } from '../../driver-kit/openstack-errors';
import type { Share } from '../../openstack/api';
import type { ManilaCloud } from '../cloud-source';

export function getShareOrNotFound(cloud: ManilaCloud, shareId: string): Promise<Share> {
  return goneIsNotFound(() => cloud.sharedFileSystem.getShare(shareId), `volume ${shareId} does not exist (no Manila share with that ID)`);
}
