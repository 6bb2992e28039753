/**
 * What every OpenStack service contract shares: paging and status waits. Resource shapes keep the JSON
 * field names the cloud sends.
 */

export interface Page<T> {
  items: T[];
  /** Marker for the next page (the last item's ID) when the cloud reported more; undefined at the end. */
  nextMarker?: string;
}

export interface ListOptions {
  limit?: number;
  marker?: string;
  /** Follow `*_links` until the last page (ignores `limit` as a total). */
  allPages?: boolean;
}

import type { WaitSchedule } from '../wait-schedules';

export type { WaitSchedule };

export interface WaitOptions<T> {
  schedule?: WaitSchedule;
  /** Extra condition on top of the target status (e.g. "attachments include server X"). */
  until?: (resource: T) => boolean;
  /** Statuses that end the wait with ResourceErrorStateError; defaults per resource type. */
  errorStatuses?: readonly string[];
  /** Treat 404 as success (waiting for a delete). */
  gone?: boolean;
  /**
   * Sees every reading of the resource, in order and before the status checks (coalesced waits too), so a
   * caller can record the statuses on the way or recognise a failure the status alone does not show. May be
   * async. Answer `'done'` to end the wait with this reading; throw to fail the wait with that error.
   */
  observe?: (resource: T) => WaitObservation | Promise<WaitObservation>;
  /**
   * Label that refines which earlier waits predict this one's pace when learned waiting is on (e.g. the
   * volume type); waits on the same resource kind and goal share one history without it.
   */
  paceKey?: string;
}

/** What a `WaitOptions.observe` hook answers: nothing to keep waiting, `'done'` to end the wait. */
export type WaitObservation = void | 'done';
