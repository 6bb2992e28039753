/**
 * Test support: a partner node plugin (the role csi-driver-nfs / ceph-csi play) on a unix socket that
 * records every request it receives and answers success, or the gRPC code a test asks for.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Code, CsiError } from '../../csi/errors';
import type { NodeHandlers } from '../../csi/handlers';
import { createIdentityService } from '../../csi/identity';
import { startCsiServer, type CsiServer } from '../../csi/server';
import { silentLogger } from '../../log/logger';

export interface RecordedCall {
  method: string;
  request: Record<string, unknown>;
}

export interface RecordingPartner {
  /** unix:///... endpoint for --fwdendpoint. */
  endpoint: string;
  calls: RecordedCall[];
  /** The next call of `method` fails with `code`. */
  failNext(method: string, code: Code, message: string): void;
  stop(): Promise<void>;
}

export async function startRecordingPartner(options: { stageUnstage?: boolean; socketDir?: string } = {}): Promise<RecordingPartner> {
  const dir = options.socketDir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'manila-partner-')));
  const calls: RecordedCall[] = [];
  const failures = new Map<string, CsiError>();
  const record = <T>(method: string, answer: T) => async (request: unknown): Promise<T> => {
    calls.push({ method, request: request as Record<string, unknown> });
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      throw failure;
    }
    return answer;
  };
  const node: NodeHandlers = {
    NodeStageVolume: record('NodeStageVolume', {}),
    NodeUnstageVolume: record('NodeUnstageVolume', {}),
    NodePublishVolume: record('NodePublishVolume', {}),
    NodeUnpublishVolume: record('NodeUnpublishVolume', {}),
    NodeGetVolumeStats: record('NodeGetVolumeStats', { usage: [{ unit: 'BYTES' as const, total: '1073741824', used: '4096', available: '1073737728' }] }),
    NodeGetCapabilities: record('NodeGetCapabilities', {
      capabilities: [
        ...(options.stageUnstage === false ? [] : [{ rpc: { type: 'STAGE_UNSTAGE_VOLUME' as const } }]),
        { rpc: { type: 'GET_VOLUME_STATS' as const } },
      ],
    }),
    NodeGetInfo: record('NodeGetInfo', { node_id: 'partner-node' }),
  };
  const server: CsiServer = await startCsiServer({
    endpoint: `unix://${path.join(dir, 'partner.sock')}`,
    services: {
      identity: createIdentityService({ driverName: 'partner.example.org', vendorVersion: 'test', capabilities: {}, ready: () => true }),
      node,
    },
    logger: silentLogger,
    drainTimeoutMs: 1000,
  });
  return {
    endpoint: `unix://${path.join(dir, 'partner.sock')}`,
    calls,
    failNext(method, code, message) {
      failures.set(method, new CsiError(code, message));
    },
    async stop() {
      await server.stop();
      if (!options.socketDir) await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
