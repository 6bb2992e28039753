/** Picking the user message (Cinder and Manila `GET /messages`) that explains a resource's failure. */

export interface UserMessage {
  user_message?: string;
  created_at?: string;
}

/** Messages are stamped by the cloud's clock; accept this much disagreement with ours. */
const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

/** OpenStack timestamps are UTC, often without a zone suffix ("2016-09-01T12:00:00.000000"). */
function timestampMs(value: string | undefined): number {
  if (!value) return Number.NEGATIVE_INFINITY;
  const parsed = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

/**
 * Text of the newest message; undefined when there is none or, with `sinceMs`, when the newest is older than
 * that (a message left over from an earlier failure says nothing about this one).
 */
export function newestUserMessage(messages: readonly UserMessage[], sinceMs?: number): string | undefined {
  const newest = [...messages].sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''))[0];
  if (!newest) return undefined;
  if (sinceMs !== undefined && timestampMs(newest.created_at) < sinceMs - CLOCK_SKEW_ALLOWANCE_MS) return undefined;
  return newest.user_message;
}
