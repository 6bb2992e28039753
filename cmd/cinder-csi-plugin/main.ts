#!/usr/bin/env node
/**
 * cinder-csi-plugin: the Cinder CSI driver binary (flags compatible with cloud-provider-openstack).
 */
import { buildServices } from '../../pkg/cinder/plugin/services';
import { parseCinderOptions, type CinderPluginOptions } from '../../pkg/cinder/options';
import { runPluginBinary, startPluginBinary, type PluginBinary } from '../../pkg/driver-kit/plugin-main';

const CINDER_PLUGIN: PluginBinary<CinderPluginOptions> = {
  binary: 'cinder-csi-plugin',
  parse: parseCinderOptions,
  build: (options, logger) => buildServices(options, logger),
};

export function main(argv: readonly string[]): Promise<void> {
  return runPluginBinary(CINDER_PLUGIN, argv);
}

if (require.main === module) startPluginBinary(CINDER_PLUGIN);
