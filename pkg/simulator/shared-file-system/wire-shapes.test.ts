/**
 * Manila wire shapes over plain HTTP, checked against the api-ref (docs.openstack.org/api-ref/shared-file-system)
 * sample bodies and Manila's view builders: field names per microversion, status codes, headers, fault bodies.
 * No production client here, so a field name it and the simulator both got wrong cannot pass.
 */
import type { Simulator } from '../simulator';
import { startSimulatedCloud } from '../testing/cloud';
import { asList, asObject, fieldsOf, eventually, rawClient, type RawCall } from '../testing/raw-http';


describe('Manila v2 wire shapes (raw HTTP against the api-ref)', () => {
  let sim: Simulator;
  let call: RawCall;

  beforeAll(async () => {
    ({ sim } = await startSimulatedCloud({ quotas: { sharedFileSystem: { gigabytes: 20 } } }));
    call = await rawClient(sim, 'share');
  });
  afterAll(async () => {
    await sim.stop();
  });

  async function availableShare(proto: 'NFS' | 'CEPHFS' = 'NFS', extra: Record<string, unknown> = {}, version = '2.45') {
    const created = await call('POST', '/shares', { version, body: { share: { share_proto: proto, size: 1, ...extra } } });
    expect(created.status).toBe(200);
    const id = asObject(created.body?.share).id as string;
    await eventually(
      () => call('GET', `/shares/${id}`, { version }),
      (r) => asObject(r.body?.share).status === 'available',
    );
    return id;
  }

  async function activeRule(shareId: string, type: string, to: string) {
    const granted = await call('POST', `/shares/${shareId}/action`, {
      version: '2.45',
      body: { allow_access: { access_type: type, access_to: to, access_level: 'rw' } },
    });
    const id = asObject(granted.body?.access).id as string;
    await eventually(
      () => call('GET', `/share-access-rules/${id}`, { version: '2.45' }),
      (r) => asObject(r.body?.access).state === 'active',
    );
    return { granted, id };
  }

  it('echoes X-OpenStack-Manila-API-Version (2.0 when none is asked, the maximum for latest) and refuses versions above it with 406', async () => {
    const none = await call('GET', '/shares');
    expect(none.status).toBe(200);
    expect(none.headers.get('x-openstack-manila-api-version')).toBe('2.0');
    expect(none.headers.get('vary')).toMatch(/X-OpenStack-Manila-API-Version/);
    const latest = await call('GET', '/shares', { version: 'latest' });
    expect(latest.headers.get('x-openstack-manila-api-version')).toBe('2.84');
    const tooNew = await call('GET', '/shares', { version: '2.999' });
    expect(tooNew.status).toBe(406);
    expect(tooNew.headers.get('x-openstack-manila-api-version')).toBeNull();
    const bad = await call('GET', '/shares', { version: 'two' });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['badRequest']);
  });

  it('answers a missing share with 404 {"itemNotFound": {"message", "code"}}', async () => {
    const missing = await call('GET', '/shares/00000000-0000-0000-0000-000000000000', { version: '2.45' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ itemNotFound: { message: expect.any(String), code: 404 } });
    expect(missing.headers.get('x-openstack-manila-api-version')).toBe('2.45');
  });

  it('creates a share (200, `share`) and shows the fields the view builder adds per microversion, no admin fields', async () => {
    const id = await availableShare('NFS', { name: 'share_London', metadata: { project: 'my_app' } });
    const show = async (version: string) => asObject((await call('GET', `/shares/${id}`, { version })).body?.share);
    const v245 = await show('2.45');
    // share-show-response.json without its admin (host, share_server_id) and pre-2.9 (export_location*) fields.
    for (const k of ['links', 'availability_zone', 'share_network_id', 'snapshot_id', 'id', 'size', 'share_type', 'share_type_name', 'project_id', 'metadata', 'status', 'description', 'access_rules_status', 'has_replicas', 'replication_type', 'task_state', 'is_public', 'snapshot_support', 'name', 'created_at', 'share_proto', 'volume_type']) {
      expect(v245).toHaveProperty(k);
    }
    for (const k of ['host', 'share_server_id', 'export_location', 'export_locations', 'consistency_group_id']) expect(v245).not.toHaveProperty(k);
    expect(v245).toMatchObject({ share_type_name: 'default', volume_type: 'default', user_id: sim.credentials.userId, share_group_id: null, mount_snapshot_support: false });
    expect(v245.links).toEqual([
      { rel: 'self', href: expect.stringMatching(new RegExp(`/share/v2/${sim.credentials.projectId}/shares/${id}$`)) },
      { rel: 'bookmark', href: expect.stringMatching(new RegExp(`/share/${sim.credentials.projectId}/shares/${id}$`)) },
    ]);
    const v25 = await show('2.5');
    expect(v25.share_type).toBe('default');
    expect(v25).not.toHaveProperty('share_type_name');
    const v28 = await show('2.8');
    expect(v28.export_location).toMatch(/:\//);
    expect(v28.export_locations).toEqual([v28.export_location]);
    expect(await show('2.9')).not.toHaveProperty('export_locations');
    expect(await show('2.53')).not.toHaveProperty('progress');
    expect((await show('2.54')).progress).toBe('100%');
  });

  it('grants access with the share-actions-grant-access sample fields, lists rules without share_id (2.45), and 400s a missing share', async () => {
    const shareId = await availableShare();
    const { granted, id } = await activeRule(shareId, 'ip', '0.0.0.0/0');
    expect(granted.status).toBe(200);
    // share-actions-grant-access-response.json, plus `state` and (2.45) `metadata`.
    expect(fieldsOf(granted.body?.access)).toEqual(
      ['access_key', 'access_level', 'access_to', 'access_type', 'created_at', 'id', 'metadata', 'share_id', 'state', 'updated_at'],
    );
    const listed = await call('GET', `/share-access-rules?share_id=${shareId}`, { version: '2.45' });
    // share-access-rules-list-response.json
    expect(asList(listed.body?.access_list).map(fieldsOf)).toEqual([
      ['access_key', 'access_level', 'access_to', 'access_type', 'created_at', 'id', 'metadata', 'state', 'updated_at'],
    ]);
    expect(asList(listed.body?.access_list)[0]).toMatchObject({ id, state: 'active', access_key: null });
    expect((await call('GET', '/share-access-rules', { version: '2.45' })).status).toBe(400);
    const noShare = await call('GET', '/share-access-rules?share_id=00000000-0000-0000-0000-000000000000', { version: '2.45' });
    expect(noShare.status).toBe(400);
    expect(fieldsOf(noShare.body)).toEqual(['badRequest']);
    expect((await call('GET', `/share-access-rules?share_id=${shareId}`, { version: '2.44' })).status).toBe(404);
  });

  it('keeps the legacy access_list action (os-access_list before 2.7, access_list to 2.44) with the sample fields', async () => {
    const shareId = await availableShare();
    await activeRule(shareId, 'ip', '10.0.0.0/24');
    const old = await call('POST', `/shares/${shareId}/action`, { version: '2.6', body: { 'os-access_list': null } });
    expect(old.status).toBe(200);
    // share-actions-list-access-rules-response.json (state shows access_rules_status before 2.28)
    expect(asList(old.body?.access_list).map(fieldsOf)).toEqual([['access_level', 'access_to', 'access_type', 'id', 'state']]);
    expect(asList(old.body?.access_list)[0].state).toBe('active');
    const renamed = await call('POST', `/shares/${shareId}/action`, { version: '2.21', body: { access_list: null } });
    expect(asList(renamed.body?.access_list)[0]).toHaveProperty('access_key', null);
    expect((await call('POST', `/shares/${shareId}/action`, { version: '2.45', body: { access_list: null } })).status).toBe(404);
    expect((await call('POST', `/shares/${shareId}/action`, { version: '2.45', body: { 'os-access_list': null } })).status).toBe(404);
    expect((await call('POST', `/shares/${shareId}/action`, { version: '2.45', body: { frobnicate: {} } })).status).toBe(400);
  });

  it('answers extend/shrink/deny_access with 202 and no body; extend over quota is 403 forbidden', async () => {
    const shareId = await availableShare();
    const { id } = await activeRule(shareId, 'ip', '10.1.0.0/24');
    const extend = await call('POST', `/shares/${shareId}/action`, { version: '2.45', body: { extend: { new_size: 2 } } });
    expect(extend.status).toBe(202);
    expect(extend.body).toBeUndefined();
    await eventually(() => call('GET', `/shares/${shareId}`, { version: '2.45' }), (r) => asObject(r.body?.share).status === 'available');
    const shrink = await call('POST', `/shares/${shareId}/action`, { version: '2.45', body: { shrink: { new_size: 1 } } });
    expect(shrink.status).toBe(202);
    await eventually(() => call('GET', `/shares/${shareId}`, { version: '2.45' }), (r) => asObject(r.body?.share).status === 'available');
    const deny = await call('POST', `/shares/${shareId}/action`, { version: '2.45', body: { deny_access: { access_id: id } } });
    expect(deny.status).toBe(202);
    const overQuota = await call('POST', `/shares/${shareId}/action`, { version: '2.45', body: { extend: { new_size: 500 } } });
    expect(overQuota.status).toBe(403);
    expect(asObject(overQuota.body?.forbidden).message).toMatch(/ShareSizeExceedsAvailableQuota/);
    const createOver = await call('POST', '/shares', { version: '2.45', body: { share: { share_proto: 'NFS', size: 500 } } });
    expect(createOver.status).toBe(413);
    expect(fieldsOf(createOver.body)).toEqual(['overLimit']);
    expect((await call('POST', `/shares/${shareId}/action`, { version: '2.6', body: { extend: { new_size: 3 } } })).status).toBe(404);
  });

  it('lists export locations with id/path/preferred (preferred from 2.14), none below 2.9, 404 for a missing share', async () => {
    const shareId = await availableShare();
    const at = async (version: string) => call('GET', `/shares/${shareId}/export_locations`, { version });
    // export-location-list-response.json without the admin fields (is_admin_only, share_instance_id).
    expect(asList((await at('2.45')).body?.export_locations).map(fieldsOf)).toEqual([['id', 'path', 'preferred']]);
    expect(asList((await at('2.13')).body?.export_locations).map(fieldsOf)).toEqual([['id', 'path']]);
    expect((await at('2.8')).status).toBe(404);
    const [location] = asList((await at('2.45')).body?.export_locations);
    const one = await call('GET', `/shares/${shareId}/export_locations/${String(location.id)}`, { version: '2.45' });
    expect(fieldsOf(one.body?.export_location)).toEqual(['created_at', 'id', 'path', 'preferred', 'updated_at']);
    const missing = await call('GET', '/shares/00000000-0000-0000-0000-000000000000/export_locations', { version: '2.45' });
    expect(missing.status).toBe(404);
    expect(fieldsOf(missing.body)).toEqual(['itemNotFound']);
  });

  it('creates snapshots with 202 and the snapshot-create-response fields', async () => {
    const shareId = await availableShare();
    const created = await call('POST', '/snapshots', { version: '2.45', body: { snapshot: { share_id: shareId, name: 'snapshot_share1' } } });
    expect(created.status).toBe(202);
    const snap = asObject(created.body?.snapshot);
    for (const k of ['status', 'share_id', 'name', 'links', 'created_at', 'description', 'share_proto', 'share_size', 'id', 'size', 'user_id', 'project_id']) {
      expect(snap).toHaveProperty(k);
    }
    expect(snap.status).toBe('creating');
    await eventually(() => call('GET', `/snapshots/${String(snap.id)}`, { version: '2.45' }), (r) => asObject(r.body?.snapshot).status === 'available');
    expect(fieldsOf(asList((await call('GET', '/snapshots', { version: '2.45' })).body?.snapshots)[0])).toEqual(['id', 'links', 'name']);
    expect((await call('DELETE', `/snapshots/${String(snap.id)}`, { version: '2.45' })).status).toBe(202);
  });

  it('lists user messages with the user-messages-list-response fields from 2.37 and none before', async () => {
    sim.sharedFileSystem.failNextShare({ detailId: '002' });
    const id = (await call('POST', '/shares', { version: '2.45', body: { share: { share_proto: 'NFS', size: 1 } } })).body;
    const shareId = asObject(id?.share).id as string;
    await sim.whenIdle();
    const none = asObject((await call('GET', `/shares/${shareId}`, { version: '2.45' })).body?.share);
    expect(none.status).toBe('error');
    const messages = await call('GET', `/messages?resource_id=${shareId}`, { version: '2.37' });
    expect(messages.status).toBe(200);
    const [message] = asList(messages.body?.messages);
    expect(fieldsOf(message)).toEqual(
      ['action_id', 'created_at', 'detail_id', 'expires_at', 'id', 'links', 'message_level', 'project_id', 'request_id', 'resource_id', 'resource_type', 'user_message'],
    );
    expect(message).toMatchObject({
      action_id: '001',
      detail_id: '002',
      message_level: 'ERROR',
      resource_type: 'SHARE',
      resource_id: shareId,
      user_message: 'allocate host: No storage could be allocated for this share request. Trying again with a different size or share type may succeed.',
    });
    const one = await call('GET', `/messages/${String(message.id)}`, { version: '2.37' });
    expect(asObject(one.body?.message).detail_id).toBe('002');
    expect((await call('GET', '/messages', { version: '2.36' })).status).toBe(404);
    expect((await call('DELETE', `/messages/${String(message.id)}`, { version: '2.37' })).status).toBe(204);
    expect((await call('GET', `/messages/${String(message.id)}`, { version: '2.37' })).status).toBe(404);
    expect((await call('DELETE', `/shares/${shareId}`, { version: '2.45' })).status).toBe(202);
  });

  it('lists availability zones (renamed in 2.7), quota sets with /detail (2.25) and absolute limits as the samples show', async () => {
    const zones = await call('GET', '/availability-zones', { version: '2.7' });
    expect(asList(zones.body?.availability_zones).map(fieldsOf)).toEqual([['created_at', 'id', 'name', 'updated_at']]);
    expect(asList(zones.body?.availability_zones)[0].name).toBe('nova');
    expect((await call('GET', '/os-availability-zone', { version: '2.6' })).status).toBe(200);
    expect((await call('GET', '/os-availability-zone', { version: '2.7' })).status).toBe(404);
    const project = sim.credentials.projectId;
    const quota = await call('GET', `/quota-sets/${project}`, { version: '2.39' });
    // quota-show-response.json
    expect(fieldsOf(quota.body?.quota_set)).toEqual(['gigabytes', 'id', 'share_networks', 'shares', 'snapshot_gigabytes', 'snapshots']);
    expect(asObject(quota.body?.quota_set).gigabytes).toBe(20);
    const detail = await call('GET', `/quota-sets/${project}/detail`, { version: '2.25' });
    expect(asObject(detail.body?.quota_set).shares).toEqual({ limit: 50, in_use: expect.any(Number), reserved: 0 });
    expect((await call('GET', `/quota-sets/${project}/detail`, { version: '2.24' })).status).toBe(404);
    const limits = await call('GET', '/limits', { version: '2.45' });
    expect(asObject(limits.body?.limits).rate).toEqual([]);
    // limits-response.json up to its replica (2.53) and backup (2.80) fields.
    expect(fieldsOf(asObject(limits.body?.limits).absolute)).toEqual(
      ['maxTotalShareGigabytes', 'maxTotalShareNetworks', 'maxTotalShareSnapshots', 'maxTotalShares', 'maxTotalSnapshotGigabytes', 'totalShareGigabytesUsed', 'totalShareNetworksUsed', 'totalShareSnapshotsUsed', 'totalSharesUsed', 'totalSnapshotGigabytesUsed'],
    );
    expect(asObject(asObject((await call('GET', '/limits', { version: '2.80' })).body?.limits).absolute)).toHaveProperty('maxTotalShareBackups');
  });

  it('lists share types under share_types and volume_types with the versioned access and default fields', async () => {
    const at = async (version: string) => asList((await call('GET', '/types', { version })).body?.share_types);
    const types = await call('GET', '/types', { version: '2.46' });
    expect(types.body?.volume_types).toEqual(types.body?.share_types);
    const def = (await at('2.46')).find((t) => t.name === 'default');
    expect(def).toMatchObject({ is_default: true, 'share_type_access:is_public': true, required_extra_specs: { driver_handles_share_servers: 'False' } });
    expect((await at('2.6'))[0]).toHaveProperty('os-share-type-access:is_public');
    expect((await at('2.40'))[0]).not.toHaveProperty('description');
  });

  it('serves share groups from 2.31 with the experimental header, from 2.55 without; create 202, shares join with share_group_id', async () => {
    const body = { share_group: { name: 'grp' } };
    expect((await call('POST', '/share-groups', { version: '2.40', body })).status).toBe(404);
    const experimental = await call('POST', '/share-groups', { version: '2.40', body, headers: { 'X-OpenStack-Manila-API-Experimental': 'True' } });
    expect(experimental.status).toBe(202);
    const created = await call('POST', '/share-groups', { version: '2.55', body });
    expect(created.status).toBe(202);
    const group = asObject(created.body?.share_group);
    // share-group-create-response.json names the wrapper `share_groups`; Manila's view builder answers `share_group`.
    expect(fieldsOf(group)).toEqual(
      ['availability_zone', 'consistent_snapshot_support', 'created_at', 'description', 'id', 'links', 'name', 'project_id', 'share_group_type_id', 'share_network_id', 'share_types', 'source_share_group_snapshot_id', 'status'],
    );
    const groupId = group.id as string;
    await eventually(() => call('GET', `/share-groups/${groupId}`, { version: '2.55' }), (r) => asObject(r.body?.share_group).status === 'available');
    const shareId = await availableShare('NFS', { share_group_id: groupId }, '2.55');
    expect(asObject((await call('GET', `/shares/${shareId}`, { version: '2.55' })).body?.share).share_group_id).toBe(groupId);
    const busy = await call('DELETE', `/share-groups/${groupId}`, { version: '2.55' });
    expect(busy.status).toBe(409);
    expect(fieldsOf(busy.body)).toEqual(['conflictingRequest']);
    const listed = await call('GET', `/shares/detail?share_group_id=${groupId}`, { version: '2.55' });
    expect(asList(listed.body?.shares).map((s) => s.id)).toEqual([shareId]);
    expect((await call('GET', '/share-group-types/default', { version: '2.55' })).status).toBe(200);
  });
});
