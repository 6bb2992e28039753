/**
 * Volumes the plugin gave up on: a failed create whose cleanup delete also failed (`error`, or
 * `error_deleting` after the delete went wrong in Cinder), or the extra volume of a name two controllers
 * created at once that could not be deleted. They no longer stand for their name; the controller's
 * janitor (`abandoned-volumes.ts`) deletes them once Cinder accepts it. Each is reported once per process: one log line and one count on
 * `cinder_csi_leftover_volumes_total`, served with the plugin's other metrics.
 */
import { csiCounter } from '../../csi/metrics';
import type { Logger } from '../../log/logger';

export const LEFTOVER_VOLUMES_METRIC = 'cinder_csi_leftover_volumes_total';

/** One counter per process, registered where --http-endpoint serves the CSI metrics. */
const leftoverCounter = csiCounter({
  name: LEFTOVER_VOLUMES_METRIC,
  help: 'Volumes the plugin abandoned (failed create or duplicate whose delete failed) and left for an operator to remove, by Cinder status when found',
  labelNames: ['status'],
});

/** How many IDs are remembered as reported; beyond that the oldest may be reported again. */
const REMEMBERED = 10_000;

export class LeftoverVolumes {
  private readonly reported = new Set<string>();

  /** Reports `volume` unless it was reported before; returns whether it was reported now. */
  report(volume: { id: string; name?: string | null; status: string }, why: string, logger: Logger): boolean {
    if (this.reported.has(volume.id)) return false;
    if (this.reported.size >= REMEMBERED) this.reported.delete(this.reported.values().next().value as string);
    this.reported.add(volume.id);
    leftoverCounter.inc({ status: volume.status });
    logger.warn('volume left behind for the operator to delete', { volumeId: volume.id, name: volume.name, status: volume.status, why });
    return true;
  }
}
