/**
 * OpenStack API metrics with CPO's names and label (`request`, e.g. `volume_create`), so existing
 * dashboards keep working. One observation per logical call (retries included in its duration).
 */
import { Counter, Histogram, Registry } from 'prom-client';

export interface OpenStackMetrics {
  observe(request: string, durationSeconds: number, failed: boolean): void;
}

export const METRIC_NAMES = {
  duration: 'openstack_api_request_duration_seconds',
  total: 'openstack_api_requests_total',
  errors: 'openstack_api_request_errors_total',
} as const;

export function createOpenStackMetrics(registry: Registry): OpenStackMetrics {
  const duration = new Histogram({
    name: METRIC_NAMES.duration,
    help: 'Latency of an OpenStack API call',
    labelNames: ['request'],
    registers: [registry],
  });
  const total = new Counter({
    name: METRIC_NAMES.total,
    help: 'Total number of OpenStack API calls',
    labelNames: ['request'],
    registers: [registry],
  });
  const errors = new Counter({
    name: METRIC_NAMES.errors,
    help: 'Total number of errors for OpenStack API calls',
    labelNames: ['request'],
    registers: [registry],
  });
  return {
    observe(request, durationSeconds, failed) {
      duration.observe({ request }, durationSeconds);
      total.inc({ request });
      if (failed) errors.inc({ request });
    },
  };
}

/** The registry the binaries expose on `--http-endpoint`; every cloud created without options reports here. */
export const openstackMetricsRegistry = new Registry();
export const defaultOpenStackMetrics: OpenStackMetrics = createOpenStackMetrics(openstackMetricsRegistry);

export const noopMetrics: OpenStackMetrics = { observe: () => undefined };
