/**
 * The partner node plugin (csi-driver-nfs, ceph-csi CephFS) this node service forwards to, over the
 * production CSI client. Its errors keep their gRPC codes; a partner that cannot be reached is
 * UNAVAILABLE, naming the endpoint so the operator knows which socket to check.
 */
import { Code, CsiError } from '../../csi/errors';
import { createCsiClient, type CsiClient } from '../../csi/client';

export interface Partner {
  /** The partner's Node service with every failure as a CsiError carrying the partner's code. */
  call<T>(what: string, work: (client: CsiClient) => Promise<T>): Promise<T>;
  readonly endpoint: string;
  close(): void;
}

interface GrpcFailure {
  code?: number;
  details?: string;
  message?: string;
}

export function connectPartner(endpoint: string): Partner {
  let client: CsiClient | undefined;
  const connection = () => (client ??= createCsiClient(endpoint));
  return {
    endpoint,
    async call(what, work) {
      try {
        return await work(connection());
      } catch (error) {
        const failure = error as GrpcFailure;
        const code = typeof failure.code === 'number' ? (failure.code as Code) : Code.INTERNAL;
        const detail = failure.details || failure.message || String(error);
        if (code === Code.UNAVAILABLE) {
          throw new CsiError(Code.UNAVAILABLE, `partner node plugin at ${endpoint} is unavailable (${what}): ${detail}`, { cause: error });
        }
        throw new CsiError(code, `partner node plugin: ${what}: ${detail}`, { cause: error });
      }
    },
    close() {
      client?.close();
      client = undefined;
    },
  };
}
