/** Public surface of the OpenStack client. Drivers use these and the contracts of `api/` / `errors.ts`. */
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
export { BatchingFetcher, StatusWaiter, type CoalescingOptions, type ResourceSource } from './waiter';
export { PaceModel, type PaceModelOptions, type PaceObservation, type WaitPlan } from './pace-model';
export {
  DEFAULT_WAIT_SCHEDULES,
  resolveWaitSchedules,
  scheduleTotalMs,
  withInitialDelay,
  withInitialDelays,
  type WaitSchedules,
} from './wait-schedules';
export {
  createOpenStackMetrics,
  defaultOpenStackMetrics,
  METRIC_NAMES,
  noopMetrics,
  openstackMetricsRegistry,
  type OpenStackMetrics,
} from './metrics';
export { CINDER_MICROVERSIONS, CinderClient } from './cinder';
export { NOVA_MICROVERSIONS, NovaClient } from './nova';
export { MANILA_MICROVERSIONS, ManilaClient } from './manila';
export type { KeystoneSession } from './keystone/session';
export type { HttpTransport, TransportRequest } from './http/transport';
export type { RawResponse } from './http/error-translation';
