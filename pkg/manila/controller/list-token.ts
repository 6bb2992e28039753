/** ListVolumes / ListSnapshots paging: Manila pages by offset, so a token is the offset of the next page. */
import { aborted, invalidArgument } from '../../csi/errors';

export function decodeOffsetToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  if (!/^\d{1,9}$/.test(token)) throw aborted(`starting_token "${token}" is not a token this plugin returned`);
  return token;
}

export function pageLimit(maxEntries: number | undefined): number | undefined {
  if (maxEntries === undefined || maxEntries === 0) return undefined;
  if (maxEntries < 0) throw invalidArgument(`max_entries must not be negative (got ${maxEntries})`);
  return maxEntries;
}
