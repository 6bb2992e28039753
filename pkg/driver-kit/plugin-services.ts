/**
 * The driver-independent half of "flags and cloud config → CSI services": a driver builds its
 * controller, group controller and node handlers, then `assemblePluginServices` adds the Identity
 * service (CONTROLLER_SERVICE advertised exactly when a controller is served), a Probe that is ready only
 * when every served part is ready, and one `close` for whatever the parts opened.
 */
import type { ControllerHandlers, CsiServices, GroupControllerHandlers, NodeHandlers } from '../csi/handlers';
import { createIdentityService, type IdentityCapabilities } from '../csi/identity';
import { packageVersion } from '../csi/version';

export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface PluginServices {
  services: CsiServices;
  /** Probe's answer, also served on --http-endpoint /healthz. */
  ready(): Promise<boolean>;
  /** Runs after the gRPC server has drained, e.g. to drop idle keep-alive connections. */
  close(): Promise<void>;
}

/** A configuration problem found at start: the binary reports it and exits non-zero. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export interface ServedParts {
  driverName: string;
  controller?: ControllerHandlers;
  groupController?: GroupControllerHandlers;
  node?: NodeHandlers;
  /** Every served part's readiness; Probe is ready when all pass. */
  readiness: readonly ReadinessCheck[];
  /** Plugin capabilities beyond which services are served (those follow from the parts). */
  capabilities: Omit<IdentityCapabilities, 'controllerService' | 'groupControllerService'>;
  /**
   * Advertise CONTROLLER_SERVICE even where this instance serves no controller (Manila's node pods, as
   * CPO does: the capability describes the plugin, which has a controller somewhere).
   */
  alwaysAdvertiseControllerService?: boolean;
  /** Called once by `close`, in order. */
  closers?: readonly (() => void | Promise<void>)[];
}

export function assemblePluginServices(parts: ServedParts): PluginServices {
  const ready = async (): Promise<boolean> =>
    (await Promise.all(parts.readiness.map((check) => check()))).every(Boolean);
  const identity = createIdentityService({
    driverName: parts.driverName,
    vendorVersion: packageVersion(),
    capabilities: {
      controllerService: parts.controller !== undefined || parts.alwaysAdvertiseControllerService === true,
      groupControllerService: parts.groupController !== undefined,
      ...parts.capabilities,
    },
    ready,
  });
  return {
    services: { identity, controller: parts.controller, groupController: parts.groupController, node: parts.node },
    ready,
    async close() {
      for (const close of parts.closers ?? []) await close();
    },
  };
}
