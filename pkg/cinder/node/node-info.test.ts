import { Code, CsiError } from '../../csi/errors';
import {
  CommandFailedError,
  CommandNotFoundError,
  CommandTimeoutError,
  FilesystemCorruptError,
  UncertainProbeError,
} from '../../mounter';
import { DeviceNotFoundError } from './device-finder';
import { toNodeCsiError } from './errors';
import { NodeIdentityUnavailableError } from '../../driver-kit/instance-identity/node-identity';
import { resolveAttachLimit, sanitizeZone } from './node-info';

describe('sanitizeZone', () => {
  it.each([
    ['nova', 'nova'],
    ['zone 1', 'zone-1'],
    ['__az:one..', 'az-one'],
    ['-.x_', 'x'],
    ['über/zone', 'ber-zone'],
    ['', ''],
  ])('%p → %p', (input, expected) => {
    expect(sanitizeZone(input)).toBe(expected);
  });
  it('cuts to 63 characters without leaving a trailing separator', () => {
    const zone = `${'a'.repeat(62)}-b`;
    expect(sanitizeZone(zone)).toBe('a'.repeat(62));
    expect(sanitizeZone('z'.repeat(100))).toHaveLength(63);
  });
});

describe('resolveAttachLimit', () => {
  it('defaults to 256 and clamps out-of-range values', () => {
    expect(resolveAttachLimit(undefined)).toBe(256);
    expect(resolveAttachLimit(1)).toBe(1);
    expect(resolveAttachLimit(0)).toBe(256);
    expect(resolveAttachLimit(257)).toBe(256);
    expect(resolveAttachLimit(2.5)).toBe(256);
  });
});

describe('toNodeCsiError', () => {
  it.each<[Error, Code]>([
    [new DeviceNotFoundError('v', 1, ['x (missing)']), Code.NOT_FOUND],
    [new NodeIdentityUnavailableError([]), Code.UNAVAILABLE],
    [new UncertainProbeError('/dev/vdb', 'exit 8'), Code.INTERNAL],
    [new FilesystemCorruptError('/dev/vdb', 4, 'bad'), Code.FAILED_PRECONDITION],
    [new CommandNotFoundError('mkfs.btrfs'), Code.FAILED_PRECONDITION],
    [new CommandTimeoutError('mount', ['a'], 1000), Code.DEADLINE_EXCEEDED],
    [new CommandFailedError('mount', ['a'], 32, 'busy'), Code.INTERNAL],
    [Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }), Code.INTERNAL],
    [new Error('surprise'), Code.INTERNAL],
  ])('%p → code %p, with the action in the message', (error, code) => {
    const mapped = toNodeCsiError(error, 'staging volume v');
    expect(mapped.code).toBe(code);
    expect(mapped.message.startsWith(`staging volume v: `)).toBe(true);
    expect(mapped.message).toContain(error.message);
  });
  it('passes CsiErrors through unchanged', () => {
    const original = new CsiError(Code.ALREADY_EXISTS, 'x');
    expect(toNodeCsiError(original, 'a')).toBe(original);
  });
});
