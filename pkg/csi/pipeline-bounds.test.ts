/**
 * What leaves the pipeline is bounded and redacted whatever a handler throws: a status message that
 * echoes a megabyte input is cut (it broke the caller's HTTP/2 stream), secrets in mount options are
 * masked in the status and in every log line, and the connection keeps answering.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLogger } from '../log/logger';
import { REDACTED } from '../log/redact';
import { CommandFailedError } from '../mounter/errors';
import { Code, failedPrecondition, internal } from './errors';
import type { NodeHandlers } from './handlers';
import { createIdentityService } from './identity';
import { MAX_STATUS_MESSAGE_BYTES } from './pipeline';
import { startCsiServer, type CsiServer } from './server';
import { createCsiClient, type CsiClient } from './client';

const identity = createIdentityService({ driverName: 'cinder.csi.openstack.org', vendorVersion: '1', capabilities: {}, ready: () => true });

describe('status messages and logs leaving the pipeline', () => {
  let dir: string;
  let server: CsiServer;
  let client: CsiClient;
  const lines: string[] = [];

  const node: NodeHandlers = {
    // A handler that echoes its input, as error messages naming a path or ID do.
    NodeUnpublishVolume: async (req) => {
      throw failedPrecondition(`cannot unpublish ${req.volume_id} from ${req.target_path}`);
    },
    // A mount failure as the node service reports it: the mounter's error inside the driver's message.
    NodeStageVolume: async (req) => {
      const flags = req.volume_capability?.mount?.mount_flags ?? [];
      const error = new CommandFailedError('mount', ['-t', 'ext4', '-o', flags.join(','), '/dev/loop7', req.staging_target_path], 32, 'mount: wrong fs type, bad option');
      throw internal(`staging volume ${req.volume_id}: ${error.message} (flags ${flags.join(' ')})`, error);
    },
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-bounds-'));
    const logger = createLogger({ verbosity: 5, sink: (line) => lines.push(line) });
    server = await startCsiServer({ endpoint: `unix://${path.join(dir, 'csi.sock')}`, services: { identity, node }, logger, drainTimeoutMs: 1000 });
    client = createCsiClient(server.address);
  });
  afterAll(async () => {
    client.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('cuts a status message that echoes a huge (but, for this RPC, limit-free) input and keeps the connection', async () => {
    // target_path may be as long as the OS allows; the handler's message then carries ~4 KB.
    const target = '/' + 'd'.repeat(4000);
    const error = await client.node.NodeUnpublishVolume({ volume_id: 'v1', target_path: target }).then(
      () => undefined,
      (e: { code: number; details: string }) => e,
    );
    expect(error?.code).toBe(Code.FAILED_PRECONDITION);
    expect(Buffer.byteLength(error!.details)).toBeLessThanOrEqual(MAX_STATUS_MESSAGE_BYTES);
    expect(error!.details).toMatch(/^cannot unpublish v1 from \/d+… \(\d+ bytes, truncated\)$/);
    await expect(client.identity.Probe({}, { deadline: Date.now() + 2000 })).resolves.toBeDefined();
  });

  it('masks secret mount options in the status message and in every log line', async () => {
    lines.length = 0;
    const secret = 'hunter2-' + Math.random().toString(36).slice(2);
    const error = await client.node
      .NodeStageVolume({
        volume_id: 'v2',
        staging_target_path: path.join(dir, 'stage'),
        volume_capability: { access_mode: { mode: 'SINGLE_NODE_WRITER' }, mount: { fs_type: 'ext4', mount_flags: [`password=${secret}`, 'uid=1000', 'ro'] } },
      })
      .then(
        () => undefined,
        (e: { code: number; details: string }) => e,
      );
    expect(error?.code).toBe(Code.INTERNAL);
    expect(error!.details).not.toContain(secret);
    expect(error!.details).toContain(`password=${REDACTED}`);
    // The mounter masks every option value of `mount -o`, and keeps the flag names for debugging.
    expect(error!.details).toContain(`-o password=${REDACTED},uid=${REDACTED},ro`);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(secret);
  });
});
