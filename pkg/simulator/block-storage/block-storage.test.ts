import axios from 'axios';
import { BadRequestError, NotFoundError, OverLimitError, ResourceErrorStateError, type Cloud } from '../../openstack';
import type { Simulator } from '../simulator';
import { rawToken, startSimulatedCloud } from '../testing/cloud';

describe('simulated Cinder through the production client', () => {
  let sim: Simulator;
  let cloud: Cloud;

  beforeAll(async () => {
    ({ sim, cloud } = await startSimulatedCloud({ quotas: { blockStorage: { gigabytes: 60, volumes: 8 } } }));
  });
  afterAll(async () => {
    await sim.stop();
  });
  afterEach(async () => {
    sim.control.clearFaults();
    await sim.whenIdle();
    // Leave no volumes behind so quota arithmetic stays per test.
    const volumes = await cloud.blockStorage.listVolumes({ allPages: true });
    for (const s of (await cloud.blockStorage.listSnapshots({ allPages: true })).items) {
      await cloud.blockStorage.deleteSnapshot(s.id);
    }
    await sim.whenIdle();
    for (const b of (await cloud.blockStorage.listBackups({ allPages: true })).items) {
      await cloud.blockStorage.deleteBackup(b.id);
    }
    await sim.whenIdle();
    for (const v of volumes.items) {
      for (const a of v.attachments) await cloud.compute.detachVolume(a.server_id, v.id);
      await sim.whenIdle();
      await cloud.blockStorage.deleteVolume(v.id);
    }
    await sim.whenIdle();
  });

  async function availableVolume(size: number, name?: string) {
    const created = await cloud.blockStorage.createVolume({ size, name });
    return cloud.blockStorage.waitForVolume(created.id, ['available']);
  }

  it('creates a volume in creating that becomes available, with the AZ and default type', async () => {
    const created = await cloud.blockStorage.createVolume({ size: 2, name: 'vol-a', metadata: { k: 'v' } });
    expect(created.status).toBe('creating');
    expect(created.availability_zone).toBe('nova');
    const ready = await cloud.blockStorage.waitForVolume(created.id, ['available']);
    expect(ready).toMatchObject({ status: 'available', size: 2, name: 'vol-a', metadata: { k: 'v' }, volume_type: '__DEFAULT__' });
    expect(ready.multiattach).toBe(false);
  });

  it('refuses an unknown availability zone and volume type like Cinder', async () => {
    await expect(cloud.blockStorage.createVolume({ size: 1, availabilityZone: 'elsewhere' })).rejects.toBeInstanceOf(BadRequestError);
    await expect(cloud.blockStorage.createVolume({ size: 1, volumeType: 'gold' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('filters by name, status and metadata and pages with limit/marker/volumes_links', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await availableVolume(1, i === 2 ? 'special' : `bulk-${i}`)).id);
    await cloud.blockStorage.updateVolumeMetadata(ids[3], { team: 'blue' });

    const byName = await cloud.blockStorage.listVolumes({ name: 'special' });
    expect(byName.items.map((v) => v.id)).toEqual([ids[2]]);
    const byMeta = await cloud.blockStorage.listVolumes({ metadata: { team: 'blue' } });
    expect(byMeta.items.map((v) => v.id)).toEqual([ids[3]]);
    expect((await cloud.blockStorage.listVolumes({ status: 'error' })).items).toEqual([]);

    const first = await cloud.blockStorage.listVolumes({ limit: 2 });
    expect(first.items.map((v) => v.id)).toEqual([ids[4], ids[3]]);
    expect(first.nextMarker).toBe(ids[3]);
    const second = await cloud.blockStorage.listVolumes({ limit: 2, marker: first.nextMarker });
    expect(second.items.map((v) => v.id)).toEqual([ids[2], ids[1]]);
    const all = await cloud.blockStorage.listVolumes({ limit: 2, allPages: true });
    expect(all.items.map((v) => v.id)).toEqual([...ids].reverse());
  });

  it('answers 404 itemNotFound for a missing volume', async () => {
    await expect(cloud.blockStorage.getVolume('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
    const token = await rawToken(sim);
    const res = await axios.get(`${sim.endpoints.volume}/volumes/nope`, { headers: { 'X-Auth-Token': token }, validateStatus: () => true });
    expect(res.status).toBe(404);
    expect(res.data).toEqual({ itemNotFound: { message: 'Volume nope could not be found.', code: 404 } });
  });

  it('extends an available volume through extending, and refuses shrinking', async () => {
    const v = await availableVolume(1);
    const hold = sim.control.holdStatus({ kind: 'volume', id: v.id, status: 'extending' });
    await cloud.blockStorage.extendVolume(v.id, 3, false);
    expect(await cloud.blockStorage.getVolume(v.id)).toMatchObject({ status: 'extending', size: 1 });
    sim.control.releaseHold(hold);
    const grown = await cloud.blockStorage.waitForVolume(v.id, ['available']);
    expect(grown.size).toBe(3);
    await expect(cloud.blockStorage.extendVolume(v.id, 2, false)).rejects.toThrow(/New size for extend must be greater than current size/);
  });

  it('refuses to extend an in-use volume below 3.42 and allows it at 3.42', async () => {
    const v = await availableVolume(1);
    await cloud.compute.attachVolume(sim.defaultServer.id, v.id, false);
    await cloud.blockStorage.waitForVolume(v.id, ['in-use']);
    const token = await rawToken(sim);
    const oldExtend = await axios.post(
      `${sim.endpoints.volume}/volumes/${v.id}/action`,
      { 'os-extend': { new_size: 2 } },
      { headers: { 'X-Auth-Token': token, 'OpenStack-API-Version': 'volume 3.41' }, validateStatus: () => true },
    );
    expect(oldExtend.status).toBe(400);
    expect(oldExtend.data.badRequest.message).toMatch(/^Invalid volume: .*status must be 'available' to extend, currently in-use/);
    expect(oldExtend.headers['openstack-api-version']).toBe('volume 3.41');

    await cloud.blockStorage.extendVolume(v.id, 2, true);
    const grown = await cloud.blockStorage.waitForVolume(v.id, ['in-use'], { until: (x) => x.size === 2 });
    expect(grown.size).toBe(2);
  });

  it('refuses to delete an attached volume and a volume with snapshots (400 Invalid volume)', async () => {
    const v = await availableVolume(1);
    const snap = await cloud.blockStorage.createSnapshot({ volumeId: v.id, name: 's1' });
    await cloud.blockStorage.waitForSnapshot(snap.id, ['available']);
    await expect(cloud.blockStorage.deleteVolume(v.id)).rejects.toThrow(/Invalid volume: Volume status must be available/);

    const w = await availableVolume(1);
    await cloud.compute.attachVolume(sim.defaultServer.id, w.id, false);
    await cloud.blockStorage.waitForVolume(w.id, ['in-use']);
    await expect(cloud.blockStorage.deleteVolume(w.id)).rejects.toBeInstanceOf(BadRequestError);
  });

  it('deletes through deleting until gone', async () => {
    const v = await availableVolume(1);
    const hold = sim.control.holdStatus({ kind: 'volume', id: v.id, status: 'deleting' });
    await cloud.blockStorage.deleteVolume(v.id);
    expect((await cloud.blockStorage.getVolume(v.id)).status).toBe('deleting');
    sim.control.releaseHold(hold);
    await cloud.blockStorage.waitForVolume(v.id, [], { gone: true });
    await expect(cloud.blockStorage.getVolume(v.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('creates from an available snapshot and refuses one that is not available', async () => {
    const v = await availableVolume(2);
    const hold = sim.control.holdStatus({ kind: 'snapshot', status: 'creating' });
    const snap = await cloud.blockStorage.createSnapshot({ volumeId: v.id });
    await expect(cloud.blockStorage.createVolume({ size: 2, snapshotId: snap.id })).rejects.toThrow(
      /Originating snapshot status must be one of 'available' values/,
    );
    sim.control.releaseHold(hold);
    await cloud.blockStorage.waitForSnapshot(snap.id, ['available']);
    await expect(cloud.blockStorage.createVolume({ size: 1, snapshotId: snap.id })).rejects.toBeInstanceOf(BadRequestError);
    const restored = await cloud.blockStorage.createVolume({ size: 3, snapshotId: snap.id });
    const ready = await cloud.blockStorage.waitForVolume(restored.id, ['available']);
    expect(ready).toMatchObject({ snapshot_id: snap.id, size: 3 });
  });

  it('lists snapshots by volume with pagination', async () => {
    const v = await availableVolume(1);
    const other = await availableVolume(1);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await cloud.blockStorage.createSnapshot({ volumeId: v.id })).id);
    await cloud.blockStorage.createSnapshot({ volumeId: other.id });
    await sim.whenIdle();
    const page = await cloud.blockStorage.listSnapshots({ volumeId: v.id, limit: 2 });
    expect(page.items.map((s) => s.id)).toEqual([ids[2], ids[1]]);
    const all = await cloud.blockStorage.listSnapshots({ volumeId: v.id, allPages: true, limit: 2 });
    expect(all.items.map((s) => s.id).sort()).toEqual([...ids].sort());
  });

  it('backs up from a snapshot (creating → available) and restores into a new volume', async () => {
    const v = await availableVolume(1);
    const snap = await cloud.blockStorage.createSnapshot({ volumeId: v.id });
    await cloud.blockStorage.waitForSnapshot(snap.id, ['available']);
    const hold = sim.control.holdStatus({ kind: 'backup', status: 'creating' });
    const backup = await cloud.blockStorage.createBackup({ volumeId: v.id, snapshotId: snap.id, name: 'b1' });
    expect((await cloud.blockStorage.getBackup(backup.id)).status).toBe('creating');
    expect((await cloud.blockStorage.getSnapshot(snap.id)).status).toBe('backing-up');
    sim.control.releaseHold(hold);
    const ready = await cloud.blockStorage.waitForBackup(backup.id, ['available']);
    expect(ready).toMatchObject({ snapshot_id: snap.id, volume_id: v.id, size: 1 });
    const restored = await cloud.blockStorage.createVolume({ size: 1, backupId: backup.id });
    expect((await cloud.blockStorage.waitForVolume(restored.id, ['available'])).backup_id).toBe(backup.id);
  });

  it('retypes through retyping and knows multiattach types', async () => {
    const types = await cloud.blockStorage.listVolumeTypes();
    expect(types.find((t) => t.name === 'multiattach')?.extra_specs.multiattach).toBe('<is> True');
    expect((await cloud.blockStorage.getVolumeType('ssd')).name).toBe('ssd');
    const v = await availableVolume(1);
    await cloud.blockStorage.retypeVolume(v.id, 'multiattach', 'on-demand');
    const retyped = await cloud.blockStorage.waitForVolume(v.id, ['available'], { until: (x) => x.volume_type === 'multiattach' });
    expect(retyped.multiattach).toBe(true);
    await expect(cloud.blockStorage.retypeVolume(v.id, 'multiattach', 'never')).rejects.toBeInstanceOf(BadRequestError);
  });

  it('answers 413 overLimit when gigabytes or volume quotas are exceeded, and reports usage', async () => {
    await availableVolume(50);
    const err = await cloud.blockStorage.createVolume({ size: 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OverLimitError);
    expect((err as Error).message).toMatch(/VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota/);
    const usage = await cloud.blockStorage.getQuotaUsage(sim.credentials.projectId);
    expect(usage.gigabytes).toMatchObject({ limit: 60, in_use: 50 });
    expect(usage.volumes).toMatchObject({ limit: 8, in_use: 1 });
    expect(usage.gigabytes___DEFAULT__.in_use).toBe(50);
    const token = await rawToken(sim);
    const limits = await axios.get(`${sim.endpoints.volume}/limits`, { headers: { 'X-Auth-Token': token } });
    expect(limits.data.limits.absolute).toMatchObject({ maxTotalVolumeGigabytes: 60, totalGigabytesUsed: 50, totalVolumesUsed: 1 });
  });

  it('ends a transition in its error state with the injected fault visible to the client', async () => {
    sim.control.failNextTransition({ kind: 'volume', operation: 'create', fault: 'No valid backend was found.' });
    const v = await cloud.blockStorage.createVolume({ size: 1 });
    const err = (await cloud.blockStorage.waitForVolume(v.id, ['available']).catch((e: unknown) => e)) as ResourceErrorStateError;
    expect(err).toBeInstanceOf(ResourceErrorStateError);
    expect(err.resourceStatus).toBe('error');
    expect(err.fault ?? err.message).toMatch(/No valid backend was found/);

    const w = await availableVolume(1);
    sim.control.failNextTransition({ kind: 'volume', id: w.id, operation: 'extend' });
    await cloud.blockStorage.extendVolume(w.id, 2, false);
    await expect(cloud.blockStorage.waitForVolume(w.id, ['available'])).rejects.toMatchObject({ resourceStatus: 'error_extending' });
    const forV = await axios.get(`${sim.endpoints.volume}/messages?resource_uuid=${v.id}`, {
      headers: { 'X-Auth-Token': await rawToken(sim), 'OpenStack-API-Version': 'volume 3.3' },
    });
    expect(forV.data.messages).toEqual([expect.objectContaining({ resource_uuid: v.id, user_message: expect.stringMatching(/No valid backend/) })]);
  });

  it('lists availability zones and groups with group snapshots (3.14)', async () => {
    expect(await cloud.blockStorage.listAvailabilityZones()).toEqual([{ zoneName: 'nova', zoneState: { available: true } }]);
    const [groupType] = await cloud.blockStorage.listGroupTypes();
    const ssd = await cloud.blockStorage.getVolumeType('ssd');
    const group = await cloud.blockStorage.createGroup({ groupType: groupType.id, volumeTypes: [ssd.id], name: 'g' });
    await cloud.blockStorage.waitForGroup(group.id, ['available']);
    const member = await cloud.blockStorage.createVolume({ size: 1, volumeType: 'ssd' });
    await cloud.blockStorage.waitForVolume(member.id, ['available']);
    await cloud.blockStorage.updateGroup(group.id, { addVolumes: [member.id] });
    expect((await cloud.blockStorage.getVolume(member.id)).group_id).toBe(group.id);
    const gs = await cloud.blockStorage.createGroupSnapshot(group.id, 'gs');
    await cloud.blockStorage.waitForGroupSnapshot(gs.id, ['available']);
    const gsPage = await cloud.blockStorage.listGroupSnapshots({ limit: 1 });
    expect(gsPage).toEqual({ items: [expect.objectContaining({ id: gs.id, name: 'gs' })], nextMarker: gs.id });
    const groupsPage = await axios.get(`${sim.endpoints.volume}/groups?limit=1`, {
      headers: { 'X-Auth-Token': await rawToken(sim), 'OpenStack-API-Version': 'volume 3.13' },
    });
    expect(groupsPage.data.groups).toEqual([{ id: group.id, name: 'g' }]);
    expect(groupsPage.data.group_links).toEqual([{ rel: 'next', href: expect.stringContaining(`marker=${group.id}`) }]);
    const memberSnaps = await cloud.blockStorage.listSnapshots({ volumeId: member.id });
    expect(memberSnaps.items.map((s) => s.group_snapshot_id)).toEqual([gs.id]);
    await expect(cloud.blockStorage.deleteGroup(group.id, false)).rejects.toBeInstanceOf(BadRequestError);
    await cloud.blockStorage.deleteGroupSnapshot(gs.id);
    await cloud.blockStorage.waitForGroupSnapshot(gs.id, [], { gone: true });
    await sim.whenIdle();
    await cloud.blockStorage.deleteGroup(group.id, true);
    await cloud.blockStorage.waitForGroup(group.id, [], { gone: true });
    await expect(cloud.blockStorage.getVolume(member.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers 406 above the maximum microversion and 404 for group routes below 3.13', async () => {
    const token = await rawToken(sim);
    const tooNew = await axios.get(`${sim.endpoints.volume}/volumes`, {
      headers: { 'X-Auth-Token': token, 'OpenStack-API-Version': 'volume 3.99' },
      validateStatus: () => true,
    });
    expect(tooNew.status).toBe(406);
    expect(tooNew.data.notAcceptable.message).toContain('Minimum is 3.0 and maximum is 3.70');
    const old = await axios.get(`${sim.endpoints.volume}/groups`, { headers: { 'X-Auth-Token': token }, validateStatus: () => true });
    expect(old.status).toBe(404);
    const projectless = await axios.get(`${sim.url}/volume/v3/volumes/detail`, { headers: { 'X-Auth-Token': token } });
    expect(projectless.data.volumes).toEqual([]);
    const otherProject = await axios.get(`${sim.url}/volume/v3/someone-else/volumes`, { headers: { 'X-Auth-Token': token }, validateStatus: () => true });
    expect(otherProject.status).toBe(400);
    const doc = await axios.get(`${sim.url}/volume/v3/`);
    expect(doc.data.versions[0]).toMatchObject({ min_version: '3.0', version: '3.70', status: 'CURRENT' });
  });
});
