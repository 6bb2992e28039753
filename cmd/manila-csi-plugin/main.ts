#!/usr/bin/env node
/**
 * manila-csi-plugin: the Manila CSI driver binary (flags compatible with cloud-provider-openstack's).
 */
import { runPluginBinary, startPluginBinary, type PluginBinary } from '../../pkg/driver-kit/plugin-main';
import { parseManilaOptions, type ManilaPluginOptions } from '../../pkg/manila/options';
import { buildManilaServices } from '../../pkg/manila/plugin/services';

const MANILA_PLUGIN: PluginBinary<ManilaPluginOptions> = {
  binary: 'manila-csi-plugin',
  parse: parseManilaOptions,
  logFields: (options) => ({ protocol: options.shareProtocol }),
  build: buildManilaServices,
};

export function main(argv: readonly string[]): Promise<void> {
  return runPluginBinary(MANILA_PLUGIN, argv);
}

if (require.main === module) startPluginBinary(MANILA_PLUGIN);
