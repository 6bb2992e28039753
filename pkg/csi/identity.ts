/**
 * The CSI Identity service: plugin name and version, plugin capabilities, and readiness.
 */
import type { IdentityHandlers } from './handlers';
import type { PluginCapability, VolumeExpansionName } from './types';

export interface IdentityCapabilities {
  /**
   * CONTROLLER_SERVICE: when the plugin as deployed has a controller, on every instance (the spec wants
   * the same capabilities from all instances, whichever services each one serves).
   */
  controllerService?: boolean;
  /** VOLUME_ACCESSIBILITY_CONSTRAINTS: volumes are not reachable from every node (topology). */
  volumeAccessibilityConstraints?: boolean;
  /** GROUP_CONTROLLER_SERVICE. */
  groupControllerService?: boolean;
  /** VolumeExpansion types to advertise, e.g. ['ONLINE']. */
  volumeExpansion?: ReadonlyArray<Exclude<VolumeExpansionName, 'UNKNOWN'>>;
}

export interface IdentityOptions {
  driverName: string;
  vendorVersion: string;
  capabilities: IdentityCapabilities;
  /** Probe's answer: false while the cloud client or node metadata is still initialising. A throw means unhealthy. */
  ready: () => boolean | Promise<boolean>;
  manifest?: Record<string, string>;
}

// CSI: at most 63 characters, domain-name notation, alphanumeric at both ends.
const DRIVER_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]{0,61}[a-zA-Z0-9])?$/;

export function validateDriverName(name: string): void {
  if (!DRIVER_NAME.test(name)) {
    throw new Error(
      `driver name "${name}" is invalid: it must be 1-63 characters of letters, digits, '-' and '.', starting and ending with a letter or digit`,
    );
  }
}

export function createIdentityService(options: IdentityOptions): IdentityHandlers {
  validateDriverName(options.driverName);
  if (options.vendorVersion.trim() === '') throw new Error('vendor version must not be empty');

  const capabilities: PluginCapability[] = [];
  const caps = options.capabilities;
  if (caps.controllerService) capabilities.push({ service: { type: 'CONTROLLER_SERVICE' } });
  if (caps.volumeAccessibilityConstraints) {
    capabilities.push({ service: { type: 'VOLUME_ACCESSIBILITY_CONSTRAINTS' } });
  }
  if (caps.groupControllerService) capabilities.push({ service: { type: 'GROUP_CONTROLLER_SERVICE' } });
  for (const type of caps.volumeExpansion ?? []) capabilities.push({ volume_expansion: { type } });

  return {
    async GetPluginInfo() {
      return { name: options.driverName, vendor_version: options.vendorVersion, manifest: options.manifest ?? {} };
    },
    async GetPluginCapabilities() {
      return { capabilities };
    },
    async Probe() {
      return { ready: { value: await options.ready() } };
    },
  };
}
