/**
 * A share (or share snapshot) that Manila put in `error`: why, as a gRPC code chosen from the `detail_id`
 * of Manila's newest user message about it (CPO's mapping), and the rollback of what our own attempt left
 * behind, so a retried CreateVolume starts clean and no errored share is leaked.
 */
import { Code, CsiError } from '../../csi/errors';
import { goneIsSuccess } from '../../driver-kit/openstack-errors';
import type { ShareUserMessage } from '../../openstack/api';
import type { ManilaCloud } from '../cloud-source';
import type { RequestScope } from './context';

/** Manila `message_field.Detail` codes → gRPC codes (CPO's `pkg/csi/manila` mapping). */
const DETAIL_CODES: Record<string, Code> = {
  '002': Code.OUT_OF_RANGE, // no storage could be allocated (size)
  '009': Code.OUT_OF_RANGE, // capacity filter
  '003': Code.INVALID_ARGUMENT, // share network not expected
  '008': Code.INVALID_ARGUMENT, // capabilities filter (share type)
  '007': Code.RESOURCE_EXHAUSTED, // availability-zone filter
  // Access rules (not in CPO's table, which never waits for rules): the StorageClass named a client
  // Manila refuses (020) or an access type/level the back end lacks (021): fix the parameters.
  '020': Code.INVALID_ARGUMENT,
  '021': Code.INVALID_ARGUMENT,
};

export function codeForDetail(detailId: string | undefined): Code {
  return detailId !== undefined && Object.hasOwn(DETAIL_CODES, detailId) ? DETAIL_CODES[detailId] : Code.INTERNAL;
}

/**
 * The error to return for a failure Manila recorded about `resourceId` (a share or snapshot): `summary`
 * says what failed, the newest user message since `sinceMs` says why and chooses the code.
 */
export async function explainFailure(
  cloud: ManilaCloud,
  resourceId: string,
  summary: string,
  sinceMs: number,
): Promise<CsiError> {
  let message: ShareUserMessage | undefined;
  try {
    message = await cloud.sharedFileSystem.latestMessage(resourceId, sinceMs);
  } catch {
    // The message only explains; the failure stands without it.
  }
  const why = message ? `: ${message.userMessage} (Manila detail ${message.detailId})` : ' (Manila left no user message)';
  return new CsiError(codeForDetail(message?.detailId), `${summary}${why}`);
}

/** Deletes a share our attempt left unusable; failures are logged, not thrown (the original error matters). */
export async function rollBackShare(cloud: ManilaCloud, shareId: string, scope: RequestScope, reason: string): Promise<void> {
  try {
    await goneIsSuccess(() => cloud.sharedFileSystem.deleteShare(shareId));
    scope.logger.info('rolled back share', { shareId, reason });
  } catch (error) {
    scope.logger.warn('could not roll back share; delete it by hand', { shareId, reason, error });
  }
}
