/**
 * Command-line options of cinder-csi-plugin, compatible with cloud-provider-openstack's flags so
 * existing manifests keep working. Parsing only: nothing here touches the cloud or the filesystem.
 */
import { parseEndpoint } from '../csi/endpoint';
import { compatFlagSpecs, compatHelp, CINDER_CPO_FLAGS, ignoredFlagsGiven, withoutBinaryPath } from '../csi/cpo-compat-flags';
import { formatHelp, parseFlags, UsageError } from '../csi/flags';
import { packageVersion } from '../project/version';
import { validateDriverName } from '../csi/identity';
import { labelKeyProblem, labelValueProblem } from '../driver-kit/labels';
import { DRIVER_NAME } from './constants';
import type { UnknownParameterPolicy } from './controller/parameters';
import { DEFAULT_METADATA_URL } from '../driver-kit/instance-identity/metadata';
import { DEFAULT_KUBELET_DIR } from './node/kubelet-paths';

export const DEFAULT_DEVICE_DIR = '/dev/disk/by-id';
export const DEFAULT_SYSFS_ROOT = '/sys';

export { UsageError } from '../csi/flags';

export interface CinderPluginOptions {
  /** CSI endpoint: unix:///abs/path, unix://path (read as /path, like CPO) or tcp://host:port. */
  endpoint: string;
  /** cloud.conf files, in order; later files override earlier ones. */
  cloudConfig: string[];
  /** Cloud sections to serve: "" is `[Global]`, "name" is `[Global "name"]`. */
  cloudNames: string[];
  /** Written as volume metadata `cinder.csi.openstack.org/cluster`. */
  cluster: string;
  withTopology: boolean;
  /** Extra topology segments reported by NodeGetInfo. */
  additionalTopology: Record<string, string>;
  provideControllerService: boolean;
  provideNodeService: boolean;
  /** host:port for the metrics/health HTTP server; empty = off. */
  httpEndpoint: string;
  /** Extra User-Agent components for OpenStack API calls. */
  userAgent: string[];
  /** Read scheduler hints from PVC annotations (needs Kubernetes API access). */
  pvcAnnotations: boolean;
  /** Kubeconfig for Kubernetes API access outside a cluster; empty = in-cluster config. */
  kubeconfig: string;
  /** klog-style verbosity (`--v`). */
  verbosity: number;
  /** Plugin name reported by GetPluginInfo; change only for side-by-side installs. */
  driverName: string;
  /** Node: where udev's by-id links are. */
  deviceDir: string;
  /** Node: sysfs root for device serials and SCSI rescans. */
  sysfsRoot: string;
  /** Node: a directory holding `openstack/latest/meta_data.json`; empty = mount the config-2 device. */
  configDriveDir: string;
  /** Node: the metadata service's URL (base, or the full meta_data.json URL). */
  metadataUrl: string;
  /** Node: Kubernetes node name for the providerID fallback; empty = $NODE_NAME, else the hostname. */
  nodeName: string;
  /** Node: kubelet's root directory; staging and target paths must resolve inside it. */
  kubeletDir: string;
  /**
   * First delay of every OpenStack status wait, in ms; 0 keeps CPO's schedules. A shorter first delay
   * polls more often for the same total patience (see pkg/openstack/wait-schedules.ts).
   */
  waitInitialDelayMs: number;
  /** `--unknown-parameters`: what CreateVolume/CreateSnapshot do with class parameters they do not know. */
  unknownParameters: UnknownParameterPolicy;
  /**
   * Controller: time status checks from the transition times the cloud showed (per operation), within
   * CPO's patience; off with `--wait-initial-delay-ms=0`, which keeps CPO's exact schedules.
   */
  waitLearnPace: boolean;
  /** First retry delay of the abandoned-volume janitor, in ms (backoff cap 30×, give-up 360×, rescan 60×). */
  abandonedVolumeRetryMs: number;
}

const FLAGS = {
  endpoint: { type: 'string', default: 'unix://csi/csi.sock', description: 'CSI endpoint' },
  'cloud-config': {
    type: 'strings',
    commaList: true,
    default: [],
    description: 'cloud.conf file; later files override earlier ones',
  },
  'cloud-name': {
    type: 'strings',
    commaList: true,
    default: [''],
    description: 'cloud to serve: "" is [Global], "name" is [Global "name"]',
  },
  cluster: { type: 'string', default: '', description: 'cluster ID, stored in volume metadata' },
  'with-topology': { type: 'bool', default: true, description: 'report availability-zone topology' },
  'additional-topology': {
    type: 'map',
    default: {},
    description: 'extra topology segment reported by the node, e.g. topology.kubernetes.io/region=r1',
  },
  'provide-controller-service': { type: 'bool', default: true, description: 'serve the CSI Controller service' },
  'provide-node-service': { type: 'bool', default: true, description: 'serve the CSI Node service' },
  'http-endpoint': {
    type: 'string',
    default: '',
    description: 'host:port for metrics and health over HTTP (e.g. :8080); empty disables it',
  },
  'user-agent': { type: 'strings', default: [], description: 'extra User-Agent component for OpenStack calls' },
  'pvc-annotations': {
    type: 'bool',
    default: false,
    description: 'read cinder.csi.openstack.org/affinity and anti-affinity PVC annotations',
  },
  kubeconfig: { type: 'string', default: '', description: 'kubeconfig path; empty uses the in-cluster config' },
  v: { type: 'int', default: 2, min: 0, max: 10, description: 'log verbosity (klog --v)' },
  'driver-name': {
    type: 'string',
    default: DRIVER_NAME,
    description: 'CSI driver name; change only to run a second copy side by side',
  },
  'device-dir': { type: 'string', default: DEFAULT_DEVICE_DIR, description: 'node: directory of by-id device links' },
  'sysfs-root': { type: 'string', default: DEFAULT_SYSFS_ROOT, description: 'node: sysfs mount point (device serials, SCSI rescan)' },
  'config-drive-dir': {
    type: 'string',
    default: '',
    description: 'node: directory holding openstack/latest/meta_data.json; empty mounts the config-2 device',
  },
  'metadata-url': {
    type: 'string',
    default: DEFAULT_METADATA_URL,
    description: 'node: metadata service URL (base, or the full meta_data.json URL)',
  },
  'node-name': {
    type: 'string',
    default: '',
    description: 'node: Kubernetes node name for the providerID fallback; empty uses $NODE_NAME, else the hostname',
  },
  'kubelet-dir': {
    type: 'string',
    default: DEFAULT_KUBELET_DIR,
    description: 'node: kubelet root directory; staging and target paths must resolve inside it',
  },
  'wait-initial-delay-ms': {
    type: 'int',
    // 1000 ms = CPO's first delay: with --wait-learn-pace (on) the waits start on CPO's schedules and learn
    // the cloud's pace from there; `npm run bench` (status latency) measured ~10% detection overhead at
    // ~0.97x CPO's API calls, where a fixed 250 ms first delay took ~18% at ~1.4x the calls.
    default: 1000,
    min: 0,
    max: 60_000,
    description:
      'first delay of OpenStack status waits in ms, same total patience as CPO; 0 keeps the CPO schedules exactly (no learned waiting)',
  },
  'wait-learn-pace': {
    type: 'bool',
    // On: `npm run bench` measured less detection overhead than fixed schedules at fewer API calls than CPO.
    default: true,
    description:
      'controller: time status checks from the transition times the cloud showed, within CPO\'s patience (needs --wait-initial-delay-ms > 0)',
  },
  'unknown-parameters': {
    type: 'string',
    default: 'warn',
    description:
      'StorageClass/VolumeSnapshotClass keys the plugin does not know: "warn" logs them (CPO ignores them, and existing classes cannot be edited), "reject" fails the call with INVALID_ARGUMENT',
  },
  'abandoned-volume-retry-ms': {
    type: 'int',
    default: 10_000,
    min: 100,
    max: 600_000,
    description:
      'first retry delay in ms of deleting volumes the controller abandoned (failed create whose cleanup failed); backoff up to 30x, given up after 360x (10 s: 5 min, 1 h); lower only for tests',
  },
  version: { type: 'bool', default: false, description: 'print the version and exit' },
} as const satisfies Parameters<typeof parseFlags>[0];

/** CPO's flags that have no effect here (accepted so CPO's manifests start us unchanged), then ours (ours win). */
const ACCEPTED_FLAGS = { ...compatFlagSpecs(CINDER_CPO_FLAGS), ...FLAGS };

const BINARY_NAME = 'cinder-csi-plugin';

const USAGE = `Usage: cinder-csi-plugin [flags]

CSI driver for OpenStack Cinder block storage (${DRIVER_NAME}).`;

export function cinderHelp(): string {
  return formatHelp(USAGE, FLAGS) + compatHelp(CINDER_CPO_FLAGS);
}

/**
 * `help: true`: print `text` to stdout and exit 0 (--help, --version). Otherwise the options to run with,
 * and the CPO flags given that have no effect here (`--nodeid`, …) for one warning line.
 */
export type CinderParseResult =
  | { help: true; text: string }
  | { help: false; options: CinderPluginOptions; ignoredFlags: string[] };

/**
 * Parses and validates argv (without the node/script prefix; a leading `/bin/cinder-csi-plugin` as CPO's
 * manifests pass it is dropped). Throws UsageError naming the bad flag.
 */
export function parseCinderOptions(argv: readonly string[]): CinderParseResult {
  const parsed = parseFlags(ACCEPTED_FLAGS, withoutBinaryPath(argv, BINARY_NAME));
  if (parsed.help) return { help: true, text: cinderHelp() };
  const v = parsed.values;
  if (v.version) return { help: true, text: `${BINARY_NAME} version ${packageVersion()}\n` };

  const options: CinderPluginOptions = {
    endpoint: v.endpoint,
    cloudConfig: v['cloud-config'],
    cloudNames: v['cloud-name'],
    cluster: v.cluster,
    withTopology: v['with-topology'],
    additionalTopology: v['additional-topology'],
    provideControllerService: v['provide-controller-service'],
    provideNodeService: v['provide-node-service'],
    httpEndpoint: v['http-endpoint'],
    userAgent: v['user-agent'],
    pvcAnnotations: v['pvc-annotations'],
    kubeconfig: v.kubeconfig,
    verbosity: v.v,
    driverName: v['driver-name'],
    deviceDir: v['device-dir'],
    sysfsRoot: v['sysfs-root'],
    configDriveDir: v['config-drive-dir'],
    metadataUrl: v['metadata-url'],
    nodeName: v['node-name'],
    kubeletDir: v['kubelet-dir'],
    waitInitialDelayMs: v['wait-initial-delay-ms'],
    unknownParameters: parseUnknownParameters(v['unknown-parameters']),
    waitLearnPace: v['wait-learn-pace'],
    abandonedVolumeRetryMs: v['abandoned-volume-retry-ms'],
  };
  validate(options);
  return { help: false, options, ignoredFlags: ignoredFlagsGiven(CINDER_CPO_FLAGS, parsed.given) };
}

function parseUnknownParameters(value: string): UnknownParameterPolicy {
  if (value === 'warn' || value === 'reject') return value;
  throw new UsageError(`invalid value "${value}" for flag --unknown-parameters: must be "warn" or "reject"`);
}

function validate(options: CinderPluginOptions): void {
  try {
    parseEndpoint(options.endpoint);
  } catch (err) {
    throw new UsageError(`invalid value for flag --endpoint: ${(err as Error).message}`);
  }
  if (options.cloudConfig.length === 0) {
    throw new UsageError('flag --cloud-config is required (path to cloud.conf; may be given more than once)');
  }
  if (options.cloudConfig.some((file) => file.trim() === '')) {
    throw new UsageError('invalid value "" for flag --cloud-config: must be a file path');
  }
  if (!options.provideControllerService && !options.provideNodeService) {
    throw new UsageError(
      'flags --provide-controller-service and --provide-node-service are both false: nothing to serve',
    );
  }
  if (options.httpEndpoint !== '' && !/^(\[[^\]]+\]|[^:\s]*):\d{1,5}$/.test(options.httpEndpoint)) {
    throw new UsageError(`invalid value "${options.httpEndpoint}" for flag --http-endpoint: expected host:port or :port`);
  }
  for (const [key, value] of Object.entries(options.additionalTopology)) {
    if (value === '') throw new UsageError(`invalid value "${key}=" for flag --additional-topology: empty value`);
    // The segments become node labels: a bad key or value would only surface later, at NodeGetInfo.
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) {
      throw new UsageError(`invalid value "${key}=${value}" for flag --additional-topology: not a Kubernetes label: ${problem}`);
    }
  }
  for (const [flag, value] of [
    ['device-dir', options.deviceDir],
    ['sysfs-root', options.sysfsRoot],
    ['config-drive-dir', options.configDriveDir],
    ['kubelet-dir', options.kubeletDir],
  ] as const) {
    if (value !== '' && !value.startsWith('/')) {
      throw new UsageError(`invalid value "${value}" for flag --${flag}: must be an absolute path`);
    }
  }
  if (options.deviceDir === '' || options.sysfsRoot === '' || options.kubeletDir === '') {
    throw new UsageError(`flags --device-dir, --sysfs-root and --kubelet-dir must not be empty`);
  }
  if (!/^https?:\/\/[^/\s]+\/\S*$/.test(options.metadataUrl)) {
    throw new UsageError(`invalid value "${options.metadataUrl}" for flag --metadata-url: expected an http(s) URL`);
  }
  try {
    validateDriverName(options.driverName);
  } catch (err) {
    throw new UsageError(`invalid value for flag --driver-name: ${(err as Error).message}`);
  }
}
