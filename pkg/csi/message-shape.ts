/**
 * The shape of CSI messages as the loaded proto descriptors describe them: for each field, whether it
 * is a string, a map<string,string>, a nested message, an enum or another scalar, and whether it repeats.
 * Read from `proto/csi.proto` through the package definition, so checks and generators built on it
 * (size limits at the edge, property-based tests) follow the contract instead of a hand-written list.
 */
import type * as grpc from '@grpc/grpc-js';
import { loadCsiPackageDefinition } from './proto';

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
  /** Fully qualified, e.g. `csi.v1.NodeStageVolumeRequest`. */
  fullName: string;
  fields: readonly FieldShape[];
}

/** The subset of protobuf's DescriptorProto that proto-loader puts in a package definition. */
interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface EnumDescriptor {
  name: string;
  value: { name: string }[];
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
  enumType: EnumDescriptor[];
  options?: { mapEntry?: boolean } | null;
}

const SCALARS: Record<string, FieldKind> = {
  TYPE_STRING: 'string',
  TYPE_BYTES: 'bytes',
  TYPE_BOOL: 'bool',
  TYPE_INT64: 'int64',
  TYPE_UINT64: 'int64',
  TYPE_SINT64: 'int64',
  TYPE_FIXED64: 'int64',
  TYPE_SFIXED64: 'int64',
  TYPE_INT32: 'number',
  TYPE_UINT32: 'number',
  TYPE_SINT32: 'number',
  TYPE_FIXED32: 'number',
  TYPE_SFIXED32: 'number',
  TYPE_DOUBLE: 'number',
  TYPE_FLOAT: 'number',
  TYPE_ENUM: 'enum',
};

const cache = new Map<string, MessageShape>();

/** The shape of a fully qualified message, e.g. `csi.v1.CreateVolumeRequest`. */
export function messageShape(fullName: string): MessageShape {
  const cached = cache.get(fullName);
  if (cached) return cached;
  const descriptor = lookup(fullName);
  if (!descriptor) throw new Error(`message ${fullName} is not in csi.proto`);
  const fields: FieldShape[] = [];
  const shape: MessageShape = { fullName, fields };
  // Cached before its fields are read, so a message that (indirectly) contains itself resolves.
  cache.set(fullName, shape);
  fields.push(...descriptor.field.map((field) => fieldShape(fullName, descriptor, field)));
  return shape;
}

/** The request shape of an RPC from a grpc-js service definition entry. */
export function requestShapeOf(method: grpc.MethodDefinition<unknown, unknown>): MessageShape | undefined {
  const type = (method as { requestType?: { type?: MessageDescriptor } }).requestType?.type;
  if (!type?.name) return undefined;
  return messageShape(`csi.v1.${type.name}`);
}

function fieldShape(scope: string, parent: MessageDescriptor, field: FieldDescriptor): FieldShape {
  const repeated = field.label === 'LABEL_REPEATED';
  // proto-loader's descriptors report oneofIndex 0 for every field, so oneof membership is not read.
  const base = { name: field.name, repeated };
  if (field.type === 'TYPE_MESSAGE') {
    const nested = parent.nestedType.find((type) => type.name === field.typeName);
    if (nested?.options?.mapEntry) return { ...base, kind: 'map', repeated: false };
    const target = resolve(scope, field.typeName);
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
  if (kind !== 'enum') return { ...base, kind };
  return { ...base, kind, enumValues: enumValues(scope, parent, field.typeName) };
}

function enumValues(scope: string, parent: MessageDescriptor, typeName: string): string[] {
  const local = parent.enumType.find((type) => type.name === typeName);
  if (local) return local.value.map((value) => value.name);
  const definition = loadCsiPackageDefinition()[resolve(scope, typeName)] as { type?: EnumDescriptor } | undefined;
  return definition?.type?.value.map((value) => value.name) ?? [];
}

/** Protobuf name resolution: innermost scope first, then outwards to the package. */
function resolve(scope: string, typeName: string): string {
  if (typeName.startsWith('.')) return typeName.slice(1);
  let current = scope;
  for (;;) {
    const candidate = `${current}.${typeName}`;
    if (lookup(candidate) || loadCsiPackageDefinition()[candidate]) return candidate;
    const dot = current.lastIndexOf('.');
    if (dot < 0) return typeName;
    current = current.slice(0, dot);
  }
}

function lookup(fullName: string): MessageDescriptor | undefined {
  const direct = loadCsiPackageDefinition()[fullName] as { type?: MessageDescriptor } | undefined;
  if (direct?.type && 'field' in direct.type) return direct.type;
  // Nested messages are not keys of the package definition: find them inside their parent.
  const dot = fullName.lastIndexOf('.');
  if (dot < 0) return undefined;
  const parent = lookup(fullName.slice(0, dot));
  return parent?.nestedType.find((type) => type.name === fullName.slice(dot + 1));
}
