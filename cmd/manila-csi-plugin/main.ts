#!/usr/bin/env node
/**
 * manila-csi-plugin: the Manila CSI driver binary (flags compatible with cloud-provider-openstack's).
 */
import { parseOrExit, servePlugin, warnIgnoredFlags } from '../../pkg/driver-kit/plugin-main';
import { createLogger } from '../../pkg/log/logger';
import { parseManilaOptions } from '../../pkg/manila/options';
import { buildManilaServices } from '../../pkg/manila/plugin/services';

const BINARY = 'manila-csi-plugin';

export async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseOrExit(BINARY, () => parseManilaOptions(argv));
  if (!parsed) return;
  const { options } = parsed;
  const logger = createLogger({ verbosity: options.verbosity, fields: { component: BINARY, protocol: options.shareProtocol } });
  warnIgnoredFlags(logger, parsed.ignoredFlags);
  await servePlugin({
    binary: BINARY,
    endpoint: options.endpoint,
    httpEndpoint: options.httpEndpoint,
    logger,
    build: () => buildManilaServices(options, logger),
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    createLogger().error(`${BINARY} failed to start`, { error: err });
    process.exit(1);
  });
}
