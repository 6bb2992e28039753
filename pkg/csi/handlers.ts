/**
 * Handler shapes for CSI services: plain objects of async methods named exactly as the RPCs.
 * Derived from the generated service definitions, so a renamed or missing RPC is a type error.
 */
import type { MethodDefinition } from '@grpc/proto-loader';
import type { Logger } from '../log/logger';
import type { ControllerDefinition } from './generated/csi/v1/Controller';
import type { GroupControllerDefinition } from './generated/csi/v1/GroupController';
import type { IdentityDefinition } from './generated/csi/v1/Identity';
import type { NodeDefinition } from './generated/csi/v1/Node';

export interface CallContext {
  /** Correlates every log line of one RPC; taken from `x-request-id` metadata when the caller sends one. */
  requestId: string;
  /** RPC name, e.g. "CreateVolume". */
  method: string;
  /** Already carries requestId and method. */
  logger: Logger;
  /** The caller's deadline, when it set one. */
  deadline?: Date;
}

/** Names declared by a generated definition, without the index signature it inherits. */
export type DeclaredKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: true };

/** RequestOut = as received (all fields present), ResponseIn = what a handler may return. */
export type UnaryHandlers<Definition> = {
  [K in DeclaredKeys<Definition>]?: Definition[K] extends MethodDefinition<
    infer _RequestIn,
    infer ResponseIn,
    infer RequestOut,
    infer _ResponseOut
  >
    ? (request: RequestOut, ctx: CallContext) => Promise<ResponseIn>
    : never;
};

export type IdentityHandlers = UnaryHandlers<IdentityDefinition>;
export type ControllerHandlers = UnaryHandlers<ControllerDefinition>;
export type NodeHandlers = UnaryHandlers<NodeDefinition>;
export type GroupControllerHandlers = UnaryHandlers<GroupControllerDefinition>;

export type IdentityMethod = DeclaredKeys<IdentityDefinition>;
export type ControllerMethod = DeclaredKeys<ControllerDefinition>;
export type NodeMethod = DeclaredKeys<NodeDefinition>;
export type GroupControllerMethod = DeclaredKeys<GroupControllerDefinition>;

export interface CsiServices {
  identity: IdentityHandlers;
  controller?: ControllerHandlers;
  node?: NodeHandlers;
  groupController?: GroupControllerHandlers;
}
