/**
 * A promise-based CSI client over real @grpc/grpc-js: every RPC of every service, typed from the
 * generated definitions. Used wherever this project calls a CSI plugin: the run harness (demo, local,
 * e2e), a node plugin forwarding to a partner plugin, and the tests.
 *
 *   const client = createCsiClient(server.address);
 *   const info = await client.identity.GetPluginInfo({});
 *   await client.controller.CreateVolume({ name: 'pvc-1', ... }, { metadata: { 'x-request-id': 'r1' } });
 *   client.close();
 */
import * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type { ControllerDefinition } from './generated/csi/v1/Controller';
import type { GroupControllerDefinition } from './generated/csi/v1/GroupController';
import type { IdentityDefinition } from './generated/csi/v1/Identity';
import type { NodeDefinition } from './generated/csi/v1/Node';
import type { DeclaredKeys } from './handlers';
import { loadCsiGrpc } from './proto';

export interface CallOptions {
  /** Sent as gRPC metadata, e.g. `{ 'x-request-id': 'abc' }`. */
  metadata?: Record<string, string>;
  /** Milliseconds from now, or an absolute Date. */
  deadline?: number | Date;
}


/** Request = permissive input type; response = as received (all fields present). */
export type PromiseClient<Definition> = {
  [K in DeclaredKeys<Definition>]: Definition[K] extends MethodDefinition<
    infer RequestIn,
    infer _ResponseIn,
    infer _RequestOut,
    infer ResponseOut
  >
    ? (request: RequestIn, options?: CallOptions) => Promise<ResponseOut>
    : never;
};

export interface CsiClient {
  identity: PromiseClient<IdentityDefinition>;
  controller: PromiseClient<ControllerDefinition>;
  node: PromiseClient<NodeDefinition>;
  groupController: PromiseClient<GroupControllerDefinition>;
  close(): void;
}

/** Accepts what CsiServer.address reports (socket path or host:port) or a full unix:// / tcp:// endpoint. */
export function clientTarget(address: string): string {
  if (address.startsWith('/')) return `unix://${address}`;
  if (address.startsWith('unix://')) {
    return `unix:///${address.slice('unix://'.length).replace(/^\/+/, '')}`;
  }
  if (address.startsWith('tcp://')) return address.slice('tcp://'.length);
  return address;
}

type UnaryMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response?: unknown) => void,
) => grpc.ClientUnaryCall;

function promisify<Definition>(client: grpc.Client, definition: grpc.ServiceDefinition): PromiseClient<Definition> {
  const methods: Record<string, (request: unknown, options?: CallOptions) => Promise<unknown>> = {};
  for (const name of Object.keys(definition)) {
    const method = (client as unknown as Record<string, UnaryMethod>)[name].bind(client);
    methods[name] = (request, options = {}) =>
      new Promise((resolve, reject) => {
        const metadata = new grpc.Metadata();
        for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
        const callOptions: grpc.CallOptions = {};
        if (options.deadline !== undefined) {
          callOptions.deadline =
            options.deadline instanceof Date ? options.deadline : new Date(Date.now() + options.deadline);
        }
        method(request, metadata, callOptions, (err, response) => (err ? reject(err) : resolve(response)));
      });
  }
  return methods as unknown as PromiseClient<Definition>;
}

export function createCsiClient(address: string): CsiClient {
  const csi = loadCsiGrpc();
  const target = clientTarget(address);
  const credentials = grpc.credentials.createInsecure();
  const identity = new csi.Identity(target, credentials);
  const controller = new csi.Controller(target, credentials);
  const node = new csi.Node(target, credentials);
  const groupController = new csi.GroupController(target, credentials);
  return {
    identity: promisify<IdentityDefinition>(identity, csi.Identity.service),
    controller: promisify<ControllerDefinition>(controller, csi.Controller.service),
    node: promisify<NodeDefinition>(node, csi.Node.service),
    groupController: promisify<GroupControllerDefinition>(groupController, csi.GroupController.service),
    close() {
      for (const client of [identity, controller, node, groupController]) client.close();
    },
  };
}
