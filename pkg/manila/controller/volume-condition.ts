/** A share's health as a CSI volume condition: abnormal in any error status. */
import type { Share } from '../../openstack/api';

export function volumeCondition(share: Share): { abnormal: boolean; message: string } {
  const abnormal = /error/.test(share.status);
  return { abnormal, message: abnormal ? `share is in status "${share.status}"` : `share is "${share.status}"` };
}
