import { sanitizeZone, zoneForLabel } from './zone';

describe('sanitizeZone', () => {
  it.each([
    ['nova', 'nova'],
    ['zone 1', 'zone-1'],
    ['az 1', 'az-1'],
    ['__az:one..', 'az-one'],
    ['-.x_', 'x'],
    ['über/zone', 'ber-zone'],
    ['a  b\tc', 'a-b-c'],
    ['', ''],
  ])('%p → %p', (input, expected) => {
    expect(sanitizeZone(input)).toBe(expected);
  });

  it('cuts to 63 characters without leaving a trailing separator', () => {
    expect(sanitizeZone(`${'a'.repeat(62)}-b`)).toBe('a'.repeat(62));
    expect(sanitizeZone('z'.repeat(100))).toHaveLength(63);
  });

  it('is stable: a sanitised zone sanitises to itself', () => {
    for (const zone of ['az 1', '__az:one..', `${'x y'.repeat(40)}`]) {
      expect(sanitizeZone(sanitizeZone(zone))).toBe(sanitizeZone(zone));
    }
  });
});

describe('zoneForLabel', () => {
  const zones = ['nova', 'az 1', 'rack/2', 'rack 2'];

  it('returns a zone named exactly like the label', () => {
    expect(zoneForLabel('nova', zones)).toBe('nova');
  });

  it('maps a sanitised label back to the real zone name', () => {
    expect(zoneForLabel('az-1', zones)).toBe('az 1');
  });

  it('refuses to guess when several zones sanitise to the label, and when none does', () => {
    expect(zoneForLabel('rack-2', zones)).toBeUndefined();
    expect(zoneForLabel('elsewhere', zones)).toBeUndefined();
  });

  it('prefers the exact name over a zone that merely sanitises to it', () => {
    expect(zoneForLabel('az-1', ['az 1', 'az-1'])).toBe('az-1');
  });
});
