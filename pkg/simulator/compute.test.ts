import axios from 'axios';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BadRequestError, ForbiddenError, NotFoundError, type Cloud } from '../openstack';
import type { Simulator } from './simulator';
import { rawToken, startSimulatedCloud } from './testing/cloud';

describe('simulated Nova volume attachments and instance metadata', () => {
  let sim: Simulator;
  let cloud: Cloud;

  beforeAll(async () => {
    ({ sim, cloud } = await startSimulatedCloud({ availabilityZones: ['zone-a', 'zone-b'], servers: [{ name: 'node-1', availabilityZone: 'zone-b' }] }));
  });
  afterAll(async () => {
    await sim.stop();
  });
  afterEach(async () => {
    sim.control.clearFaults();
    await sim.whenIdle();
  });

  function latestUserMessage(volumeId: string, since?: Date): Promise<string | undefined> {
    return cloud.blockStorage.latestUserMessage(volumeId, since);
  }

  async function availableVolume(volumeType?: string) {
    const v = await cloud.blockStorage.createVolume({ size: 1, volumeType });
    return cloud.blockStorage.waitForVolume(v.id, ['available']);
  }

  it('shows the server with its availability zone', async () => {
    const server = await cloud.compute.getServer(sim.defaultServer.id);
    expect(server).toMatchObject({ id: sim.defaultServer.id, name: 'node-1', status: 'ACTIVE', 'OS-EXT-AZ:availability_zone': 'zone-b' });
    await expect(cloud.compute.getServer('missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('attaches through reserved → attaching → in-use and detaches through detaching → available', async () => {
    const v = await availableVolume();
    const server = sim.defaultServer.id;
    const holdReserved = sim.control.holdStatus({ kind: 'volume', id: v.id, status: 'reserved' });
    const holdAttaching = sim.control.holdStatus({ kind: 'volume', id: v.id, status: 'attaching' });
    const attachment = await cloud.compute.attachVolume(server, v.id, false);
    expect(attachment).toMatchObject({ volumeId: v.id, serverId: server, device: '/dev/vdb' });
    expect(await cloud.blockStorage.getVolume(v.id)).toMatchObject({ status: 'reserved', attachments: [] });
    sim.control.releaseHold(holdReserved);
    await cloud.blockStorage.waitForVolume(v.id, ['attaching']);
    sim.control.releaseHold(holdAttaching);
    const attached = await cloud.blockStorage.waitForVolume(v.id, ['in-use']);
    expect(attached.attachments).toEqual([
      expect.objectContaining({ server_id: server, volume_id: v.id, device: '/dev/vdb', attachment_id: expect.any(String) }),
    ]);
    expect(await cloud.compute.listVolumeAttachments(server)).toEqual([expect.objectContaining({ volumeId: v.id })]);
    expect((await cloud.compute.getServer(server))['os-extended-volumes:volumes_attached']).toEqual([
      expect.objectContaining({ id: v.id }),
    ]);

    const holdDetaching = sim.control.holdStatus({ kind: 'volume', id: v.id, status: 'detaching' });
    await cloud.compute.detachVolume(server, v.id);
    expect((await cloud.blockStorage.getVolume(v.id)).status).toBe('detaching');
    sim.control.releaseHold(holdDetaching);
    const detached = await cloud.blockStorage.waitForVolume(v.id, ['available']);
    expect(detached.attachments).toEqual([]);
    await expect(cloud.compute.getVolumeAttachment(server, v.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(cloud.compute.detachVolume(server, v.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a second attachment of a non-multiattach volume and the same volume twice to one server', async () => {
    const v = await availableVolume();
    const other = sim.addServer({ name: 'node-2', availabilityZone: 'zone-a' });
    await cloud.compute.attachVolume(sim.defaultServer.id, v.id, false);
    await cloud.blockStorage.waitForVolume(v.id, ['in-use']);
    await expect(cloud.compute.attachVolume(other.id, v.id, false)).rejects.toThrow(/status must be available to reserve/);
    await expect(cloud.compute.attachVolume(sim.defaultServer.id, v.id, false)).rejects.toThrow(/already attached/);
    await cloud.compute.detachVolume(sim.defaultServer.id, v.id);
    await cloud.blockStorage.waitForVolume(v.id, ['available']);
  });

  it('needs microversion 2.60 to attach a multiattach volume, then attaches it to two servers', async () => {
    const v = await availableVolume('multiattach');
    expect(v.multiattach).toBe(true);
    const token = await rawToken(sim);
    const old = await axios.post(
      `${sim.endpoints.compute}/servers/${sim.defaultServer.id}/os-volume_attachments`,
      { volumeAttachment: { volumeId: v.id } },
      { headers: { 'X-Auth-Token': token, 'OpenStack-API-Version': 'compute 2.59' }, validateStatus: () => true },
    );
    expect(old.status).toBe(400);
    expect(old.data.badRequest.message).toBe('Multiattach volumes are only supported starting with compute API version 2.60.');

    const second = sim.addServer({ name: 'node-3' });
    await cloud.compute.attachVolume(sim.defaultServer.id, v.id, true);
    await cloud.blockStorage.waitForVolume(v.id, ['in-use']);
    await cloud.compute.attachVolume(second.id, v.id, true);
    const both = await cloud.blockStorage.waitForVolume(v.id, ['in-use'], { until: (x) => x.attachments.length === 2 });
    expect(both.attachments.map((a) => a.server_id).sort()).toEqual([sim.defaultServer.id, second.id].sort());
    await cloud.compute.detachVolume(second.id, v.id);
    const one = await cloud.blockStorage.waitForVolume(v.id, ['in-use'], { until: (x) => x.attachments.length === 1 });
    expect(one.attachments[0].server_id).toBe(sim.defaultServer.id);
    await cloud.compute.detachVolume(sim.defaultServer.id, v.id);
    await cloud.blockStorage.waitForVolume(v.id, ['available']);
  });

  it('refuses attachments beyond the per-server limit with 403', async () => {
    const small = sim.addServer({ name: 'small', maxVolumes: 1 });
    const a = await availableVolume();
    const b = await availableVolume();
    await cloud.compute.attachVolume(small.id, a.id, false);
    const err = await cloud.compute.attachVolume(small.id, b.id, false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as Error).message).toMatch(/maximum allowed number of disk devices \(1\)/);
    await cloud.blockStorage.waitForVolume(a.id, ['in-use']);
    await cloud.compute.detachVolume(small.id, a.id);
    await cloud.blockStorage.waitForVolume(a.id, ['available']);
  });

  it('rolls an attach back to available when the attach fails', async () => {
    const v = await availableVolume();
    sim.control.failNextTransition({ kind: 'volume', id: v.id, operation: 'attach', fault: 'libvirt said no' });
    await cloud.compute.attachVolume(sim.defaultServer.id, v.id, false);
    await sim.whenIdle();
    expect(await cloud.blockStorage.getVolume(v.id)).toMatchObject({ status: 'available', attachments: [] });
    expect(await cloud.compute.listVolumeAttachments(sim.defaultServer.id)).toEqual([]);
  });

  it("records a failed attach as a Cinder user message about the volume, shaped as Cinder's GET /messages", async () => {
    const v = await availableVolume();
    const before = new Date(Date.now() - 1000);
    expect(await latestUserMessage(v.id, before)).toBeUndefined();
    sim.control.failNextTransition({ kind: 'volume', id: v.id, operation: 'attach', fault: 'the backend refused the export' });
    await cloud.compute.attachVolume(sim.defaultServer.id, v.id, false);
    await sim.whenIdle();
    expect(await latestUserMessage(v.id, before)).toBe('attach volume: the backend refused the export');
    const listed = await axios.get(`${sim.endpoints.volume}/messages`, {
      params: { resource_uuid: v.id },
      headers: { 'X-Auth-Token': await rawToken(sim), 'OpenStack-API-Version': 'volume 3.3' },
    });
    expect(listed.data.messages).toEqual([
      expect.objectContaining({
        resource_type: 'VOLUME',
        resource_uuid: v.id,
        message_level: 'ERROR',
        user_message: 'attach volume: the backend refused the export',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/),
      }),
    ]);
  });

  it('records no Cinder user message for a detach Nova rolls back (Cinder has no detach message action)', async () => {
    const v = await availableVolume();
    await cloud.compute.attachVolume(sim.defaultServer.id, v.id, false);
    await cloud.blockStorage.waitForVolume(v.id, ['in-use']);
    sim.control.failNextTransition({ kind: 'volume', id: v.id, operation: 'detach', fault: 'guest kept the disk' });
    await cloud.compute.detachVolume(sim.defaultServer.id, v.id);
    await sim.whenIdle();
    expect(await cloud.blockStorage.getVolume(v.id)).toMatchObject({ status: 'in-use' });
    expect(await latestUserMessage(v.id)).toBeUndefined();
    await cloud.compute.detachVolume(sim.defaultServer.id, v.id);
    await cloud.blockStorage.waitForVolume(v.id, ['available']);
  });

  it('refuses to detach a volume that is not attached yet', async () => {
    const v = await availableVolume();
    const hold = sim.control.holdStatus({ kind: 'volume', id: v.id, status: 'reserved' });
    await cloud.compute.attachVolume(sim.defaultServer.id, v.id, false);
    await expect(cloud.compute.detachVolume(sim.defaultServer.id, v.id)).rejects.toBeInstanceOf(BadRequestError);
    sim.control.releaseHold(hold);
    await cloud.blockStorage.waitForVolume(v.id, ['in-use']);
    await cloud.compute.detachVolume(sim.defaultServer.id, v.id);
    await cloud.blockStorage.waitForVolume(v.id, ['available']);
  });

  it('serves meta_data.json over HTTP and in the config drive, listing attached volumes', async () => {
    const v = await availableVolume();
    await cloud.compute.attachVolume(sim.defaultServer.id, v.id, false);
    await cloud.blockStorage.waitForVolume(v.id, ['in-use']);
    await sim.whenIdle();

    const viaHttp = (await axios.get(`${sim.metadataUrl}/openstack/latest/meta_data.json`)).data;
    expect(viaHttp).toMatchObject({ uuid: sim.defaultServer.id, name: 'node-1', availability_zone: 'zone-b' });
    expect(viaHttp.devices).toEqual([expect.objectContaining({ type: 'disk', bus: 'virtio', serial: v.id })]);
    const root = (await axios.get(`${sim.url}/openstack/latest/meta_data.json`)).data;
    expect(root.uuid).toBe(sim.defaultServer.id);

    const file = path.join(sim.configDriveDir(sim.defaultServer.id), 'openstack', 'latest', 'meta_data.json');
    const onDisk = JSON.parse(await fsp.readFile(file, 'utf8'));
    expect(onDisk).toEqual(viaHttp);

    await cloud.compute.detachVolume(sim.defaultServer.id, v.id);
    await cloud.blockStorage.waitForVolume(v.id, ['available']);
    await sim.whenIdle();
    expect(JSON.parse(await fsp.readFile(file, 'utf8')).devices).toEqual([]);
    const other = sim.addServer({ name: 'node-9', availabilityZone: 'zone-a' });
    expect((await axios.get(`${sim.metadataUrlFor(other.id)}/openstack/latest/meta_data.json`)).data).toMatchObject({
      uuid: other.id,
      availability_zone: 'zone-a',
      devices: [],
    });
  });
});
