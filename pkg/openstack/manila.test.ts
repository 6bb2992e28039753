import nock from 'nock';
import { MicroversionUnsupportedError, ResourceErrorStateError } from './errors';
import { manilaUrl, manilaVersionDocument, PROJECT_ID, share, SHARE_ID } from './testing/fixtures';
import { makeCloud, mockAuth, releaseNock, resetNock, SUBJECT_TOKEN } from './testing/harness';

const origin = new URL(manilaUrl()).origin;
const base = `/v2/${PROJECT_ID}`;
const SNAPSHOT_ID = '6d221c1d-0200-461e-8d20-24b4776b9ddb';
const ACCESS_ID = 'a25b2df3-90bd-4add-afa6-5f0dbbd50452';

function manila(version = '2.37'): nock.Scope {
  return nock(origin, {
    reqheaders: { 'x-auth-token': SUBJECT_TOKEN, 'x-openstack-manila-api-version': version, accept: 'application/json' },
  });
}

const accessRule = (overrides: Record<string, unknown> = {}) => ({
  access_level: 'rw',
  state: 'active',
  id: ACCESS_ID,
  access_type: 'cephx',
  access_to: 'alice',
  access_key: 'AQA8+ANW/4ZWNRAAOtWJMFPEihBA1unFImJczA==',
  created_at: '2023-02-05T18:09:47.000000',
  updated_at: null,
  metadata: {},
  share_id: SHARE_ID,
  ...overrides,
});

const shareSnapshot = (overrides: Record<string, unknown> = {}) => ({
  id: SNAPSHOT_ID,
  share_id: SHARE_ID,
  share_size: 1,
  created_at: '2015-09-07T11:50:39.000000',
  status: 'available',
  links: [],
  share_proto: 'NFS',
  name: 'snapshot_share1',
  description: 'Here is a snapshot of share Share1',
  size: 1,
  user_id: 'ee4dfb6e5540447cb3741905149d9b6e',
  project_id: PROJECT_ID,
  provider_location: null,
  ...overrides,
});

beforeEach(() => {
  resetNock();
  mockAuth();
  nock(origin).get('/v2/').reply(200, manilaVersionDocument('2.84')).persist();
});
afterAll(releaseNock);

describe('shares', () => {
  it('creates a share with every option at the base microversion 2.37', async () => {
    const scope = manila()
      .post(`${base}/shares`, {
        share: {
          share_proto: 'NFS',
          size: 1,
          name: 'pvc-1',
          description: 'desc',
          share_type: 'default',
          share_network_id: 'net-1',
          availability_zone: 'nova',
          snapshot_id: 'snap-1',
          share_group_id: 'group-1',
          metadata: { 'manila.csi.openstack.org/cluster': 'k1' },
        },
      })
      .reply(200, { share: share({ status: 'creating' }) });
    const { cloud } = makeCloud();
    const created = await cloud.sharedFileSystem.createShare({
      shareProto: 'NFS',
      size: 1,
      name: 'pvc-1',
      description: 'desc',
      shareType: 'default',
      shareNetworkId: 'net-1',
      availabilityZone: 'nova',
      snapshotId: 'snap-1',
      shareGroupId: 'group-1',
      metadata: { 'manila.csi.openstack.org/cluster': 'k1' },
    });
    expect(created.status).toBe('creating');
    expect(scope.isDone()).toBe(true);
  });

  it('sends scheduler hints with microversion 2.65', async () => {
    const scope = manila('2.65')
      .post(`${base}/shares`, {
        share: { share_proto: 'CEPHFS', size: 2, scheduler_hints: { same_host: 'other-share' } },
      })
      .reply(200, { share: share() });
    const { cloud } = makeCloud();
    await cloud.sharedFileSystem.createShare({ shareProto: 'CEPHFS', size: 2, schedulerHints: { same_host: 'other-share' } });
    expect(scope.isDone()).toBe(true);
  });

  it('fails when the cloud cannot do the base microversion', async () => {
    nock.cleanAll();
    mockAuth();
    nock(origin).get('/v2/').reply(200, manilaVersionDocument('2.30'));
    const { cloud } = makeCloud();
    await expect(cloud.sharedFileSystem.getShare(SHARE_ID)).rejects.toBeInstanceOf(MicroversionUnsupportedError);
  });

  it('gets, lists by name, extends, shrinks and deletes', async () => {
    const scope = manila()
      .get(`${base}/shares/${SHARE_ID}`)
      .reply(200, { share: share() })
      .get(`${base}/shares/detail`)
      .query({ name: 'share_London' })
      .reply(200, { shares: [share()] })
      .post(`${base}/shares/${SHARE_ID}/action`, { extend: { new_size: 2 } })
      .reply(202)
      .post(`${base}/shares/${SHARE_ID}/action`, { shrink: { new_size: 1 } })
      .reply(202)
      .delete(`${base}/shares/${SHARE_ID}`)
      .reply(202);
    const { cloud } = makeCloud();
    await expect(cloud.sharedFileSystem.getShare(SHARE_ID)).resolves.toMatchObject({ share_proto: 'NFS' });
    const page = await cloud.sharedFileSystem.listShares({ name: 'share_London' });
    expect(page.items.map((s) => s.id)).toEqual([SHARE_ID]);
    await cloud.sharedFileSystem.extendShare(SHARE_ID, 2);
    await cloud.sharedFileSystem.shrinkShare(SHARE_ID, 1);
    await cloud.sharedFileSystem.deleteShare(SHARE_ID);
    expect(scope.isDone()).toBe(true);
  });

  it('pages share lists by offset', async () => {
    const scope = manila()
      .get(`${base}/shares/detail`)
      .query({ limit: '2' })
      .reply(200, { shares: [share({ id: 'a' }), share({ id: 'b' })] })
      .get(`${base}/shares/detail`)
      .query({ limit: '2', offset: '2' })
      .reply(200, { shares: [share({ id: 'c' })] });
    const { cloud } = makeCloud();
    const first = await cloud.sharedFileSystem.listShares({ limit: 2 });
    expect(first.nextMarker).toBe('2');
    const second = await cloud.sharedFileSystem.listShares({ limit: 2, marker: first.nextMarker });
    expect(second.items.map((s) => s.id)).toEqual(['c']);
    expect(second.nextMarker).toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });

  it('fails a wait on an error status with the user message', async () => {
    manila().get(`${base}/shares/${SHARE_ID}`).reply(200, { share: share({ status: 'error' }) });
    manila()
      .get(`${base}/messages`)
      .query({ resource_id: SHARE_ID })
      .reply(200, {
        messages: [
          {
            id: '4b319d29-d5b7-4b6e-8e7c-8d6e53f3c3d5',
            action_id: '002',
            detail_id: '002',
            message_level: 'ERROR',
            created_at: '2023-08-10T12:00:00.000000',
            expires_at: '2023-09-09T12:00:00.000000',
            request_id: 'req-1',
            resource_type: 'SHARE',
            resource_id: SHARE_ID,
            user_message: 'create: No storage could be allocated for this share request.',
          },
        ],
      });
    const { cloud } = makeCloud(undefined, { waitSchedule: { shareStatus: { initialDelayMs: 1, factor: 1, checks: 3 } } });
    const error = await cloud.sharedFileSystem.waitForShare(SHARE_ID, ['available']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ResourceErrorStateError);
    expect((error as Error).message).toContain('No storage could be allocated');
  });
});

describe('access rules and export locations', () => {
  it('grants, lists (2.45) and revokes access', async () => {
    const scope = manila()
      .post(`${base}/shares/${SHARE_ID}/action`, {
        allow_access: { access_type: 'cephx', access_to: 'alice', access_level: 'rw' },
      })
      .reply(200, { access: accessRule({ state: 'queued_to_apply', access_key: null }) })
      .post(`${base}/shares/${SHARE_ID}/action`, { deny_access: { access_id: ACCESS_ID } })
      .reply(202);
    const list = manila('2.45')
      .get(`${base}/share-access-rules`)
      .query({ share_id: SHARE_ID })
      .reply(200, { access_list: [accessRule()] });
    const { cloud, logLines } = makeCloud();
    const granted = await cloud.sharedFileSystem.grantAccess(SHARE_ID, 'cephx', 'alice', 'rw');
    expect(granted.state).toBe('queued_to_apply');
    const rules = await cloud.sharedFileSystem.listAccessRules(SHARE_ID);
    expect(rules[0].access_key).toBe(accessRule().access_key);
    await cloud.sharedFileSystem.revokeAccess(SHARE_ID, ACCESS_ID);
    expect(scope.isDone()).toBe(true);
    expect(list.isDone()).toBe(true);
    expect(logLines.join('\n')).not.toContain(accessRule().access_key);
  });

  it('lists export locations', async () => {
    manila()
      .get(`${base}/shares/${SHARE_ID}/export_locations`)
      .reply(200, {
        export_locations: [
          {
            path: '10.254.0.3:/shares/share-e1c2d35e-fe67-4028-ad7a-45f668732b1d',
            share_instance_id: 'e1c2d35e-fe67-4028-ad7a-45f668732b1d',
            is_admin_only: false,
            id: 'b6bd76ce-12a2-42a9-a30a-8a43b503867d',
            preferred: false,
          },
        ],
      });
    const { cloud } = makeCloud();
    const locations = await cloud.sharedFileSystem.listExportLocations(SHARE_ID);
    expect(locations[0].path).toContain('10.254.0.3:/shares/');
  });
});

describe('share snapshots and types', () => {
  it('creates, gets, lists, deletes and waits for snapshots', async () => {
    const scope = manila()
      .post(`${base}/snapshots`, { snapshot: { share_id: SHARE_ID, name: 'snapshot_share1', description: 'd' } })
      .reply(202, { snapshot: shareSnapshot({ status: 'creating' }) })
      .get(`${base}/snapshots/${SNAPSHOT_ID}`)
      .reply(200, { snapshot: shareSnapshot() })
      .get(`${base}/snapshots/detail`)
      .query({ share_id: SHARE_ID })
      .reply(200, { snapshots: [shareSnapshot()] })
      .delete(`${base}/snapshots/${SNAPSHOT_ID}`)
      .reply(202)
      .get(`${base}/snapshots/${SNAPSHOT_ID}`)
      .reply(404, { itemNotFound: { code: 404, message: 'not found' } });
    const { cloud } = makeCloud();
    await expect(cloud.sharedFileSystem.createSnapshot(SHARE_ID, 'snapshot_share1', 'd')).resolves.toMatchObject({
      status: 'creating',
    });
    await expect(cloud.sharedFileSystem.getSnapshot(SNAPSHOT_ID)).resolves.toMatchObject({ share_size: 1 });
    const page = await cloud.sharedFileSystem.listSnapshots({ shareId: SHARE_ID });
    expect(page.items).toHaveLength(1);
    await cloud.sharedFileSystem.deleteSnapshot(SNAPSHOT_ID);
    await cloud.sharedFileSystem.waitForSnapshot(SNAPSHOT_ID, [], { gone: true });
    expect(scope.isDone()).toBe(true);
  });

  it('lists share types and finds one by name or ID', async () => {
    const type = {
      required_extra_specs: { driver_handles_share_servers: 'True' },
      share_type_access: true,
      extra_specs: { snapshot_support: 'True', driver_handles_share_servers: 'True' },
      name: 'default',
      id: 'be27425c-f807-4500-a056-d00721db45cf',
      is_default: true,
      description: 'share type description',
    };
    const scope = manila()
      .get(`${base}/types`)
      .reply(200, { share_types: [type], volume_types: [type] })
      .get(`${base}/types/${type.id}`)
      .reply(200, { share_type: type, volume_type: type });
    const { cloud } = makeCloud();
    await expect(cloud.sharedFileSystem.getShareType('default')).resolves.toMatchObject({ id: type.id });
    await expect(cloud.sharedFileSystem.getShareType(type.id)).resolves.toMatchObject({ name: 'default' });
    expect(scope.isDone()).toBe(true);
  });
});

describe('waitForAccessRule', () => {
  it('waits until the cephx rule is active and has its key', async () => {
    const scope = manila('2.45')
      .get(`${base}/share-access-rules`)
      .query({ share_id: SHARE_ID })
      .reply(200, { access_list: [accessRule({ state: 'queued_to_apply', access_key: null })] })
      .get(`${base}/share-access-rules`)
      .query({ share_id: SHARE_ID })
      .reply(200, { access_list: [accessRule({ state: 'active', access_key: null })] })
      .get(`${base}/share-access-rules`)
      .query({ share_id: SHARE_ID })
      .reply(200, { access_list: [accessRule()] });
    const { cloud, sleeps } = makeCloud(undefined, { waitSchedule: { shareAccess: { initialDelayMs: 2, factor: 1, checks: 5 } } });
    const rule = await cloud.sharedFileSystem.waitForAccessRule(SHARE_ID, ACCESS_ID, { needAccessKey: true });
    expect(rule.access_key).toBe(accessRule().access_key);
    expect(sleeps).toEqual([2, 2]);
    expect(scope.isDone()).toBe(true);
  });

  it('fails when the rule goes to error', async () => {
    manila('2.45')
      .get(`${base}/share-access-rules`)
      .query({ share_id: SHARE_ID })
      .reply(200, { access_list: [accessRule({ state: 'error' })] });
    const { cloud } = makeCloud();
    await expect(cloud.sharedFileSystem.waitForAccessRule(SHARE_ID, ACCESS_ID)).rejects.toBeInstanceOf(ResourceErrorStateError);
  });
});

describe('microversion refused by the cloud', () => {
  it('turns a 406 into MicroversionUnsupportedError', async () => {
    manila('2.45')
      .get(`${base}/share-access-rules`)
      .query({ share_id: SHARE_ID })
      .reply(406, { computeFault: { code: 406, message: 'Version 2.45 is not supported by the API.' } });
    const { cloud } = makeCloud();
    const error = await cloud.sharedFileSystem.listAccessRules(SHARE_ID).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MicroversionUnsupportedError);
    expect((error as MicroversionUnsupportedError).required).toBe('2.45');
    expect((error as MicroversionUnsupportedError).maximum).toBe('2.84');
  });
});
