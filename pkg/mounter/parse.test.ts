import { UnexpectedOutputError } from './errors';
import { interpretProbe, parseBlkidExport, parseFindmntJson, parseLsblkSize } from './parse';

describe('parseFindmntJson', () => {
  it('flattens a tree and reads every column', () => {
    const stdout = JSON.stringify({
      filesystems: [
        {
          target: '/',
          source: '/dev/vda',
          fstype: 'ext4',
          fsroot: '/',
          'vfs-options': 'rw,relatime',
          'fs-options': 'rw,discard',
          'maj:min': '254:0',
          children: [
            {
              target: '/var/lib/kubelet/pods/x/volumes/kubernetes.io~csi/pv/mount',
              source: '/dev/vdb[/]',
              fstype: 'xfs',
              fsroot: '/',
              'vfs-options': 'ro,relatime',
              'fs-options': 'rw,nouuid',
              'maj:min': '253:16',
            },
          ],
        },
      ],
    });
    const mounts = parseFindmntJson(stdout);
    expect(mounts).toEqual([
      {
        target: '/',
        source: '/dev/vda',
        fstype: 'ext4',
        fsroot: '/',
        vfsOptions: ['rw', 'relatime'],
        fsOptions: ['rw', 'discard'],
        majMin: '254:0',
      },
      {
        target: '/var/lib/kubelet/pods/x/volumes/kubernetes.io~csi/pv/mount',
        source: '/dev/vdb',
        fstype: 'xfs',
        fsroot: '/',
        vfsOptions: ['ro', 'relatime'],
        fsOptions: ['rw', 'nouuid'],
        majMin: '253:16',
      },
    ]);
  });

  it('falls back to OPTIONS when VFS-OPTIONS is absent and defaults fsroot', () => {
    const [mount] = parseFindmntJson('{"filesystems":[{"target":"/a","source":"tmpfs","fstype":"tmpfs","options":"rw,nosuid"}]}');
    expect(mount.vfsOptions).toEqual(['rw', 'nosuid']);
    expect(mount.fsroot).toBe('/');
    expect(mount.fsOptions).toEqual([]);
  });

  it('treats empty output as no mounts and rejects non-JSON', () => {
    expect(parseFindmntJson('  \n')).toEqual([]);
    expect(() => parseFindmntJson('TARGET SOURCE\n/ /dev/vda')).toThrow(UnexpectedOutputError);
    expect(() => parseFindmntJson('{"other":[]}')).toThrow(/filesystems/);
  });
});

describe('parseLsblkSize', () => {
  it('accepts numeric and string sizes', () => {
    expect(parseLsblkSize('{"blockdevices":[{"name":"vdb","size":1073741824}]}')).toBe(1073741824);
    expect(parseLsblkSize('{"blockdevices":[{"name":"vdb","size":"2147483648"}]}')).toBe(2147483648);
  });
  it('rejects missing or bad sizes', () => {
    expect(() => parseLsblkSize('{"blockdevices":[]}')).toThrow(UnexpectedOutputError);
    expect(() => parseLsblkSize('{"blockdevices":[{"name":"vdb","size":"1G"}]}')).toThrow(UnexpectedOutputError);
    expect(() => parseLsblkSize('nope')).toThrow(UnexpectedOutputError);
  });
});

describe('blkid probe interpretation', () => {
  it('parses export output', () => {
    expect(parseBlkidExport('DEVNAME=/dev/vdb\nTYPE=xfs\n')).toEqual({ DEVNAME: '/dev/vdb', TYPE: 'xfs' });
  });
  it('exit 2 is blank', () => {
    expect(interpretProbe(2, '')).toEqual({ blank: true });
  });
  it('exit 0 with TYPE or PTTYPE is content', () => {
    expect(interpretProbe(0, 'DEVNAME=/dev/vdb\nTYPE=ext4\n')).toEqual({ blank: false, fsType: 'ext4', partitionTableType: undefined });
    expect(interpretProbe(0, 'PTTYPE=gpt\n')).toEqual({ blank: false, fsType: undefined, partitionTableType: 'gpt' });
  });
  it('anything else is uncertain', () => {
    expect(interpretProbe(0, 'DEVNAME=/dev/vdb\n')).toBeUndefined();
    expect(interpretProbe(8, 'TYPE=ext4\n')).toBeUndefined();
    expect(interpretProbe(4, '')).toBeUndefined();
    expect(interpretProbe(1, '')).toBeUndefined();
  });
});
