/**
 * cloud.conf (the INI/gcfg file CPO reads): `[Global]`, `[Global "name"]`, `[BlockStorage]`, `[Metadata]`.
 * Several files may be given; a key in a later file overrides the same key of an earlier one.
 */
import * as fs from 'node:fs';
import * as ini from 'ini';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { ConfigError } from '../errors';
import { fillFromCloudsYaml } from './clouds-yaml';
import type { CloudConfig, CloudCredentials, MetadataSource } from './credentials';
import { optionalString, parseBoolean, parseDurationMs, parseInteger } from './parse-values';

type StringField = Exclude<keyof CloudCredentials, 'tlsInsecure' | 'useClouds'>;

/** cloud.conf `[Global]` key → credentials field. */
const GLOBAL_STRING_KEYS: Record<string, StringField> = {
  'auth-url': 'authUrl',
  'user-id': 'userId',
  username: 'username',
  password: 'password',
  token: 'token',
  'tenant-id': 'projectId',
  'tenant-name': 'projectName',
  'tenant-domain-id': 'projectDomainId',
  'tenant-domain-name': 'projectDomainName',
  'trust-id': 'trustId',
  'trustee-id': 'trusteeId',
  'trustee-password': 'trusteePassword',
  'domain-id': 'domainId',
  'domain-name': 'domainName',
  'user-domain-id': 'userDomainId',
  'user-domain-name': 'userDomainName',
  region: 'region',
  'os-endpoint-type': 'endpointType',
  'ca-file': 'caFile',
  'cert-file': 'certFile',
  'key-file': 'keyFile',
  'clouds-file': 'cloudsFile',
  cloud: 'cloud',
  'application-credential-id': 'applicationCredentialId',
  'application-credential-name': 'applicationCredentialName',
  'application-credential-secret': 'applicationCredentialSecret',
};
const GLOBAL_BOOLEAN_KEYS: Record<string, 'tlsInsecure' | 'useClouds'> = {
  'tls-insecure': 'tlsInsecure',
  'use-clouds': 'useClouds',
};
const BLOCK_STORAGE_KEYS = new Set([
  'node-volume-attach-limit',
  'rescan-on-resize',
  'ignore-volume-az',
  'ignore-volume-microversion',
  // Accepted by CPO's struct, unused by the CSI plugin.
  'bs-version',
  'trust-device-path',
]);
const METADATA_KEYS = new Set(['search-order', 'request-timeout']);

/** Values of one section with the file that last set each key. */
interface MergedSection {
  values: Map<string, unknown>;
  sourceOf: Map<string, string>;
}

export interface LoadCloudConfigOptions {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /**
   * Check that every cloud section can authenticate (default true). A node-only plugin reads
   * `[BlockStorage]`/`[Metadata]` but never calls the cloud, so it passes false.
   */
  requireCredentials?: boolean;
}

export function loadCloudConfig(files: string[], options: LoadCloudConfigOptions = {}): CloudConfig {
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? process.env;
  if (files.length === 0) throw new ConfigError('no cloud config file given');
  const sections = new Map<string, MergedSection>();
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read cloud config ${file}: ${(err as Error).message}`);
    }
    mergeInto(sections, parseIni(text), file);
  }
  return buildConfig(sections, files.join(', '), logger, env, options.requireCredentials ?? true);
}

/** Parses cloud.conf text (one file); exported for tests and for configs held in memory. */
export function parseCloudConfigText(
  text: string,
  options: LoadCloudConfigOptions & { source?: string } = {},
): CloudConfig {
  const sections = new Map<string, MergedSection>();
  const source = options.source ?? 'cloud.conf';
  mergeInto(sections, parseIni(text), source);
  return buildConfig(
    sections,
    source,
    options.logger ?? silentLogger,
    options.env ?? process.env,
    options.requireCredentials ?? true,
  );
}

function parseIni(text: string): Record<string, unknown> {
  // `ini` nests sections at dots; cloud names like `[Global "region.one"]` must stay whole.
  const escaped = text.replace(/^(\s*\[)([^\]]*)(\]\s*)$/gm, (_m, open: string, name: string, close: string) => {
    return open + name.replace(/\./g, '\\.') + close;
  });
  return ini.parse(escaped) as Record<string, unknown>;
}

function mergeInto(sections: Map<string, MergedSection>, parsed: Record<string, unknown>, file: string): void {
  for (const [rawName, body] of Object.entries(parsed)) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) continue;
    const name = normaliseSectionName(rawName);
    const section = sections.get(name) ?? { values: new Map(), sourceOf: new Map() };
    for (const [rawKey, value] of Object.entries(body as Record<string, unknown>)) {
      // gcfg variable names are case-insensitive.
      const key = rawKey.trim().toLowerCase();
      section.values.set(key, value);
      section.sourceOf.set(key, file);
    }
    sections.set(name, section);
  }
}

/** `Global` → `global`; `Global "Name"` → `global "Name"` (section names are case-insensitive, subsections not). */
function normaliseSectionName(raw: string): string {
  const match = /^\s*(\S+)\s+"(.*)"\s*$/.exec(raw);
  if (match) return `${match[1].toLowerCase()} "${match[2]}"`;
  return raw.trim().toLowerCase();
}

function buildConfig(
  sections: Map<string, MergedSection>,
  allFiles: string,
  logger: Logger,
  env: NodeJS.ProcessEnv,
  requireCredentials: boolean,
): CloudConfig {
  const unknown: string[] = [];
  const clouds = new Map<string, CloudCredentials>();
  for (const [name, section] of sections) {
    const cloudName = cloudNameOf(name);
    if (cloudName === undefined) continue;
    clouds.set(cloudName, readCloudSection(section, name, unknown, logger, env, requireCredentials));
  }
  if (clouds.size === 0 && requireCredentials) {
    throw new ConfigError(`cloud config ${allFiles} has no [Global] section`);
  }

  const blockStorageSection = sections.get('blockstorage');
  const blockStorage = {
    rescanOnResize: false,
    ignoreVolumeAZ: false,
    ignoreVolumeMicroversion: false,
  } as CloudConfig['blockStorage'];
  if (blockStorageSection) {
    for (const [key, value] of blockStorageSection.values) {
      const source = `${blockStorageSection.sourceOf.get(key)} [BlockStorage]`;
      if (!BLOCK_STORAGE_KEYS.has(key)) unknown.push(`[BlockStorage] ${key}`);
      else if (key === 'node-volume-attach-limit') blockStorage.nodeVolumeAttachLimit = parseInteger(value, key, source);
      else if (key === 'rescan-on-resize') blockStorage.rescanOnResize = parseBoolean(value, key, source);
      else if (key === 'ignore-volume-az') blockStorage.ignoreVolumeAZ = parseBoolean(value, key, source);
      else if (key === 'ignore-volume-microversion') {
        blockStorage.ignoreVolumeMicroversion = parseBoolean(value, key, source);
      }
    }
  }

  const metadata: CloudConfig['metadata'] = { searchOrder: ['configDrive', 'metadataService'] };
  const metadataSection = sections.get('metadata');
  if (metadataSection) {
    for (const [key, value] of metadataSection.values) {
      const source = `${metadataSection.sourceOf.get(key)} [Metadata]`;
      if (!METADATA_KEYS.has(key)) unknown.push(`[Metadata] ${key}`);
      else if (key === 'search-order') metadata.searchOrder = parseSearchOrder(value, source);
      else if (key === 'request-timeout') metadata.requestTimeoutMs = parseDurationMs(value, key, source);
    }
  }

  for (const name of sections.keys()) {
    if (cloudNameOf(name) === undefined && name !== 'blockstorage' && name !== 'metadata') {
      unknown.push(`[${name}]`);
    }
  }
  if (unknown.length > 0) {
    logger.warn('cloud config has keys this driver does not use; ignoring them', { unknownKeys: unknown });
  }
  return { clouds, blockStorage, metadata };
}

function cloudNameOf(sectionName: string): string | undefined {
  if (sectionName === 'global') return '';
  const match = /^global "(.*)"$/.exec(sectionName);
  return match ? match[1] : undefined;
}

function readCloudSection(
  section: MergedSection,
  sectionName: string,
  unknown: string[],
  logger: Logger,
  env: NodeJS.ProcessEnv,
  requireCredentials: boolean,
): CloudCredentials {
  const label = displaySection(sectionName);
  let credentials: CloudCredentials = {};
  for (const [key, value] of section.values) {
    const source = `${section.sourceOf.get(key)} ${label}`;
    const field = GLOBAL_STRING_KEYS[key];
    const booleanField = GLOBAL_BOOLEAN_KEYS[key];
    if (field) {
      const text = optionalString(value);
      if (text !== undefined) credentials[field] = text;
    } else if (booleanField) {
      credentials[booleanField] = parseBoolean(value, key, source);
    } else {
      unknown.push(`${label} ${key}`);
    }
  }
  const anyFile = [...section.sourceOf.values()].pop() ?? 'cloud.conf';
  if (credentials.useClouds) {
    credentials = fillFromCloudsYaml(credentials, { env, logger, source: `${anyFile} ${label}` });
  }
  if (requireCredentials) validateCredentials(credentials, `${anyFile} ${label}`);
  return credentials;
}

function displaySection(name: string): string {
  const cloudName = cloudNameOf(name);
  return cloudName ? `[Global "${cloudName}"]` : '[Global]';
}

function parseSearchOrder(value: unknown, source: string): MetadataSource[] {
  const entries = String(value)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0 || entries.length > 2) {
    throw new ConfigError(`${source}: key "search-order" must list configDrive and/or metadataService`);
  }
  return entries.map((entry) => {
    if (entry !== 'configDrive' && entry !== 'metadataService') {
      throw new ConfigError(`${source}: key "search-order" has unknown source "${entry}"`);
    }
    return entry;
  });
}

/**
 * The keys a session cannot work without. The error names the key (never a value) and where it was
 * expected.
 */
export function validateCredentials(
  credentials: CloudCredentials,
  source: string,
  keyName: (cloudConfKey: string) => string = (key) => key,
): void {
  const k = (key: string) => `"${keyName(key)}"`;
  if (!credentials.authUrl) throw new ConfigError(`${source}: required key ${k('auth-url')} is missing`);
  const hasAppCredential = Boolean(credentials.applicationCredentialId || credentials.applicationCredentialName);
  if (hasAppCredential) {
    if (!credentials.applicationCredentialSecret) {
      throw new ConfigError(`${source}: required key ${k('application-credential-secret')} is missing`);
    }
    if (!credentials.applicationCredentialId && !credentials.userId && !credentials.username) {
      throw new ConfigError(
        `${source}: ${k('application-credential-name')} needs ${k('user-id')} or ${k('username')} (or use ${k('application-credential-id')})`,
      );
    }
    return;
  }
  if (credentials.trustId) {
    if (!credentials.trusteeId && !credentials.userId && !credentials.username) {
      throw new ConfigError(`${source}: required key ${k('trustee-id')} is missing (needed with ${k('trust-id')})`);
    }
    if (!credentials.trusteePassword && !credentials.password) {
      throw new ConfigError(`${source}: required key ${k('trustee-password')} is missing (needed with ${k('trust-id')})`);
    }
    return;
  }
  if (credentials.token) return;
  if (!credentials.userId && !credentials.username) {
    throw new ConfigError(`${source}: required key ${k('username')} (or ${k('user-id')}) is missing`);
  }
  if (!credentials.password) throw new ConfigError(`${source}: required key ${k('password')} is missing`);
}
