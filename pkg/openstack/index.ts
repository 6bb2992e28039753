/** Public surface of the OpenStack client. Drivers use these and the types of `api.ts` / `errors.ts`. */
export * from './api';
export * from './errors';
export type {
  BlockStorageConfig,
  CloudConfig,
  CloudCredentials,
  MetadataConfig,
  MetadataSource,
} from './config/credentials';
export { secretValues } from './config/credentials';
export { loadCloudConfig, parseCloudConfigText, type LoadCloudConfigOptions } from './config/cloud-conf';
export { credentialsFromSecrets, type CredentialsFromSecretsOptions } from './config/secrets';
export { cloudsYamlSearchPath } from './config/clouds-yaml';
export {
  createCloud,
  createCloudsFromConfig,
  OpenStackCloud,
  userAgentString,
  type CloudClientOptions,
  type HttpOptions,
} from './cloud';
export { CloudCache, type CloudCacheOptions } from './cloud-cache';
export {
  DEFAULT_WAIT_SCHEDULES,
  resolveWaitSchedules,
  scheduleTotalMs,
  type CoalescingOptions,
  type WaitSchedules,
} from './waiter';
export {
  createOpenStackMetrics,
  defaultOpenStackMetrics,
  METRIC_NAMES,
  noopMetrics,
  openstackMetricsRegistry,
  type OpenStackMetrics,
} from './metrics';
export { CINDER_MICROVERSIONS } from './cinder';
export { NOVA_MICROVERSIONS } from './nova';
export { MANILA_MICROVERSIONS } from './manila';
export type { HttpTransport, TransportRequest } from './http/transport';
export type { RawResponse } from './http/error-translation';
