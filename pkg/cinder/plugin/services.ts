/**
 * Builds the Cinder CSI services this process serves, from the parsed flags and cloud.conf: the Cinder
 * controller (and group controller) with `--provide-controller-service`, the node service with
 * `--provide-node-service`. Identity advertises what the plugin as deployed offers, the same on every
 * instance whichever services it serves (CSI GetPluginCapabilities: "regardless of ... which RPCs an
 * instance is serving"). Probe reports ready only when every service's readiness check passes
 * (controller: its clouds; a node-only process: its Nova instance ID is known — a controller pod that
 * also serves the node, as CPO's manifests run it, does not wait for instance metadata it may lack).
 * Identity, Probe and close are assembled by the driver kit (`driver-kit/plugin-services.ts`).
 */
import type { Logger } from '../../log/logger';
import type { CinderPluginOptions } from '../options';
import { createCinderControllerService } from '../controller';
import { createCinderNodePlugin } from '../node';
import type { ControllerHandlers, GroupControllerHandlers, NodeHandlers } from '../../csi/handlers';
import {
  createCloudsFromConfig,
  DEFAULT_WAIT_SCHEDULES,
  loadCloudConfig,
  withInitialDelays,
  type Cloud,
  type CloudConfig,
  type OpenStackCloud,
} from '../../openstack';
import type { KubernetesClientModule } from '../../driver-kit/kubernetes/client-loader';
import { createKubernetesPvcAnnotationReader } from '../../driver-kit/kubernetes/pvc-annotations';
import {
  assemblePluginServices,
  ConfigurationError,
  type PluginServices,
  type ReadinessCheck,
} from '../../driver-kit/plugin-services';

export { ConfigurationError, type PluginServices };

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
  // The one place --wait-initial-delay-ms applies: the clients, the controller and the node all wait on this table.
  const waits = withInitialDelays(DEFAULT_WAIT_SCHEDULES, options.waitInitialDelayMs);
  // Learned waiting starts on the schedules above and keeps their patience; 0 asks for CPO's exact schedules.
  const learnPace = options.waitLearnPace && options.waitInitialDelayMs > 0;

  const openClouds: OpenStackCloud[] = [];
  const closers: (() => void | Promise<void>)[] = [];
  if (options.provideControllerService) {
    const clouds = createCloudsFromConfig(config, {
      logger,
      userAgent: options.userAgent,
      waitSchedule: waits,
      waitPace: learnPace,
    });
    openClouds.push(...clouds.values());
    const service = createCinderControllerService({
      clouds: selectClouds(config, clouds, options.cloudNames),
      clusterId: options.cluster,
      withTopology: options.withTopology,
      ignoreVolumeAZ: config.blockStorage.ignoreVolumeAZ,
      pvcAnnotations: options.pvcAnnotations,
      unknownParameters: options.unknownParameters,
      pvcAnnotationReader: options.pvcAnnotations
        ? createKubernetesPvcAnnotationReader({
            kubeconfig: options.kubeconfig === '' ? undefined : options.kubeconfig,
            loadClient: dependencies.loadKubernetesClient,
          })
        : undefined,
      logger: logger.child({ service: 'controller' }),
      waitSchedules: waits,
      abandonedVolumeRetryMs: options.abandonedVolumeRetryMs,
    });
    // Volumes an earlier controller abandoned are looked for shortly after start and periodically; close() stops it.
    service.abandoned.start();
    closers.push(() => service.close());
    controller = service.controller;
    groupController = service.groupController;
    readiness.push(service.ready);
  }

  if (options.provideNodeService) {
    const service = createCinderNodePlugin({
      logger: logger.child({ service: 'node' }),
      driverName: options.driverName,
      kubeletDir: options.kubeletDir,
      byIdDir: options.deviceDir,
      sysfsRoot: options.sysfsRoot,
      deviceWait: waits.nodeDevicePath,
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
    // The node's identity gates Probe only in a node-only process. CPO's controller manifests run the node
    // service too (no --provide-node-service=false) where nothing calls it and the pod may not reach the
    // instance metadata: gating there would make the livenessprobe restart a working controller forever.
    // The node service still looks its identity up when NodeGetInfo needs it.
    if (!options.provideControllerService) readiness.push(() => service.ready());
  }

  return assemblePluginServices({
    driverName: options.driverName,
    controller,
    groupController,
    node,
    readiness,
    // The deployed plugin always has a controller (the controller StatefulSet) with group snapshots; a
    // node-only DaemonSet instance must answer the same, or a CO asking it would skip the controller.
    capabilities: {
      controllerService: true,
      groupControllerService: true,
      volumeAccessibilityConstraints: options.withTopology,
      volumeExpansion: ['ONLINE'],
    },
    // The janitor stops before the clouds close under it.
    closers: [...closers, ...openClouds.map((cloud) => () => cloud.close())],
  });
}
