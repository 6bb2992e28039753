import { Code } from '../../csi/errors';
import { decodeSnapshotToken, decodeVolumeToken, encodeSnapshotToken, encodeVolumeToken } from './pagination';
import { codeThrownBy } from './testing/controller-under-test';

describe('volume tokens', () => {
  const clouds = ['', 'east', 'we:ird'];
  it('round-trips marker and cloud, including the default cloud and colons in names', () => {
    for (const position of [
      { cloudName: '', marker: '1b7d7a4e-0000-4000-8000-000000000001' },
      { cloudName: 'east', marker: undefined },
      { cloudName: 'we:ird', marker: 'abc-1' },
    ]) {
      expect(decodeVolumeToken(encodeVolumeToken(position), clouds)).toEqual(position);
    }
    expect(encodeVolumeToken({ cloudName: 'east', marker: 'm1' })).toBe('m1:east');
  });
  it('answers ABORTED for garbage, unknown clouds and odd markers', () => {
    expect(codeThrownBy(() => decodeVolumeToken('garbage', clouds))).toBe(Code.ABORTED);
    expect(codeThrownBy(() => decodeVolumeToken('m1:west', clouds))).toBe(Code.ABORTED);
    expect(codeThrownBy(() => decodeVolumeToken('a/b:east', clouds))).toBe(Code.ABORTED);
  });
});

describe('snapshot tokens', () => {
  it('round-trips both phases', () => {
    expect(decodeSnapshotToken(encodeSnapshotToken({ phase: 'snapshots', marker: 'abc' }))).toEqual({ phase: 'snapshots', marker: 'abc' });
    expect(decodeSnapshotToken(encodeSnapshotToken({ phase: 'backups' }))).toEqual({ phase: 'backups', marker: undefined });
  });
  it('answers ABORTED for anything else', () => {
    expect(codeThrownBy(() => decodeSnapshotToken('42'))).toBe(Code.ABORTED);
    expect(codeThrownBy(() => decodeSnapshotToken('volume:abc'))).toBe(Code.ABORTED);
  });
});
