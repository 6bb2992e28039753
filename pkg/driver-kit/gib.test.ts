import { Code } from '../csi/errors';
import { gibToBytes, sizeGiBFromRange } from './gib';
import { codeThrownBy } from '../cinder/controller/testing/controller-under-test';
import { GiB } from '../units/bytes';


describe('sizeGiBFromRange', () => {
  it('defaults to 1 GiB without a range', () => {
    expect(sizeGiBFromRange(undefined)).toBe(1);
    expect(sizeGiBFromRange({ required_bytes: '0', limit_bytes: '0' })).toBe(1);
  });

  it('rounds required bytes up to whole GiB', () => {
    expect(sizeGiBFromRange({ required_bytes: String(GiB) })).toBe(1);
    expect(sizeGiBFromRange({ required_bytes: String(GiB + 1) })).toBe(2);
    expect(sizeGiBFromRange({ required_bytes: '1' })).toBe(1);
    expect(sizeGiBFromRange({ required_bytes: String(10 * GiB - 5) })).toBe(10);
  });

  it('accepts a limit that the rounded size stays under', () => {
    expect(sizeGiBFromRange({ required_bytes: String(GiB + 1), limit_bytes: String(2 * GiB) })).toBe(2);
    expect(sizeGiBFromRange({ limit_bytes: String(5 * GiB) })).toBe(1);
  });

  it('answers OUT_OF_RANGE when no whole GiB is inside the range', () => {
    expect(codeThrownBy(() => sizeGiBFromRange({ required_bytes: String(GiB + 1), limit_bytes: String(GiB + 100) }))).toBe(
      Code.OUT_OF_RANGE,
    );
    expect(codeThrownBy(() => sizeGiBFromRange({ limit_bytes: String(GiB / 2) }))).toBe(Code.OUT_OF_RANGE);
    expect(codeThrownBy(() => sizeGiBFromRange({ required_bytes: String(3 * GiB), limit_bytes: String(2 * GiB) }))).toBe(
      Code.OUT_OF_RANGE,
    );
  });

  it('grows to a content source size when the limit allows, else OUT_OF_RANGE', () => {
    expect(sizeGiBFromRange({ required_bytes: String(GiB) }, 5)).toBe(5);
    expect(sizeGiBFromRange({ required_bytes: String(GiB), limit_bytes: String(5 * GiB) }, 5)).toBe(5);
    expect(codeThrownBy(() => sizeGiBFromRange({ required_bytes: String(GiB), limit_bytes: String(4 * GiB) }, 5))).toBe(
      Code.OUT_OF_RANGE,
    );
  });

  it('rejects negative or non-numeric bytes as INVALID_ARGUMENT', () => {
    expect(codeThrownBy(() => sizeGiBFromRange({ required_bytes: '-1' }))).toBe(Code.INVALID_ARGUMENT);
    expect(codeThrownBy(() => sizeGiBFromRange({ required_bytes: '12abc' }))).toBe(Code.INVALID_ARGUMENT);
  });

  it('handles int64 values beyond 2^53 exactly', () => {
    // 2^53 bytes is exactly 8388608 GiB; one byte more needs one GiB more (a double would lose that byte).
    expect(sizeGiBFromRange({ required_bytes: '9007199254740992' })).toBe(8388608);
    expect(sizeGiBFromRange({ required_bytes: '9007199254740993' })).toBe(8388609);
    expect(gibToBytes(8388608)).toBe('9007199254740992');
  });
});
