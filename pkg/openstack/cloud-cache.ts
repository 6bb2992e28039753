/**
 * Reuses one authenticated Cloud per distinct credentials set, so a driver that receives credentials with
 * every request (Manila's CSI secrets) does not authenticate on every RPC as CPO does.
 */
import { createHash } from 'node:crypto';
import { createCloud, type CloudClientOptions, type OpenStackCloud } from './cloud';
import type { CloudCredentials } from './config/credentials';
import { credentialsFromSecrets } from './config/secrets';

export interface CloudCacheOptions extends CloudClientOptions {
  /** Most clouds kept; the least recently used is dropped beyond this (default 32). */
  maxEntries?: number;
}

export class CloudCache {
  private readonly entries = new Map<string, OpenStackCloud>();
  private readonly maxEntries: number;

  constructor(private readonly options: CloudCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 32);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cloud for these credentials, created on first use. */
  forCredentials(credentials: CloudCredentials): OpenStackCloud {
    // Only a digest of the credentials is kept as the key, never the secrets themselves.
    const key = createHash('sha256').update(stableJson(credentials)).digest('hex');
    const existing = this.entries.get(key);
    if (existing) {
      this.entries.delete(key);
      this.entries.set(key, existing);
      return existing;
    }
    const { maxEntries: _maxEntries, ...clientOptions } = this.options;
    const cloud = createCloud(credentials, clientOptions);
    this.entries.set(key, cloud);
    while (this.entries.size > this.maxEntries) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, OpenStackCloud];
      this.entries.delete(oldestKey);
      oldest.close();
    }
    return cloud;
  }

  /** The cloud for a CSI secrets map (`os-*` keys). */
  forSecrets(secrets: Record<string, string>): OpenStackCloud {
    return this.forCredentials(credentialsFromSecrets(secrets, { logger: this.options.logger }));
  }

  clear(): void {
    for (const cloud of this.entries.values()) cloud.close();
    this.entries.clear();
  }
}

function stableJson(value: CloudCredentials): string {
  const record = value as Record<string, unknown>;
  return JSON.stringify(Object.keys(record).sort().map((key) => [key, record[key]]));
}
