import { Code, CsiError } from '../../csi/errors';
import {
  parseGroupSnapshotParameters,
  parseMutableParameters,
  parseSnapshotParameters,
  parseVolumeParameters,
} from './parameters';

function errorOf(fn: () => unknown): CsiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CsiError) return error;
    throw error;
  }
  throw new Error('expected a CsiError');
}

describe('parseVolumeParameters', () => {
  it('reads type and availability and the provisioner metadata', () => {
    const parsed = parseVolumeParameters({
      type: 'ssd',
      availability: 'zone-a',
      fsType: 'ext4',
      'csi.storage.k8s.io/fstype': 'xfs',
      'csi.storage.k8s.io/pvc/name': 'data',
      'csi.storage.k8s.io/pvc/namespace': 'apps',
      'csi.storage.k8s.io/pv/name': 'pvc-123',
    });
    expect(parsed).toEqual({
      volumeType: 'ssd',
      availability: 'zone-a',
      metadata: {
        'csi.storage.k8s.io/pvc/name': 'data',
        'csi.storage.k8s.io/pvc/namespace': 'apps',
        'csi.storage.k8s.io/pv/name': 'pvc-123',
      },
      pvc: { name: 'data', namespace: 'apps' },
    });
  });

  it('accepts no parameters', () => {
    expect(parseVolumeParameters(undefined)).toEqual({ metadata: {}, volumeType: undefined, availability: undefined, pvc: undefined });
  });

  it('rejects a typo with INVALID_ARGUMENT listing the accepted keys', () => {
    const error = errorOf(() => parseVolumeParameters({ avaliability: 'zone-a' }));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toContain('"avaliability"');
    expect(error.message).toContain('"type"');
    expect(error.message).toContain('"availability"');
    expect(error.message).toContain('"csi.storage.k8s.io/*"');
  });
});

describe('parseSnapshotParameters', () => {
  it('defaults to a forced-off Cinder snapshot with a 20 s/GiB backup budget', () => {
    expect(parseSnapshotParameters({})).toEqual({
      kind: 'snapshot',
      force: false,
      backupMaxDurationSecondsPerGiB: 20,
      availability: undefined,
      metadata: {},
    });
  });

  it('reads backup parameters and snapshotter metadata', () => {
    const parsed = parseSnapshotParameters({
      type: 'backup',
      'force-create': 'True',
      'backup-max-duration-seconds-per-gb': '5',
      availability: 'zone-b',
      'csi.storage.k8s.io/volumesnapshot/name': 'snap',
      'csi.storage.k8s.io/volumesnapshot/namespace': 'apps',
      'csi.storage.k8s.io/volumesnapshotcontent/name': 'snapcontent-1',
    });
    expect(parsed.kind).toBe('backup');
    expect(parsed.force).toBe(true);
    expect(parsed.backupMaxDurationSecondsPerGiB).toBe(5);
    expect(parsed.availability).toBe('zone-b');
    expect(Object.keys(parsed.metadata)).toHaveLength(3);
  });

  it.each([
    [{ type: 'clone' }, '"type"'],
    [{ 'force-create': 'yes' }, '"force-create"'],
    [{ 'backup-max-duration-seconds-per-gb': '-3' }, 'backup-max-duration-seconds-per-gb'],
    [{ 'backup-max-duration-seconds-per-gb': '1.5' }, 'backup-max-duration-seconds-per-gb'],
    [{ forceCreate: 'true' }, '"forceCreate"'],
  ])('rejects %j', (parameters, mention) => {
    const error = errorOf(() => parseSnapshotParameters(parameters));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toContain(mention);
  });
});

describe('parseMutableParameters', () => {
  it('accepts type', () => {
    expect(parseMutableParameters({ type: 'fast' })).toEqual({ volumeType: 'fast' });
  });
  it('rejects unknown keys, csi.storage.k8s.io keys included, and empty maps', () => {
    expect(errorOf(() => parseMutableParameters({ iops: '100' })).message).toContain('"iops"');
    expect(errorOf(() => parseMutableParameters({ 'csi.storage.k8s.io/x': '1' })).code).toBe(Code.INVALID_ARGUMENT);
    expect(errorOf(() => parseMutableParameters({})).code).toBe(Code.INVALID_ARGUMENT);
    expect(errorOf(() => parseMutableParameters({ type: '' })).code).toBe(Code.INVALID_ARGUMENT);
  });
});

describe('parseGroupSnapshotParameters', () => {
  it('reads group-type and rejects others', () => {
    expect(parseGroupSnapshotParameters({ 'group-type': 'consistent' })).toEqual({ groupType: 'consistent' });
    expect(parseGroupSnapshotParameters(undefined)).toEqual({ groupType: undefined });
    expect(errorOf(() => parseGroupSnapshotParameters({ groupType: 'x' })).code).toBe(Code.INVALID_ARGUMENT);
  });
});
