/**
 * The CSI gRPC server: binds the endpoint, registers the services it is given (Identity always;
 * Controller, Node and GroupController when present), and shuts down gracefully.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log/logger';
import { Endpoint, grpcAddress, isSocketInUse, parseEndpoint, prepareSocketPath, removeSocket } from './endpoint';
import type { CsiServices } from './handlers';
import { InFlight } from './inflight';
import { CsiCallMetrics, defaultCsiCallMetrics } from './metrics';
import { requestShapeOf } from './message-shape';
import { AsyncHandler, wrapUnary } from './pipeline';
import { csiServiceDefinition } from './proto';

export type {
  CallContext,
  ControllerHandlers,
  CsiServices,
  GroupControllerHandlers,
  IdentityHandlers,
  NodeHandlers,
} from './handlers';

export interface CsiServerOptions {
  endpoint: string;
  services: CsiServices;
  logger: Logger;
  /** How long stop() waits for running calls before cancelling them. */
  drainTimeoutMs?: number;
  /** Per-call metrics; defaults to the process-wide `csiMetricsRegistry` served on --http-endpoint. */
  metrics?: CsiCallMetrics;
}

export interface CsiServer {
  /** The socket path (unix) or host:port actually bound (tcp port 0 resolves to the real port). */
  readonly address: string;
  readonly endpoint: Endpoint;
  /** Stops accepting calls, waits for running ones (bounded), then removes the socket. Idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 20_000;

const QUIET_METHODS: ReadonlySet<string> = new Set([
  'Probe',
  'GetPluginInfo',
  'GetPluginCapabilities',
  'ControllerGetCapabilities',
  'NodeGetCapabilities',
  'GroupControllerGetCapabilities',
]);

type HandlerObject = object;

function buildImplementation(
  service: string,
  definition: grpc.ServiceDefinition,
  handlers: HandlerObject,
  logger: Logger,
  metrics: CsiCallMetrics,
): grpc.UntypedServiceImplementation {
  const inFlight = new InFlight();
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of Object.keys(definition)) {
    const candidate = (handlers as Record<string, unknown>)[method];
    const handler =
      typeof candidate === 'function' ? (candidate.bind(handlers) as AsyncHandler) : undefined;
    implementation[method] = wrapUnary(method, handler, {
      service,
      logger,
      inFlight,
      quietMethods: QUIET_METHODS,
      metrics,
      requestShape: requestShapeOf(definition[method]),
    }) as grpc.UntypedHandleCall;
  }
  const known = new Set(Object.keys(definition));
  for (const [name, value] of Object.entries(handlers)) {
    if (typeof value === 'function' && !known.has(name) && /^[A-Z]/.test(name)) {
      logger.warn('handler is not a CSI RPC and will never be called', { service, name });
    }
  }
  return implementation;
}

export async function startCsiServer(options: CsiServerOptions): Promise<CsiServer> {
  const endpoint = parseEndpoint(options.endpoint);
  const logger = options.logger;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const metrics = options.metrics ?? defaultCsiCallMetrics;
  const server = new grpc.Server();

  const register = (name: string, definition: grpc.ServiceDefinition, handlers: HandlerObject | undefined): void => {
    if (!handlers) return;
    server.addService(definition, buildImplementation(name, definition, handlers, logger, metrics));
  };
  register('Identity', csiServiceDefinition('Identity'), options.services.identity);
  register('Controller', csiServiceDefinition('Controller'), options.services.controller);
  register('Node', csiServiceDefinition('Node'), options.services.node);
  register('GroupController', csiServiceDefinition('GroupController'), options.services.groupController);

  if (endpoint.kind === 'unix') {
    if (await isSocketInUse(endpoint.path)) {
      throw new Error(`another process is already serving on ${endpoint.path}`);
    }
    prepareSocketPath(endpoint.path);
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(grpcAddress(endpoint), grpc.ServerCredentials.createInsecure(), (err, boundPort) =>
      err ? reject(err) : resolve(boundPort),
    );
  });
  const address = endpoint.kind === 'unix' ? endpoint.path : `${endpoint.host}:${port}`;
  logger.info('CSI server listening', {
    address,
    services: Object.entries(options.services)
      .filter(([, handlers]) => handlers !== undefined)
      .map(([name]) => name),
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          logger.warn('running calls did not finish in time; cancelling them', { drainTimeoutMs });
          server.forceShutdown();
          finish();
        }, drainTimeoutMs);
        server.tryShutdown(finish);
      });
      if (endpoint.kind === 'unix') removeSocket(endpoint.path);
      logger.info('CSI server stopped', { address });
    })();
    return stopping;
  };

  return { address, endpoint, stop };
}
