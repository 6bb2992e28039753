/**
 * The shape of CSI messages as csi.proto describes them: for each field, whether it is a string, a
 * map<string,string>, a nested message, an enum or another scalar, and whether it repeats. Read from the
 * reflected proto (proto.ts), so checks and generators built on it (size limits at the edge,
 * property-based tests) follow the contract instead of a hand-written list.
 */
import type * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs/light';
import { loadCsiRoot, type CsiMethodDefinition } from './proto';

export type FieldKind = 'string' | 'bytes' | 'bool' | 'number' | 'int64' | 'enum' | 'map' | 'message';

export interface FieldShape {
  name: string;
  kind: FieldKind;
  repeated: boolean;
  /** Enum value names (kind `enum`). */
  enumValues?: readonly string[];
  /** Nested message (kind `message`); a getter, so recursive types stay finite. */
  readonly message?: MessageShape;
}

export interface MessageShape {
  /** Fully qualified, e.g. `csi.v1.CreateVolumeRequest`. */
  fullName: string;
  fields: readonly FieldShape[];
}

const SCALARS: Record<string, FieldKind> = {
  string: 'string',
  bytes: 'bytes',
  bool: 'bool',
  int64: 'int64',
  uint64: 'int64',
  sint64: 'int64',
  fixed64: 'int64',
  sfixed64: 'int64',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  double: 'number',
  float: 'number',
};

const cache = new Map<string, MessageShape>();

/** The shape of a fully qualified message, e.g. `csi.v1.CreateVolumeRequest`. */
export function messageShape(fullName: string): MessageShape {
  const cached = cache.get(fullName);
  if (cached) return cached;
  let type: protobuf.Type;
  try {
    type = loadCsiRoot().lookupType(fullName);
  } catch {
    throw new Error(`message ${fullName} is not in csi.proto`);
  }
  const fields: FieldShape[] = [];
  const shape: MessageShape = { fullName, fields };
  // Cached before its fields are read, so a message that (indirectly) contains itself resolves.
  cache.set(fullName, shape);
  fields.push(...type.fieldsArray.map((field) => fieldShape(fullName, field)));
  return shape;
}

/** The request shape of an RPC from a service definition entry (proto.ts's definitions name it). */
export function requestShapeOf(method: grpc.MethodDefinition<unknown, unknown>): MessageShape | undefined {
  const name = (method as Partial<CsiMethodDefinition>).requestTypeName;
  return name ? messageShape(name) : undefined;
}

function fieldShape(scope: string, field: protobuf.Field): FieldShape {
  if (field.map) return { name: field.name, kind: 'map', repeated: false };
  const base = { name: field.name, repeated: field.repeated };
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Enum) return { ...base, kind: 'enum', enumValues: Object.keys(resolved.values) };
  if (resolved instanceof protobuf.Type) {
    const target = resolved.fullName.replace(/^\./, '');
    return {
      ...base,
      kind: 'message',
      get message() {
        return messageShape(target);
      },
    };
  }
  const kind = SCALARS[field.type];
  if (!kind) throw new Error(`field ${scope}.${field.name} has type ${field.type}, which this reader does not know`);
  return { ...base, kind };
}
