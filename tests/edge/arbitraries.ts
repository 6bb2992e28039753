/**
 * fast-check arbitraries for CSI requests, built from the request shapes read from csi.proto: every
 * field of every message, with strings biased towards what breaks plugins (empty, huge, control
 * characters, `..`, Unicode, path-like) and towards values that reach deep into the handlers (UUIDs,
 * IDs that exist, paths inside the run's sandbox, known parameter keys).
 */
import fc from 'fast-check';
import type { FieldShape, MessageShape } from '../../pkg/csi/message-shape';

export interface ArbitraryContext {
  /** Where generated paths point: inside it, or (through `..`) into its parent, never further up. */
  sandbox: string;
  /** IDs the cloud knows (a Nova server, volumes, snapshots) so some requests get past "not found". */
  knownIds: readonly string[];
}

const ADVERSARIAL = [
  '',
  ' ',
  '.',
  '..',
  '../../../../etc/passwd',
  '\u0000',
  'a\u0000b',
  '\u001b[31m',
  '\u202eevil',
  'é卷😀',
  '%s%n%x',
  '${jndi:x}',
  'password=hunter2,ro',
  'x'.repeat(129),
  'y'.repeat(300),
  'z'.repeat(5000),
  'w'.repeat(70_000),
];

function pathArbitrary(context: ArbitraryContext): fc.Arbitrary<string> {
  const { sandbox } = context;
  const segment = fc.constantFrom('a', 'b', 'globalmount', 'mount', '..', '.', 'é', 'x y', 'p'.repeat(255));
  return fc.oneof(
    fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => {
      // At most one `..` more than there are directories below the sandbox's parent: never escapes it.
      let depth = 1;
      const kept: string[] = [];
      for (const part of parts) {
        if (part === '..') {
          if (depth === 0) continue;
          depth--;
        } else if (part !== '.') depth++;
        kept.push(part);
      }
      return `${sandbox}/${kept.join('/')}`;
    }),
    fc.constantFrom(`${sandbox}`, `${sandbox}/`, `${sandbox}//double`, 'relative/path', `${sandbox}/nul\u0000x`, `${sandbox}/${'q'.repeat(5000)}`),
  );
}

function stringFor(field: FieldShape, context: ArbitraryContext): fc.Arbitrary<string> {
  const adversarial = fc.constantFrom(...ADVERSARIAL);
  const name = field.name;
  if (/path$/.test(name)) return fc.oneof(pathArbitrary(context), adversarial);
  if (/(^|_)ids?$/.test(name) || name === 'starting_token') {
    return fc.oneof(fc.uuid(), ...(context.knownIds.length ? [fc.constantFrom(...context.knownIds)] : []), adversarial);
  }
  if (name === 'fs_type') return fc.oneof(fc.constantFrom('ext4', 'xfs', 'btrfs', 'ntfs', 'EXT4', ''), adversarial);
  if (name === 'name') return fc.oneof(fc.string({ minLength: 1, maxLength: 40 }).map((s) => `pvc-${s}`), adversarial);
  return fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), adversarial);
}

const MAP_KEYS = ['type', 'availability', 'cloud', 'csi.storage.k8s.io/fstype', 'topology.cinder.csi.openstack.org/zone', 'os-password', 'resizeRequired'];

function mapArbitrary(context: ArbitraryContext): fc.Arbitrary<Record<string, string>> {
  const key = fc.oneof(fc.constantFrom(...MAP_KEYS), fc.string({ maxLength: 20 }), fc.constantFrom(...ADVERSARIAL));
  const value = fc.oneof(fc.constantFrom('nova', 'ssd', 'true', ''), ...(context.knownIds.length ? [fc.constantFrom(...context.knownIds)] : []), fc.string({ maxLength: 30 }), fc.constantFrom(...ADVERSARIAL));
  return fc.dictionary(key, value, { maxKeys: 4 });
}

function int64Arbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('0', '1', '1073741824', '5368709120', '-1', '9223372036854775807', '-9223372036854775808'),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  );
}

function fieldArbitrary(field: FieldShape, context: ArbitraryContext, depth: number): fc.Arbitrary<unknown> | undefined {
  let single: fc.Arbitrary<unknown> | undefined;
  switch (field.kind) {
    case 'string':
      single = stringFor(field, context);
      break;
    case 'map':
      return mapArbitrary(context);
    case 'bool':
      single = fc.boolean();
      break;
    case 'number':
      single = fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.integer());
      break;
    case 'int64':
      single = int64Arbitrary();
      break;
    case 'enum':
      single = fc.constantFrom(...(field.enumValues?.length ? field.enumValues : ['UNKNOWN']));
      break;
    case 'bytes':
      single = fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes));
      break;
    case 'message':
      if (!field.message || depth <= 0) return undefined;
      single = requestArbitrary(field.message, context, depth - 1);
      break;
  }
  return field.repeated ? fc.array(single, { maxLength: 3 }) : single;
}

/** Any request of `shape`: each field present or not, nested messages up to `depth` deep. */
export function requestArbitrary(shape: MessageShape, context: ArbitraryContext, depth = 4): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of shape.fields) {
    const arbitrary = fieldArbitrary(field, context, depth);
    if (arbitrary) fields[field.name] = arbitrary;
  }
  return fc.record(fields, { requiredKeys: [] });
}
