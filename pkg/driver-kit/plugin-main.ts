/**
 * What every plugin binary does around its driver: parse flags (usage errors exit 2 naming the flag,
 * `--help` prints and exits 0), build the services (a configuration error exits 1), then serve CSI on
 * `--endpoint` and metrics/health on `--http-endpoint` until a signal drains and closes everything.
 */
import { UsageError } from '../csi/flags';
import { startHttpEndpoint } from '../csi/http-endpoint';
import { exitOnSignals } from '../csi/lifecycle';
import { csiMetricsRegistry } from '../csi/metrics';
import { startCsiServer } from '../csi/server';
import { createLogger, type Logger } from '../log/logger';
import { stopCollectingMetrics } from '../metrics/prom-client';
import { openstackMetricsRegistry } from '../openstack';
import { ConfigurationError, type PluginServices } from './plugin-services';

const USAGE_EXIT_CODE = 2;

/** The parse result, or undefined after `--help`/`--version` was answered; a usage error ends the process. */
export function parseOrExit<R extends { help: false; ignoredFlags: readonly string[] }>(
  binary: string,
  parse: () => { help: true; text: string } | R,
): R | undefined {
  let parsed;
  try {
    parsed = parse();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${binary}: ${err.message}\nRun with --help to list the flags.\n`);
    process.exit(USAGE_EXIT_CODE);
  }
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return undefined;
  }
  return parsed;
}

/** One warning line naming the cloud-provider-openstack flags given that have no effect here. */
export function warnIgnoredFlags(logger: Logger, flags: readonly string[]): void {
  if (flags.length === 0) return;
  logger.warn(`ignoring cloud-provider-openstack flags that have no effect here: ${flags.join(' ')}`, { flags });
}

export interface ServeOptions {
  binary: string;
  endpoint: string;
  /** host:port, '' = off. */
  httpEndpoint: string;
  logger: Logger;
  build: () => PluginServices | Promise<PluginServices>;
}

export async function servePlugin(options: ServeOptions): Promise<void> {
  const { logger } = options;
  let plugin: PluginServices;
  try {
    plugin = await options.build();
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    process.stderr.write(`${options.binary}: ${err.message}\n`);
    process.exit(1);
  }
  const server = await startCsiServer({ endpoint: options.endpoint, services: plugin.services, logger });
  const httpEndpoint =
    options.httpEndpoint === ''
      ? undefined
      : await startHttpEndpoint({
          address: options.httpEndpoint,
          registries: [csiMetricsRegistry(), openstackMetricsRegistry()],
          ready: plugin.ready,
          logger,
        });
  exitOnSignals(async () => {
    await server.stop();
    await httpEndpoint?.stop();
    await plugin.close();
  }, logger);
}

/** The flags every plugin binary has that this module needs. */
interface BinaryOptions {
  endpoint: string;
  httpEndpoint: string;
  verbosity: number;
}

export interface PluginBinary<O extends BinaryOptions> {
  binary: string;
  parse(argv: readonly string[]): { help: true; text: string } | { help: false; options: O; ignoredFlags: readonly string[] };
  /** Extra fields on every log line (besides `component: binary`). */
  logFields?(options: O): Record<string, unknown>;
  build(options: O, logger: Logger): PluginServices | Promise<PluginServices>;
}

/** A plugin binary's whole life: flags, one warning for CPO-only flags, services, serving until a signal. */
export async function runPluginBinary<O extends BinaryOptions>(plugin: PluginBinary<O>, argv: readonly string[]): Promise<void> {
  const parsed = parseOrExit(plugin.binary, () => plugin.parse(argv));
  if (!parsed) return;
  const { options } = parsed;
  const logger = createLogger({ verbosity: options.verbosity, fields: { component: plugin.binary, ...plugin.logFields?.(options) } });
  warnIgnoredFlags(logger, parsed.ignoredFlags);
  // Without --http-endpoint nobody reads the metrics: do not load prom-client or keep them.
  if (options.httpEndpoint === '') stopCollectingMetrics();
  await servePlugin({
    binary: plugin.binary,
    endpoint: options.endpoint,
    httpEndpoint: options.httpEndpoint,
    logger,
    build: () => plugin.build(options, logger),
  });
}

/** For a binary's `require.main === module` block: run it, and exit 1 with a log line if it cannot start. */
export function startPluginBinary<O extends BinaryOptions>(plugin: PluginBinary<O>): void {
  runPluginBinary(plugin, process.argv.slice(2)).catch((err: unknown) => {
    createLogger().error(`${plugin.binary} failed to start`, { error: err });
    process.exit(1);
  });
}
