/**
 * manila-csi-plugin: the Manila CSI driver binary (flags compatible with cloud-provider-openstack's).
 */
import { parseOrExit, servePlugin } from '../../pkg/driver-kit/plugin-main';
import { createLogger } from '../../pkg/log/logger';
import { parseManilaOptions } from '../../pkg/manila/options';
import { buildManilaServices } from '../../pkg/manila/plugin/services';

const BINARY = 'manila-csi-plugin';

export async function main(argv: readonly string[]): Promise<void> {
  const options = parseOrExit(BINARY, () => parseManilaOptions(argv));
  if (!options) return;
  const logger = createLogger({ verbosity: options.verbosity, fields: { component: BINARY, protocol: options.shareProtocol } });
  if (options.ignoredFlags.length > 0) {
    logger.warn(`ignoring flags kept for compatibility with cloud-provider-openstack: ${options.ignoredFlags.map((f) => `--${f}`).join(', ')}`);
  }
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
