/**
 * clouds.yaml (os-client-config format). Used when cloud.conf says `use-clouds = true` or the CSI secret
 * says `os-useClouds`: values found there fill only the fields the primary source left empty.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import type { Logger } from '../../log/logger';
import { ConfigError } from '../errors';
import type { CloudCredentials } from './credentials';

export interface CloudsYamlOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Where the request to use clouds.yaml came from, for error messages. */
  source: string;
}

/** Standard search order of openstacksdk / gophercloud clientconfig. */
export function cloudsYamlSearchPath(env: NodeJS.ProcessEnv): string[] {
  const candidates: string[] = [];
  if (env.OS_CLIENT_CONFIG_FILE) candidates.push(env.OS_CLIENT_CONFIG_FILE);
  candidates.push(path.join(process.cwd(), 'clouds.yaml'));
  const home = env.HOME ?? os.homedir();
  if (home) candidates.push(path.join(home, '.config', 'openstack', 'clouds.yaml'));
  candidates.push('/etc/openstack/clouds.yaml');
  return candidates;
}

/** `secure.yaml` (secrets kept apart from clouds.yaml), merged over the clouds.yaml entry. */
export function secureYamlSearchPath(env: NodeJS.ProcessEnv, cloudsFile: string): string[] {
  const candidates: string[] = [];
  if (env.OS_CLIENT_SECURE_FILE) candidates.push(env.OS_CLIENT_SECURE_FILE);
  candidates.push(path.join(path.dirname(cloudsFile), 'secure.yaml'));
  for (const clouds of cloudsYamlSearchPath(env)) candidates.push(path.join(path.dirname(clouds), 'secure.yaml'));
  return [...new Set(candidates)];
}

type YamlMap = Record<string, unknown>;

function deepMerge(base: YamlMap, over: YamlMap): YamlMap {
  const out: YamlMap = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const inner = asMap(value);
    const current = asMap(out[key]);
    out[key] = inner && current ? deepMerge(current, inner) : value;
  }
  return out;
}

function readYaml(file: string): unknown {
  try {
    return yaml.load(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    // The YAML error may quote file content (a password); report only the position.
    const mark = (err as { mark?: { line?: number } }).mark;
    throw new ConfigError(`cannot read clouds file ${file}${mark?.line !== undefined ? ` (line ${mark.line + 1})` : ''}`);
  }
}

function asMap(value: unknown): YamlMap | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as YamlMap) : undefined;
}

function text(map: YamlMap | undefined, ...keys: string[]): string | undefined {
  if (!map) return undefined;
  for (const key of keys) {
    const value = map[key];
    if (value !== undefined && value !== null && String(value).length > 0) return String(value);
  }
  return undefined;
}

export function fillFromCloudsYaml(credentials: CloudCredentials, options: CloudsYamlOptions): CloudCredentials {
  const file = credentials.cloudsFile ?? cloudsYamlSearchPath(options.env).find((candidate) => fs.existsSync(candidate));
  if (!file) {
    throw new ConfigError(
      `${options.source}: use-clouds is set but no clouds.yaml was found (searched ${cloudsYamlSearchPath(options.env).join(', ')})`,
    );
  }
  const document = readYaml(file);
  const clouds = asMap(asMap(document)?.clouds);
  const cloudName = credentials.cloud ?? options.env.OS_CLOUD;
  if (!cloudName) throw new ConfigError(`${options.source}: use-clouds is set but no "cloud" name is given`);
  let entry = asMap(clouds?.[cloudName]);
  const secureFile = secureYamlSearchPath(options.env, file).find((candidate) => fs.existsSync(candidate));
  const secureEntry = secureFile ? asMap(asMap(asMap(readYaml(secureFile))?.clouds)?.[cloudName]) : undefined;
  if (entry && secureEntry) entry = deepMerge(entry, secureEntry);
  if (!entry) {
    throw new ConfigError(
      `clouds file ${file} has no cloud "${cloudName}" (it has: ${Object.keys(clouds ?? {}).join(', ') || 'none'})`,
    );
  }
  options.logger.debug(2, 'filling cloud credentials from clouds.yaml', { file, cloud: cloudName });
  const auth = asMap(entry.auth);
  const fromYaml: CloudCredentials = {
    authUrl: text(auth, 'auth_url'),
    userId: text(auth, 'user_id'),
    username: text(auth, 'username'),
    password: text(auth, 'password'),
    token: text(auth, 'token'),
    projectId: text(auth, 'project_id', 'tenant_id'),
    projectName: text(auth, 'project_name', 'tenant_name'),
    projectDomainId: text(auth, 'project_domain_id'),
    projectDomainName: text(auth, 'project_domain_name'),
    domainId: text(auth, 'domain_id'),
    domainName: text(auth, 'domain_name'),
    userDomainId: text(auth, 'user_domain_id'),
    userDomainName: text(auth, 'user_domain_name'),
    trustId: text(auth, 'trust_id'),
    applicationCredentialId: text(auth, 'application_credential_id'),
    applicationCredentialName: text(auth, 'application_credential_name'),
    applicationCredentialSecret: text(auth, 'application_credential_secret'),
    region: text(entry, 'region_name'),
    endpointType: text(entry, 'interface', 'endpoint_type')?.replace(/URL$/, ''),
    caFile: text(entry, 'cacert'),
    certFile: text(entry, 'cert'),
    keyFile: text(entry, 'key'),
  };
  const verify = entry.verify;
  if (verify === false || verify === 'false') fromYaml.tlsInsecure = true;

  const merged: CloudCredentials = { ...credentials };
  for (const [key, value] of Object.entries(fromYaml) as [keyof CloudCredentials, unknown][]) {
    if (value === undefined) continue;
    if (merged[key] === undefined || merged[key] === '') {
      (merged as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}
