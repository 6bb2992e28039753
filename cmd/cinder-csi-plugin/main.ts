#!/usr/bin/env node
/**
 * cinder-csi-plugin: the Cinder CSI driver binary (flags compatible with cloud-provider-openstack).
 */
import { parseCinderOptions, UsageError } from '../../pkg/cinder/options';
import { startHttpEndpoint } from '../../pkg/csi/http-endpoint';
import { exitOnSignals } from '../../pkg/csi/lifecycle';
import { csiMetricsRegistry } from '../../pkg/csi/metrics';
import { startCsiServer } from '../../pkg/csi/server';
import { createLogger } from '../../pkg/log/logger';
import { stopCollectingMetrics } from '../../pkg/metrics/prom-client';
import { openstackMetricsRegistry } from '../../pkg/openstack';
import { buildServices, ConfigurationError } from '../../pkg/cinder/plugin/services';

const USAGE_EXIT_CODE = 2;

export async function main(argv: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseCinderOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`cinder-csi-plugin: ${err.message}\nRun with --help to list the flags.\n`);
    process.exit(USAGE_EXIT_CODE);
  }
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return;
  }

  const options = parsed.options;
  const logger = createLogger({ verbosity: options.verbosity, fields: { component: 'cinder-csi-plugin' } });
  if (parsed.ignoredFlags.length > 0) {
    logger.warn(`ignoring cloud-provider-openstack flags that have no effect here: ${parsed.ignoredFlags.join(' ')}`, {
      flags: parsed.ignoredFlags,
    });
  }
  // Without --http-endpoint nobody reads the metrics: do not load prom-client or keep them.
  if (options.httpEndpoint === '') stopCollectingMetrics();
  let plugin;
  try {
    plugin = await buildServices(options, logger);
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    process.stderr.write(`cinder-csi-plugin: ${err.message}\n`);
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

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    createLogger().error('cinder-csi-plugin failed to start', { error: err });
    process.exit(1);
  });
}
