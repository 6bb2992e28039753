/**
 * The CSI spec's size limits ("Field Requirements / Size Limits"), enforced at the edge for every
 * request before any handler, log echo or in-flight key sees it: strings at most 128 bytes and
 * map<string,string> fields at most 4 KiB, unless a field's own text in the spec sets another limit.
 * Driven by the message shapes read from csi.proto, so a new RPC or field is covered without a change here.
 */
import type { MessageShape } from './message-shape';

export const STRING_LIMIT_BYTES = 128;
export const MAP_LIMIT_BYTES = 4096;
/** Linux PATH_MAX is 4096 bytes including the terminating NUL. */
export const PATH_LIMIT_BYTES = 4095;

interface Override {
  maxBytes: number;
  /** Why this field may be longer, as the spec words it (ends the error message). */
  rule: string;
}

/**
 * Fields whose description in the spec overrides the general string limit.
 * - Paths (`staging_target_path`, `target_path`, `volume_path`): "This field overrides the general CSI
 *   size limit. SP SHOULD support the maximum path length allowed by the operating system/filesystem".
 *   Kubelet's own paths are ~140 bytes, over the general limit.
 * - `node_id`: NodeGetInfoResponse.node_id "overrides the general CSI size limit. The size of this field
 *   SHALL NOT exceed 256 bytes"; the controller requests carry that same ID back.
 * Volume, snapshot and group snapshot IDs have no override in the spec: the general 128 bytes apply.
 */
const STRING_OVERRIDES: Readonly<Record<string, Override>> = {
  staging_target_path: { maxBytes: PATH_LIMIT_BYTES, rule: 'the OS path maximum' },
  target_path: { maxBytes: PATH_LIMIT_BYTES, rule: 'the OS path maximum' },
  volume_path: { maxBytes: PATH_LIMIT_BYTES, rule: 'the OS path maximum' },
  node_id: { maxBytes: 256, rule: 'the CSI limit for node IDs' },
};

/** Repeated strings whose description limits their total size instead ("The total size of this repeated field SHALL NOT exceed 4 KiB"). */
const REPEATED_TOTAL_OVERRIDES: Readonly<Record<string, Override>> = {
  mount_flags: { maxBytes: 4096, rule: 'the CSI limit for all mount flags together' },
};

/**
 * Suggested names: "Any Unicode string that conforms to the length limit is allowed except those
 * containing the following banned characters: U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+007F-U+009F."
 */
const NAME_FIELDS: ReadonlySet<string> = new Set([
  'csi.v1.CreateVolumeRequest.name',
  'csi.v1.CreateSnapshotRequest.name',
  'csi.v1.CreateVolumeGroupSnapshotRequest.name',
]);
// eslint-disable-next-line no-control-regex
const BANNED_NAME_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The first field of `request` that breaks a limit, as a message naming the field, its size and the
 * limit (never its content), or undefined when every field is within its limit.
 */
export function findLimitViolation(shape: MessageShape, request: unknown, prefix = ''): string | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  const message = request as Record<string, unknown>;
  for (const field of shape.fields) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    const where = prefix ? `${prefix}.${field.name}` : field.name;
    const problem = fieldViolation(shape, field.name, field.kind, field.repeated, value, where, field.message);
    if (problem) return problem;
  }
  return undefined;
}

function fieldViolation(
  shape: MessageShape,
  name: string,
  kind: string,
  repeated: boolean,
  value: unknown,
  where: string,
  nested: MessageShape | undefined,
): string | undefined {
  if (kind === 'map') return mapViolation(value, where);
  if (kind === 'string') {
    const values = repeated && Array.isArray(value) ? value : [value];
    const total = REPEATED_TOTAL_OVERRIDES[name];
    if (repeated && total) {
      const size = values.reduce<number>((sum, item) => sum + (typeof item === 'string' ? bytes(item) : 0), 0);
      return size > total.maxBytes ? tooLarge(where, size, total, 'together') : undefined;
    }
    for (const [index, item] of values.entries()) {
      if (typeof item !== 'string') continue;
      const at = repeated ? `${where}[${index}]` : where;
      const limit = STRING_OVERRIDES[name] ?? { maxBytes: STRING_LIMIT_BYTES, rule: 'the CSI limit for strings' };
      const size = bytes(item);
      if (size > limit.maxBytes) return tooLarge(at, size, limit);
      if (NAME_FIELDS.has(`${shape.fullName}.${name}`) && BANNED_NAME_CHARACTERS.test(item)) {
        return `${at} contains a control character (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F or U+007F-U+009F), which CSI does not allow in names`;
      }
    }
    return undefined;
  }
  if (kind === 'message' && nested) {
    const items = repeated && Array.isArray(value) ? value : [value];
    for (const [index, item] of items.entries()) {
      const problem = findLimitViolation(nested, item, repeated ? `${where}[${index}]` : where);
      if (problem) return problem;
    }
  }
  return undefined;
}

function mapViolation(value: unknown, where: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  let size = 0;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    size += bytes(key) + (typeof inner === 'string' ? bytes(inner) : 0);
  }
  if (size <= MAP_LIMIT_BYTES) return undefined;
  return tooLarge(where, size, { maxBytes: MAP_LIMIT_BYTES, rule: 'the CSI limit for a map' }, 'in keys and values');
}

function tooLarge(where: string, size: number, limit: Override, how?: string): string {
  return `${where} is ${size} bytes${how ? ` ${how}` : ''}, more than ${limit.maxBytes} bytes (${limit.rule}); shorten it`;
}
