/**
 * The service-level contract of the OpenStack client, one file per service (`block-storage.ts` Cinder,
 * `compute.ts` Nova, `shared-file-system.ts` Manila) plus what they share (`common.ts`) and the cloud
 * that bundles them (`cloud.ts`). The HTTP client in this package implements them; the drivers depend
 * only on these contracts and `errors.ts`.
 */
export * from './common';
export * from './block-storage';
export * from './compute';
export * from './shared-file-system';
export * from './cloud';
