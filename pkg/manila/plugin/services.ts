/**
 * Builds the Manila CSI services this process serves from the parsed flags: the controller with
 * `--provide-controller-service` (no partner needed: CPO #2707), the node service forwarding to
 * `--fwdendpoint` with `--provide-node-service`. Credentials: `--cloud-config` as the default, `os-*`
 * secrets per request, one session per credential set (`CloudCache`). Identity, Probe and close come from
 * the driver kit.
 */
import type { ControllerHandlers, NodeHandlers } from '../../csi/handlers';
import { createKubernetesNodeIdentityFallback } from '../../driver-kit/instance-identity/kubernetes-identity';
import { createMetadataSources } from '../../driver-kit/instance-identity/metadata';
import { createNodeIdentityResolver, resolveNodeName } from '../../driver-kit/instance-identity/node-identity';
import { createKubernetesPvcAnnotationReader } from '../../driver-kit/kubernetes/pvc-annotations';
import {
  assemblePluginServices,
  ConfigurationError,
  type PluginServices,
  type ReadinessCheck,
} from '../../driver-kit/plugin-services';
import type { Logger } from '../../log/logger';
import { createMounter } from '../../mounter';
import { CloudCache, DEFAULT_WAIT_SCHEDULES, loadCloudConfig, withInitialDelays, type CloudConfig } from '../../openstack';
import { ManilaCloudSource } from '../cloud-source';
import { createManilaControllerService } from '../controller/service';
import { createManilaNodeService } from '../node/service';
import { connectPartner } from '../node/partner';
import type { ManilaPluginOptions } from '../options';

export { ConfigurationError, type PluginServices };

export function buildManilaServices(options: ManilaPluginOptions, logger: Logger): PluginServices {
  let config: CloudConfig | undefined;
  if (options.cloudConfig.length > 0) {
    try {
      config = loadCloudConfig(options.cloudConfig, { logger, requireCredentials: options.provideControllerService });
    } catch (error) {
      throw new ConfigurationError(`cannot use the cloud config: ${(error as Error).message}`, { cause: error });
    }
  }
  const waits = withInitialDelays(DEFAULT_WAIT_SCHEDULES, options.waitInitialDelayMs);
  const cache = new CloudCache({ logger, userAgent: options.userAgent, waitSchedule: waits });
  const clouds = new ManilaCloudSource(cache, config?.clouds.get(''));
  const readiness: ReadinessCheck[] = [];
  let controller: ControllerHandlers | undefined;
  let node: NodeHandlers | undefined;
  const closers: (() => void)[] = [() => clouds.close()];

  if (options.provideControllerService) {
    controller = createManilaControllerService({
      clouds,
      protocol: options.shareProtocol,
      clusterId: options.clusterId,
      withTopology: options.withTopology,
      pvcAnnotationReader: options.pvcAnnotations
        ? createKubernetesPvcAnnotationReader({ kubeconfig: options.kubeconfig === '' ? undefined : options.kubeconfig })
        : undefined,
      logger: logger.child({ service: 'controller' }),
    });
  }

  if (options.provideNodeService) {
    const partner = connectPartner(options.fwdEndpoint);
    closers.push(() => partner.close());
    const sources = createMetadataSources(config?.metadata.searchOrder ?? ['configDrive', 'metadataService'], {
      configDrive: { directory: options.configDriveDir === '' ? undefined : options.configDriveDir, mounter: createMounter() },
      metadataService: { url: options.metadataUrl, timeoutMs: config?.metadata.requestTimeoutMs },
    });
    const service = createManilaNodeService({
      clouds,
      protocol: options.shareProtocol,
      partner,
      runtimeConfigFile: options.runtimeConfigFile,
      identity: createNodeIdentityResolver({
        sources,
        fallback: createKubernetesNodeIdentityFallback({ kubeconfig: options.kubeconfig === '' ? undefined : options.kubeconfig }),
        nodeName: resolveNodeName(options.nodeName === '' ? undefined : options.nodeName),
        logger,
      }),
      withTopology: options.withTopology,
      logger: logger.child({ service: 'node' }),
      stageCredentials: new Map(),
    });
    node = service.handlers;
    readiness.push(service.ready);
  }

  return assemblePluginServices({
    driverName: options.driverName,
    controller,
    node,
    readiness,
    // The deployed plugin has a controller (no group controller): every instance says so, node pods too.
    capabilities: {
      controllerService: true,
      groupControllerService: false,
      volumeAccessibilityConstraints: options.withTopology,
      volumeExpansion: ['ONLINE'],
    },
    closers,
  });
}
