/**
 * Every unary RPC the plugin serves, with its request shape read from csi.proto, and a way to call any
 * of them by name over one client: what the edge tests iterate over instead of a hand-written list.
 */
import type { ServiceDefinition, ServiceError } from '@grpc/grpc-js';
import type { MessageShape } from '../../pkg/csi/message-shape';
import { requestShapeOf } from '../../pkg/csi/message-shape';
import { loadCsiGrpc } from '../../pkg/csi/proto';
import type { CsiClient } from '../../pkg/csi/client';

export type ServiceName = 'identity' | 'controller' | 'node' | 'groupController';

export interface Rpc {
  service: ServiceName;
  method: string;
  request: MessageShape;
}

export function servedRpcs(): Rpc[] {
  const csi = loadCsiGrpc();
  const services: [ServiceName, ServiceDefinition][] = [
    ['identity', csi.Identity.service],
    ['controller', csi.Controller.service],
    ['node', csi.Node.service],
    ['groupController', csi.GroupController.service],
  ];
  return services.flatMap(([service, definition]) =>
    Object.entries(definition).map(([method, methodDefinition]) => {
      const request = requestShapeOf(methodDefinition);
      if (!request) throw new Error(`${method} has no request type`);
      return { service, method, request };
    }),
  );
}

export interface Answer {
  code: number;
  details: string;
}

/** Calls `rpc` with `request`; resolves with the status (0 = OK), never rejects on a gRPC error. */
export async function callRpc(client: CsiClient, rpc: Rpc, request: unknown, deadlineMs: number): Promise<Answer> {
  const stub = client[rpc.service] as unknown as Record<string, (request: unknown, options: { deadline: number }) => Promise<unknown>>;
  try {
    await stub[rpc.method](request, { deadline: deadlineMs });
    return { code: 0, details: '' };
  } catch (error) {
    const status = error as ServiceError;
    if (typeof status.code !== 'number') throw error;
    return { code: status.code, details: status.details };
  }
}

/** A field to fill, by its path of field names from the request (repeated messages: their first item). */
export interface Leaf {
  path: string[];
  kind: 'string' | 'map';
  repeated: boolean;
}

/** Every string and map field reachable in `shape` (nested messages at most `depth` deep). */
export function leavesOf(shape: MessageShape, depth = 4, prefix: string[] = []): Leaf[] {
  return shape.fields.flatMap((field): Leaf[] => {
    const path = [...prefix, field.name];
    if (field.kind === 'string' || field.kind === 'map') return [{ path, kind: field.kind, repeated: field.repeated }];
    if (field.kind === 'message' && field.message && depth > 0) return leavesOf(field.message, depth - 1, path);
    return [];
  });
}

/** A request with `value` at `leaf` (wrapping repeated messages in one-item lists) and nothing else set. */
export function requestWith(shape: MessageShape, leaf: Leaf, value: string): Record<string, unknown> {
  const build = (current: MessageShape, path: string[]): Record<string, unknown> => {
    const [name, ...rest] = path;
    const field = current.fields.find((candidate) => candidate.name === name);
    if (!field) throw new Error(`${current.fullName} has no field ${name}`);
    let inner: unknown;
    if (rest.length > 0) inner = build(field.message as MessageShape, rest);
    else if (leaf.kind === 'map') inner = { key: value };
    else inner = value;
    return { [name]: field.repeated && field.kind !== 'map' ? [inner] : inner };
  };
  return build(shape, leaf.path);
}
