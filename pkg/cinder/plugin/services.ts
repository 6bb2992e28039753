/**
 * Builds the CSI services this process serves, from the parsed flags and cloud.conf: the Cinder
 * controller (and group controller) with `--provide-controller-service`, the node service with
 * `--provide-node-service`. Identity advertises CONTROLLER_SERVICE exactly when a controller is served,
 * and Probe reports ready only when every service's readiness check passes (node: its Nova instance
 * ID is known).
 */
import type { Logger } from '../../log/logger';
import type { CinderPluginOptions } from '../options';
import { createCinderControllerService, DEFAULT_WAIT_SCHEDULES as CONTROLLER_WAITS } from '../controller';
import { createCinderNodePlugin, DEFAULT_DEVICE_WAIT } from '../node';
import type { ControllerHandlers, CsiServices, GroupControllerHandlers, NodeHandlers } from '../../csi/handlers';
import { createIdentityService } from '../../csi/identity';
import { packageVersion } from '../../csi/version';
import {
  createCloudsFromConfig,
  DEFAULT_WAIT_SCHEDULES as CLOUD_WAITS,
  loadCloudConfig,
  type Cloud,
  type CloudConfig,
  type OpenStackCloud,
} from '../../openstack';
import { withInitialDelay, withInitialDelays } from './wait-schedules';
import type { KubernetesClientModule } from '../kubernetes/client-loader';
import { createKubernetesPvcAnnotationReader } from '../kubernetes/pvc-annotations';

export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface PluginServices {
  services: CsiServices;
  /** Probe's answer, also served on --http-endpoint /healthz. */
  ready(): Promise<boolean>;
  /** Runs after the gRPC server has drained: drops the clouds' idle keep-alive connections. */
  close(): Promise<void>;
}

/** A configuration problem found at start: the binary reports it and exits non-zero. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** The `--cloud-name` clouds out of cloud.conf; each must have its `[Global]`/`[Global "name"]` section. */
function selectClouds(config: CloudConfig, all: Map<string, Cloud>, names: readonly string[]): Map<string, Cloud> {
  const selected = new Map<string, Cloud>();
  for (const name of names) {
    const cloud = all.get(name);
    if (!cloud) {
      const known = [...config.clouds.keys()].map((n) => (n === '' ? '[Global]' : `[Global "${n}"]`)).join(', ');
      throw new ConfigurationError(
        `--cloud-name "${name}" has no ${name === '' ? '[Global]' : `[Global "${name}"]`} section in the cloud config (found: ${known})`,
      );
    }
    selected.set(name, cloud);
  }
  return selected;
}

/** Replaceable parts, for tests. */
export interface BuildServicesDependencies {
  /** How the Kubernetes client module is loaded (for `--pvc-annotations`). */
  loadKubernetesClient?: () => Promise<KubernetesClientModule>;
}

export async function buildServices(
  options: CinderPluginOptions,
  logger: Logger,
  dependencies: BuildServicesDependencies = {},
): Promise<PluginServices> {
  const readiness: ReadinessCheck[] = [];
  let controller: ControllerHandlers | undefined;
  let groupController: GroupControllerHandlers | undefined;
  let node: NodeHandlers | undefined;

  let config: CloudConfig;
  try {
    // The node service never calls the cloud, so a node-only plugin needs no credentials in cloud.conf.
    config = loadCloudConfig(options.cloudConfig, { logger, requireCredentials: options.provideControllerService });
  } catch (error) {
    throw new ConfigurationError(`cannot use the cloud config: ${(error as Error).message}`, { cause: error });
  }
  const initialDelay = options.waitInitialDelayMs;
  // Learned waiting starts on the schedules below and keeps their patience; 0 asks for CPO's exact schedules.
  const learnPace = options.waitLearnPace && initialDelay > 0;

  const openClouds: OpenStackCloud[] = [];
  if (options.provideControllerService) {
    const clouds = createCloudsFromConfig(config, {
      logger,
      userAgent: options.userAgent,
      waitSchedule: withInitialDelays(CLOUD_WAITS, initialDelay),
      waitPace: learnPace,
    });
    openClouds.push(...clouds.values());
    const service = createCinderControllerService({
      clouds: selectClouds(config, clouds, options.cloudNames),
      clusterId: options.cluster,
      withTopology: options.withTopology,
      ignoreVolumeAZ: config.blockStorage.ignoreVolumeAZ,
      pvcAnnotations: options.pvcAnnotations,
      pvcAnnotationReader: options.pvcAnnotations
        ? createKubernetesPvcAnnotationReader({
            kubeconfig: options.kubeconfig === '' ? undefined : options.kubeconfig,
            loadClient: dependencies.loadKubernetesClient,
          })
        : undefined,
      logger: logger.child({ service: 'controller' }),
      waitSchedules: withInitialDelays(CONTROLLER_WAITS, initialDelay),
    });
    controller = service.controller;
    groupController = service.groupController;
    readiness.push(service.ready);
  }

  if (options.provideNodeService) {
    const service = createCinderNodePlugin({
      logger: logger.child({ service: 'node' }),
      byIdDir: options.deviceDir,
      sysfsRoot: options.sysfsRoot,
      deviceWait: withInitialDelay(DEFAULT_DEVICE_WAIT, initialDelay),
      metadata: {
        searchOrder: config.metadata.searchOrder,
        requestTimeoutMs: config.metadata.requestTimeoutMs,
        metadataUrl: options.metadataUrl,
        configDriveDir: options.configDriveDir === '' ? undefined : options.configDriveDir,
      },
      blockStorage: {
        nodeVolumeAttachLimit: config.blockStorage.nodeVolumeAttachLimit,
        rescanOnResize: config.blockStorage.rescanOnResize,
      },
      additionalTopology: options.additionalTopology,
      withTopology: options.withTopology,
      nodeName: options.nodeName === '' ? undefined : options.nodeName,
      kubeconfig: options.kubeconfig === '' ? undefined : options.kubeconfig,
    });
    node = service.handlers;
    readiness.push(() => service.ready());
  }

  const ready = async (): Promise<boolean> => (await Promise.all(readiness.map((check) => check()))).every(Boolean);
  const identity = createIdentityService({
    driverName: options.driverName,
    vendorVersion: packageVersion(),
    capabilities: {
      controllerService: controller !== undefined,
      groupControllerService: groupController !== undefined,
      volumeAccessibilityConstraints: options.withTopology,
      volumeExpansion: ['ONLINE'],
    },
    ready,
  });

  return {
    services: { identity, controller, groupController, node },
    ready,
    async close() {
      for (const cloud of openClouds) cloud.close();
    },
  };
}
