/**
 * Command-line options of manila-csi-plugin, the flags of cloud-provider-openstack's plugin so existing
 * manifests keep working. Flags CPO accepts but that mean nothing here are accepted and ignored, and
 * `ignoredFlags` names the ones given so the binary can say so in one warning line.
 * Parsing only: nothing here touches the cloud, the partner plugin or the filesystem.
 */
import { parseEndpoint } from '../csi/endpoint';
import { formatHelp, parseFlags, UsageError } from '../csi/flags';
import { validateDriverName } from '../csi/identity';
import { compatFlagSpecs, compatHelp, ignoredFlagsGiven, MANILA_CPO_FLAGS, withoutBinaryPath } from '../csi/cpo-compat-flags';
import { DEFAULT_METADATA_URL } from '../driver-kit/instance-identity/metadata';
import { packageVersion } from '../project/version';
import { DRIVER_NAME, type ShareProtocol } from './constants';

export { UsageError } from '../csi/flags';

export interface ManilaPluginOptions {
  endpoint: string;
  driverName: string;
  /** `--share-protocol-selector`, upper-cased. */
  shareProtocol: ShareProtocol;
  /** Partner node plugin endpoint as a gRPC target (unix:///abs or host:port); '' when not given. */
  fwdEndpoint: string;
  withTopology: boolean;
  runtimeConfigFile: string;
  /** Written to share metadata `manila.csi.openstack.org/cluster`. */
  clusterId: string;
  userAgent: string[];
  provideControllerService: boolean;
  provideNodeService: boolean;
  pvcAnnotations: boolean;
  kubeconfig: string;
  verbosity: number;
  /** Default credentials (cloud.conf; may point at clouds.yaml); CSI `os-*` secrets override them. */
  cloudConfig: string[];
  httpEndpoint: string;
  configDriveDir: string;
  metadataUrl: string;
  nodeName: string;
  waitInitialDelayMs: number;
  /** CPO flags given on the command line that this plugin ignores. */
}


const FLAGS = {
  endpoint: { type: 'string', default: 'unix://tmp/csi.sock', description: 'CSI endpoint' },
  drivername: { type: 'string', default: DRIVER_NAME, description: 'CSI driver name, e.g. nfs.manila.csi.openstack.org' },
  'share-protocol-selector': { type: 'string', default: '', description: 'share protocol this instance serves: NFS or CEPHFS (required)' },
  fwdendpoint: {
    type: 'string',
    default: '',
    description: 'partner node plugin (csi-driver-nfs, ceph-csi CephFS): unix://, tcp:// or an absolute socket path; required for the node service',
  },
  'with-topology': { type: 'bool', default: false, description: 'report and honour availability-zone topology' },
  'runtime-config-file': { type: 'string', default: '', description: 'JSON runtime config, re-read on every node call' },
  'cluster-id': { type: 'string', default: '', description: 'cluster ID, stored in share metadata' },
  'user-agent': { type: 'strings', default: [], description: 'extra User-Agent component for OpenStack calls' },
  'provide-controller-service': { type: 'bool', default: true, description: 'serve the CSI Controller service' },
  'provide-node-service': { type: 'bool', default: true, description: 'serve the CSI Node service' },
  'pvc-annotations': { type: 'bool', default: false, description: 'read manila.csi.openstack.org/* PVC annotations (scheduler hints, group)' },
  kubeconfig: { type: 'string', default: '', description: 'kubeconfig path; empty uses the in-cluster config' },
  v: { type: 'int', default: 2, min: 0, max: 10, description: 'log verbosity (klog --v)' },
  'cloud-config': {
    type: 'strings',
    default: [],
    description: 'cloud.conf with default credentials (may use clouds.yaml); CSI os-* secrets override it',
  },
  'http-endpoint': { type: 'string', default: '', description: 'host:port for metrics and health over HTTP; empty disables it' },
  'config-drive-dir': {
    type: 'string',
    default: '',
    description: 'node: directory holding openstack/latest/meta_data.json; empty mounts the config-2 device',
  },
  'metadata-url': { type: 'string', default: DEFAULT_METADATA_URL, description: 'node: metadata service URL' },
  'node-name': { type: 'string', default: '', description: 'node: Kubernetes node name for the providerID fallback' },
  'wait-initial-delay-ms': {
    type: 'int',
    default: 250,
    min: 0,
    max: 60_000,
    description: 'first delay of OpenStack status waits in ms, same total patience as CPO; 0 keeps the CPO schedules',
  },
  version: { type: 'bool', default: false, description: 'print the version and exit' },
} as const satisfies Parameters<typeof parseFlags>[0];

const USAGE = `Usage: manila-csi-plugin [flags]

CSI driver for OpenStack Manila shares (NFS or CephFS), drop-in for cloud-provider-openstack's manila-csi-plugin.`;

/** CPO's flags that have no effect here (accepted so CPO's manifests start us unchanged), then ours (ours win). */
const ACCEPTED_FLAGS = { ...compatFlagSpecs(MANILA_CPO_FLAGS), ...FLAGS };

const BINARY_NAME = 'manila-csi-plugin';

export function manilaHelp(): string {
  return formatHelp(USAGE, FLAGS) + compatHelp(MANILA_CPO_FLAGS);
}

/**
 * `help: true`: print `text` to stdout and exit 0 (--help, --version). Otherwise the options to run with,
 * and the CPO flags given that have no effect here (`--nodeid`, …) for one warning line.
 */
export type ManilaParseResult =
  | { help: true; text: string }
  | { help: false; options: ManilaPluginOptions; ignoredFlags: string[] };

/** Parses and validates argv (without the node/script prefix). Throws UsageError naming the bad flag. */
export function parseManilaOptions(argv: readonly string[]): ManilaParseResult {
  const parsed = parseFlags(ACCEPTED_FLAGS, withoutBinaryPath(argv, BINARY_NAME));
  if (parsed.help) return { help: true, text: manilaHelp() };
  const v = parsed.values;
  if (v.version) return { help: true, text: `${BINARY_NAME} version ${packageVersion()}\n` };
  const options: ManilaPluginOptions = {
    endpoint: v.endpoint,
    driverName: v.drivername,
    shareProtocol: parseProtocol(v['share-protocol-selector']),
    fwdEndpoint: parseForwardEndpoint(v.fwdendpoint),
    withTopology: v['with-topology'],
    runtimeConfigFile: v['runtime-config-file'],
    clusterId: v['cluster-id'],
    userAgent: v['user-agent'],
    provideControllerService: v['provide-controller-service'],
    provideNodeService: v['provide-node-service'],
    pvcAnnotations: v['pvc-annotations'],
    kubeconfig: v.kubeconfig,
    verbosity: v.v,
    cloudConfig: v['cloud-config'],
    httpEndpoint: v['http-endpoint'],
    configDriveDir: v['config-drive-dir'],
    metadataUrl: v['metadata-url'],
    nodeName: v['node-name'],
    waitInitialDelayMs: v['wait-initial-delay-ms'],
  };
  validate(options);
  return { help: false, options, ignoredFlags: ignoredFlagsGiven(MANILA_CPO_FLAGS, parsed.given) };
}

function parseProtocol(raw: string): ShareProtocol {
  const value = raw.trim().toUpperCase();
  if (value === '') throw new UsageError('flag --share-protocol-selector is required (NFS or CEPHFS)');
  if (value !== 'NFS' && value !== 'CEPHFS') {
    throw new UsageError(`invalid value "${raw}" for flag --share-protocol-selector: must be NFS or CEPHFS`);
  }
  return value;
}

/** CPO takes `unix://`, `tcp://` or an absolute socket path; the result is a target the CSI client accepts. */
function parseForwardEndpoint(raw: string): string {
  const value = raw.trim();
  if (value === '') return '';
  if (value.startsWith('/')) return `unix://${value}`;
  try {
    const endpoint = parseEndpoint(value);
    return endpoint.kind === 'unix' ? `unix://${endpoint.path}` : `${endpoint.host}:${endpoint.port}`;
  } catch (err) {
    throw new UsageError(`invalid value "${raw}" for flag --fwdendpoint: ${(err as Error).message}`);
  }
}

function validate(options: ManilaPluginOptions): void {
  try {
    parseEndpoint(options.endpoint);
  } catch (err) {
    throw new UsageError(`invalid value for flag --endpoint: ${(err as Error).message}`);
  }
  if (!options.provideControllerService && !options.provideNodeService) {
    throw new UsageError('flags --provide-controller-service and --provide-node-service are both false: nothing to serve');
  }
  // The controller never talks to the partner, so only the node service needs it (CPO #2707).
  if (options.provideNodeService && options.fwdEndpoint === '') {
    throw new UsageError('flag --fwdendpoint is required with the node service (the partner node plugin, e.g. unix:///csi/csi-nfs.sock)');
  }
  if (options.httpEndpoint !== '' && !/^(\[[^\]]+\]|[^:\s]*):\d{1,5}$/.test(options.httpEndpoint)) {
    throw new UsageError(`invalid value "${options.httpEndpoint}" for flag --http-endpoint: expected host:port or :port`);
  }
  if (options.configDriveDir !== '' && !options.configDriveDir.startsWith('/')) {
    throw new UsageError(`invalid value "${options.configDriveDir}" for flag --config-drive-dir: must be an absolute path`);
  }
  if (options.cloudConfig.some((file) => file.trim() === '')) {
    throw new UsageError('invalid value "" for flag --cloud-config: must be a file path');
  }
  try {
    validateDriverName(options.driverName);
  } catch (err) {
    throw new UsageError(`invalid value for flag --drivername: ${(err as Error).message}`);
  }
}
