/**
 * The janitor for volumes the plugin abandoned: a volume it created itself and never returned to the CO
 * (a failed create, or the extra volume of a name two controllers created at once) whose delete failed.
 * Such a volume is reported once (`LeftoverVolumes`), marked in Cinder and then deleted in the background
 * as soon as Cinder accepts a delete (`error`, `available`: typically after an operator reset it from
 * `error_deleting`), with backoff and for a bounded time.
 *
 * Surviving a restart: the volume gets the metadata `cinder.csi.openstack.org/abandoned=<reason>` next to
 * the `cinder.csi.openstack.org/cluster` the create wrote. Cinder refuses metadata updates only in
 * `maintenance` and `uploading` (cinder/volume/api.py `_update_volume_metadata`), so `error` and
 * `error_deleting` accept it. When marking fails all the same, the volume is still retried from memory
 * for this process's lifetime. At start and then periodically the janitor lists its cluster's marked
 * volumes in every cloud and takes them on. A user's volume never carries the mark, and the janitor only
 * deletes a volume of its own cluster, unattached.
 */
import { csiCounter } from '../../csi/metrics';
import type { Logger } from '../../log/logger';
import type { Volume } from '../../openstack/api';
import { goneIsSuccess } from '../../driver-kit/openstack-errors';
import { METADATA_ABANDONED, METADATA_CLUSTER } from '../constants';
import type { CinderCloud, CloudSelector } from './clouds';
import type { LeftoverVolumes } from './leftover-volumes';

export const ABANDONED_VOLUMES_METRIC = 'cinder_csi_abandoned_volumes_total';

/** Why a volume was abandoned; the value of its `cinder.csi.openstack.org/abandoned` metadata. */
export const ABANDON_REASONS = ['failed-create', 'duplicate', 'failed-same-name'] as const;
export type AbandonReason = (typeof ABANDON_REASONS)[number];

/** Statuses in which Cinder accepts a plain delete of an unattached volume without snapshots. */
const DELETABLE = ['error', 'available'];

/** The retry timing; all derived from one interval so a test can shrink it as a whole. */
export interface JanitorSchedule {
  /** First retry after abandoning (doubled after each try). */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Give a volume up this long after the janitor took it on. */
  giveUpAfterMs: number;
  /** How often marked volumes are looked for in Cinder (the first time one retry delay after start). */
  rescanIntervalMs: number;
}

/** 10 s → 5 min, for 1 h; marked volumes looked for every 10 min. */
export const DEFAULT_JANITOR_INTERVAL_MS = 10_000;

export function janitorSchedule(intervalMs: number = DEFAULT_JANITOR_INTERVAL_MS): JanitorSchedule {
  return { firstDelayMs: intervalMs, maxDelayMs: intervalMs * 30, giveUpAfterMs: intervalMs * 360, rescanIntervalMs: intervalMs * 60 };
}

type Outcome = 'deleted' | 'given_up';
// Created on first use, and never while metrics are not collected (no --http-endpoint).
const outcomeCounter = csiCounter({
  name: ABANDONED_VOLUMES_METRIC,
  help: 'Abandoned volumes the controller deleted in the background, or gave up on after retrying (left for an operator)',
  labelNames: ['outcome'],
});

interface Entry {
  cloud: CinderCloud;
  id: string;
  reason: AbandonReason;
  since: number;
  delayMs: number;
  timer?: NodeJS.Timeout;
  /** The last status a "waiting" line was logged for, so each state is logged once. */
  loggedStatus?: string;
  /**
   * Cinder accepted the cleanup delete, so the volume is not abandoned (yet): it is watched until gone,
   * and abandoned (reported, marked) only if Cinder fails the delete (`error_deleting`).
   */
  watching?: { volume: Pick<Volume, 'id' | 'name'>; why: string };
}

/** How many given-up IDs are remembered so rescans do not take them on again in this process. */
const REMEMBERED_GIVEN_UP = 10_000;

export interface AbandonedVolumesOptions {
  clusterId: string;
  clouds: CloudSelector;
  leftovers: LeftoverVolumes;
  logger: Logger;
  schedule: JanitorSchedule;
}

export class AbandonedVolumes {
  private readonly entries = new Map<string, Entry>();
  private readonly givenUp = new Set<string>();
  private rescanTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: AbandonedVolumesOptions) {}

  /**
   * The plugin gives up on `volume` (its own, never returned to the CO): report it once, mark it in
   * Cinder so a restarted controller finds it, and retry its delete in the background. A volume without
   * this cluster's metadata (a user's volume that happens to carry the name) is only reported.
   */
  async abandon(cloud: CinderCloud, volume: Pick<Volume, 'id' | 'name' | 'status' | 'metadata'>, reason: AbandonReason, why: string, logger: Logger): Promise<void> {
    if (this.closed || this.entries.has(volume.id) || !isOurs(volume, this.options.clusterId)) {
      this.options.leftovers.report(volume, why, logger);
      return;
    }
    await this.markAndReport(cloud, volume, reason, why, logger);
    this.track(cloud, volume.id, reason);
  }

  private async markAndReport(cloud: CinderCloud, volume: Pick<Volume, 'id' | 'name' | 'status'>, reason: AbandonReason, why: string, logger: Logger): Promise<void> {
    this.options.leftovers.report(volume, why, logger);
    try {
      await cloud.blockStorage.updateVolumeMetadata(volume.id, { [METADATA_ABANDONED]: reason });
    } catch (error) {
      logger.warn('could not mark the abandoned volume in Cinder; it is retried until this controller stops', { volumeId: volume.id, error });
    }
  }

  /**
   * Cinder accepted the delete of a volume the plugin gave up on (a failed create): watch it, so that if
   * Cinder fails the delete later (`error_deleting`) the volume is abandoned rather than forgotten.
   */
  watchDelete(cloud: CinderCloud, volume: Pick<Volume, 'id' | 'name' | 'metadata'>, reason: AbandonReason, why: string): void {
    if (!isOurs(volume, this.options.clusterId)) return;
    this.track(cloud, volume.id, reason, { volume: { id: volume.id, name: volume.name }, why });
  }

  /**
   * Looks for marked volumes one retry delay after start, then every `rescanIntervalMs` until close().
   * Not at once: the first scan (a Keystone token and a paged listing) would compete with the plugin
   * starting to serve — ~30 ms of a ~280 ms start measured — and nothing it finds is urgent.
   */
  start(): void {
    if (this.closed) return;
    const rescan = (): void => {
      void this.rescan().finally(() => {
        if (this.closed) return;
        this.rescanTimer = setTimeout(rescan, this.options.schedule.rescanIntervalMs);
        this.rescanTimer.unref();
      });
    };
    this.rescanTimer = setTimeout(rescan, this.options.schedule.firstDelayMs);
    this.rescanTimer.unref();
  }

  /** Stops every timer; a retry in flight finishes but schedules nothing more. */
  close(): void {
    this.closed = true;
    clearTimeout(this.rescanTimer);
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
  }

  /** IDs the janitor is retrying now. */
  pending(): string[] {
    return [...this.entries.keys()];
  }

  /** Takes on every volume of this cluster marked abandoned, in every configured cloud. */
  async rescan(): Promise<void> {
    const { clouds, clusterId, logger } = this.options;
    for (const name of clouds.cloudNames()) {
      const cloud = clouds.get(name) as CinderCloud;
      for (const reason of ABANDON_REASONS) {
        try {
          const page = await cloud.blockStorage.listVolumes({ metadata: { [METADATA_CLUSTER]: clusterId, [METADATA_ABANDONED]: reason }, allPages: true });
          // Closed meanwhile (the plugin is stopping, its clouds and log may be gone): drop the answer.
          if (this.closed) return;
          for (const volume of page.items) {
            if (!isOurs(volume, clusterId) || this.givenUp.has(volume.id) || this.entries.has(volume.id)) continue;
            logger.info('found a volume abandoned by an earlier controller; retrying its delete', { volumeId: volume.id, name: volume.name, status: volume.status, reason });
            this.track(cloud, volume.id, reason);
          }
        } catch (error) {
          if (this.closed) return;
          logger.warn('could not look for abandoned volumes; trying again later', { cloud: name, error });
        }
      }
    }
  }

  private track(cloud: CinderCloud, id: string, reason: AbandonReason, watching?: Entry['watching']): void {
    if (this.closed || this.entries.has(id)) return;
    const entry: Entry = { cloud, id, reason, since: Date.now(), delayMs: this.options.schedule.firstDelayMs, watching };
    this.entries.set(id, entry);
    this.schedule(entry);
  }

  private schedule(entry: Entry): void {
    if (this.closed) return;
    entry.timer = setTimeout(() => void this.attempt(entry), entry.delayMs);
    entry.timer.unref();
    entry.delayMs = Math.min(entry.delayMs * 2, this.options.schedule.maxDelayMs);
  }

  private async attempt(entry: Entry): Promise<void> {
    if (this.closed) return;
    const { logger, clusterId, schedule } = this.options;
    const fields = { volumeId: entry.id, reason: entry.reason };
    try {
      const volume = await goneIsSuccess(() => entry.cloud.blockStorage.getVolume(entry.id));
      if (!volume) {
        if (entry.watching) {
          this.entries.delete(entry.id);
          return;
        }
        this.finish(entry, 'deleted');
        logger.info('abandoned volume is gone', fields);
        return;
      }
      if (entry.watching && volume.status === 'error_deleting') {
        const { volume: watched, why } = entry.watching;
        entry.watching = undefined;
        await this.markAndReport(entry.cloud, { ...watched, status: volume.status }, entry.reason, why, logger);
      }
      if (!isOurs(volume, clusterId) || (volume.attachments ?? []).length > 0) {
        // Someone else took it over (metadata changed, or attached): not ours to delete any more.
        this.entries.delete(entry.id);
        logger.warn('abandoned volume changed owner or was attached; the janitor leaves it alone', { ...fields, status: volume.status });
        return;
      }
      if (DELETABLE.includes(volume.status)) {
        await goneIsSuccess(() => entry.cloud.blockStorage.deleteVolume(entry.id));
        logger.info('requested the delete of an abandoned volume', { ...fields, status: volume.status });
        // Checked again on the next try: gone counts as deleted, `error_deleting` waits for the operator.
        entry.delayMs = schedule.firstDelayMs;
      } else if (entry.loggedStatus !== volume.status) {
        entry.loggedStatus = volume.status;
        logger.info('abandoned volume cannot be deleted in its status; waiting (an operator can run "openstack volume set --state error <id>")', {
          ...fields,
          status: volume.status,
        });
      }
    } catch (error) {
      if (this.closed) return;
      logger.warn('retrying the delete of an abandoned volume failed; trying again later', { ...fields, error });
    }
    if (!this.entries.has(entry.id)) return;
    if (Date.now() - entry.since >= schedule.giveUpAfterMs) {
      if (entry.watching) {
        // Never abandoned: Cinder is still on its delete; nothing to report.
        this.entries.delete(entry.id);
        return;
      }
      this.finish(entry, 'given_up');
      if (this.givenUp.size >= REMEMBERED_GIVEN_UP) this.givenUp.delete(this.givenUp.values().next().value as string);
      this.givenUp.add(entry.id);
      logger.warn('gave up deleting an abandoned volume; an operator must delete it', { ...fields, afterMs: Date.now() - entry.since });
      return;
    }
    this.schedule(entry);
  }

  private finish(entry: Entry, outcome: Outcome): void {
    this.entries.delete(entry.id);
    outcomeCounter.inc({ outcome });
  }
}

function isOurs(volume: Pick<Volume, 'metadata'>, clusterId: string): boolean {
  return volume.metadata?.[METADATA_CLUSTER] === clusterId;
}
