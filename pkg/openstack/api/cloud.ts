/**
 * A cloud as drivers see it. `OpenStackCloud` (the HTTP client) serves every service; a driver names
 * only the services it uses (`CloudWith<'blockStorage' | 'compute'>` for Cinder), so its fakes implement
 * just those.
 */
import type { BlockStorageApi } from './block-storage';
import type { ComputeApi } from './compute';
import type { SharedFileSystemApi } from './shared-file-system';

/** Which cloud this is, for every driver. */
export interface CloudIdentity {
  /** Name of the cloud: "" for `[Global]`, else the `[Global "name"]` name. */
  readonly name: string;
  /** Project (tenant) ID of the authenticated scope. */
  projectId(): Promise<string>;
}

/** The service clients of one cloud, by the name a driver reaches them under. */
export interface CloudServices {
  readonly blockStorage: BlockStorageApi;
  readonly compute: ComputeApi;
  readonly sharedFileSystem: SharedFileSystemApi;
}

/** A cloud with just the services `S`: what a driver depends on. */
export type CloudWith<S extends keyof CloudServices> = CloudIdentity & Pick<CloudServices, S>;

/** A cloud with every service: what the HTTP client implements. */
export interface Cloud extends CloudIdentity, CloudServices {}
