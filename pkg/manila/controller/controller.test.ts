/**
 * The Manila controller over real gRPC against the simulator: every CreateVolume rule (parameters,
 * rounding, metadata, topology, access rules waited for, detail_id mapping with rollback), idempotent
 * repeats, snapshots and restores, expand, list calls, capacity, and credentials (cloud.conf default,
 * os-* secrets, one Keystone session per credential set).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { Code } from '../../csi/errors';
import { asObject, eventually, rawClient } from '../../simulator/testing/raw-http';
import { codeOf, GiB, MOUNT_RWX, startControllerHarness, type ControllerHarness } from '../testing/controller-harness';

let h: ControllerHarness;
beforeAll(async () => {
  h = await startControllerHarness({ sim: { quotas: { sharedFileSystem: { gigabytes: 200 } } } });
});
afterAll(async () => h.stop());
afterEach(() => {
  h.sim.control.clearFaults();
  h.sim.sharedFileSystem.setAccessRules({ applying: true, refusedAccessTo: [] });
});

const nfsRequest = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  capacity_range: { required_bytes: String(GiB) },
  volume_capabilities: [MOUNT_RWX],
  parameters: {},
  ...extra,
});

async function sharesNamed(name: string) {
  return (await h.cloud.sharedFileSystem.listShares({ name, allPages: true })).items.filter((s) => s.name === name && s.status !== 'deleting');
}

describe('CreateVolume', () => {
  it('creates an NFS share with rounded size, metadata, zone and one active ip rule per trimmed client', async () => {
    const res = await h.client.controller.CreateVolume(
      nfsRequest('pvc-nfs-1', {
        capacity_range: { required_bytes: String(Math.round(1.5 * GiB)) },
        parameters: {
          'nfs-shareClient': ' 10.0.0.0/24 , 10.1.0.0/24,',
          autoTopology: 'true',
          appendShareMetadata: '{"team":"storage"}',
          'csi.storage.k8s.io/pvc/name': 'data',
          'csi.storage.k8s.io/pvc/namespace': 'apps',
          'csi.storage.k8s.io/pv/name': 'pv-1',
        },
        accessibility_requirements: {
          requisite: [{ segments: { 'topology.manila.csi.openstack.org/zone': 'zone-b' } }],
          preferred: [{ segments: { 'topology.manila.csi.openstack.org/zone': 'zone-b' } }],
        },
      }),
    );
    const id = res.volume!.volume_id;
    expect(res.volume!.capacity_bytes).toBe(String(2 * GiB));
    expect(res.volume!.accessible_topology).toEqual([{ segments: { 'topology.manila.csi.openstack.org/zone': 'zone-b' } }]);
    const share = await h.cloud.sharedFileSystem.getShare(id);
    expect(share).toMatchObject({ status: 'available', size: 2, share_proto: 'NFS', availability_zone: 'zone-b', description: 'provisioned-by=manila.csi.openstack.org' });
    expect(share.metadata).toMatchObject({
      team: 'storage',
      'manila.csi.openstack.org/cluster': 'manila-test',
      'csi.storage.k8s.io/pvc/name': 'data',
      'csi.storage.k8s.io/pvc/namespace': 'apps',
      'csi.storage.k8s.io/pv/name': 'pv-1',
    });
    const rules = await h.cloud.sharedFileSystem.listAccessRules(id);
    expect(rules.map((r) => [r.access_type, r.access_to, r.access_level, r.state]).sort()).toEqual([
      ['ip', '10.0.0.0/24', 'rw', 'active'],
      ['ip', '10.1.0.0/24', 'rw', 'active'],
    ]);
    expect(res.volume!.volume_context).toEqual({ shareID: id, shareAccessIDs: expect.any(String) });
    expect(res.volume!.volume_context.shareAccessIDs.split(',').sort()).toEqual(rules.map((r) => r.id).sort());
  });

  it('defaults nfs-shareClient to 0.0.0.0/0 and is idempotent by name; a different size is ALREADY_EXISTS', async () => {
    const first = await h.client.controller.CreateVolume(nfsRequest('pvc-idem'));
    const again = await h.client.controller.CreateVolume(nfsRequest('pvc-idem'));
    expect(again.volume!.volume_id).toBe(first.volume!.volume_id);
    expect(again.volume!.volume_context).toEqual(first.volume!.volume_context);
    expect(await sharesNamed('pvc-idem')).toHaveLength(1);
    const rules = await h.cloud.sharedFileSystem.listAccessRules(first.volume!.volume_id);
    expect(rules.map((r) => r.access_to)).toEqual(['0.0.0.0/0']);
    expect(await codeOf(h.client.controller.CreateVolume(nfsRequest('pvc-idem', { capacity_range: { required_bytes: String(3 * GiB) } })))).toBe(Code.ALREADY_EXISTS);
  });

  it('answers concurrent duplicates with one share', async () => {
    const results = await Promise.allSettled([1, 2, 3].map(() => h.client.controller.CreateVolume(nfsRequest('pvc-dup'))));
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: number }).code).toBe(Code.ABORTED);
    expect(await sharesNamed('pvc-dup')).toHaveLength(1);
  });

  it.each([
    ['002', Code.OUT_OF_RANGE],
    ['009', Code.OUT_OF_RANGE],
    ['003', Code.INVALID_ARGUMENT],
    ['008', Code.INVALID_ARGUMENT],
    ['007', Code.RESOURCE_EXHAUSTED],
    ['016', Code.INTERNAL],
  ])('maps detail_id %s of an errored share to code %s and rolls the share back', async (detailId, code) => {
    const name = `pvc-fail-${detailId}`;
    h.sim.sharedFileSystem.failNextShare({ detailId });
    const err = await h.client.controller.CreateVolume(nfsRequest(name)).catch((e: { code: number; details: string }) => e);
    expect(err).toMatchObject({ code });
    expect((err as { details: string }).details).toContain(`Manila detail ${detailId}`);
    await h.sim.whenIdle();
    expect(await sharesNamed(name)).toHaveLength(0);
    // The retry starts clean and succeeds.
    expect((await h.client.controller.CreateVolume(nfsRequest(name))).volume!.volume_id).toBeTruthy();
  });

  it('fails with the reason when an access rule goes to error, revokes it and rolls the share back', async () => {
    h.sim.sharedFileSystem.setAccessRules({ refusedAccessTo: ['10.9.9.9'] });
    const err = await h.client.controller
      .CreateVolume(nfsRequest('pvc-refused', { parameters: { 'nfs-shareClient': '10.0.0.1,10.9.9.9' } }))
      .catch((e: { code: number; details: string }) => e);
    expect(err).toMatchObject({ code: Code.INVALID_ARGUMENT });
    expect((err as { details: string }).details).toMatch(/ip:10\.9\.9\.9.*revoked.*Failed to grant access/);
    await h.sim.whenIdle();
    expect(await sharesNamed('pvc-refused')).toHaveLength(0);
  });

  it('puts the share in the groupID share group', async () => {
    const call = await rawClient(h.sim, 'share');
    const created = await call('POST', '/share-groups', { version: '2.55', body: { share_group: { name: 'grp' } } });
    const groupId = asObject(created.body?.share_group).id as string;
    await eventually(() => call('GET', `/share-groups/${groupId}`, { version: '2.55' }), (r) => asObject(r.body?.share_group).status === 'available');
    const res = await h.client.controller.CreateVolume(nfsRequest('pvc-grouped', { parameters: { groupID: groupId } }));
    expect(h.sim.sharedFileSystem.describeShare(res.volume!.volume_id)?.shareGroupId).toBe(groupId);
    expect(res.volume!.volume_context.groupID).toBe(groupId);
  });

  it('rejects bad parameters and capabilities with INVALID_ARGUMENT', async () => {
    const bad = [
      nfsRequest('pvc-bad-1', { parameters: { appendShareMetadata: '{"manila.csi.openstack.org/cluster":"x"}' } }),
      nfsRequest('pvc-bad-2', { parameters: { appendShareMetadata: '[1]' } }),
      nfsRequest('pvc-bad-3', { parameters: { 'cephfs-mounter': 'nfs' } }),
      nfsRequest('pvc-bad-4', { parameters: { bogus: '1' } }),
      nfsRequest('pvc-bad-5', { volume_capabilities: [{ block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } }] }),
      nfsRequest('pvc-bad-6', { parameters: { autoTopology: 'true' } }),
      nfsRequest(''),
    ];
    for (const req of bad) expect(await codeOf(h.client.controller.CreateVolume(req))).toBe(Code.INVALID_ARGUMENT);
  });

  it('restores a snapshot into a new share (creating_from_snapshot) with the same bytes', async () => {
    const source = await h.client.controller.CreateVolume(nfsRequest('pvc-snap-src'));
    const sourceId = source.volume!.volume_id;
    await fsp.writeFile(path.join(h.sim.sharedFileSystem.backingDir(sourceId), 'hello.txt'), 'same bytes');
    const snap = await h.client.controller.CreateSnapshot({ name: 'snap-1', source_volume_id: sourceId });
    expect(snap.snapshot).toMatchObject({ source_volume_id: sourceId, size_bytes: String(GiB) });
    const again = await h.client.controller.CreateSnapshot({ name: 'snap-1', source_volume_id: sourceId });
    expect(again.snapshot!.snapshot_id).toBe(snap.snapshot!.snapshot_id);
    await h.sim.whenIdle();
    const ready = await h.client.controller.CreateSnapshot({ name: 'snap-1', source_volume_id: sourceId });
    expect(ready.snapshot!.ready_to_use).toBe(true);

    const restored = await h.client.controller.CreateVolume(
      nfsRequest('pvc-restored', { volume_content_source: { snapshot: { snapshot_id: snap.snapshot!.snapshot_id } } }),
    );
    expect(restored.volume!.content_source).toMatchObject({ snapshot: { snapshot_id: snap.snapshot!.snapshot_id } });
    const text = await fsp.readFile(path.join(h.sim.sharedFileSystem.backingDir(restored.volume!.volume_id), 'hello.txt'), 'utf8');
    expect(text).toBe('same bytes');
    expect(await codeOf(h.client.controller.CreateSnapshot({ name: 'snap-1', source_volume_id: restored.volume!.volume_id }))).toBe(Code.ALREADY_EXISTS);
    expect(
      await codeOf(h.client.controller.CreateVolume(nfsRequest('pvc-nosnap', { volume_content_source: { snapshot: { snapshot_id: '00000000-0000-0000-0000-000000000000' } } }))),
    ).toBe(Code.NOT_FOUND);

    await h.client.controller.DeleteVolume({ volume_id: restored.volume!.volume_id });
    await h.client.controller.DeleteSnapshot({ snapshot_id: snap.snapshot!.snapshot_id });
    await h.client.controller.DeleteSnapshot({ snapshot_id: snap.snapshot!.snapshot_id });
    const listed = await h.client.controller.ListSnapshots({ snapshot_id: snap.snapshot!.snapshot_id });
    await h.sim.whenIdle();
    expect(listed.entries.length).toBeLessThanOrEqual(1);
    expect((await h.client.controller.ListSnapshots({ snapshot_id: snap.snapshot!.snapshot_id })).entries).toEqual([]);
  });

  it('refuses snapshots of a share whose type lacks snapshot support', async () => {
    const vol = await h.client.controller.CreateVolume(nfsRequest('pvc-nosnaps', { parameters: { type: 'no-snapshots' } }));
    expect(await codeOf(h.client.controller.CreateSnapshot({ name: 'snap-x', source_volume_id: vol.volume!.volume_id }))).toBe(Code.FAILED_PRECONDITION);
  });
});

describe('DeleteVolume, expand, validate, get, list, capacity', () => {
  it('deletes a share and answers OK while it is deleting and when it is already gone; refuses one with snapshots', async () => {
    const vol = await h.client.controller.CreateVolume(nfsRequest('pvc-del'));
    const snap = await h.client.controller.CreateSnapshot({ name: 'snap-del', source_volume_id: vol.volume!.volume_id });
    await h.sim.whenIdle();
    expect(await codeOf(h.client.controller.DeleteVolume({ volume_id: vol.volume!.volume_id }))).toBe(Code.FAILED_PRECONDITION);
    await h.client.controller.DeleteSnapshot({ snapshot_id: snap.snapshot!.snapshot_id });
    await h.sim.whenIdle();
    await h.client.controller.DeleteVolume({ volume_id: vol.volume!.volume_id });
    await h.client.controller.DeleteVolume({ volume_id: vol.volume!.volume_id });
    await h.sim.whenIdle();
    await h.client.controller.DeleteVolume({ volume_id: vol.volume!.volume_id });
    expect(await codeOf(h.client.controller.ControllerGetVolume({ volume_id: vol.volume!.volume_id }))).toBe(Code.NOT_FOUND);
  });

  it('expands a share, is a no-op when big enough, and maps an extend failure', async () => {
    const vol = await h.client.controller.CreateVolume(nfsRequest('pvc-expand'));
    const id = vol.volume!.volume_id;
    const grown = await h.client.controller.ControllerExpandVolume({ volume_id: id, capacity_range: { required_bytes: String(3 * GiB) } });
    expect(grown).toMatchObject({ capacity_bytes: String(3 * GiB), node_expansion_required: false });
    expect((await h.cloud.sharedFileSystem.getShare(id)).size).toBe(3);
    const same = await h.client.controller.ControllerExpandVolume({ volume_id: id, capacity_range: { required_bytes: String(2 * GiB) } });
    expect(same.capacity_bytes).toBe(String(3 * GiB));
    h.sim.sharedFileSystem.failNextShare({ id, operation: 'extend', detailId: '002' });
    expect(await codeOf(h.client.controller.ControllerExpandVolume({ volume_id: id, capacity_range: { required_bytes: String(5 * GiB) } }))).toBe(Code.OUT_OF_RANGE);
    expect(await codeOf(h.client.controller.ControllerExpandVolume({ volume_id: '00000000-0000-0000-0000-000000000000', capacity_range: { required_bytes: String(GiB) } }))).toBe(Code.NOT_FOUND);
  });

  it('validates capabilities against the share', async () => {
    const vol = await h.client.controller.CreateVolume(nfsRequest('pvc-validate'));
    const id = vol.volume!.volume_id;
    const ok = await h.client.controller.ValidateVolumeCapabilities({ volume_id: id, volume_capabilities: [MOUNT_RWX] });
    expect(ok.confirmed?.volume_capabilities).toHaveLength(1);
    const block = await h.client.controller.ValidateVolumeCapabilities({ volume_id: id, volume_capabilities: [{ block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } }] });
    expect(block.confirmed).toBeNull();
    expect(block.message).toContain('block');
    expect(await codeOf(h.client.controller.ValidateVolumeCapabilities({ volume_id: '00000000-0000-0000-0000-000000000000', volume_capabilities: [MOUNT_RWX] }))).toBe(Code.NOT_FOUND);
  });

  it('reports a volume condition and pages through ListVolumes', async () => {
    const vol = await h.client.controller.CreateVolume(nfsRequest('pvc-get'));
    const got = await h.client.controller.ControllerGetVolume({ volume_id: vol.volume!.volume_id });
    expect(got.status?.volume_condition).toEqual({ abnormal: false, message: 'share is "available"' });
    const all = await h.client.controller.ListVolumes({});
    const seen: string[] = [];
    let token = '';
    for (let pages = 0; pages < 100; pages++) {
      const page = await h.client.controller.ListVolumes({ max_entries: 2, starting_token: token });
      seen.push(...page.entries.map((e) => e.volume!.volume_id));
      token = page.next_token;
      if (!token) break;
    }
    expect(token).toBe('');
    expect(seen.sort()).toEqual(all.entries.map((e) => e.volume!.volume_id).sort());
    expect(seen).toContain(vol.volume!.volume_id);
    expect(await codeOf(h.client.controller.ListVolumes({ starting_token: 'nope' }))).toBe(Code.ABORTED);
  });

  it('reports capacity left in the gigabytes quota', async () => {
    const before = BigInt((await h.client.controller.GetCapacity({})).available_capacity);
    await h.client.controller.CreateVolume(nfsRequest('pvc-capacity', { capacity_range: { required_bytes: String(4 * GiB) } }));
    const after = BigInt((await h.client.controller.GetCapacity({})).available_capacity);
    expect(before - after).toBe(BigInt(4 * GiB));
    const limits = await h.cloud.sharedFileSystem.absoluteLimits();
    expect(after).toBe(BigInt(limits.maxTotalShareGigabytes - limits.totalShareGigabytesUsed) * BigInt(GiB));
  });
});

describe('credentials', () => {
  it('reuses one Keystone token for 100 RPCs with os-* secrets (CPO issues one per RPC)', async () => {
    const vol = await h.client.controller.CreateVolume(nfsRequest('pvc-tokens', { secrets: h.secrets }));
    const tokensBefore = h.sim.requests.count('POST', '/identity/v3/auth/tokens');
    for (let i = 0; i < 100; i++) {
      await h.client.controller.ControllerExpandVolume({ volume_id: vol.volume!.volume_id, capacity_range: { required_bytes: String(GiB) }, secrets: h.secrets });
    }
    const issued = h.sim.requests.count('POST', '/identity/v3/auth/tokens') - tokensBefore;
    expect(issued).toBe(0);
  });

  it('says what to fix when secrets are incomplete', async () => {
    const err = await h.client.controller
      .CreateVolume(nfsRequest('pvc-badsecret', { secrets: { 'os-authURL': h.secrets['os-authURL'] } }))
      .catch((e: { code: number; details: string }) => e);
    expect(err).toMatchObject({ code: Code.INVALID_ARGUMENT });
  });
});

describe('PVC annotations (--pvc-annotations)', () => {
  it('reads the PVC affinity / anti-affinity annotations and sends them as scheduler hints (microversion 2.65)', async () => {
    const reads: string[] = [];
    const annotated = await startControllerHarness({
      context: {
        pvcAnnotationReader: async (namespace, name) => {
          reads.push(`${namespace}/${name}`);
          return { 'manila.csi.openstack.org/affinity': 'share-a', 'manila.csi.openstack.org/anti-affinity': 'share-b' };
        },
      },
    });
    try {
      const res = await annotated.client.controller.CreateVolume(
        nfsRequest('pvc-annotated', { parameters: { 'csi.storage.k8s.io/pvc/name': 'data', 'csi.storage.k8s.io/pvc/namespace': 'apps' } }),
      );
      expect(reads).toEqual(['apps/data']);
      const creates = annotated.sim.requests.entries({ method: 'POST', service: 'share' }).filter((r) => r.template.endsWith('/shares'));
      expect(creates.map((r) => [r.status, r.microversion])).toEqual([[200, '2.65']]);
      expect(res.volume!.volume_context).toMatchObject({ affinity: 'share-a', antiAffinity: 'share-b' });
    } finally {
      await annotated.stop();
    }
  });
});
