import nock from 'nock';
import { ConflictError, MicroversionUnsupportedError, UnavailableError } from './errors';
import { novaUrl, novaVersionDocument, novaVolumeAttachment, server, SERVER_ID, VOLUME_ID } from './testing/fixtures';
import { makeCloud, mockAuth, releaseNock, resetNock, SUBJECT_TOKEN } from './testing/harness';

const origin = new URL(novaUrl()).origin;

function nova(version = '2.1'): nock.Scope {
  return nock(origin, {
    reqheaders: { 'x-auth-token': SUBJECT_TOKEN, 'x-openstack-nova-api-version': version, accept: 'application/json' },
  });
}

beforeEach(() => {
  resetNock();
  mockAuth();
});
afterAll(releaseNock);

describe('Nova', () => {
  it('gets a server with its availability zone', async () => {
    const scope = nova().get(`/v2.1/servers/${SERVER_ID}`).reply(200, { server: server() });
    const { cloud } = makeCloud();
    const result = await cloud.compute.getServer(SERVER_ID);
    expect(result['OS-EXT-AZ:availability_zone']).toBe('nova');
    expect(result.status).toBe('ACTIVE');
    expect(scope.isDone()).toBe(true);
  });

  it('attaches a volume', async () => {
    const scope = nova()
      .post(`/v2.1/servers/${SERVER_ID}/os-volume_attachments`, { volumeAttachment: { volumeId: VOLUME_ID } })
      .matchHeader('content-type', /application\/json/)
      .reply(200, { volumeAttachment: novaVolumeAttachment() });
    const { cloud } = makeCloud();
    await expect(cloud.compute.attachVolume(SERVER_ID, VOLUME_ID, false)).resolves.toEqual(novaVolumeAttachment());
    expect(scope.isDone()).toBe(true);
  });

  it('attaches a multiattach volume with microversion 2.60', async () => {
    const doc = nock(origin).get('/v2.1/').reply(200, novaVersionDocument('2.96'));
    const scope = nova('2.60')
      .post(`/v2.1/servers/${SERVER_ID}/os-volume_attachments`, { volumeAttachment: { volumeId: VOLUME_ID } })
      .reply(200, { volumeAttachment: novaVolumeAttachment({ tag: null, delete_on_termination: false }) });
    const { cloud } = makeCloud();
    await cloud.compute.attachVolume(SERVER_ID, VOLUME_ID, true);
    expect(doc.isDone()).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it('refuses multiattach on a cloud older than 2.60', async () => {
    nock(origin).get('/v2.1/').reply(200, novaVersionDocument('2.53'));
    const { cloud } = makeCloud();
    const error = await cloud.compute.attachVolume(SERVER_ID, VOLUME_ID, true).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MicroversionUnsupportedError);
    expect((error as Error).message).toMatch(/2\.60.*2\.53/);
  });

  it('maps a 409 on attach to ConflictError with the cloud message', async () => {
    nova()
      .post(`/v2.1/servers/${SERVER_ID}/os-volume_attachments`)
      .reply(
        409,
        { conflictingRequest: { code: 409, message: "Cannot 'attach_volume' instance while it is in vm_state building" } },
        { 'x-compute-request-id': 'req-nova-409' },
      );
    const { cloud } = makeCloud();
    const error = await cloud.compute.attachVolume(SERVER_ID, VOLUME_ID, false).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).requestId).toBe('req-nova-409');
    expect((error as Error).message).toContain('vm_state building');
  });

  it('turns a 200 without the expected member into UnavailableError', async () => {
    nova().get(`/v2.1/servers/${SERVER_ID}`).reply(200, {}, { 'x-compute-request-id': 'req-empty' });
    const { cloud } = makeCloud();
    const error = await cloud.compute.getServer(SERVER_ID).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain('without "server"');
    expect((error as UnavailableError).requestId).toBe('req-empty');
  });

  it('lists and gets volume attachments, then detaches', async () => {
    const scope = nova()
      .get(`/v2.1/servers/${SERVER_ID}/os-volume_attachments`)
      .reply(200, { volumeAttachments: [novaVolumeAttachment()] })
      .get(`/v2.1/servers/${SERVER_ID}/os-volume_attachments/${VOLUME_ID}`)
      .reply(200, { volumeAttachment: novaVolumeAttachment() })
      .delete(`/v2.1/servers/${SERVER_ID}/os-volume_attachments/${VOLUME_ID}`)
      .reply(202);
    const { cloud } = makeCloud();
    await expect(cloud.compute.listVolumeAttachments(SERVER_ID)).resolves.toHaveLength(1);
    await expect(cloud.compute.getVolumeAttachment(SERVER_ID, VOLUME_ID)).resolves.toMatchObject({ device: '/dev/sdb' });
    await cloud.compute.detachVolume(SERVER_ID, VOLUME_ID);
    expect(scope.isDone()).toBe(true);
  });
});
