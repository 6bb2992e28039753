/**
 * Bench 4 (Manila): (a) Keystone tokens issued and Manila version checks per 100 controller RPCs sent with
 * `os-*` secrets: CPO authenticates and re-reads `GET /v2` on every RPC (100 tokens), we keep one session
 * per credential set; (b) how long CreateVolume waits for NFS access rules to become `active` (CPO answers
 * without waiting, so its first mounts fail while rules are `queued_to_apply`: CPO #3000) with the
 * production wait table scaled by the default `--wait-initial-delay-ms` (250) vs CPO's schedule (5 s first).
 */
import { createLogger, silentLogger } from '../../pkg/log/logger';
import { noopMetrics } from '../../pkg/openstack';
import { DEFAULT_WAIT_SCHEDULES, withInitialDelays } from '../../pkg/openstack/wait-schedules';
import { GiB, MOUNT_RWX, openStackSecrets, startControllerHarness } from '../../pkg/manila/testing/controller-harness';
import { mean, printTable, ratio, seconds } from './report';

const RULE_APPLY_MS = { min: 300, max: 900 };

export async function runManilaBench(options: { rpcs: number; volumes: number; firstDelaysMs: number[] }): Promise<void> {
  const tokenRows: (string | number)[][] = [];
  const waitRows: (string | number)[][] = [];
  for (const firstDelayMs of options.firstDelaysMs) {
    const waits = firstDelayMs === 0 ? DEFAULT_WAIT_SCHEDULES : withInitialDelays(DEFAULT_WAIT_SCHEDULES, firstDelayMs);
    const ruleWaits: number[] = [];
    const serverLogger = createLogger({
      sink: (line) => {
        const wait = (JSON.parse(line) as { accessRuleWaitMs?: number }).accessRuleWaitMs;
        if (typeof wait === 'number') ruleWaits.push(wait);
      },
    });
    const h = await startControllerHarness({
      serverLogger,
      sim: { latencyMs: 50, randomSeed: 11 },
      clientOptions: { metrics: noopMetrics, waitSchedule: waits },
      context: { logger: silentLogger },
    });
    try {
      h.sim.control.setLatency(RULE_APPLY_MS, 'share_access');
      const secrets = openStackSecrets(h.sim);
      const tokens = () => h.sim.requests.count('POST', '/identity/v3/auth/tokens');
      const waitMs: number[] = [];
      const before = tokens();
      let rpcs = 0;
      const ids: string[] = [];
      for (let i = 0; i < options.volumes; i++) {
        const started = performance.now();
        const res = await h.client.controller.CreateVolume({
          name: `bench-${firstDelayMs}-${i}`,
          capacity_range: { required_bytes: String(GiB) },
          volume_capabilities: [MOUNT_RWX],
          secrets,
        });
        rpcs += 1;
        ids.push(res.volume!.volume_id);
        waitMs.push(performance.now() - started);
      }
      while (rpcs < options.rpcs - ids.length) {
        await h.client.controller.ValidateVolumeCapabilities({ volume_id: ids[rpcs % ids.length], volume_capabilities: [MOUNT_RWX], secrets });
        rpcs += 1;
      }
      for (const id of ids) {
        await h.client.controller.DeleteVolume({ volume_id: id, secrets });
        rpcs += 1;
      }
      tokenRows.push([firstDelayMs || 'CPO schedule', rpcs, tokens() - before, rpcs, ratio(tokens() - before, rpcs)]);
      waitRows.push([
        firstDelayMs || 'CPO schedule',
        options.volumes,
        seconds(mean(ruleWaits)),
        seconds(Math.max(...ruleWaits)),
        seconds(mean(waitMs)),
        `2 x ${RULE_APPLY_MS.min}-${RULE_APPLY_MS.max} ms`,
      ]);
    } finally {
      await h.stop();
    }
  }
  printTable('Manila: Keystone tokens per RPCs with os-* secrets (CPO: one per RPC)', ['first delay ms', 'RPCs', 'tokens (ours)', 'tokens (CPO)', 'ours / CPO'], tokenRows);
  printTable(
    'Manila: seconds CreateVolume waits for the NFS rule to be active (CPO does not wait: #3000)',
    ['first delay ms', 'volumes', 'rule wait mean', 'rule wait max', 'CreateVolume mean', 'simulated queued->applying->active'],
    waitRows,
  );
}
