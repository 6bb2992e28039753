/**
 * Builds the CSI services this process serves, from the parsed flags.
 *
 * EXTENSION POINT: the Cinder controller and node services plug in here. Construct them when
 * `options.provideControllerService` / `options.provideNodeService` are set, assign them to
 * `controller` / `node`, push their readiness checks (cloud client authenticated, node metadata
 * loaded) into `readiness`, and their cleanup into `closers`. Identity then advertises
 * CONTROLLER_SERVICE exactly when a controller is served, and Probe reports ready only when every
 * readiness check passes.
 */
import type { Logger } from '../../pkg/log/logger';
import type { CinderPluginOptions } from '../../pkg/cinder/options';
import type { ControllerHandlers, CsiServices, NodeHandlers } from '../../pkg/csi/handlers';
import { createIdentityService } from '../../pkg/csi/identity';
import { packageVersion } from '../../pkg/csi/version';

export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface PluginServices {
  services: CsiServices;
  /** Runs after the gRPC server has drained: close cloud clients, HTTP servers, watchers. */
  close(): Promise<void>;
}

export async function buildServices(options: CinderPluginOptions, logger: Logger): Promise<PluginServices> {
  const readiness: ReadinessCheck[] = [];
  const closers: Array<() => Promise<void>> = [];
  const controller: ControllerHandlers | undefined = undefined;
  const node: NodeHandlers | undefined = undefined;

  if (options.provideControllerService && !controller) {
    logger.warn('controller service requested but not built into this binary yet; serving Identity only');
  }
  if (options.provideNodeService && !node) {
    logger.warn('node service requested but not built into this binary yet; serving Identity only');
  }

  const identity = createIdentityService({
    driverName: options.driverName,
    vendorVersion: packageVersion(),
    capabilities: {
      controllerService: controller !== undefined,
      volumeAccessibilityConstraints: options.withTopology,
      volumeExpansion: ['ONLINE'],
    },
    ready: async () => (await Promise.all(readiness.map((check) => check()))).every(Boolean),
  });

  return {
    services: { identity, controller, node },
    async close() {
      for (const close of closers) await close();
    },
  };
}
