/**
 * The Manila backend features a CSI driver is tested against, over real HTTP: user messages with a chosen
 * `detail_id`, export profiles (several, none, IPv6), access rules through `applying` or into `error`,
 * `creating_from_snapshot`, NFS backing directories whose bytes snapshots and restores carry, CephFS native
 * export paths and `__mount_options`, and the Keystone/fault/latency controls as for Cinder.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Simulator } from '../simulator';
import { startSimulatedCloud } from '../testing/cloud';
import { asList, asObject, eventually, rawClient, type RawCall } from '../testing/raw-http';

const V = '2.55';

describe('simulated Manila backend features', () => {
  let sim: Simulator;
  let call: RawCall;

  beforeAll(async () => {
    ({ sim } = await startSimulatedCloud({ adminApi: true }));
    call = await rawClient(sim, 'share');
  });
  afterAll(async () => {
    await sim.stop();
  });
  afterEach(async () => {
    sim.control.clearFaults();
    sim.sharedFileSystem.setExportLocations({ count: 1, addressFamily: 'ipv4', preferredIndex: 0, adminOnly: true });
    sim.sharedFileSystem.setAccessRules({ applying: true, refusedAccessTo: [] });
    await sim.whenIdle();
  });

  const share = async (id: string, version = V) => asObject((await call('GET', `/shares/${id}`, { version })).body?.share);
  const untilShare = (id: string, status: string) => eventually(() => share(id), (s) => s.status === status);
  async function createShare(body: Record<string, unknown>): Promise<string> {
    const res = await call('POST', '/shares', { version: V, body: { share: { share_proto: 'NFS', size: 1, ...body } } });
    expect(res.status).toBe(200);
    return asObject(res.body?.share).id as string;
  }
  const exportPaths = async (id: string) =>
    asList((await call('GET', `/shares/${id}/export_locations`, { version: V })).body?.export_locations).map((e) => ({ path: e.path, preferred: e.preferred }));
  const messagesOf = async (id: string) => asList((await call('GET', `/messages?resource_id=${id}`, { version: V })).body?.messages);
  const admin = (method: string, p: string, body?: unknown) =>
    fetch(`${sim.url}/admin${p}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  describe('share errors with a detail_id', () => {
    it.each([
      ['002', '001', 'allocate host'],
      ['003', '002', 'create'],
      ['007', '001', 'allocate host'],
      ['008', '001', 'allocate host'],
      ['009', '001', 'allocate host'],
    ])('detail %s: the share ends in error and its newest message carries that detail under action %s (%s)', async (detailId, actionId, actionWord) => {
      sim.sharedFileSystem.failNextShare({ detailId });
      const id = await createShare({});
      await untilShare(id, 'error');
      const [message] = await messagesOf(id);
      expect(message).toMatchObject({ detail_id: detailId, action_id: actionId, resource_type: 'SHARE' });
      expect(message.user_message).toMatch(new RegExp(`^${actionWord}: `));
      await call('DELETE', `/shares/${id}`, { version: V });
    });

    it('takes the detail through the admin API and through a generic failure whose fault is a detail ID', async () => {
      const set = await admin('POST', '/share/failures', { detailId: '009' });
      expect(set.status).toBe(201);
      const first = await createShare({});
      await untilShare(first, 'error');
      expect((await messagesOf(first))[0].detail_id).toBe('009');
      expect((await admin('POST', '/share/failures', { detailId: '999' })).status).toBe(400);

      await admin('POST', '/failures', { kind: 'share', operation: 'create', fault: '007' });
      const second = await createShare({});
      await untilShare(second, 'error');
      expect((await messagesOf(second))[0].detail_id).toBe('007');
      for (const id of [first, second]) await call('DELETE', `/shares/${id}`, { version: V });
    });

    it('reports a free-text fault as detail 001 with its words, and an extend failure under action 008', async () => {
      const id = await createShare({});
      await untilShare(id, 'available');
      sim.control.failNextTransition({ kind: 'share', id, operation: 'extend', fault: 'backend full' });
      await call('POST', `/shares/${id}/action`, { version: V, body: { extend: { new_size: 2 } } });
      await untilShare(id, 'extending_error');
      const [message] = await messagesOf(id);
      expect(message).toMatchObject({ action_id: '008', detail_id: '001', user_message: 'extend: backend full' });
      await call('POST', `/shares/${id}/action`, { version: V, body: { reset_status: { status: 'available' } } });
      await call('DELETE', `/shares/${id}`, { version: V });
    });
  });

  describe('export locations', () => {
    it('gives several locations in both families with one preferred, as configured at start or through the admin API', async () => {
      sim.sharedFileSystem.setExportLocations({ count: 3, addressFamily: 'dual' });
      const id = await createShare({});
      await untilShare(id, 'available');
      const dir = sim.sharedFileSystem.backingDir(id);
      expect(await exportPaths(id)).toEqual([
        { path: `192.0.2.10:${dir}`, preferred: true },
        { path: `[2001:db8::10]:${dir}`, preferred: false },
        { path: `192.0.2.11:${dir}`, preferred: false },
      ]);
      const res = await admin('POST', '/share/export-locations', { count: 2, addressFamily: 'ipv6', preferredIndex: -1 });
      expect(await res.json()).toMatchObject({ count: 2, addressFamily: 'ipv6', preferredIndex: -1 });
      const v6 = await createShare({});
      await untilShare(v6, 'available');
      expect(await exportPaths(v6)).toEqual([
        { path: `[2001:db8::10]:${sim.sharedFileSystem.backingDir(v6)}`, preferred: false },
        { path: `[2001:db8::11]:${sim.sharedFileSystem.backingDir(v6)}`, preferred: false },
      ]);
      expect((await admin('POST', '/share/export-locations', { count: -1 })).status).toBe(400);
      for (const s of [id, v6]) await call('DELETE', `/shares/${s}`, { version: V });
    });

    it('can leave a share with no export location at all (only the admin-only one, which users never see)', async () => {
      sim.sharedFileSystem.setExportLocations({ count: 0 });
      const id = await createShare({});
      await untilShare(id, 'available');
      expect(await exportPaths(id)).toEqual([]);
      const described = (await (await admin('GET', `/share/shares/${id}`)).json()) as Record<string, unknown>;
      expect(asList(described.exportLocations)).toEqual([expect.objectContaining({ isAdminOnly: true })]);
      await call('DELETE', `/shares/${id}`, { version: V });
    });

    it('takes the profile from startSimulator options', async () => {
      const other = await startSimulatedCloud({ sharedFileSystem: { exportLocations: { count: 2, addressFamily: 'ipv6' } } });
      try {
        expect(other.sim.sharedFileSystem.exportLocations).toMatchObject({ count: 2, addressFamily: 'ipv6', preferredIndex: 0 });
      } finally {
        await other.sim.stop();
      }
    });
  });

  describe('access rules', () => {
    async function grant(shareId: string, type: string, to: string) {
      const res = await call('POST', `/shares/${shareId}/action`, { version: V, body: { allow_access: { access_type: type, access_to: to, access_level: 'rw' } } });
      expect(res.status).toBe(200);
      return asObject(res.body?.access).id as string;
    }
    const rule = async (id: string) => asObject((await call('GET', `/share-access-rules/${id}`, { version: V })).body?.access);

    it('moves queued_to_apply → applying → active while the share is syncing', async () => {
      const shareId = await createShare({});
      await untilShare(shareId, 'available');
      const queued = sim.control.holdStatus({ kind: 'share_access', status: 'queued_to_apply' });
      const hold = sim.control.holdStatus({ kind: 'share_access', status: 'applying' });
      const id = await grant(shareId, 'ip', '192.0.2.0/24');
      await sim.whenIdle();
      expect((await rule(id)).state).toBe('queued_to_apply');
      sim.control.releaseHold(queued);
      await eventually(() => rule(id), (r) => r.state === 'applying');
      expect((await share(shareId)).access_rules_status).toBe('syncing');
      sim.control.releaseHold(hold);
      await eventually(() => rule(id), (r) => r.state === 'active');
      expect((await share(shareId)).access_rules_status).toBe('active');
      await call('DELETE', `/shares/${shareId}`, { version: V });
    });

    it('skips applying when configured so (a hold on applying then never applies)', async () => {
      await admin('POST', '/share/access-rules', { applying: false });
      const shareId = await createShare({});
      await untilShare(shareId, 'available');
      sim.control.holdStatus({ kind: 'share_access', status: 'applying' });
      const id = await grant(shareId, 'ip', '192.0.2.1');
      await eventually(() => rule(id), (r) => r.state === 'active');
      await call('DELETE', `/shares/${shareId}`, { version: V });
    });

    it('ends a refused client in error with user message detail 020 under "update access rules"', async () => {
      sim.sharedFileSystem.setAccessRules({ refusedAccessTo: ['203.0.113.7'] });
      const shareId = await createShare({});
      await untilShare(shareId, 'available');
      const bad = await grant(shareId, 'ip', '203.0.113.7');
      const good = await grant(shareId, 'ip', '192.0.2.7');
      await eventually(() => rule(bad), (r) => r.state === 'error');
      await eventually(() => rule(good), (r) => r.state === 'active');
      expect((await share(shareId)).access_rules_status).toBe('error');
      expect(await messagesOf(shareId)).toEqual([expect.objectContaining({ action_id: '010', detail_id: '020' })]);
      await call('DELETE', `/shares/${shareId}`, { version: V });
    });

    it('gives a cephx rule its access_key only once active', async () => {
      const shareId = await createShare({ share_proto: 'CEPHFS' });
      await untilShare(shareId, 'available');
      const hold = sim.control.holdStatus({ kind: 'share_access', status: 'applying' });
      const id = await grant(shareId, 'cephx', 'alice');
      const applying = await eventually(() => rule(id), (r) => r.state === 'applying');
      expect(applying.access_key).toBeNull();
      sim.control.releaseHold(hold);
      const active = await eventually(() => rule(id), (r) => r.state === 'active');
      expect(active.access_key).toMatch(/^[A-Za-z0-9+/]{30,}=*$/);
      await call('DELETE', `/shares/${shareId}`, { version: V });
    });
  });

  it('exposes CephFS shares as CephFS native does: monitors:/volumes/_nogroup/<uuid> and __mount_options fs=cephfs', async () => {
    const id = await createShare({ share_proto: 'CEPHFS' });
    await untilShare(id, 'available');
    const [location] = await exportPaths(id);
    expect(location.path).toMatch(/^192\.0\.2\.10:6789,192\.0\.2\.11:6789,192\.0\.2\.12:6789:\/volumes\/_nogroup\/[0-9a-f-]{36}$/);
    expect((await share(id)).metadata).toEqual({ __mount_options: 'fs=cephfs' });
    sim.sharedFileSystem.setExportLocations({ addressFamily: 'ipv6' });
    const v6 = await createShare({ share_proto: 'CEPHFS' });
    await untilShare(v6, 'available');
    expect((await exportPaths(v6))[0].path).toMatch(/^\[2001:db8::10\]:6789,\[2001:db8::11\]:6789,\[2001:db8::12\]:6789:\/volumes\/_nogroup\//);
    for (const s of [id, v6]) await call('DELETE', `/shares/${s}`, { version: V });
  });

  it('backs NFS shares with a directory: snapshots copy it, a share from a snapshot restores it through creating_from_snapshot, extend keeps it, delete removes it', async () => {
    const id = await createShare({ size: 1 });
    await untilShare(id, 'available');
    const dir = sim.sharedFileSystem.backingDir(id);
    expect(path.isAbsolute(dir)).toBe(true);
    expect(((await fsp.stat(dir)).mode & 0o777).toString(8)).toBe('777');
    await fsp.writeFile(path.join(dir, 'data.txt'), 'before snapshot');
    await fsp.mkdir(path.join(dir, 'sub'));
    await fsp.writeFile(path.join(dir, 'sub', 'nested.txt'), 'nested');

    const snap = await call('POST', '/snapshots', { version: V, body: { snapshot: { share_id: id } } });
    const snapId = asObject(snap.body?.snapshot).id as string;
    await eventually(() => call('GET', `/snapshots/${snapId}`, { version: V }), (r) => asObject(r.body?.snapshot).status === 'available');
    await fsp.writeFile(path.join(dir, 'data.txt'), 'after snapshot');

    await call('POST', `/shares/${id}/action`, { version: V, body: { extend: { new_size: 2 } } });
    await eventually(() => share(id), (s) => s.status === 'available' && s.size === 2);
    expect(await fsp.readFile(path.join(dir, 'data.txt'), 'utf8')).toBe('after snapshot');

    const hold = sim.control.holdStatus({ kind: 'share', status: 'creating_from_snapshot' });
    const restored = await createShare({ snapshot_id: snapId });
    await eventually(() => share(restored), (s) => s.status === 'creating_from_snapshot');
    expect((await share(restored, '2.53')).status).toBe('creating');
    sim.control.releaseHold(hold);
    await untilShare(restored, 'available');
    const restoredDir = sim.sharedFileSystem.backingDir(restored);
    expect(restoredDir).not.toBe(dir);
    expect(await fsp.readFile(path.join(restoredDir, 'data.txt'), 'utf8')).toBe('before snapshot');
    expect(await fsp.readFile(path.join(restoredDir, 'sub', 'nested.txt'), 'utf8')).toBe('nested');

    for (const s of [restored]) await call('DELETE', `/shares/${s}`, { version: V });
    await call('DELETE', `/snapshots/${snapId}`, { version: V });
    await sim.whenIdle();
    await call('DELETE', `/shares/${id}`, { version: V });
    await sim.whenIdle();
    for (const gone of [dir, restoredDir, sim.sharedFileSystem.snapshotBackingDir(snapId)]) {
      await expect(fsp.stat(gone)).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('fails a share from a snapshot in creating_from_snapshot when asked, with the share in error', async () => {
    const id = await createShare({});
    await untilShare(id, 'available');
    const snap = await call('POST', '/snapshots', { version: V, body: { snapshot: { share_id: id } } });
    const snapId = asObject(snap.body?.snapshot).id as string;
    await eventually(() => call('GET', `/snapshots/${snapId}`, { version: V }), (r) => asObject(r.body?.snapshot).status === 'available');
    sim.sharedFileSystem.failNextShare({ operation: 'create_from_snapshot', detailId: '017' });
    const restored = await createShare({ snapshot_id: snapId });
    await untilShare(restored, 'error');
    expect((await messagesOf(restored))[0]).toMatchObject({ action_id: '002', detail_id: '017' });
    await call('DELETE', `/shares/${restored}`, { version: V });
    await call('DELETE', `/snapshots/${snapId}`, { version: V });
    await sim.whenIdle();
    await call('DELETE', `/shares/${id}`, { version: V });
  });

  describe('Keystone, faults and latency apply to Manila as to Cinder', () => {
    it('answers 401 with keystonemiddleware\'s body once tokens are expired; a new token works', async () => {
      sim.control.expireAllTokens();
      const expired = await call('GET', '/shares', { version: V });
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ error: { code: 401 } });
      call = await rawClient(sim, 'share');
      expect((await call('GET', '/shares', { version: V })).status).toBe(200);
    });

    it('injects error statuses and rate limits on the share service only', async () => {
      sim.control.addFault({ match: { service: 'share', method: 'POST' }, action: { type: 'error', status: 503 }, times: 1 });
      const failed = await call('POST', '/shares', { version: V, body: { share: { share_proto: 'NFS', size: 1 } } });
      expect(failed.status).toBe(503);
      expect(failed.body).toEqual({ serviceUnavailable: { message: 'Simulated failure.', code: 503 } });
      sim.control.rateLimit({ service: 'share' }, { status: 429, retryAfterSeconds: 2 });
      const limited = await call('GET', '/shares', { version: V });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('2');
      expect(sim.requests.entries({ service: 'share' }).filter((r) => r.injectedFault).length).toBe(2);
    });

    it('delays share transitions by the latency set for share.create', async () => {
      sim.control.setLatency(300, 'share.create');
      try {
        const id = await createShare({});
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect((await share(id)).status).toBe('creating');
        await untilShare(id, 'available');
        await call('DELETE', `/shares/${id}`, { version: V });
      } finally {
        sim.control.setLatency(5, 'share.create');
      }
    });
  });
});
