import { CloudCache } from './cloud-cache';
import { noopMetrics } from './metrics';
import { AUTH_URL } from './testing/fixtures';

const secrets = (user: string) => ({
  'os-authURL': AUTH_URL,
  'os-userID': user,
  'os-password': 'p',
  'os-projectID': 'proj',
  'os-region': 'RegionOne',
});

describe('CloudCache', () => {
  it('returns the same cloud for the same secrets and another for different ones', () => {
    const cache = new CloudCache({ metrics: noopMetrics });
    const first = cache.forSecrets(secrets('a'));
    expect(cache.forSecrets({ ...secrets('a') })).toBe(first);
    expect(cache.forSecrets(secrets('b'))).not.toBe(first);
    expect(cache.size).toBe(2);
  });

  it('drops the least recently used cloud beyond its size', () => {
    const cache = new CloudCache({ metrics: noopMetrics, maxEntries: 2 });
    const a = cache.forSecrets(secrets('a'));
    cache.forSecrets(secrets('b'));
    expect(cache.forSecrets(secrets('a'))).toBe(a);
    cache.forSecrets(secrets('c'));
    expect(cache.size).toBe(2);
    expect(cache.forSecrets(secrets('a'))).toBe(a);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
