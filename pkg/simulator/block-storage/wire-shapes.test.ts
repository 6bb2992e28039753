/**
 * Cinder (and Nova volume-attachment) wire shapes over plain HTTP, checked against the block-storage api-ref
 * samples and Cinder's view builders: the volume, attachment and snapshot fields a CSI driver reads, status codes,
 * the `OpenStack-API-Version` echo and fault bodies. The other Cinder tests mostly go through the production client.
 */
import type { Simulator } from '../simulator';
import { startSimulatedCloud } from '../testing/cloud';
import { asList, asObject, fieldsOf, eventually, rawClient, type RawCall } from '../testing/raw-http';


describe('Cinder v3 wire shapes (raw HTTP against the api-ref)', () => {
  let sim: Simulator;
  let volume: RawCall;
  let compute: RawCall;

  beforeAll(async () => {
    ({ sim } = await startSimulatedCloud({ quotas: { blockStorage: { gigabytes: 20 } } }));
    volume = await rawClient(sim, 'volume');
    compute = await rawClient(sim, 'compute');
  });
  afterAll(async () => {
    await sim.stop();
  });

  const showVolume = async (id: string, version = '3.60') => asObject((await volume('GET', `/volumes/${id}`, { version })).body?.volume);

  async function availableVolume(body: Record<string, unknown> = {}) {
    const created = await volume('POST', '/volumes', { version: '3.60', body: { volume: { size: 1, ...body } } });
    expect(created.status).toBe(202);
    const id = asObject(created.body?.volume).id as string;
    await eventually(() => showVolume(id), (v) => v.status === 'available');
    return { created, id };
  }

  it('creates a volume with 202 and shows the volume-show-response fields (tenant attribute, string bootable, self/bookmark links)', async () => {
    const { created, id } = await availableVolume({ name: 'vol-002', description: 'Super volume.', metadata: { contents: 'not junk' } });
    expect(asObject(created.body?.volume).status).toBe('creating');
    expect(created.headers.get('openstack-api-version')).toBe('volume 3.60');
    expect(created.headers.get('vary')).toBe('OpenStack-API-Version');
    const v = await showVolume(id);
    // volume-show-response.json without the admin-only os-vol-host-attr:host.
    for (const k of ['status', 'attachments', 'links', 'availability_zone', 'bootable', 'source_volid', 'snapshot_id', 'id', 'description', 'name', 'created_at', 'volume_type', 'os-vol-tenant-attr:tenant_id', 'size', 'metadata', 'multiattach', 'encrypted', 'user_id', 'updated_at', 'replication_status', 'consistencygroup_id', 'group_id']) {
      expect(v).toHaveProperty(k);
    }
    expect(v).toMatchObject({
      bootable: 'false',
      attachments: [],
      metadata: { contents: 'not junk' },
      'os-vol-tenant-attr:tenant_id': sim.credentials.projectId,
      volume_type: '__DEFAULT__',
    });
    expect(v).not.toHaveProperty('os-vol-host-attr:host');
    expect(asList(v.links).map((l) => l.rel)).toEqual(['self', 'bookmark']);
    expect((await volume('DELETE', `/volumes/${id}`, { version: '3.60' })).status).toBe(202);
  });

  it('lists attachments as Cinder does once Nova attached the volume: id, attachment_id, volume_id, server_id, host_name, device, attached_at', async () => {
    const { id } = await availableVolume();
    const attach = await compute('POST', `/servers/${sim.defaultServer.id}/os-volume_attachments`, {
      version: '2.79',
      body: { volumeAttachment: { volumeId: id } },
    });
    expect(attach.status).toBe(200);
    // Nova's attach-volume-to-server response (2.79): id until 2.89, then attachment_id and bdm_uuid.
    expect(fieldsOf(attach.body?.volumeAttachment)).toEqual(['delete_on_termination', 'device', 'id', 'serverId', 'tag', 'volumeId']);
    const v = await eventually(() => showVolume(id), (x) => x.status === 'in-use');
    const [attachment] = asList(v.attachments);
    expect(fieldsOf(attachment)).toEqual(['attached_at', 'attachment_id', 'device', 'host_name', 'id', 'server_id', 'volume_id']);
    expect(attachment).toMatchObject({ id, volume_id: id, server_id: sim.defaultServer.id, device: asObject(attach.body?.volumeAttachment).device });
    const listed = await compute('GET', `/servers/${sim.defaultServer.id}/os-volume_attachments`, { version: '2.89' });
    expect(fieldsOf(asList(listed.body?.volumeAttachments)[0])).toEqual(['attachment_id', 'bdm_uuid', 'delete_on_termination', 'device', 'serverId', 'tag', 'volumeId']);

    const extendInUse = await volume('POST', `/volumes/${id}/action`, { version: '3.41', body: { 'os-extend': { new_size: 2 } } });
    expect(extendInUse.status).toBe(400);
    expect(fieldsOf(extendInUse.body)).toEqual(['badRequest']);
    const extend = await volume('POST', `/volumes/${id}/action`, { version: '3.42', body: { 'os-extend': { new_size: 2 } } });
    expect(extend.status).toBe(202);
    expect(extend.body).toBeUndefined();
    await eventually(() => showVolume(id), (x) => x.status === 'in-use' && x.size === 2);

    expect((await compute('DELETE', `/servers/${sim.defaultServer.id}/os-volume_attachments/${id}`, { version: '2.79' })).status).toBe(202);
    await eventually(() => showVolume(id), (x) => x.status === 'available');
    await volume('DELETE', `/volumes/${id}`, { version: '3.60' });
  });

  it('creates snapshots with 202 and shows the fields of Cinder\'s snapshot view', async () => {
    const { id } = await availableVolume();
    const created = await volume('POST', '/snapshots', { version: '3.60', body: { snapshot: { volume_id: id, name: 'snap-001', description: 'Daily backup' } } });
    expect(created.status).toBe(202);
    const snapId = asObject(created.body?.snapshot).id as string;
    const snap = await eventually(
      async () => asObject((await volume('GET', `/snapshots/${snapId}`, { version: '3.60' })).body?.snapshot),
      (s) => s.status === 'available',
    );
    // snapshot-show-response.json / cinder/api/views/snapshots.py summary fields.
    for (const k of ['status', 'description', 'created_at', 'metadata', 'volume_id', 'size', 'id', 'name', 'updated_at']) expect(snap).toHaveProperty(k);
    expect(snap).toMatchObject({ volume_id: id, size: 1, name: 'snap-001', description: 'Daily backup' });
    const busy = await volume('DELETE', `/volumes/${id}`, { version: '3.60' });
    expect(busy.status).toBe(400);
    expect(asObject(busy.body?.badRequest).message).toMatch(/^Invalid volume: /);
    expect((await volume('DELETE', `/snapshots/${snapId}`, { version: '3.60' })).status).toBe(202);
    await sim.whenIdle();
    await volume('DELETE', `/volumes/${id}`, { version: '3.60' });
  });

  it('answers missing volumes with 404 itemNotFound and over-quota creates with 413 overLimit, microversion echoed on errors', async () => {
    const missing = await volume('GET', '/volumes/00000000-0000-0000-0000-000000000000', { version: '3.60' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ itemNotFound: { message: expect.stringMatching(/could not be found/), code: 404 } });
    expect(missing.headers.get('openstack-api-version')).toBe('volume 3.60');
    const over = await volume('POST', '/volumes', { version: '3.60', body: { volume: { size: 500 } } });
    expect(over.status).toBe(413);
    expect(over.body).toEqual({ overLimit: { message: expect.stringMatching(/^VolumeSizeExceedsAvailableQuota/), code: 413 } });
    expect(over.headers.get('retry-after')).toBeNull();
    const tooNew = await volume('GET', '/volumes', { version: '3.999' });
    expect(tooNew.status).toBe(406);
  });

  it('pages volumes with limit/marker and a volumes_links next link', async () => {
    const ids = [(await availableVolume()).id, (await availableVolume()).id];
    const page = await volume('GET', '/volumes?limit=1', { version: '3.60' });
    expect(asList(page.body?.volumes).map(fieldsOf)).toEqual([['id', 'links', 'name']]);
    const [next] = asList(page.body?.volumes_links);
    expect(next.rel).toBe('next');
    expect(String(next.href)).toContain(`marker=${ids[1]}`);
    for (const id of ids) await volume('DELETE', `/volumes/${id}`, { version: '3.60' });
  });
});
