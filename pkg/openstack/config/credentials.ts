/**
 * One cloud's connection settings, whatever their source (cloud.conf `[Global]`, clouds.yaml, or a CSI
 * secrets map). Field names follow the cloud.conf keys in camelCase.
 */
export interface CloudCredentials {
  authUrl?: string;
  userId?: string;
  username?: string;
  password?: string;
  token?: string;
  /** `tenant-id`: project ID of the scope. */
  projectId?: string;
  /** `tenant-name`: project name of the scope (needs a project domain). */
  projectName?: string;
  projectDomainId?: string;
  projectDomainName?: string;
  trustId?: string;
  trusteeId?: string;
  trusteePassword?: string;
  /** Default for both the user and the project domain (and the scope when no project is given). */
  domainId?: string;
  domainName?: string;
  userDomainId?: string;
  userDomainName?: string;
  region?: string;
  /** `os-endpoint-type`: catalog interface (`public`, `internal`, `admin`); default `public`. */
  endpointType?: string;
  /** Path to a PEM CA bundle. */
  caFile?: string;
  /** PEM CA bundle given inline (Manila's `os-certAuthority`). */
  caData?: string;
  tlsInsecure?: boolean;
  certFile?: string;
  keyFile?: string;
  useClouds?: boolean;
  cloudsFile?: string;
  cloud?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
}

/** Keys whose values are secrets; used to keep them out of logs and error messages. */
export const SECRET_CREDENTIAL_FIELDS = [
  'password',
  'token',
  'trusteePassword',
  'applicationCredentialSecret',
] as const satisfies readonly (keyof CloudCredentials)[];

export function secretValues(credentials: CloudCredentials): string[] {
  return SECRET_CREDENTIAL_FIELDS.map((key) => credentials[key]).filter(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
}

export interface BlockStorageConfig {
  nodeVolumeAttachLimit?: number;
  rescanOnResize: boolean;
  ignoreVolumeAZ: boolean;
  ignoreVolumeMicroversion: boolean;
}

export type MetadataSource = 'configDrive' | 'metadataService';

export interface MetadataConfig {
  searchOrder: MetadataSource[];
  requestTimeoutMs?: number;
}

export interface CloudConfig {
  /** "" is `[Global]`; other keys are `[Global "name"]` sections. */
  clouds: Map<string, CloudCredentials>;
  blockStorage: BlockStorageConfig;
  metadata: MetadataConfig;
}
