/**
 * Per-RPC metrics recorded by the request pipeline: one histogram observation per CSI call, labelled
 * with the method and the gRPC code it answered (names follow the CSI sidecars' csi_operations_seconds).
 */
import { Histogram, Registry } from 'prom-client';

export interface CsiCallMetrics {
  observe(method: string, code: string, durationSeconds: number): void;
}

export const CSI_OPERATIONS_METRIC = 'csi_plugin_operations_seconds';

export function createCsiCallMetrics(registry: Registry): CsiCallMetrics {
  const histogram = new Histogram({
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

/** The registry the plugin binaries expose on --http-endpoint together with the OpenStack metrics. */
export const csiMetricsRegistry = new Registry();
export const defaultCsiCallMetrics: CsiCallMetrics = createCsiCallMetrics(csiMetricsRegistry);
