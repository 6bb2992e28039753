import axios from 'axios';
import { BadRequestError, ForbiddenError, OpenStackError, OverLimitError, ResourceErrorStateError, type Cloud } from '../../openstack';
import type { OpenStackCloud } from '../../openstack';
import type { Simulator } from '../simulator';
import { rawToken, startSimulatedCloud } from '../testing/cloud';

describe('simulated Manila through the production client', () => {
  let sim: Simulator;
  let cloud: Cloud;

  beforeAll(async () => {
    ({ sim, cloud } = await startSimulatedCloud({ quotas: { sharedFileSystem: { gigabytes: 30 } } }));
  });
  afterAll(async () => {
    await sim.stop();
  });
  afterEach(async () => {
    sim.control.clearFaults();
    await sim.whenIdle();
    const fs = cloud.sharedFileSystem;
    for (const s of (await fs.listSnapshots({ allPages: true })).items) await fs.deleteSnapshot(s.id);
    await sim.whenIdle();
    for (const s of (await fs.listShares({ allPages: true })).items) await fs.deleteShare(s.id);
    await sim.whenIdle();
  });

  async function availableShare(shareProto: 'NFS' | 'CEPHFS', size = 1, shareType?: string) {
    const share = await cloud.sharedFileSystem.createShare({ shareProto, size, shareType, name: `share-${shareProto}` });
    return cloud.sharedFileSystem.waitForShare(share.id, ['available']);
  }

  // A project user (the simulated cloud has no admin) never sees admin-only export locations, as in Manila.
  it('creates an NFS share through creating with one preferred export location and hides the admin-only one', async () => {
    const hold = sim.control.holdStatus({ kind: 'share', status: 'creating' });
    const created = await cloud.sharedFileSystem.createShare({ shareProto: 'NFS', size: 2, name: 'data' });
    expect(created.status).toBe('creating');
    expect(await cloud.sharedFileSystem.listExportLocations(created.id)).toEqual([]);
    sim.control.releaseHold(hold);
    const share = await cloud.sharedFileSystem.waitForShare(created.id, ['available']);
    expect(share).toMatchObject({ share_proto: 'NFS', size: 2, share_type_name: 'default', availability_zone: 'nova' });
    const locations = await cloud.sharedFileSystem.listExportLocations(share.id);
    expect(locations).toHaveLength(1);
    expect(locations[0]).not.toHaveProperty('is_admin_only');
    expect(locations[0].preferred).toBe(true);
    expect(locations[0].path).toMatch(/^\d+\.\d+\.\d+\.\d+:\/.*\/shares\/share-/);
    expect(sim.sharedFileSystem.describeShare(share.id)?.exportLocations).toContainEqual(expect.objectContaining({ isAdminOnly: true }));
  });

  it('grants ip access on NFS (queued_to_apply → active) and revokes it', async () => {
    const share = await availableShare('NFS');
    const rule = await cloud.sharedFileSystem.grantAccess(share.id, 'ip', '10.0.0.0/24', 'rw');
    expect(rule).toMatchObject({ state: 'queued_to_apply', access_to: '10.0.0.0/24', access_level: 'rw' });
    const active = await (cloud.sharedFileSystem as OpenStackCloud['sharedFileSystem']).waitForAccessRule(share.id, rule.id);
    expect(active.state).toBe('active');
    await expect(cloud.sharedFileSystem.grantAccess(share.id, 'ip', '10.0.0.0/24', 'rw')).rejects.toThrow(/exists/);
    await expect(cloud.sharedFileSystem.grantAccess(share.id, 'ip', '10.0.0.0/99', 'rw')).rejects.toBeInstanceOf(BadRequestError);
    await cloud.sharedFileSystem.revokeAccess(share.id, rule.id);
    await sim.whenIdle();
    expect(await cloud.sharedFileSystem.listAccessRules(share.id)).toEqual([]);
  });

  it('grants cephx access on CephFS with an access_key once active; the wrong type ends in error', async () => {
    const share = await availableShare('CEPHFS');
    const rule = await cloud.sharedFileSystem.grantAccess(share.id, 'cephx', 'alice', 'rw');
    expect(rule.access_key).toBeNull();
    const active = await (cloud.sharedFileSystem as OpenStackCloud['sharedFileSystem']).waitForAccessRule(share.id, rule.id, {
      needAccessKey: true,
    });
    expect(active.access_key).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    const [location] = (await cloud.sharedFileSystem.listExportLocations(share.id)).filter((l) => l.preferred);
    expect(location.path).toMatch(/:6789.*:\/volumes\/_nogroup\//);

    const wrong = await cloud.sharedFileSystem.grantAccess(share.id, 'ip', '10.1.0.0/16', 'ro');
    await expect(
      (cloud.sharedFileSystem as OpenStackCloud['sharedFileSystem']).waitForAccessRule(share.id, wrong.id),
    ).rejects.toBeInstanceOf(ResourceErrorStateError);
  });

  it('extends and shrinks through extending/shrinking and refuses sizes in the wrong direction', async () => {
    const share = await availableShare('NFS', 2);
    await cloud.sharedFileSystem.extendShare(share.id, 4);
    expect((await cloud.sharedFileSystem.waitForShare(share.id, ['available'], { until: (s) => s.size === 4 })).size).toBe(4);
    await cloud.sharedFileSystem.shrinkShare(share.id, 3);
    expect((await cloud.sharedFileSystem.waitForShare(share.id, ['available'], { until: (s) => s.size === 3 })).size).toBe(3);
    await expect(cloud.sharedFileSystem.extendShare(share.id, 3)).rejects.toBeInstanceOf(BadRequestError);
    await expect(cloud.sharedFileSystem.shrinkShare(share.id, 5)).rejects.toBeInstanceOf(BadRequestError);
    sim.control.failNextTransition({ kind: 'share', id: share.id, operation: 'extend', fault: 'backend full' });
    await cloud.sharedFileSystem.extendShare(share.id, 5);
    const err = (await cloud.sharedFileSystem.waitForShare(share.id, ['available']).catch((e: unknown) => e)) as ResourceErrorStateError;
    expect(err).toBeInstanceOf(ResourceErrorStateError);
    expect(err.resourceStatus).toBe('extending_error');
    expect(err.fault).toMatch(/backend full/);
    await expect(cloud.sharedFileSystem.deleteShare(share.id)).rejects.toBeInstanceOf(ForbiddenError);
    const token = await rawToken(sim);
    await axios.post(`${sim.endpoints.share}/shares/${share.id}/action`, { reset_status: { status: 'available' } }, {
      // `reset_status` is the 2.7+ name (`os-reset_status` before).
      headers: { 'X-Auth-Token': token, 'X-OpenStack-Manila-API-Version': '2.7' },
    });
    expect((await cloud.sharedFileSystem.getShare(share.id)).status).toBe('available');
  });

  it('snapshots a share and creates a share from the snapshot; refuses deleting a share with snapshots', async () => {
    const share = await availableShare('NFS', 2);
    const snap = await cloud.sharedFileSystem.createSnapshot(share.id, 'snap');
    const ready = await cloud.sharedFileSystem.waitForSnapshot(snap.id, ['available']);
    expect(ready).toMatchObject({ share_id: share.id, size: 2, share_proto: 'NFS' });
    const err = await cloud.sharedFileSystem.deleteShare(share.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as Error).message).toMatch(/dependent snapshots/);
    const restored = await cloud.sharedFileSystem.createShare({ shareProto: 'NFS', size: 2, snapshotId: snap.id });
    expect((await cloud.sharedFileSystem.waitForShare(restored.id, ['available'])).snapshot_id).toBe(snap.id);
    await expect(cloud.sharedFileSystem.createShare({ shareProto: 'NFS', size: 1, snapshotId: snap.id })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    const page = await cloud.sharedFileSystem.listSnapshots({ shareId: share.id });
    expect(page.items.map((s) => s.id)).toEqual([snap.id]);
  });

  it('knows share types with snapshot capabilities and refuses snapshots without snapshot_support (422)', async () => {
    const types = await cloud.sharedFileSystem.listShareTypes();
    const plain = types.find((t) => t.name === 'no-snapshots');
    expect(plain?.extra_specs).toMatchObject({ snapshot_support: 'False', create_share_from_snapshot_support: 'False' });
    expect((await cloud.sharedFileSystem.getShareType('default')).extra_specs.snapshot_support).toBe('True');
    const share = await availableShare('NFS', 1, 'no-snapshots');
    const err = await cloud.sharedFileSystem.createSnapshot(share.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenStackError);
    expect((err as OpenStackError).status).toBe(422);
  });

  it('pages shares by offset and answers 413 over the gigabytes quota', async () => {
    for (let i = 0; i < 3; i++) await availableShare('NFS', 5);
    const first = await cloud.sharedFileSystem.listShares({ limit: 2 });
    expect(first.items).toHaveLength(2);
    const rest = await cloud.sharedFileSystem.listShares({ limit: 2, marker: first.nextMarker });
    expect(rest.items).toHaveLength(1);
    expect(new Set([...first.items, ...rest.items].map((s) => s.id)).size).toBe(3);
    await expect(cloud.sharedFileSystem.createShare({ shareProto: 'NFS', size: 20 })).rejects.toBeInstanceOf(OverLimitError);
  });

  it('lists share networks and echoes the Manila microversion header', async () => {
    const token = await rawToken(sim);
    const res = await axios.get(`${sim.endpoints.share}/share-networks/detail`, {
      headers: { 'X-Auth-Token': token, 'X-OpenStack-Manila-API-Version': '2.45' },
    });
    expect(res.data.share_networks).toEqual([expect.objectContaining({ name: 'default' })]);
    expect(res.headers['x-openstack-manila-api-version']).toBe('2.45');
    const tooNew = await axios.get(`${sim.endpoints.share}/shares`, {
      headers: { 'X-Auth-Token': token, 'X-OpenStack-Manila-API-Version': '2.999' },
      validateStatus: () => true,
    });
    expect(tooNew.status).toBe(406);
  });
});
