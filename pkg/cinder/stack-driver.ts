/**
 * The Cinder driver as the run harness (`pkg/stack`: demo, `npm run local`, e2e, sanity) runs it: the
 * `cinder-csi-plugin` binary, its flags pointed at the simulator, and the block volume lifecycle.
 */
import * as path from 'node:path';
import { REPO_ROOT } from '../stack/paths';
import type { StackDriver } from '../stack/driver';
import { canUseLoopDevices } from '../mounter/host-capabilities';
import { isVolumeKind, VOLUME_KINDS, volumeKindUnsupportedReason } from '../stack/volume-kind';
import { runLifecycle } from '../stack/lifecycle';
import { parseCinderOptions } from './options';
import { buildServices } from './plugin/services';

export const CINDER_PLUGIN_MAIN = path.join(REPO_ROOT, 'cmd', 'cinder-csi-plugin', 'main.ts');

export const cinderStackDriver: StackDriver = {
  name: 'cinder',
  title: 'the Cinder CSI plugin',
  cloudServices: 'Keystone, Cinder, Nova, instance metadata',
  nodeSideUnavailableReason() {
    if (canUseLoopDevices) return undefined;
    if (process.getuid?.() !== 0) return 'needs root to attach loop devices, format and mount (run as root for the full demo)';
    return 'needs /dev/loop-control (loop device support) to attach volumes';
  },
  describeNodeSide(stack) {
    return stack.devicesEnabled
      ? `block devices    loop devices, by-id links in ${stack.simulator.byIdDir}`
      : `block devices    OFF (${stack.devicesDisabledReason ?? 'unknown reason'}): NodeStage/NodePublish will fail; controller RPCs work`;
  },
  entryPoint: CINDER_PLUGIN_MAIN,
  component: 'cinder-csi-plugin',
  pluginArgs(setup) {
    const { simulator, server, serves } = setup;
    return [
      '--endpoint', `unix://${setup.socketPath}`,
      '--cloud-config', setup.cloudConfPath,
      '--v', String(setup.verbosity),
      '--wait-initial-delay-ms', String(setup.waitInitialDelayMs),
      `--provide-controller-service=${serves.controller}`,
      `--provide-node-service=${serves.node}`,
      ...(serves.controller ? ['--cluster', setup.clusterId] : []),
      ...(serves.node
        ? [
            '--device-dir', simulator.byIdDir,
            '--sysfs-root', simulator.sysfsRoot,
            '--config-drive-dir', simulator.configDriveDir(server.id),
            '--metadata-url', simulator.metadataUrlFor(server.id),
            '--node-name', server.name,
            '--kubelet-dir', setup.kubeletDir,
          ]
        : []),
    ];
  },
  parseInProcess(args) {
    const parsed = parseCinderOptions(args);
    if (parsed.help) throw new Error('--help and --version are not ways to start a plugin');
    const options = parsed.options;
    return { endpoint: options.endpoint, verbosity: options.verbosity, build: (logger) => buildServices(options, logger) };
  },
  lifecycle: {
    kinds: VOLUME_KINDS,
    run(stack, kind, runner, options) {
      if (!isVolumeKind(kind)) throw new Error(`unknown volume kind "${kind}"; choose from ${VOLUME_KINDS.join(', ')}`);
      return runLifecycle(stack, kind, runner, options);
    },
    unsupportedOnHost(kind) {
      return isVolumeKind(kind) ? volumeKindUnsupportedReason(kind) : undefined;
    },
  },
};
