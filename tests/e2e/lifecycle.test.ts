/**
 * The whole Cinder path as the sidecars drive it: the simulator as the cloud, the controller plugin and
 * the node plugin as separate processes on unix sockets, real loop devices, filesystems and mounts.
 * For each of ext4, xfs and raw block: create → attach → stage → publish → write → stats → take down →
 * snapshot → restore (same bytes) → restore into a bigger volume (grown at stage) → clone (same bytes) →
 * online expand (df shows it) → delete → nothing left.
 */
import { itUnless } from '../../pkg/mounter/testing/host-tools';
import { describeLeftovers, runLifecycle, StepRunner, VOLUME_KINDS, volumeKindUnsupportedReason, type StepRecord, type VolumeKind } from '../../pkg/stack';
import { describeWithStack } from './stack-suite';

describeWithStack('e2e: Cinder volume lifecycle through the plugin processes', 'lifecycle', ({ stack: current, logFile }) => {
  it('the node plugin reports this Nova server as its node, with its zone', async () => {
    const stack = current();
    const info = await stack.node.node.NodeGetInfo({});
    expect(info.node_id).toBe(stack.nodeId);
    expect(info.accessible_topology?.segments['topology.cinder.csi.openstack.org/zone']).toBe('nova');
    expect(Number(info.max_volumes_per_node)).toBeGreaterThan(0);
  });

  const failures = (records: StepRecord[]): string =>
    records
      .filter((record) => record.status === 'failed')
      .map((record) => `${record.group}: ${record.name}: ${record.detail} (plugin logs: ${logFile})`)
      .join('\n');

  const lifecycleOf = async (kind: VolumeKind) => {
    const stack = current();
    const runner = new StepRunner();
    let error: unknown;
    try {
      await runLifecycle(stack, kind, runner);
    } catch (caught) {
      error = caught;
    }
    expect(failures(runner.records)).toBe('');
    expect(error).toBeUndefined();
    const names = runner.records.map((record) => record.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'verify data (restored)',
        'verify data (bigger restore)',
        'size after stage (bigger restore)',
        'verify data (clone)',
        'NodeExpandVolume (online)',
        'nothing left on the host',
      ]),
    );
    // Everything ran; only ext4 online growth may be skipped, and only for the documented reason.
    for (const record of runner.records.filter((r) => r.status === 'skipped')) {
      expect(record.name).toBe('NodeExpandVolume (online)');
      expect(record.detail).toMatch(/CAP_SYS_RESOURCE/);
      expect(kind).toBe('ext4');
    }
    expect(describeLeftovers(await stack.leftovers())).toEqual([]);
  };
  for (const kind of VOLUME_KINDS) {
    itUnless(volumeKindUnsupportedReason(kind))(
      `${kind}: data survives snapshot, restore, clone and online expansion; nothing is left behind`,
      () => lifecycleOf(kind),
      300_000,
    );
  }
});
