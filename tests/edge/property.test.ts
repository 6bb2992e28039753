/**
 * Property-based: requests for every RPC, generated from the request shapes read from csi.proto
 * (adversarial strings and maps included), sent to the whole plugin over one gRPC connection. Every
 * answer's code must be one the CSI spec allows for that RPC, no answer may come from an unhandled
 * exception, the connection must still answer Probe after each call, and nothing may be created
 * outside the sandbox the generated paths point into (paths may climb one level out of it with `..`).
 * Bounded (~30 s) so it runs in `npm test`; a failure prints the shrunk request and the seed.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { Code, codeName } from '../../pkg/csi/errors';
import { requestArbitrary } from './arbitraries';
import { startPlugin, type PluginUnderTest } from './plugin-harness';
import { callRpc, servedRpcs, type Rpc } from './rpc-shapes';
import { allowedCodes, UNHANDLED_ERROR_MESSAGE } from './spec-codes';

const CALL_DEADLINE_MS = 3000;
const PROBE_DEADLINE_MS = 2000;
/**
 * Each RPC's share of the time budget is at least one whole run (its call, the sandbox check, the Probe):
 * fast-check fails a property interrupted before its first run ends, which a loaded host did to a share
 * of ~1 s (two parallel suites on 2 cores).
 */
const ONE_RUN_MS = CALL_DEADLINE_MS + PROBE_DEADLINE_MS + 1000;
const RUNS_PER_RPC = 25;
/** Split over the RPCs; a run that is slow (a node call waiting for a device) only shortens its RPC's share. */
const TIME_BUDGET_MS = 30_000;

/**
 * Paths may climb one level out of the sandbox (into `base`): was anything made there? The sandbox
 * itself is a path requests may name (an empty staging directory a NodeUnstageVolume may remove, as it
 * removes the mount point it made); it is put back so later paths keep pointing into it. Which paths
 * the node may remove at all is the node service's own rule (its kubelet-root check), tested there.
 */
async function madeOutsideSandbox(base: string, sandbox: string): Promise<string[]> {
  await fsp.mkdir(sandbox, { recursive: true });
  const entries = (await fsp.readdir(base)).map(String);
  return entries.filter((entry) => entry !== path.basename(sandbox)).map((entry) => path.join(base, entry));
}

describe('generated requests for every RPC', () => {
  let plugin: PluginUnderTest;
  let base: string;
  let sandbox: string;
  let knownIds: string[];

  beforeAll(async () => {
    plugin = await startPlugin();
    base = await fsp.mkdtemp(path.join(os.tmpdir(), 'edge-prop-'));
    sandbox = path.join(base, 'kubelet');
    await fsp.mkdir(sandbox);
    const volume = await plugin.client.controller.CreateVolume({
      name: 'prop-known',
      capacity_range: { required_bytes: String(1024 ** 3) },
      volume_capabilities: [{ access_mode: { mode: 'SINGLE_NODE_WRITER' }, mount: { fs_type: 'ext4' } }],
    });
    const snapshot = await plugin.client.controller.CreateSnapshot({ name: 'prop-known-snap', source_volume_id: volume.volume!.volume_id });
    const node = await plugin.client.node.NodeGetInfo({});
    knownIds = [volume.volume!.volume_id, snapshot.snapshot!.snapshot_id, node.node_id];
  });
  afterAll(async () => {
    await plugin?.stop();
    if (base) await fsp.rm(base, { recursive: true, force: true });
  });

  it('answers each with a code the spec allows, keeps answering Probe, and creates nothing outside its sandbox', async () => {
    const rpcs = servedRpcs();
    const budget = Math.max(ONE_RUN_MS, Math.floor(TIME_BUDGET_MS / rpcs.length));
    const answered = new Map<string, number>();
    for (const rpc of rpcs) {
      const allowed = allowedCodes(rpc.method);
      await fc.assert(
        fc.asyncProperty(requestArbitrary(rpc.request, { sandbox, knownIds }), async (request) => {
          const answer = await callRpc(plugin.client, rpc, request, Date.now() + CALL_DEADLINE_MS);
          answered.set(rpc.method, (answered.get(rpc.method) ?? 0) + 1);
          const what = `${rpc.method} answered ${codeName(answer.code)} "${answer.details.slice(0, 300)}"`;
          if (!allowed.has(answer.code)) throw new Error(`${what}, a code the spec does not allow for it`);
          if (answer.code === Code.INTERNAL && UNHANDLED_ERROR_MESSAGE.test(answer.details)) throw new Error(`${what}: an unhandled exception`);
          const outside = await madeOutsideSandbox(base, sandbox);
          if (outside.length > 0) throw new Error(`after ${what}, outside the sandbox: ${outside.join(', ')}`);
          const probe = await callRpc(plugin.client, probeRpc(rpcs), {}, Date.now() + PROBE_DEADLINE_MS);
          if (probe.code !== Code.OK) throw new Error(`after ${what}, Probe answered ${codeName(probe.code)}`);
        }),
        { numRuns: RUNS_PER_RPC, interruptAfterTimeLimit: budget, markInterruptAsFailure: false, endOnFailure: true },
      );
    }
    // Every RPC got at least one generated request, and most got all their runs.
    expect(rpcs.filter((rpc) => !answered.get(rpc.method)).map((rpc) => rpc.method)).toEqual([]);
    expect([...answered.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(rpcs.length * 3);
    // ~25 s on a quiet host; each RPC's share may grow to one whole run when the host is loaded.
  }, 240_000);
});

function probeRpc(rpcs: readonly Rpc[]): Rpc {
  const probe = rpcs.find((rpc) => rpc.method === 'Probe');
  if (!probe) throw new Error('Probe is not served');
  return probe;
}
