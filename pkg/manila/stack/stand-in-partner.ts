/**
 * The run harness's stand-in for csi-driver-nfs (`npm run demo|local --driver manila`, e2e), needing no NFS
 * client: it serves the partner's Node RPCs on a unix socket and bind-mounts the NFS `share` path of the
 * volume_context (in the simulator that path IS the share's backing directory) at staging and at each
 * target, so two publishes of one share see the same bytes. Part of the harness, never of the manifests:
 * a real deployment runs the real partner next to the node plugin.
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
  /** Bind-mounts the share's directory at `target` (idempotent: an existing mount is kept). */
  const mountShare = async (volumeContext: Record<string, string> | undefined, target: string, readOnly: boolean): Promise<void> => {
    const source = volumeContext?.share;
    if (!source || !path.isAbsolute(source)) throw invalidArgument('volume_context.share must be the absolute path of the share');
    if (!(await mounter.statPath(source))) throw failedPrecondition(`share path ${source} does not exist on this host`);
    if (await mounter.isMountPoint(target)) return;
    await mounter.makeDir(target);
    await mounter.bindMount(source, target, { readOnly });
  };
  const unmount = async (target: string): Promise<void> => {
    if (await mounter.isMountPoint(target)) await mounter.unmount(target);
  };
  const node: NodeHandlers = {
    NodeGetCapabilities: async () => ({
      capabilities: [{ rpc: { type: 'STAGE_UNSTAGE_VOLUME' } }, { rpc: { type: 'GET_VOLUME_STATS' } }],
    }),
    NodeGetInfo: async () => ({ node_id: 'bind-mount-partner' }),
    NodeStageVolume: async (req) => {
      await mountShare(req.volume_context, req.staging_target_path, false);
      return {};
    },
    NodeUnstageVolume: async (req) => {
      // The staging directory itself is kubelet's to remove.
      await unmount(req.staging_target_path);
      return {};
    },
    NodePublishVolume: async (req) => {
      await mountShare(req.volume_context, req.target_path, req.readonly);
      return {};
    },
    NodeUnpublishVolume: async (req) => {
      await unmount(req.target_path);
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
