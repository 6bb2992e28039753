/**
 * Nova instance metadata (`openstack/latest/meta_data.json`) from the config drive or the metadata
 * service, tried in the `[Metadata] search-order` of cloud.conf. Only the fields the node plugin needs
 * are read: the instance UUID (the CSI node ID) and its availability zone.
 */
import { promises as fsp, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import axios from 'axios';
import type { CommandExecutor, Mounter } from '../../mounter';
import { createCommandExecutor } from '../../mounter';

export interface InstanceMetadata {
  uuid: string;
  availabilityZone?: string;
  name?: string;
}

export interface MetadataSource {
  /** `configDrive` or `metadataService`, as in cloud.conf's search-order. */
  readonly name: string;
  read(): Promise<InstanceMetadata>;
}

export type MetadataSourceName = 'configDrive' | 'metadataService';

export const DEFAULT_METADATA_URL = 'http://169.254.169.254/openstack/latest/meta_data.json';
export const DEFAULT_CONFIG_DRIVE_DEVICE = '/dev/disk/by-label/config-2';
const DEFAULT_METADATA_TIMEOUT_MS = 10_000;
const META_DATA_PATH = path.join('openstack', 'latest', 'meta_data.json');
const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Parses meta_data.json; `origin` names where it came from, for the error message. */
export function parseMetadataJson(text: string, origin: string): InstanceMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${origin} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!parsed || typeof parsed !== 'object') throw new Error(`${origin} is not a JSON object`);
  const fields = parsed as Record<string, unknown>;
  const uuid = typeof fields.uuid === 'string' ? fields.uuid.trim() : '';
  if (!UUID_PATTERN.test(uuid)) throw new Error(`${origin} has no valid "uuid" (got ${JSON.stringify(fields.uuid)})`);
  const zone = typeof fields.availability_zone === 'string' ? fields.availability_zone : undefined;
  return {
    uuid,
    availabilityZone: zone || undefined,
    name: typeof fields.name === 'string' ? fields.name : undefined,
  };
}

export interface ConfigDriveOptions {
  /**
   * A directory that already holds the config drive's content (`openstack/latest/meta_data.json`).
   * When set, nothing is mounted (tests and hosts that mount the drive themselves).
   */
  directory?: string;
  /** Config drive device. Default `/dev/disk/by-label/config-2`, else found with `blkid -t LABEL=config-2`. */
  device?: string;
  /** Needed to mount the device when `directory` is not set. */
  mounter?: Mounter;
  executor?: CommandExecutor;
}

export function createConfigDriveSource(options: ConfigDriveOptions): MetadataSource {
  const executor = options.executor ?? createCommandExecutor();

  async function findDevice(): Promise<string> {
    const configured = options.device ?? DEFAULT_CONFIG_DRIVE_DEVICE;
    if (existsSync(configured)) return configured;
    if (options.device) throw new Error(`config drive device ${configured} does not exist`);
    for (const label of ['config-2', 'CONFIG-2']) {
      const result = await executor.run('blkid', ['-l', '-t', `LABEL=${label}`, '-o', 'device'], { timeoutMs: 30_000 });
      const device = result.stdout.trim();
      if (result.exitCode === 0 && device) return device;
    }
    throw new Error(`no config drive: ${configured} does not exist and blkid finds no filesystem labelled config-2`);
  }

  async function readFromDevice(mounter: Mounter): Promise<InstanceMetadata> {
    const device = await findDevice();
    const mountDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'configdrive-'));
    try {
      const failures: string[] = [];
      let mounted = false;
      for (const fsType of ['iso9660', 'vfat']) {
        try {
          await mounter.mount(device, mountDir, fsType, ['ro']);
          mounted = true;
          break;
        } catch (error) {
          failures.push(`${fsType}: ${(error as Error).message}`);
        }
      }
      if (!mounted) throw new Error(`cannot mount config drive ${device} read-only (${failures.join('; ')})`);
      try {
        const file = path.join(mountDir, META_DATA_PATH);
        return parseMetadataJson(await fsp.readFile(file, 'utf8'), `${device}:${META_DATA_PATH}`);
      } finally {
        await mounter.unmount(mountDir);
      }
    } finally {
      await fsp.rmdir(mountDir).catch(() => undefined);
    }
  }

  return {
    name: 'configDrive',
    async read() {
      if (options.directory) {
        const file = path.join(options.directory, META_DATA_PATH);
        let text: string;
        try {
          text = await fsp.readFile(file, 'utf8');
        } catch (error) {
          throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
            cause: error,
          });
        }
        return parseMetadataJson(text, file);
      }
      if (!options.mounter) throw new Error('no config drive directory configured and no mounter to mount the drive');
      return readFromDevice(options.mounter);
    },
  };
}

export interface MetadataServiceOptions {
  /**
   * URL of meta_data.json, or a base URL under which `openstack/latest/meta_data.json` is served (such as
   * the simulator's `metadataUrlFor(serverId)`). Default `http://169.254.169.254/openstack/latest/meta_data.json`.
   */
  url?: string;
  /** `[Metadata] request-timeout`. Default 10 s. */
  timeoutMs?: number;
}

/** A URL ending in `.json` is used as it is; any other is a base that gets `/openstack/latest/meta_data.json`. */
export function metadataDocumentUrl(url: string | undefined): string {
  if (!url) return DEFAULT_METADATA_URL;
  const withoutQuery = url.split(/[?#]/)[0];
  if (withoutQuery.endsWith('.json')) return url;
  return `${url.replace(/\/+$/, '')}/openstack/latest/meta_data.json`;
}

export function createMetadataServiceSource(options: MetadataServiceOptions = {}): MetadataSource {
  const url = metadataDocumentUrl(options.url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_METADATA_TIMEOUT_MS;
  return {
    name: 'metadataService',
    async read() {
      let response;
      try {
        response = await axios.get<string>(url, {
          // The link-local metadata address must never go through an HTTP proxy from the environment.
          proxy: false,
          timeout: timeoutMs,
          responseType: 'text',
          transformResponse: (data: unknown) => data,
          validateStatus: () => true,
        });
      } catch (error) {
        const detail = (error as { code?: string }).code ?? (error as Error).message;
        throw new Error(`GET ${url} failed: ${detail}`, { cause: error });
      }
      if (response.status !== 200) throw new Error(`GET ${url} answered HTTP ${response.status}`);
      return parseMetadataJson(String(response.data), url);
    },
  };
}

/** Parses cloud.conf's `search-order` value ("configDrive,metadataService"); unknown names are rejected. */
export function parseSearchOrder(value: string | undefined): MetadataSourceName[] {
  if (!value || !value.trim()) return ['configDrive', 'metadataService'];
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  const out: MetadataSourceName[] = [];
  for (const name of names) {
    if (name !== 'configDrive' && name !== 'metadataService') {
      throw new Error(`[Metadata] search-order: unknown source "${name}" (use configDrive and/or metadataService)`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

export function createMetadataSources(
  searchOrder: readonly MetadataSourceName[],
  options: { configDrive: ConfigDriveOptions; metadataService: MetadataServiceOptions },
): MetadataSource[] {
  return searchOrder.map((name) =>
    name === 'configDrive'
      ? createConfigDriveSource(options.configDrive)
      : createMetadataServiceSource(options.metadataService),
  );
}
