/**
 * prom-client on demand. Loading it costs ~12 MiB of RSS (with @opentelemetry/api, tdigest, bintrees), and
 * only the `--http-endpoint` server can read what it collects. The binaries switch collection off when that
 * flag is not set, so a plugin without it never loads the library; metrics objects behind the
 * CsiCallMetrics / OpenStackMetrics interfaces are made on their first observation.
 */
import type * as PromClient from 'prom-client';

let collecting = true;
let promClient: typeof PromClient | undefined;

/** Nobody will read the metrics of this process (no `--http-endpoint`): observations become no-ops. */
export function stopCollectingMetrics(): void {
  collecting = false;
}

export function metricsCollected(): boolean {
  return collecting;
}

export function loadPromClient(): typeof PromClient {
  // A synchronous require on first use (the module graph is CommonJS): metrics are observed from synchronous code.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  promClient ??= require('prom-client') as typeof PromClient;
  return promClient;
}

/** A registry made on first use: `--http-endpoint` and tests read it, nothing else creates it. */
export function lazyRegistry(): () => PromClient.Registry {
  let registry: PromClient.Registry | undefined;
  return () => (registry ??= new (loadPromClient().Registry)());
}

export interface LazyMetrics<M> {
  /** Runs `record` on the metrics (creating them) while metrics are collected; otherwise does nothing. */
  use(record: (metrics: M) => void): void;
  /** Creates the metrics now, e.g. so that a scrape lists them before their first observation. */
  get(): M;
}

/** Metrics created on their first observation (only while metrics are collected) or when a reader asks. */
export function lazyMetrics<M>(create: () => M): LazyMetrics<M> {
  let metrics: M | undefined;
  const get = () => (metrics ??= create());
  return {
    use(record) {
      if (collecting) record(get());
    },
    get,
  };
}

/**
 * A registry and the metrics made in it, both on demand. Asking for the registry (a reader: the
 * `--http-endpoint` server, a test) creates the metrics too, so a scrape lists them before their first use.
 */
export function metricsOnDemand<M>(create: (registry: PromClient.Registry) => M): {
  registry(): PromClient.Registry;
  use(record: (metrics: M) => void): void;
} {
  const registry = lazyRegistry();
  const metrics = lazyMetrics(() => create(registry()));
  return {
    registry() {
      metrics.get();
      return registry();
    },
    use: metrics.use,
  };
}
