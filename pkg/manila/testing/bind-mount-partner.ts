/**
 * Test and demo support: a stand-in for csi-driver-nfs that needs no NFS client. It serves the partner's
 * Node RPCs on a unix socket and, for NodePublishVolume, bind-mounts the NFS `share` path of the
 * volume_context (in the simulator that path IS the share's backing directory) onto the target, so two
 * publishes of one share see the same bytes. No staging (csi-driver-nfs has none either). For the run
 * harness (`npm run demo|local --driver manila`) and tests; never deployed.
 */
import path from 'node:path';
import { failedPrecondition, invalidArgument } from '../../csi/errors';
import type { NodeHandlers } from '../../csi/handlers';
import { createIdentityService } from '../../csi/identity';
import { startCsiServer, type CsiServer } from '../../csi/server';
import { silentLogger, type Logger } from '../../log/logger';
import type { Mounter } from '../../mounter';

export interface BindMountPartner {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startBindMountPartner(options: { socketPath: string; mounter: Mounter; logger?: Logger }): Promise<BindMountPartner> {
  const { mounter } = options;
  const node: NodeHandlers = {
    NodeGetCapabilities: async () => ({ capabilities: [{ rpc: { type: 'GET_VOLUME_STATS' } }] }),
    NodeGetInfo: async () => ({ node_id: 'bind-mount-partner' }),
    NodePublishVolume: async (req) => {
      const source = req.volume_context?.share;
      if (!source || !path.isAbsolute(source)) throw invalidArgument('volume_context.share must be the absolute path of the share');
      if (!(await mounter.statPath(source))) throw failedPrecondition(`share path ${source} does not exist on this host`);
      if (await mounter.isMountPoint(req.target_path)) return {};
      await mounter.makeDir(req.target_path);
      await mounter.bindMount(source, req.target_path, { readOnly: req.readonly });
      return {};
    },
    NodeUnpublishVolume: async (req) => {
      if (await mounter.isMountPoint(req.target_path)) await mounter.unmount(req.target_path);
      // Never recursive: if the unmount did not take, the share's files must not be deleted through it.
      if (await mounter.statPath(req.target_path)) await mounter.removePath(req.target_path);
      return {};
    },
    NodeGetVolumeStats: async (req) => {
      const stats = await mounter.statfs(req.volume_path);
      return {
        usage: [{ unit: 'BYTES', total: String(stats.totalBytes), used: String(stats.usedBytes), available: String(stats.availableBytes) }],
      };
    },
  };
  const server: CsiServer = await startCsiServer({
    endpoint: `unix://${options.socketPath}`,
    services: {
      identity: createIdentityService({ driverName: 'nfs.csi.k8s.io', vendorVersion: 'stand-in', capabilities: {}, ready: () => true }),
      node,
    },
    logger: options.logger ?? silentLogger,
    drainTimeoutMs: 2000,
  });
  return { endpoint: `unix://${options.socketPath}`, stop: () => server.stop() };
}
