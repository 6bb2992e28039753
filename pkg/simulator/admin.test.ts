import axios from 'axios';
import type { Cloud } from '../openstack';
import type { Simulator } from './simulator';
import { startSimulatedCloud } from './testing/cloud';

describe('admin HTTP endpoint', () => {
  let sim: Simulator;
  let cloud: Cloud;
  let admin: string;

  beforeAll(async () => {
    ({ sim, cloud } = await startSimulatedCloud({ adminApi: true }));
    admin = sim.endpoints.admin ?? '';
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('adds servers, holds statuses, fails transitions and injects faults over HTTP', async () => {
    expect((await axios.get(admin)).data).toMatchObject({ devicesEnabled: false, byIdDir: sim.byIdDir });
    const server = (await axios.post(`${admin}/servers`, { name: 'http-node', availabilityZone: 'nova' })).data;
    expect((await cloud.compute.getServer(server.id)).name).toBe('http-node');

    const hold = (await axios.post(`${admin}/holds`, { kind: 'volume', status: 'creating' })).data.id;
    const v = await cloud.blockStorage.createVolume({ size: 1 });
    await sim.whenIdle();
    expect((await axios.get(`${admin}/state`)).data.volumes).toEqual([expect.objectContaining({ id: v.id, status: 'creating' })]);
    await axios.delete(`${admin}/holds/${hold}`);
    await cloud.blockStorage.waitForVolume(v.id, ['available']);

    await axios.post(`${admin}/failures`, { kind: 'volume', id: v.id, operation: 'extend', fault: 'over HTTP' });
    await cloud.blockStorage.extendVolume(v.id, 2, false);
    await expect(cloud.blockStorage.waitForVolume(v.id, ['available'])).rejects.toMatchObject({ resourceStatus: 'error_extending' });

    const fault = (await axios.post(`${admin}/faults`, { match: { service: 'compute' }, action: { type: 'error', status: 503 } })).data.id;
    const token = (await axios.post(`${sim.authUrl}/auth/tokens`, {
      auth: {
        identity: { methods: ['password'], password: { user: { id: sim.credentials.userId, password: sim.credentials.password } } },
        scope: { project: { id: sim.credentials.projectId } },
      },
    })).headers['x-subject-token'];
    const failed = await axios.get(`${sim.endpoints.compute}/servers`, { headers: { 'X-Auth-Token': token }, validateStatus: () => true });
    expect(failed.status).toBe(503);
    await axios.delete(`${admin}/faults/${fault}`);
    expect((await axios.get(`${sim.endpoints.compute}/servers`, { headers: { 'X-Auth-Token': token } })).status).toBe(200);
    await axios.post(`${admin}/faults`, { match: { service: 'compute' }, action: { type: 'lostResponse' }, times: 1 });
    await expect(axios.get(`${sim.endpoints.compute}/servers`, { headers: { 'X-Auth-Token': token } })).rejects.toMatchObject({ code: 'ECONNRESET' });

    const bad = await axios.post(`${admin}/holds`, { kind: 'planet', status: 'x' }, { validateStatus: () => true });
    expect(bad.status).toBe(400);
    expect((await axios.post(`${admin}/latency`, { latencyMs: { min: 1, max: 3 } })).status).toBe(204);
    const counts = (await axios.get(`${admin}/requests`)).data.counts;
    expect(counts['GET /compute/v2.1/servers']).toBe(3);
    expect(Object.keys(counts).some((k) => k.includes('/admin'))).toBe(false);
  });
});
