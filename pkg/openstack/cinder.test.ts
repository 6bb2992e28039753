import nock from 'nock';
import {
  BACKUP_ID,
  backup,
  cinderUrl,
  cinderVersionDocument,
  PROJECT_ID,
  SERVER_ID,
  SNAPSHOT_ID,
  snapshot,
  volume,
  VOLUME_ID,
  volumeAttachment,
} from './testing/fixtures';
import { makeCloud, mockAuth, releaseNock, resetNock, SUBJECT_TOKEN } from './testing/harness';
import { NotFoundError, ResourceErrorStateError, WaitTimeoutError } from './errors';

const origin = new URL(cinderUrl()).origin;
const base = `/v3/${PROJECT_ID}`;
const fastWait = { waitSchedule: { volumeStatus: { initialDelayMs: 1, factor: 1, checks: 5 } } };

function cinder(version = '3.0'): nock.Scope {
  return nock(origin, {
    reqheaders: {
      'x-auth-token': SUBJECT_TOKEN,
      'openstack-api-version': `volume ${version}`,
      accept: 'application/json',
    },
  });
}

beforeEach(() => {
  resetNock();
  mockAuth();
  nock(origin).get('/v3/').optionally().reply(200, cinderVersionDocument()).persist();
});
afterAll(releaseNock);

describe('volumes', () => {
  it('creates a volume with every option and scheduler hints', async () => {
    const scope = cinder()
      .post(`${base}/volumes`, {
        volume: {
          size: 10,
          name: 'pvc-1',
          description: 'Created by OpenStack Cinder CSI driver',
          volume_type: 'fast',
          availability_zone: 'nova',
          metadata: { 'cinder.csi.openstack.org/cluster': 'k1' },
          source_volid: 'src-1',
          snapshot_id: 'snap-1',
          multiattach: false,
        },
        'OS-SCH-HNT:scheduler_hints': { same_host: ['v-1'], different_host: ['v-2'] },
      })
      .matchHeader('content-type', /application\/json/)
      .reply(202, { volume: volume({ status: 'creating', name: 'pvc-1', size: 10 }) });
    const { cloud } = makeCloud();
    const created = await cloud.blockStorage.createVolume({
      size: 10,
      name: 'pvc-1',
      description: 'Created by OpenStack Cinder CSI driver',
      volumeType: 'fast',
      availabilityZone: 'nova',
      metadata: { 'cinder.csi.openstack.org/cluster': 'k1' },
      sourceVolumeId: 'src-1',
      snapshotId: 'snap-1',
      multiattach: false,
      schedulerHints: { same_host: ['v-1'], different_host: ['v-2'] },
    });
    expect(created).toMatchObject({ id: VOLUME_ID, status: 'creating', size: 10 });
    expect(scope.isDone()).toBe(true);
  });

  it('creates a volume from a backup with microversion 3.51', async () => {
    const scope = cinder('3.51')
      .post(`${base}/volumes`, { volume: { size: 1, backup_id: BACKUP_ID } })
      .reply(202, { volume: volume({ status: 'restoring-backup' }) });
    const { cloud } = makeCloud();
    await cloud.blockStorage.createVolume({ size: 1, backupId: BACKUP_ID });
    expect(scope.isDone()).toBe(true);
  });

  it('gets a volume', async () => {
    const scope = cinder().get(`${base}/volumes/${VOLUME_ID}`).reply(200, { volume: volume() });
    const { cloud } = makeCloud();
    await expect(cloud.blockStorage.getVolume(VOLUME_ID)).resolves.toMatchObject({ id: VOLUME_ID, size: 1 });
    expect(scope.isDone()).toBe(true);
  });

  it('lists volumes by name with microversion 3.34', async () => {
    const scope = cinder('3.34')
      .get(`${base}/volumes/detail`)
      .query({ name: 'pvc-1', limit: '5' })
      .reply(200, { volumes: [volume({ name: 'pvc-1' })] });
    const { cloud } = makeCloud();
    const page = await cloud.blockStorage.listVolumes({ name: 'pvc-1', limit: 5 });
    expect(page.items.map((v) => v.name)).toEqual(['pvc-1']);
    expect(page.nextMarker).toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });

  it('follows volumes_links across three pages', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const link = (marker: string) => [{ href: `http://internal-name:8776/v3/${PROJECT_ID}/volumes/detail?limit=2&marker=${marker}`, rel: 'next' }];
    const scope = cinder()
      .get(`${base}/volumes/detail`)
      .query({ limit: '2' })
      .reply(200, { volumes: [volume({ id: 'a' }), volume({ id: 'b' })], volumes_links: link('b') })
      .get(`${base}/volumes/detail`)
      .query({ limit: '2', marker: 'b' })
      .reply(200, { volumes: [volume({ id: 'c' }), volume({ id: 'd' })], volumes_links: link('d') })
      .get(`${base}/volumes/detail`)
      .query({ limit: '2', marker: 'd' })
      .reply(200, { volumes: [volume({ id: 'e' })] });
    const { cloud } = makeCloud();
    const page = await cloud.blockStorage.listVolumes({ limit: 2, allPages: true });
    expect(page.items.map((v) => v.id)).toEqual(ids);
    expect(scope.isDone()).toBe(true);
  });

  it('returns one page and its next marker', async () => {
    cinder()
      .get(`${base}/volumes/detail`)
      .query({ limit: '2', marker: 'x' })
      .reply(200, {
        volumes: [volume({ id: 'y' }), volume({ id: 'z' })],
        volumes_links: [{ href: `${cinderUrl()}/volumes/detail?limit=2&marker=z`, rel: 'next' }],
      });
    const { cloud } = makeCloud();
    const page = await cloud.blockStorage.listVolumes({ limit: 2, marker: 'x' });
    expect(page.nextMarker).toBe('z');
  });

  it('deletes a volume', async () => {
    const scope = cinder().delete(`${base}/volumes/${VOLUME_ID}`).reply(202);
    const { cloud } = makeCloud();
    await cloud.blockStorage.deleteVolume(VOLUME_ID);
    expect(scope.isDone()).toBe(true);
  });

  it('extends an available volume with the base microversion', async () => {
    const scope = cinder().post(`${base}/volumes/${VOLUME_ID}/action`, { 'os-extend': { new_size: 3 } }).reply(202);
    const { cloud } = makeCloud();
    await cloud.blockStorage.extendVolume(VOLUME_ID, 3, false);
    expect(scope.isDone()).toBe(true);
  });

  it('retypes a volume with a migration policy', async () => {
    const scope = cinder()
      .post(`${base}/volumes/${VOLUME_ID}/action`, { 'os-retype': { new_type: 'gold', migration_policy: 'on-demand' } })
      .reply(202);
    const { cloud } = makeCloud();
    await cloud.blockStorage.retypeVolume(VOLUME_ID, 'gold', 'on-demand');
    expect(scope.isDone()).toBe(true);
  });

  it('merges volume metadata', async () => {
    const scope = cinder()
      .post(`${base}/volumes/${VOLUME_ID}/metadata`, { metadata: { k: 'v' } })
      .reply(200, { metadata: { k: 'v', other: 'x' } });
    const { cloud } = makeCloud();
    await cloud.blockStorage.updateVolumeMetadata(VOLUME_ID, { k: 'v' });
    expect(scope.isDone()).toBe(true);
  });
});

describe('waitForVolume', () => {
  it('waits until the server shows in the attachments', async () => {
    cinder()
      .get(`${base}/volumes/${VOLUME_ID}`)
      .reply(200, { volume: volume({ status: 'attaching' }) })
      .get(`${base}/volumes/${VOLUME_ID}`)
      .reply(200, { volume: volume({ status: 'in-use', attachments: [volumeAttachment(SERVER_ID)] }) });
    const { cloud, sleeps } = makeCloud(undefined, fastWait);
    const result = await cloud.blockStorage.waitForVolume(VOLUME_ID, ['in-use'], {
      until: (v) => v.attachments.some((a) => a.server_id === SERVER_ID),
    });
    expect(result.attachments[0].device).toBe('/dev/vdb');
    expect(sleeps).toEqual([1]);
  });

  it('fails fast on error_extending with the user message', async () => {
    cinder().get(`${base}/volumes/${VOLUME_ID}`).reply(200, { volume: volume({ status: 'error_extending' }) });
    cinder('3.3')
      .get(`${base}/messages`)
      .query({ resource_uuid: VOLUME_ID })
      .reply(200, {
        messages: [
          {
            created_at: '2016-09-01T12:00:00.000000',
            event_id: 'VOLUME_VOLUME_001_002',
            guaranteed_until: '2016-10-01T12:00:00.000000',
            id: 'c506cd4b-9048-43bc-97ef-0d7dec369b42',
            links: [],
            message_level: 'ERROR',
            request_id: 'req-c1216709-afba-4703-a1a3-22eda88f2f5a',
            resource_type: 'VOLUME',
            resource_uuid: VOLUME_ID,
            user_message: 'extend volume:Compute service failed to extend volume.',
          },
        ],
      });
    const { cloud } = makeCloud(undefined, fastWait);
    const error = await cloud.blockStorage.waitForVolume(VOLUME_ID, ['in-use']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ResourceErrorStateError);
    expect((error as ResourceErrorStateError).resourceStatus).toBe('error_extending');
    expect((error as Error).message).toContain('Compute service failed to extend volume');
  });

  it('times out with the last status in the message', async () => {
    cinder().get(`${base}/volumes/${VOLUME_ID}`).times(5).reply(200, { volume: volume({ status: 'extending' }) });
    cinder('3.3').get(`${base}/messages`).query({ resource_uuid: VOLUME_ID }).reply(200, { messages: [] });
    const { cloud, sleeps } = makeCloud(undefined, fastWait);
    const error = await cloud.blockStorage.waitForVolume(VOLUME_ID, ['available']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).lastStatus).toBe('extending');
    expect((error as Error).message).toContain('last status "extending"');
    expect(sleeps).toHaveLength(4);
  });

  it('explains a timeout with a user message recorded during the wait, and ignores older ones', async () => {
    const message = (createdAt: string, text: string) => ({
      created_at: createdAt,
      event_id: 'VOLUME_VOLUME_002_002',
      guaranteed_until: createdAt,
      id: '5b6a3c4d-0000-4000-8000-000000000001',
      links: [],
      message_level: 'ERROR',
      request_id: 'req-2',
      resource_type: 'VOLUME',
      resource_uuid: VOLUME_ID,
      user_message: text,
    });
    const fresh = new Date().toISOString().replace('Z', '').replace(/(\.\d{3})$/, '$1000');
    const { cloud } = makeCloud(undefined, fastWait);
    for (const [createdAt, text, expected] of [
      [fresh, 'attach volume:Compute service failed to attach volume.', true],
      ['2016-09-01T12:00:00.000000', 'an old failure', false],
    ] as const) {
      cinder().get(`${base}/volumes/${VOLUME_ID}`).times(5).reply(200, { volume: volume({ status: 'available' }) });
      cinder('3.3')
        .get(`${base}/messages`)
        .query({ resource_uuid: VOLUME_ID })
        .reply(200, { messages: [message(createdAt, text)] });
      const error = await cloud.blockStorage.waitForVolume(VOLUME_ID, ['in-use']).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(WaitTimeoutError);
      if (expected) expect((error as Error).message).toContain(`the cloud reports: ${text}`);
      else expect((error as Error).message).not.toContain(text);
    }
  });

  it('treats 404 as done when waiting for a delete', async () => {
    cinder()
      .get(`${base}/volumes/${VOLUME_ID}`)
      .reply(200, { volume: volume({ status: 'deleting' }) })
      .get(`${base}/volumes/${VOLUME_ID}`)
      .reply(404, { itemNotFound: { code: 404, message: 'not found' } });
    const { cloud } = makeCloud(undefined, fastWait);
    await expect(cloud.blockStorage.waitForVolume(VOLUME_ID, [], { gone: true })).resolves.toMatchObject({ status: 'deleting' });
  });

  it('coalesces concurrent waits into one list call per tick', async () => {
    const ids = ['v1', 'v2', 'v3', 'v4', 'v5'];
    let round = 0;
    const list = cinder()
      .get(`${base}/volumes/detail`)
      .times(2)
      .reply(200, () => {
        round += 1;
        return { volumes: ids.map((id) => volume({ id, status: round === 1 ? 'creating' : 'available' })) };
      });
    const { cloud } = makeCloud(undefined, fastWait);
    const results = await Promise.all(ids.map((id) => cloud.blockStorage.waitForVolume(id, ['available'])));
    expect(results.map((v) => v.status)).toEqual(ids.map(() => 'available'));
    expect(list.isDone()).toBe(true);
    expect(cloud.blockStorage.volumeWaiter.fetcher.stats).toEqual({ listCalls: 2, getCalls: 0 });
  });

  it('falls back to GET for a volume missing from the list', async () => {
    cinder().get(`${base}/volumes/detail`).reply(200, { volumes: [volume({ id: 'v1' })] });
    cinder().get(`${base}/volumes/v2`).reply(404, { itemNotFound: { code: 404, message: 'Volume v2 could not be found.' } });
    const { cloud } = makeCloud(undefined, { ...fastWait, waitCoalescing: { minBatch: 2 } });
    const [first, second] = await Promise.allSettled([
      cloud.blockStorage.waitForVolume('v1', ['available']),
      cloud.blockStorage.waitForVolume('v2', ['available']),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status === 'rejected' && second.reason).toBeInstanceOf(NotFoundError);
  });
});

describe('latestUserMessage', () => {
  const message = (createdAt: string, text: string) => ({
    created_at: createdAt,
    event_id: 'VOLUME_VOLUME_002_001',
    guaranteed_until: createdAt,
    id: '5b6a3c4d-0000-4000-8000-000000000002',
    links: [],
    message_level: 'ERROR',
    request_id: 'req-3',
    resource_type: 'VOLUME',
    resource_uuid: VOLUME_ID,
    user_message: text,
  });
  /** Cinder's timestamp format: UTC without a zone suffix, microseconds. */
  const cinderTime = (date: Date) => date.toISOString().replace('Z', '').replace(/(\.\d{3})$/, '$1000');

  it('answers the newest message about the resource (3.3, filtered by resource_uuid)', async () => {
    const scope = cinder('3.3')
      .get(`${base}/messages`)
      .query({ resource_uuid: VOLUME_ID })
      .reply(200, {
        messages: [
          message('2016-09-01T12:00:00.000000', 'attach volume: An unknown error occurred.'),
          message('2016-09-02T12:00:00.000000', 'attach volume: Driver is not initialized at present.'),
        ],
      });
    const { cloud } = makeCloud();
    await expect(cloud.blockStorage.latestUserMessage(VOLUME_ID)).resolves.toBe('attach volume: Driver is not initialized at present.');
    expect(scope.isDone()).toBe(true);
  });

  it('with since, ignores messages recorded well before that moment', async () => {
    const since = new Date();
    const { cloud } = makeCloud();
    cinder('3.3')
      .get(`${base}/messages`)
      .query({ resource_uuid: VOLUME_ID })
      .reply(200, { messages: [message(cinderTime(new Date(since.getTime() - 10 * 60_000)), 'an earlier failure')] });
    await expect(cloud.blockStorage.latestUserMessage(VOLUME_ID, since)).resolves.toBeUndefined();
    cinder('3.3')
      .get(`${base}/messages`)
      .query({ resource_uuid: VOLUME_ID })
      .reply(200, { messages: [message(cinderTime(new Date(since.getTime() + 1000)), 'attach volume: this failure')] });
    await expect(cloud.blockStorage.latestUserMessage(VOLUME_ID, since)).resolves.toBe('attach volume: this failure');
  });

  it('answers undefined when there is no message or the call fails', async () => {
    const { cloud } = makeCloud();
    cinder('3.3').get(`${base}/messages`).query({ resource_uuid: VOLUME_ID }).reply(200, { messages: [] });
    await expect(cloud.blockStorage.latestUserMessage(VOLUME_ID)).resolves.toBeUndefined();
    cinder('3.3').get(`${base}/messages`).query({ resource_uuid: VOLUME_ID }).reply(403, { forbidden: { code: 403, message: 'Policy does not allow message:get_all' } });
    await expect(cloud.blockStorage.latestUserMessage(VOLUME_ID)).resolves.toBeUndefined();
  });
});

describe('waitForVolume observe hook', () => {
  it('sees every reading of coalesced waits, one list call per tick', async () => {
    const ids = ['v1', 'v2', 'v3', 'v4', 'v5'];
    let round = 0;
    cinder()
      .get(`${base}/volumes/detail`)
      .times(3)
      .reply(200, () => {
        round += 1;
        const status = ['reserved', 'attaching', 'in-use'][round - 1];
        return { volumes: ids.map((id) => volume({ id, status })) };
      });
    const { cloud } = makeCloud(undefined, fastWait);
    const seen = new Map<string, string[]>();
    await Promise.all(
      ids.map((id) =>
        cloud.blockStorage.waitForVolume(id, ['in-use'], {
          observe: async (v) => {
            seen.set(v.id, [...(seen.get(v.id) ?? []), v.status]);
          },
        }),
      ),
    );
    expect(cloud.blockStorage.volumeWaiter.fetcher.stats).toEqual({ listCalls: 3, getCalls: 0 });
    expect([...seen.keys()].sort()).toEqual(ids);
    for (const statuses of seen.values()) expect(statuses).toEqual(['reserved', 'attaching', 'in-use']);
  });
});

describe('snapshots', () => {
  it('creates a snapshot with force and metadata', async () => {
    const scope = cinder()
      .post(`${base}/snapshots`, {
        snapshot: { volume_id: VOLUME_ID, name: 'snap-001', description: 'Daily backup', force: true, metadata: { key: 'v3' } },
      })
      .reply(202, { snapshot: snapshot({ status: 'creating' }) });
    const { cloud } = makeCloud();
    const created = await cloud.blockStorage.createSnapshot({
      volumeId: VOLUME_ID,
      name: 'snap-001',
      description: 'Daily backup',
      force: true,
      metadata: { key: 'v3' },
    });
    expect(created.status).toBe('creating');
    expect(scope.isDone()).toBe(true);
  });

  it('gets, lists by volume with pagination, deletes and waits', async () => {
    const scope = cinder()
      .get(`${base}/snapshots/${SNAPSHOT_ID}`)
      .reply(200, { snapshot: snapshot() })
      .get(`${base}/snapshots/detail`)
      .query({ volume_id: VOLUME_ID, limit: '1' })
      .reply(200, {
        snapshots: [snapshot()],
        snapshots_links: [{ href: `${cinderUrl()}/snapshots/detail?limit=1&marker=${SNAPSHOT_ID}`, rel: 'next' }],
      })
      .delete(`${base}/snapshots/${SNAPSHOT_ID}`)
      .reply(202)
      .get(`${base}/snapshots/${SNAPSHOT_ID}`)
      .reply(200, { snapshot: snapshot({ status: 'available' }) });
    const { cloud } = makeCloud();
    await expect(cloud.blockStorage.getSnapshot(SNAPSHOT_ID)).resolves.toMatchObject({ size: 10 });
    const page = await cloud.blockStorage.listSnapshots({ volumeId: VOLUME_ID, limit: 1 });
    expect(page.nextMarker).toBe(SNAPSHOT_ID);
    await cloud.blockStorage.deleteSnapshot(SNAPSHOT_ID);
    await expect(cloud.blockStorage.waitForSnapshot(SNAPSHOT_ID, ['available'])).resolves.toMatchObject({ status: 'available' });
    expect(scope.isDone()).toBe(true);
  });
});

describe('backups', () => {
  it('creates a backup from a snapshot and reads it back', async () => {
    const scope = cinder()
      .post(`${base}/backups`, {
        backup: { volume_id: VOLUME_ID, snapshot_id: SNAPSHOT_ID, name: 'backup001', force: true },
      })
      .reply(202, { backup: { id: BACKUP_ID, links: [], name: 'backup001' } })
      .get(`${base}/backups/${BACKUP_ID}`)
      .reply(200, { backup: backup({ status: 'creating' }) });
    const { cloud } = makeCloud();
    const created = await cloud.blockStorage.createBackup({
      volumeId: VOLUME_ID,
      snapshotId: SNAPSHOT_ID,
      name: 'backup001',
      force: true,
    });
    expect(created).toMatchObject({ id: BACKUP_ID, status: 'creating', snapshot_id: SNAPSHOT_ID });
    expect(scope.isDone()).toBe(true);
  });

  it('creates a backup in an AZ with metadata using microversion 3.51', async () => {
    const scope = cinder('3.51')
      .post(`${base}/backups`, { backup: { volume_id: VOLUME_ID, metadata: { a: 'b' }, availability_zone: 'az2' } })
      .reply(202, { backup: { id: BACKUP_ID, links: [], name: null } });
    cinder().get(`${base}/backups/${BACKUP_ID}`).reply(200, { backup: backup() });
    const { cloud } = makeCloud();
    await cloud.blockStorage.createBackup({ volumeId: VOLUME_ID, metadata: { a: 'b' }, availabilityZone: 'az2' });
    expect(scope.isDone()).toBe(true);
  });

  it('lists, deletes and fails a wait with the fail_reason', async () => {
    const scope = cinder()
      .get(`${base}/backups/detail`)
      .query({ volume_id: VOLUME_ID })
      .reply(200, { backups: [backup()] })
      .delete(`${base}/backups/${BACKUP_ID}`)
      .reply(202)
      .get(`${base}/backups/${BACKUP_ID}`)
      .reply(200, { backup: backup({ status: 'error', fail_reason: 'swift is down' }) });
    const { cloud } = makeCloud();
    const page = await cloud.blockStorage.listBackups({ volumeId: VOLUME_ID });
    expect(page.items).toHaveLength(1);
    await cloud.blockStorage.deleteBackup(BACKUP_ID);
    await expect(cloud.blockStorage.waitForBackup(BACKUP_ID, ['available'])).rejects.toThrow(/swift is down/);
    expect(scope.isDone()).toBe(true);
  });
});

describe('types, zones and quotas', () => {
  const type = {
    description: 'Thin provisioned',
    extra_specs: { capabilities: 'gpu' },
    id: '6685584b-1eac-4da6-b5c3-555430cf68ff',
    is_public: true,
    name: 'vol-type-001',
    'os-volume-type-access:is_public': true,
    qos_specs_id: null,
  };

  it('lists volume types and finds one by name or ID', async () => {
    const scope = cinder()
      .get(`${base}/types`)
      .times(2)
      .reply(200, { volume_types: [type] })
      .get(`${base}/types/${type.id}`)
      .reply(200, { volume_type: type });
    const { cloud } = makeCloud();
    await expect(cloud.blockStorage.listVolumeTypes()).resolves.toHaveLength(1);
    await expect(cloud.blockStorage.getVolumeType('vol-type-001')).resolves.toMatchObject({ id: type.id });
    await expect(cloud.blockStorage.getVolumeType(type.id)).resolves.toMatchObject({ name: 'vol-type-001' });
    expect(scope.isDone()).toBe(true);
  });

  it('lists availability zones', async () => {
    cinder()
      .get(`${base}/os-availability-zone`)
      .reply(200, { availabilityZoneInfo: [{ zoneState: { available: true }, zoneName: 'nova' }] });
    const { cloud } = makeCloud();
    await expect(cloud.blockStorage.listAvailabilityZones()).resolves.toEqual([
      { zoneState: { available: true }, zoneName: 'nova' },
    ]);
  });

  it('reads quota usage', async () => {
    cinder()
      .get(`${base}/os-quota-sets/${PROJECT_ID}`)
      .query({ usage: 'true' })
      .reply(200, {
        quota_set: {
          id: PROJECT_ID,
          volumes: { reserved: 0, allocated: 0, limit: 10, in_use: 1 },
          gigabytes: { reserved: 0, allocated: 0, limit: 1000, in_use: 1 },
          gigabytes_lvmdriver: { reserved: 0, allocated: 0, limit: -1, in_use: 1 },
          per_volume_gigabytes: { reserved: 0, allocated: 0, limit: -1, in_use: 0 },
          snapshots: { reserved: 0, allocated: 0, limit: 10, in_use: 0 },
          backups: { reserved: 0, allocated: 0, limit: 10, in_use: 0 },
          backup_gigabytes: { reserved: 0, allocated: 0, limit: 1000, in_use: 0 },
          groups: { reserved: 0, allocated: 0, limit: 10, in_use: 0 },
        },
      });
    const { cloud } = makeCloud();
    const usage = await cloud.blockStorage.getQuotaUsage(PROJECT_ID);
    expect(usage.gigabytes).toEqual({ reserved: 0, allocated: 0, limit: 1000, in_use: 1 });
    expect(usage.id).toBeUndefined();
  });
});


describe('groups and group snapshots', () => {
  const GROUP_ID = '6f519a48-3183-46cf-a32f-41815f816666';
  const GROUP_SNAPSHOT_ID = '6f519a48-3183-46cf-a32f-41815f814444';
  const group = (overrides: Record<string, unknown> = {}) => ({
    id: GROUP_ID,
    status: 'available',
    availability_zone: 'az1',
    created_at: '2015-09-16T09:28:52.000000',
    name: 'first_group',
    description: 'my first group',
    group_type: '29514915-5208-46ab-9ece-1cc4688ad0c1',
    volume_types: ['4e9e6d23-eed0-426d-b90a-28f87a94b6fe'],
    volumes: ['a2cdf1ad-5497-4e57-bd7d-f573768f3d03'],
    group_snapshot_id: null,
    source_group_id: null,
    project_id: PROJECT_ID,
    replication_status: 'disabled',
    ...overrides,
  });
  const groupSnapshot = (overrides: Record<string, unknown> = {}) => ({
    id: GROUP_SNAPSHOT_ID,
    group_id: GROUP_ID,
    status: 'available',
    created_at: '2015-09-16T09:28:52.000000',
    name: 'my_group_snapshot',
    description: 'My group snapshot',
    group_type_id: '7270c56e-6354-4528-8e8b-f54dee2232c8',
    project_id: PROJECT_ID,
    ...overrides,
  });

  it('lists group types (3.11)', async () => {
    cinder('3.11')
      .get(`${base}/group_types`)
      .reply(200, {
        group_types: [{ id: 'gt-1', name: 'consistent', description: null, is_public: true, group_specs: { consistent_group_snapshot_enabled: '<is> True' } }],
      });
    const { cloud } = makeCloud();
    await expect(cloud.blockStorage.listGroupTypes()).resolves.toHaveLength(1);
  });

  it('creates, gets with volumes (3.25), updates, deletes and waits for a group', async () => {
    const scope = cinder('3.13')
      .post(`${base}/groups`, {
        group: {
          group_type: 'gt-1',
          volume_types: ['vt-1'],
          name: 'first_group',
          description: 'my first group',
          availability_zone: 'az1',
        },
      })
      .reply(202, { group: { id: GROUP_ID, name: 'first_group' } })
      .put(`${base}/groups/${GROUP_ID}`, { group: { add_volumes: 'v1,v2', remove_volumes: 'v3' } })
      .reply(202)
      .post(`${base}/groups/${GROUP_ID}/action`, { delete: { 'delete-volumes': true } })
      .reply(202);
    const get = cinder('3.25')
      .get(`${base}/groups/${GROUP_ID}`)
      .query({ list_volume: 'True' })
      .times(2)
      .reply(200, { group: group() });
    const { cloud } = makeCloud();
    const created = await cloud.blockStorage.createGroup({
      groupType: 'gt-1',
      volumeTypes: ['vt-1'],
      name: 'first_group',
      description: 'my first group',
      availabilityZone: 'az1',
    });
    expect(created.volumes).toHaveLength(1);
    await cloud.blockStorage.updateGroup(GROUP_ID, { addVolumes: ['v1', 'v2'], removeVolumes: ['v3'] });
    await cloud.blockStorage.deleteGroup(GROUP_ID, true);
    await expect(cloud.blockStorage.waitForGroup(GROUP_ID, ['available'])).resolves.toMatchObject({ id: GROUP_ID });
    expect(scope.isDone()).toBe(true);
    expect(get.isDone()).toBe(true);
  });

  it('creates, gets, lists, deletes and waits for group snapshots (3.14)', async () => {
    const scope = cinder('3.14')
      .post(`${base}/group_snapshots`, { group_snapshot: { group_id: GROUP_ID, name: 'my_group_snapshot', description: 'd' } })
      .reply(202, { group_snapshot: { id: GROUP_SNAPSHOT_ID, name: 'my_group_snapshot', group_type_id: 'gt' } })
      .get(`${base}/group_snapshots/${GROUP_SNAPSHOT_ID}`)
      .times(2)
      .reply(200, { group_snapshot: groupSnapshot() })
      .get(`${base}/group_snapshots/detail`)
      .query({ name: 'my_group_snapshot' })
      .reply(200, { group_snapshots: [groupSnapshot()] })
      .delete(`${base}/group_snapshots/${GROUP_SNAPSHOT_ID}`)
      .reply(202);
    const { cloud } = makeCloud();
    await expect(cloud.blockStorage.createGroupSnapshot(GROUP_ID, 'my_group_snapshot', 'd')).resolves.toMatchObject({
      status: 'available',
    });
    const page = await cloud.blockStorage.listGroupSnapshots({ name: 'my_group_snapshot' });
    expect(page.items).toHaveLength(1);
    await cloud.blockStorage.deleteGroupSnapshot(GROUP_SNAPSHOT_ID);
    await expect(cloud.blockStorage.waitForGroupSnapshot(GROUP_SNAPSHOT_ID, ['available'])).resolves.toBeDefined();
    expect(scope.isDone()).toBe(true);
  });
});
