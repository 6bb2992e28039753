import { startSimulatedCloud } from './testing/cloud';

describe('transition log', () => {
  it('records when each transition was asked for and when it really finished', async () => {
    const { sim, cloud } = await startSimulatedCloud({ latencyMs: 40 });
    try {
      const volume = await cloud.blockStorage.createVolume({ size: 1, name: 'timed' });
      await sim.whenIdle();
      const [create] = sim.transitions.entries({ kind: 'volume', id: volume.id, operation: 'create' });
      expect(create.outcome).toBe('completed');
      expect(create.finishedAt! - create.scheduledAt).toBeGreaterThanOrEqual(39);
      await cloud.blockStorage.deleteVolume(volume.id);
      await sim.whenIdle();
      expect(sim.transitions.entries({ id: volume.id }).map((record) => record.operation)).toEqual(['create', 'delete']);
      sim.transitions.clear();
      expect(sim.transitions.entries()).toEqual([]);
    } finally {
      cloud.close();
      await sim.stop();
    }
  });
});
