/** Options of `startSimulator` and their defaults. */
import type { Logger } from '../log/logger';
import type { Latency } from './control';
import type { SharedFileSystemOptions } from './shared-file-system/behaviour';

export interface CinderQuotas {
  volumes: number;
  gigabytes: number;
  snapshots: number;
  backups: number;
  backup_gigabytes: number;
  /** -1 = unlimited. */
  per_volume_gigabytes: number;
  groups: number;
}

export interface ManilaQuotas {
  shares: number;
  gigabytes: number;
  snapshots: number;
  snapshot_gigabytes: number;
  share_networks: number;
}

export interface SimServerSpec {
  name: string;
  availabilityZone?: string;
  id?: string;
  /** Per-server attachment limit (Nova `[compute] max_disk_devices_to_attach`); undefined = unlimited. */
  maxVolumes?: number;
}

export interface SimulatorOptions {
  /** 0 (default) = any free port. */
  port?: number;
  host?: string;
  /** Keystone catalog regions (default ['RegionOne']). */
  regions?: string[];
  /** Catalog interfaces (default public, internal, admin). */
  interfaces?: ('public' | 'internal' | 'admin')[];
  availabilityZones?: string[];
  tokenLifetimeSeconds?: number;
  /** Per asynchronous status transition (default 50 ms). */
  latencyMs?: Latency;
  devices?: { enabled?: boolean; workDir?: string; byIdDir?: string; scsiLinks?: boolean };
  quotas?: { blockStorage?: Partial<CinderQuotas>; sharedFileSystem?: Partial<ManilaQuotas> };
  /** Servers to create at start; default one named after the host in the first AZ. */
  servers?: SimServerSpec[];
  /** Default per-server attachment limit for servers that set none; undefined = unlimited. */
  maxVolumesPerServer?: number;
  microversions?: { volumeMax?: string; computeMax?: string; shareMax?: string };
  /** Manila backend behaviour: export locations per share, access-rule states (changeable later through `sim.sharedFileSystem`). */
  sharedFileSystem?: SharedFileSystemOptions;
  /** Serve the JSON admin API under `/admin` (standalone binary). */
  adminApi?: boolean;
  /** Seed of the PRNG behind error rates and latency ranges. */
  randomSeed?: number;
  logger?: Logger;
}

export const DEFAULT_CINDER_QUOTAS: CinderQuotas = {
  volumes: 10,
  gigabytes: 1000,
  snapshots: 10,
  backups: 10,
  backup_gigabytes: 1000,
  per_volume_gigabytes: -1,
  groups: 10,
};

export const DEFAULT_MANILA_QUOTAS: ManilaQuotas = {
  shares: 50,
  gigabytes: 1000,
  snapshots: 50,
  snapshot_gigabytes: 1000,
  share_networks: 10,
};

export const DEFAULT_MICROVERSIONS = { volumeMax: '3.70', computeMax: '2.96', shareMax: '2.84' };
