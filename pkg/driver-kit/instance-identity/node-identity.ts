/**
 * Who this node is in Nova: the instance UUID (the CSI node ID) and its availability zone. Tries the
 * metadata sources in search order, then the Kubernetes Node's providerID, and remembers the first
 * answer (it cannot change while the plugin runs). A failure lists every attempt and why it failed.
 */
import * as os from 'node:os';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { parseProviderId, type NodeIdentityFallback } from './kubernetes-identity';
import type { MetadataSource } from './metadata';

export interface NodeIdentity {
  instanceId: string;
  availabilityZone?: string;
  /** Which source answered (`configDrive`, `metadataService`, or the fallback's description). */
  source: string;
}

export class NodeIdentityUnavailableError extends Error {
  constructor(readonly attempts: { source: string; error: string }[]) {
    super(
      `cannot determine this node's Nova instance ID; tried ${
        attempts.length ? attempts.map((attempt) => `${attempt.source}: ${attempt.error}`).join('; ') : 'no sources'
      }`,
    );
    this.name = 'NodeIdentityUnavailableError';
  }
}

export interface NodeIdentityResolver {
  resolve(): Promise<NodeIdentity>;
}

export interface NodeIdentityResolverOptions {
  sources: readonly MetadataSource[];
  fallback?: NodeIdentityFallback;
  /** Kubernetes Node name, for the fallback. */
  nodeName: string;
  logger?: Logger;
}

/** `--node-name`, else env `NODE_NAME` (the DaemonSet's downward API), else the hostname. */
export function resolveNodeName(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag?.trim() || env.NODE_NAME?.trim() || os.hostname();
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createNodeIdentityResolver(options: NodeIdentityResolverOptions): NodeIdentityResolver {
  const logger = options.logger ?? silentLogger;
  let cached: NodeIdentity | undefined;
  let pending: Promise<NodeIdentity> | undefined;

  async function lookUp(): Promise<NodeIdentity> {
    const attempts: { source: string; error: string }[] = [];
    for (const source of options.sources) {
      try {
        const metadata = await source.read();
        return { instanceId: metadata.uuid, availabilityZone: metadata.availabilityZone, source: source.name };
      } catch (error) {
        logger.warn('instance metadata source failed', { source: source.name, error: message(error) });
        attempts.push({ source: source.name, error: message(error) });
      }
    }
    const fallback = options.fallback;
    if (fallback) {
      if (!fallback.available()) {
        attempts.push({ source: fallback.description, error: 'not running in a Kubernetes cluster and no kubeconfig given' });
      } else {
        try {
          const node = await fallback.lookup(options.nodeName);
          if (!node.providerId) throw new Error(`Node "${options.nodeName}" has no spec.providerID`);
          const { instanceId } = parseProviderId(node.providerId);
          logger.info('node identity taken from the Kubernetes Node providerID', { node: options.nodeName, instanceId });
          return { instanceId, availabilityZone: node.zone, source: fallback.description };
        } catch (error) {
          attempts.push({ source: `${fallback.description} "${options.nodeName}"`, error: message(error) });
        }
      }
    }
    throw new NodeIdentityUnavailableError(attempts);
  }

  return {
    async resolve() {
      if (cached) return cached;
      // Concurrent callers (readiness probe and NodeGetInfo) share one lookup.
      pending ??= lookUp().finally(() => {
        pending = undefined;
      });
      cached = await pending;
      return cached;
    },
  };
}
