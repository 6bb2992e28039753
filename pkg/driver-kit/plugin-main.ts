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
import type { Logger } from '../log/logger';
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
          registries: [csiMetricsRegistry, openstackMetricsRegistry],
          ready: plugin.ready,
          logger,
        });
  exitOnSignals(async () => {
    await server.stop();
    await httpEndpoint?.stop();
    await plugin.close();
  }, logger);
}
