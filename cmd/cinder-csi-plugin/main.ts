#!/usr/bin/env node
/**
 * cinder-csi-plugin: the Cinder CSI driver binary (flags compatible with cloud-provider-openstack).
 */
import { buildServices } from '../../pkg/cinder/plugin/services';
import { parseCinderOptions } from '../../pkg/cinder/options';
import { parseOrExit, servePlugin, warnIgnoredFlags } from '../../pkg/driver-kit/plugin-main';
import { createLogger } from '../../pkg/log/logger';

const BINARY = 'cinder-csi-plugin';

export async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseOrExit(BINARY, () => parseCinderOptions(argv));
  if (!parsed) return;
  const { options } = parsed;
  const logger = createLogger({ verbosity: options.verbosity, fields: { component: BINARY } });
  warnIgnoredFlags(logger, parsed.ignoredFlags);
  await servePlugin({
    binary: BINARY,
    endpoint: options.endpoint,
    httpEndpoint: options.httpEndpoint,
    logger,
    build: () => buildServices(options, logger),
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    createLogger().error(`${BINARY} failed to start`, { error: err });
    process.exit(1);
  });
}
