/**
 * The Manila driver as the run harness (`pkg/stack`: demo, `npm run local`, e2e) runs it: the
 * `manila-csi-plugin` binary serving NFS, pointed at the simulator, its node plugin forwarding to the
 * harness's stand-in partner (which bind-mounts each share's backing directory), and the share lifecycle.
 */
import * as path from 'node:path';
import { createMounter } from '../mounter';
import type { StackDriver } from '../stack/driver';
import { REPO_ROOT } from '../stack/paths';
import { parseManilaOptions } from './options';
import { buildManilaServices } from './plugin/services';
import { MANILA_KINDS, runManilaLifecycle } from './stack/lifecycle';
import { startBindMountPartner } from './stack/stand-in-partner';

export const MANILA_PLUGIN_MAIN = path.join(REPO_ROOT, 'cmd', 'manila-csi-plugin', 'main.ts');
const PARTNER_SOCKET = 'nfs-partner.sock';

function nodeSideUnavailableReason(): string | undefined {
  // The stand-in partner bind-mounts the share's directory: root is all it needs.
  return process.getuid?.() === 0 ? undefined : 'needs root to bind-mount shares (run as root for the full demo)';
}

export const manilaStackDriver: StackDriver = {
  name: 'manila',
  title: 'the Manila CSI plugin (NFS)',
  cloudServices: 'Keystone, Manila, Nova, instance metadata',
  nodeSideUnavailableReason,
  describeNodeSide() {
    const unavailable = nodeSideUnavailableReason();
    return unavailable
      ? `node side        OFF (${unavailable}): NodeStage/NodePublish will fail; controller RPCs work`
      : `node side        forwarded to a stand-in NFS partner that bind-mounts each share's directory (${PARTNER_SOCKET})`;
  },
  entryPoint: MANILA_PLUGIN_MAIN,
  component: 'manila-csi-plugin',
  pluginArgs(setup) {
    const { simulator, server, serves } = setup;
    return [
      '--endpoint', `unix://${setup.socketPath}`,
      '--drivername', 'nfs.manila.csi.openstack.org',
      '--share-protocol-selector', 'NFS',
      '--cloud-config', setup.cloudConfPath,
      '--v', String(setup.verbosity),
      '--wait-initial-delay-ms', String(setup.waitInitialDelayMs),
      `--provide-controller-service=${serves.controller}`,
      `--provide-node-service=${serves.node}`,
      ...(serves.controller ? ['--cluster-id', setup.clusterId] : []),
      ...(serves.node
        ? [
            '--fwdendpoint', `unix://${path.join(setup.socketsDir, PARTNER_SOCKET)}`,
            '--config-drive-dir', simulator.configDriveDir(server.id),
            '--metadata-url', simulator.metadataUrlFor(server.id),
            '--node-name', server.name,
          ]
        : []),
    ];
  },
  async startNodeCompanions({ socketsDir, logger }) {
    return startBindMountPartner({ socketPath: path.join(socketsDir, PARTNER_SOCKET), mounter: createMounter(), logger });
  },
  parseInProcess(args) {
    const parsed = parseManilaOptions(args);
    if (parsed.help) throw new Error('--help and --version are not ways to start a plugin');
    const options = parsed.options;
    return { endpoint: options.endpoint, verbosity: options.verbosity, build: async (logger) => buildManilaServices(options, logger) };
  },
  lifecycle: {
    kinds: MANILA_KINDS,
    run: runManilaLifecycle,
    // Bind mounts need root, which the demo already checks; no other host tool is involved.
    unsupportedOnHost: () => undefined,
  },
};
