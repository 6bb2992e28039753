/**
 * Per-RPC metrics recorded by the request pipeline: one histogram observation per CSI call, labelled
 * with the method and the gRPC code it answered (names follow the CSI sidecars' csi_operations_seconds).
 */
import type { Registry } from 'prom-client';
import { lazyMetrics, loadPromClient, metricsOnDemand } from '../metrics/prom-client';

export interface CsiCallMetrics {
  observe(method: string, code: string, durationSeconds: number): void;
}

export const CSI_OPERATIONS_METRIC = 'csi_plugin_operations_seconds';

export function createCsiCallMetrics(registry: Registry): CsiCallMetrics {
  const histogram = new (loadPromClient().Histogram)({
    name: CSI_OPERATIONS_METRIC,
    help: 'Duration of CSI calls served by this plugin, by method and gRPC status code',
    labelNames: ['method_name', 'grpc_status_code'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 25, 50, 120, 300, 600],
    registers: [registry],
  });
  return {
    observe(method, code, durationSeconds) {
      histogram.observe({ method_name: method, grpc_status_code: code }, durationSeconds);
    },
  };
}

const callMetrics = metricsOnDemand(createCsiCallMetrics);

/** The registry the plugin binaries expose on --http-endpoint together with the OpenStack metrics (made on first use). */
export const csiMetricsRegistry = callMetrics.registry;

export const defaultCsiCallMetrics: CsiCallMetrics = {
  observe: (method, code, durationSeconds) => callMetrics.use((metrics) => metrics.observe(method, code, durationSeconds)),
};

/** A counter on csiMetricsRegistry, created on its first increment (and never while metrics are not collected). */
export function csiCounter<Label extends string>(spec: { name: string; help: string; labelNames: readonly Label[] }): {
  inc(labels: Record<Label, string>): void;
} {
  const counter = lazyMetrics(() => new (loadPromClient().Counter)({ ...spec, labelNames: [...spec.labelNames], registers: [csiMetricsRegistry()] }));
  return { inc: (labels) => counter.use((metric) => metric.inc(labels as Partial<Record<Label, string>>)) };
}
