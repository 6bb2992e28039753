import { cinderVersionDocument, manilaVersionDocument, novaVersionDocument } from '../testing/fixtures';
import { compareMicroversions, microversionHeaders, versionDocumentUrl, versionRangeOf } from './microversion';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfterMs } from './retry-policy';
import { cloudMessageOf } from './error-translation';

describe('microversions', () => {
  it('compares numerically, not as text', () => {
    expect(compareMicroversions('3.42', '3.9')).toBeGreaterThan(0);
    expect(compareMicroversions('2.60', '2.60')).toBe(0);
    expect(compareMicroversions('2.9', '3.0')).toBeLessThan(0);
    expect(() => compareMicroversions('latest', '3.0')).toThrow(/invalid microversion/);
  });

  it.each([
    ['https://cloud:8776/v3/8538a3f1', 'https://cloud:8776/v3/'],
    ['http://cloud/volume/v3/8538a3f1/', 'http://cloud/volume/v3/'],
    ['https://cloud:8774/v2.1', 'https://cloud:8774/v2.1/'],
    ['https://cloud/compute/v2.1/8538a3f1', 'https://cloud/compute/v2.1/'],
    ['https://cloud:8786/v2', 'https://cloud:8786/v2/'],
    ['https://cloud:8776/', 'https://cloud:8776/'],
  ])('finds the version document of %s', (endpoint, expected) => {
    expect(versionDocumentUrl(endpoint)).toBe(expected);
  });

  it('reads the range from each service document shape', () => {
    expect(versionRangeOf(cinderVersionDocument('3.70'), 'https://c/v3/p')).toEqual({ min: '3.0', max: '3.70' });
    expect(versionRangeOf(novaVersionDocument('2.95'), 'https://n/v2.1')).toEqual({ min: '2.1', max: '2.95' });
    expect(versionRangeOf(manilaVersionDocument('2.80'), 'https://m/v2/p')).toEqual({ min: '2.0', max: '2.80' });
    const root = {
      versions: [
        { id: 'v2.0', status: 'DEPRECATED', version: '', min_version: '' },
        { id: 'v3.0', status: 'CURRENT', version: '3.71', min_version: '3.0' },
      ],
    };
    expect(versionRangeOf(root, 'https://c/v3/p')).toEqual({ min: '3.0', max: '3.71' });
    expect(versionRangeOf({ version: { id: 'v2.0', version: '', min_version: '' } }, 'https://x/v2')).toBeUndefined();
    expect(versionRangeOf('garbage', 'https://x/v2')).toBeUndefined();
  });

  it('uses each service header', () => {
    expect(microversionHeaders('volume', '3.42')).toEqual({ 'OpenStack-API-Version': 'volume 3.42' });
    expect(microversionHeaders('compute', '2.60')).toEqual({ 'X-OpenStack-Nova-API-Version': '2.60' });
    expect(microversionHeaders('shared-file-system', '2.45')).toEqual({ 'X-OpenStack-Manila-API-Version': '2.45' });
  });
});

describe('retry policy', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('3', now)).toBe(3000);
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });

  it('grows exponentially within [step/2, step] and caps at maxDelayMs', () => {
    const low = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 };
    const high = { ...low, random: () => 0.999999 };
    expect([0, 1, 2, 3, 4].map((i) => backoffDelayMs(low, i))).toEqual([50, 100, 200, 400, 500]);
    expect(backoffDelayMs(high, 2)).toBeCloseTo(400, 0);
    expect(backoffDelayMs(high, 10)).toBeCloseTo(1000, 0);
  });
});

describe('cloud messages', () => {
  it.each([
    ['{"itemNotFound": {"message": "Volume x could not be found.", "code": 404}}', 'Volume x could not be found.'],
    ['{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}', 'The request you have made requires authentication.'],
    ['{"NeutronError": {"type": "X", "message": "neutron says no", "detail": ""}}', 'neutron says no'],
    ['{"message": "flat"}', 'flat'],
    ['<html><head><title>503 Service Unavailable</title></head><body>...</body></html>', 'non-JSON (HTML) response: 503 Service Unavailable'],
    ['upstream connect error', 'upstream connect error'],
  ])('finds the message in %s', (body, expected) => {
    expect(cloudMessageOf(body)).toBe(expected);
  });

  it('truncates long bodies and handles empty ones', () => {
    expect(cloudMessageOf('x'.repeat(1000))?.length).toBeLessThanOrEqual(301);
    expect(cloudMessageOf('   ')).toBeUndefined();
  });
});
