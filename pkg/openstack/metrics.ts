/**
 * OpenStack API metrics with CPO's names and label (`request`, e.g. `volume_create`), so existing
 * dashboards keep working. One observation per logical call (retries included in its duration).
 */
import type { Registry } from 'prom-client';
import { loadPromClient, metricsOnDemand } from '../metrics/prom-client';

export interface OpenStackMetrics {
  observe(request: string, durationSeconds: number, failed: boolean): void;
}

export const METRIC_NAMES = {
  duration: 'openstack_api_request_duration_seconds',
  total: 'openstack_api_requests_total',
  errors: 'openstack_api_request_errors_total',
} as const;

export function createOpenStackMetrics(registry: Registry): OpenStackMetrics {
  const { Counter, Histogram } = loadPromClient();
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

const cloudMetrics = metricsOnDemand(createOpenStackMetrics);

/** The registry the binaries expose on `--http-endpoint` (made on first use); every cloud created without options reports here. */
export const openstackMetricsRegistry = cloudMetrics.registry;

export const defaultOpenStackMetrics: OpenStackMetrics = {
  observe: (request, durationSeconds, failed) => cloudMetrics.use((metrics) => metrics.observe(request, durationSeconds, failed)),
};

export const noopMetrics: OpenStackMetrics = { observe: () => undefined };
