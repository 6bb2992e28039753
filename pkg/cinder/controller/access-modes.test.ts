import { Code, CsiError } from '../../csi/errors';
import { assertCapabilities, capabilityProblem, isMultiattachSpec } from './access-modes';

const mount = (mode: string) => ({ access_mode: { mode }, access_type: 'mount', mount: { fs_type: 'ext4' } });
const block = (mode: string) => ({ access_mode: { mode }, access_type: 'block', block: {} });

describe('capabilityProblem', () => {
  it.each([
    'SINGLE_NODE_WRITER',
    'SINGLE_NODE_SINGLE_WRITER',
    'SINGLE_NODE_MULTI_WRITER',
    'SINGLE_NODE_READER_ONLY',
    'MULTI_NODE_READER_ONLY',
  ])('accepts %s for mount and block', (mode) => {
    expect(capabilityProblem(mount(mode), false)).toBeUndefined();
    expect(capabilityProblem(block(mode), false)).toBeUndefined();
  });

  it('accepts MULTI_NODE_MULTI_WRITER only for block on a multi-attach volume', () => {
    expect(capabilityProblem(block('MULTI_NODE_MULTI_WRITER'), true)).toBeUndefined();
    expect(capabilityProblem(block('MULTI_NODE_MULTI_WRITER'), false)).toMatch(/multi-attach/);
    expect(capabilityProblem(mount('MULTI_NODE_MULTI_WRITER'), true)).toMatch(/only supported for block/);
  });

  it('rejects MULTI_NODE_SINGLE_WRITER, UNKNOWN and a missing access type', () => {
    expect(capabilityProblem(mount('MULTI_NODE_SINGLE_WRITER'), true)).toMatch(/not supported/);
    expect(capabilityProblem(mount('UNKNOWN'), true)).toMatch(/no access mode/);
    expect(capabilityProblem({ access_mode: { mode: 'SINGLE_NODE_WRITER' } }, false)).toMatch(/neither/);
  });
});

describe('assertCapabilities', () => {
  it('throws INVALID_ARGUMENT for an empty list or the first bad capability', () => {
    for (const input of [[], undefined, [mount('SINGLE_NODE_WRITER'), mount('MULTI_NODE_SINGLE_WRITER')]]) {
      let caught: unknown;
      try {
        assertCapabilities(input, false);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CsiError);
      expect((caught as CsiError).code).toBe(Code.INVALID_ARGUMENT);
    }
    expect(() => assertCapabilities([mount('SINGLE_NODE_WRITER'), block('MULTI_NODE_READER_ONLY')], false)).not.toThrow();
  });
});

describe('isMultiattachSpec', () => {
  it.each([
    ['<is> True', true],
    ['<is> true', true],
    ['True', true],
    ['<is> False', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (value, expected) => {
    expect(isMultiattachSpec(value)).toBe(expected);
  });
});
