/**
 * Bounded inputs over one real gRPC connection: a 1 MB value in any string or map field of any RPC gets
 * a prompt INVALID_ARGUMENT naming the field (never echoing it), the same connection answers Probe at
 * once afterwards, and the plugin's logs stay small. Before the CSI size limits and the bounded status
 * message, such a request stalled the connection (the echoing status broke the HTTP/2 stream) and
 * wrote megabytes of logs.
 */
import { Code } from '../../pkg/csi/errors';
const MAX_STATUS_MESSAGE_BYTES = 1024;
import { startPlugin, type PluginUnderTest } from './plugin-harness';
import { callRpc, leavesOf, requestWith, servedRpcs } from './rpc-shapes';

const MB = 1024 * 1024;
/** Per-call deadline: far beyond a prompt answer, far below the 15 s stall the issue saw. */
const DEADLINE_MS = 5000;

describe('1 MB fields to every RPC over one connection', () => {
  let plugin: PluginUnderTest;
  beforeAll(async () => {
    plugin = await startPlugin();
  });
  afterAll(async () => {
    await plugin?.stop();
  });

  it('each gets INVALID_ARGUMENT naming the field, Probe answers at once after, and logs stay small', async () => {
    const huge = 'A'.repeat(MB);
    const rpcs = servedRpcs();
    const logBytesBefore = plugin.logLines.reduce((sum, line) => sum + line.length, 0);
    let sent = 0;
    const failures: string[] = [];
    for (const rpc of rpcs) {
      for (const leaf of leavesOf(rpc.request)) {
        const answer = await callRpc(plugin.client, rpc, requestWith(rpc.request, leaf, huge), Date.now() + DEADLINE_MS);
        sent++;
        const where = leaf.path.join('.');
        if (answer.code !== Code.INVALID_ARGUMENT) failures.push(`${rpc.method} ${where}: code ${answer.code} ${answer.details.slice(0, 200)}`);
        else if (!answer.details.includes(leaf.path[leaf.path.length - 1])) failures.push(`${rpc.method} ${where}: message does not name the field: ${answer.details}`);
        if (Buffer.byteLength(answer.details) > MAX_STATUS_MESSAGE_BYTES || answer.details.includes('AAAA')) {
          failures.push(`${rpc.method} ${where}: message echoes the input (${answer.details.length} chars)`);
        }
      }
      const probe = await callRpc(plugin.client, { service: 'identity', method: 'Probe', request: rpc.request }, {}, Date.now() + 2000);
      if (probe.code !== Code.OK) failures.push(`Probe after ${rpc.method}: code ${probe.code} ${probe.details}`);
    }
    expect(failures).toEqual([]);
    // Every RPC with a string or map field was exercised (the Controller, Node and GroupController ones at least).
    expect(sent).toBeGreaterThan(60);
    const logBytes = plugin.logLines.reduce((sum, line) => sum + line.length, 0) - logBytesBefore;
    const perRequest = logBytes / sent;
    console.log(`oversized requests: ${sent} sent over one connection, ${Math.round(perRequest)} log bytes per 1 MB request at --v=5`);
    expect(perRequest).toBeLessThan(16 * 1024);
  });
});
