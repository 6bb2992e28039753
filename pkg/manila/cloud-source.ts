/**
 * Where a Manila request's cloud comes from: the CSI secrets' `os-*` keys when the request carries any
 * (CPO's way), else the default credentials of `--cloud-config` (cloud.conf, optionally pointing at
 * clouds.yaml; CPO #2532, #2757). Either way one authenticated session per distinct credential set is kept
 * in a `CloudCache` and reused across RPCs, where CPO authenticates and re-reads the API version on every
 * call.
 */
import { invalidArgument } from '../csi/errors';
import { toCsiError } from '../driver-kit/openstack-errors';
import type { CloudWith } from '../openstack/api';
import type { CloudCache } from '../openstack/cloud-cache';
import type { CloudCredentials } from '../openstack/config/credentials';

/** What the Manila driver uses of a cloud. */
/** Manila for shares; Nova for the node addresses of opt-in per-node NFS access. */
export type ManilaCloud = CloudWith<'sharedFileSystem' | 'compute'>;

export interface ManilaClouds {
  /** The cloud a request's secrets select (secrets may be empty when default credentials exist). */
  forSecrets(secrets: Record<string, string> | null | undefined): ManilaCloud;
}

const SECRET_PREFIX = 'os-';

export function hasOpenStackSecrets(secrets: Record<string, string> | null | undefined): boolean {
  return Object.keys(secrets ?? {}).some((key) => key.startsWith(SECRET_PREFIX));
}

export class ManilaCloudSource implements ManilaClouds {
  constructor(
    private readonly cache: CloudCache,
    /** `[Global]` of `--cloud-config`; undefined when no cloud.conf was given. */
    private readonly defaultCredentials?: CloudCredentials,
  ) {}

  forSecrets(secrets: Record<string, string> | null | undefined): ManilaCloud {
    if (hasOpenStackSecrets(secrets)) {
      try {
        return this.cache.forSecrets(secrets as Record<string, string>);
      } catch (error) {
        throw toCsiError(error, { operation: 'read OpenStack credentials from the CSI secrets' });
      }
    }
    if (this.defaultCredentials) return this.cache.forCredentials(this.defaultCredentials);
    throw invalidArgument(
      'no OpenStack credentials: the request carries no os-* secrets (set csi.storage.k8s.io/*-secret-name in the StorageClass) and the plugin was started without --cloud-config',
    );
  }

  close(): void {
    this.cache.clear();
  }
}
