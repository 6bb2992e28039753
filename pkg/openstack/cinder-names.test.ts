/**
 * `listVolumesNamed`: a lone lookup is one exact `?name=` GET; many in flight at once share one paged,
 * unfiltered listing whose answers equal the per-name GETs', and a failed listing fails them all alike.
 * Cinder is played by nock over real HTTP, answering both forms from one set of volumes.
 */
import nock from 'nock';
import { cinderUrl, cinderVersionDocument, PROJECT_ID, volume } from './testing/fixtures';
import { makeCloud, mockAuth, releaseNock, resetNock } from './testing/harness';
import { ForbiddenError } from './errors';
import type { Volume } from './api';

const origin = new URL(cinderUrl()).origin;
const detail = `/v3/${PROJECT_ID}/volumes/detail`;
/** Cinder's page size in these tests: small, so a listing of the set below spans pages. */
const PAGE = 3;

/** Same-named volumes on both sides of a page boundary, every status, a name that is a prefix of another, a nameless one. */
const VOLUMES = [
  volume({ id: 'v01', name: 'pvc-a', status: 'available', created_at: '2026-01-01T00:00:01' }),
  volume({ id: 'v02', name: 'pvc-b', status: 'creating' }),
  volume({ id: 'v03', name: 'pvc-c', status: 'error' }),
  volume({ id: 'v04', name: 'pvc-a', status: 'deleting' }),
  volume({ id: 'v05', name: 'pvc-a1', status: 'available' }),
  volume({ id: 'v06', name: null, status: 'available' }),
  volume({ id: 'v07', name: 'pvc-d', status: 'error_deleting' }),
  volume({ id: 'v08', name: 'pvc-c', status: 'in-use' }),
] as unknown as Volume[];

interface Asked {
  name?: string;
  marker?: string;
}

/**
 * Answers `GET /volumes/detail` like Cinder: `name=` filters, otherwise pages of PAGE with a next link.
 * `answer` may replace a reply (e.g. with an error); every request's query is recorded.
 */
function fakeCinder(volumes: () => readonly Volume[], answer?: (asked: Asked) => [number, unknown] | undefined): Asked[] {
  const asked: Asked[] = [];
  nock(origin)
    .get(detail)
    .query(true)
    .reply((uri) => {
      const query = new URL(uri, origin).searchParams;
      const request: Asked = { name: query.get('name') ?? undefined, marker: query.get('marker') ?? undefined };
      asked.push(request);
      const replaced = answer?.(request);
      if (replaced) return replaced;
      if (request.name !== undefined) return [200, { volumes: volumes().filter((v) => v.name === request.name) }];
      const start = request.marker === undefined ? 0 : volumes().findIndex((v) => v.id === request.marker) + 1;
      const page = volumes().slice(start, start + PAGE);
      const more = start + PAGE < volumes().length;
      const links = more ? [{ href: `http://internal:8776${detail}?limit=${PAGE}&marker=${page[page.length - 1].id}`, rel: 'next' }] : undefined;
      return [200, { volumes: page, volumes_links: links }];
    })
    .persist();
  return asked;
}

const NAMES = ['pvc-a', 'pvc-b', 'pvc-c', 'pvc-d', 'pvc-none', 'pvc-a1'];

beforeEach(() => {
  resetNock();
  mockAuth();
  nock(origin).get('/v3/').optionally().reply(200, cinderVersionDocument()).persist();
});
afterAll(releaseNock);

const idsOf = (volumes: readonly Volume[]) => volumes.map((v) => v.id).sort();

describe('listVolumesNamed', () => {
  it('asks a lone lookup as one exact ?name= GET', async () => {
    const asked = fakeCinder(() => VOLUMES);
    const { cloud } = makeCloud();
    expect(idsOf(await cloud.blockStorage.listVolumesNamed('pvc-a'))).toEqual(['v01', 'v04']);
    expect(asked).toEqual([{ name: 'pvc-a' }]);
  });

  it('keeps per-name GETs below the batch threshold', async () => {
    const asked = fakeCinder(() => VOLUMES);
    const { cloud } = makeCloud();
    await Promise.all(NAMES.slice(0, 4).map((name) => cloud.blockStorage.listVolumesNamed(name)));
    expect(asked.map((a) => a.name).sort()).toEqual(NAMES.slice(0, 4).sort());
    expect(cloud.blockStorage.volumesByName.stats.listCalls).toBe(0);
  });

  it('answers many lookups at once from one paged listing, each exactly what its own GET answers', async () => {
    const alone = fakeCinder(() => VOLUMES);
    const single = makeCloud().cloud;
    const expected: Record<string, string[]> = {};
    for (const name of NAMES) expected[name] = idsOf(await single.blockStorage.listVolumesNamed(name));
    expect(alone.every((a) => a.name !== undefined)).toBe(true);
    // The fixture really tests something: matches on both sides of a page boundary, and every status.
    expect(expected['pvc-a']).toEqual(['v01', 'v04']);
    expect(expected['pvc-c']).toEqual(['v03', 'v08']);
    expect(expected['pvc-none']).toEqual([]);

    resetNock();
    mockAuth();
    const asked = fakeCinder(() => VOLUMES);
    const { cloud } = makeCloud();
    const answers = await Promise.all(NAMES.map((name) => cloud.blockStorage.listVolumesNamed(name)));
    expect(Object.fromEntries(NAMES.map((name, i) => [name, idsOf(answers[i])]))).toEqual(expected);
    // One listing: every page once, no name filter.
    expect(asked).toEqual([{}, { marker: 'v03' }, { marker: 'v06' }]);
    expect(cloud.blockStorage.volumesByName.stats).toEqual({ listCalls: 1, getCalls: 0 });
  });

  it('answers a name asked twice in one batch to both callers', async () => {
    fakeCinder(() => VOLUMES);
    const { cloud } = makeCloud();
    const names = [...NAMES, 'pvc-a'];
    const answers = await Promise.all(names.map((name) => cloud.blockStorage.listVolumesNamed(name)));
    expect(idsOf(answers[0])).toEqual(['v01', 'v04']);
    expect(idsOf(answers[names.length - 1])).toEqual(['v01', 'v04']);
    expect(cloud.blockStorage.volumesByName.stats.listCalls).toBe(1);
  });

  it('fails every lookup of a batch with the same typed error when the listing fails, and the next batch lists again', async () => {
    let failing = true;
    const asked = fakeCinder(
      () => VOLUMES,
      (request) => (failing && request.marker === 'v03' ? [403, { forbidden: { code: 403, message: 'Policy does not allow volume:get_all' } }] : undefined),
    );
    const { cloud } = makeCloud();
    const results = await Promise.allSettled(NAMES.map((name) => cloud.blockStorage.listVolumesNamed(name)));
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as unknown) : r.value));
    expect(reasons[0]).toBeInstanceOf(ForbiddenError);
    for (const reason of reasons) expect(reason).toBe(reasons[0]);
    // No per-name GETs behind the failure, and nothing left waiting: the next batch is served normally.
    expect(asked.every((a) => a.name === undefined)).toBe(true);
    failing = false;
    const answers = await Promise.all(NAMES.map((name) => cloud.blockStorage.listVolumesNamed(name)));
    expect(idsOf(answers[2])).toEqual(['v03', 'v08']);
    expect(cloud.blockStorage.volumesByName.stats).toEqual({ listCalls: 2, getCalls: 0 });
  });

  it('serves lookups asked while a listing is out from a later listing, which sees volumes created meanwhile', async () => {
    const volumes = [...VOLUMES];
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let listings = 0;
    nock(origin)
      .get(detail)
      .query(true)
      .reply(async (uri) => {
        const marker = new URL(uri, origin).searchParams.get('marker');
        if (marker === null) listings += 1;
        if (listings === 1 && marker === null) await firstHeld;
        return [200, { volumes: marker === null ? volumes : [] }];
      })
      .persist();
    const { cloud } = makeCloud();
    const first = Promise.all(NAMES.map((name) => cloud.blockStorage.listVolumesNamed(name)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listings).toBe(1);
    // Asked while the first listing is out: a volume of this name is created after that listing began.
    const late = NAMES.map((name) => cloud.blockStorage.listVolumesNamed(name === 'pvc-none' ? 'pvc-late' : name));
    volumes.push(volume({ id: 'v99', name: 'pvc-late', status: 'creating' }) as unknown as Volume);
    releaseFirst();
    await first;
    const answers = await Promise.all(late);
    expect(idsOf(answers[NAMES.indexOf('pvc-none')])).toEqual(['v99']);
    expect(listings).toBe(2);
  });

  it('looks each name up alone when coalescing is off', async () => {
    const asked = fakeCinder(() => VOLUMES);
    const { cloud } = makeCloud(undefined, { waitCoalescing: { enabled: false } });
    await Promise.all(NAMES.map((name) => cloud.blockStorage.listVolumesNamed(name)));
    expect(asked.map((a) => a.name).sort()).toEqual([...NAMES].sort());
  });
});
