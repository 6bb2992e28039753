/**
 * A short soak (one lifecycle per mix) against the plugin processes, real loop devices and mounts: lost
 * replies and a kill -9 of the node plugin leave nothing behind; and a mix that plants a stray volume
 * and a stray mount shows the audit finds exactly those. `npm run soak` is the long version.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMounter } from '../../pkg/mounter';
import { createCloud } from '../../pkg/openstack';
import { fastClientOptions, passwordCredentials } from '../../pkg/simulator/testing/cloud';
import { canUseLoop } from '../e2e/stack-suite';
import { findMix, type FaultMix } from './mixes';
import { findings } from './report';
import { runSoak, soakFailed } from './soak';

/** Leaves a volume in the cloud and a tmpfs mounted under the stack's kubelet directory, as a buggy driver might. */
const PLANTED_LEAK: FaultMix = {
  name: 'planted-leak',
  description: 'test only: a stray volume and a stray mount',
  start: ({ simulator, cluster }) => {
    const mountPoint = path.join(cluster.stack.workDir, 'kubelet', 'pods', 'planted', 'mount');
    const planting = (async () => {
      const cloud = createCloud(passwordCredentials(simulator), fastClientOptions());
      await cloud.blockStorage.createVolume({ size: 1, name: 'planted-stray' });
      fs.mkdirSync(mountPoint, { recursive: true });
      await createMounter().mount('tmpfs', mountPoint, 'tmpfs', ['size=1m']);
    })();
    return { stop: () => planting };
  },
};

const maybe = canUseLoop ? describe : describe.skip;

maybe('short soak (needs root and loop devices)', () => {
  it('loses nothing under lost replies and a node kill, and reports what a mix planted', async () => {
    const mixes = ['lost-responses', 'kill-node'].map((name) => findMix(name) as FaultMix);
    const report = await runSoak({
      mixes: [...mixes, PLANTED_LEAK],
      lifecyclesPerMix: 1,
      budgetMs: 10 * 60_000,
      seed: 20261201,
      kinds: ['ext4'],
      logFile: path.join(os.tmpdir(), 'openstack-csi-e2e', 'short-soak.log'),
    });
    const [lost, killNode, planted] = report.mixes;

    expect(findings([lost, killNode])).toEqual([]);
    expect(lost.completed).toBe(1);
    expect(killNode.completed).toBe(1);
    expect(killNode.restarts.node).toBe(1);
    expect(soakFailed({ ...report, mixes: [lost, killNode] })).toBe(false);

    expect(planted.completed).toBe(1);
    expect(planted.audit?.leakedVolumes).toEqual([expect.stringMatching(/^\S+ \(planted-stray, available\)$/)]);
    expect(planted.audit?.leakedMounts).toEqual([expect.stringMatching(/kubelet\/pods\/planted\/mount$/)]);
    expect(soakFailed(report)).toBe(true);
  }, 300_000);
});
