import { volumeKindUnsupportedReason } from './volume-kind';

describe('volumeKindUnsupportedReason', () => {
  it('names the filesystem programs a kind lacks on this host; raw block needs none of them', () => {
    const nothingInstalled = { find: () => undefined };
    expect(volumeKindUnsupportedReason('xfs', nothingInstalled)).toBe('xfs needs mkfs.xfs, xfs_growfs (not installed: apt-get install xfsprogs)');
    expect(volumeKindUnsupportedReason('ext4', nothingInstalled)).toBe('ext4 needs mkfs.ext4, resize2fs (not installed: apt-get install e2fsprogs)');
    expect(volumeKindUnsupportedReason('block', nothingInstalled)).toBeUndefined();
    expect(volumeKindUnsupportedReason('xfs', { find: (name) => `/usr/sbin/${name}` })).toBeUndefined();
  });
});
