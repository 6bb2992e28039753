/**
 * Command-line compatibility with cloud-provider-openstack's (CPO) plugin binaries, so their manifests and
 * Helm charts start our image unchanged:
 * - CPO's pods pass the binary's own path as the first argument (`args: [/bin/cinder-csi-plugin, ...]`,
 *   which cobra ignores as a positional argument); `withoutBinaryPath` drops it.
 * - CPO's binaries accept flags that mean nothing here (klog's logging flags, Kubernetes client tuning,
 *   flags CPO itself ignores). The tables below let `parseFlags` accept them, with the value checks
 *   pflag would make, and `ignoredFlagsGiven` names the ones a command line used so the binary can
 *   warn once instead of failing.
 * One table per binary: Cinder's today, Manila's when its binary exists.
 */
import * as path from 'path';
import type { FlagSpec } from './flags';

/** How CPO's binary reads the value; only used to consume and check it the same way. */
type CompatFlagKind = 'string' | 'bool' | 'int' | 'float' | 'duration';

interface CompatFlag {
  kind: CompatFlagKind;
  /** Why the flag has no effect here (shown in --help). */
  why: string;
}

const FLOAT = { pattern: /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, expected: 'a number' };
// Go's time.ParseDuration: a sequence of decimal numbers with units, or a bare 0.
const DURATION = { pattern: /^[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h))+)$/, expected: 'a duration such as 5s or 1m30s' };

const LOGS_TO_STDERR = 'this plugin always writes JSON logs to stderr';

/**
 * klog v2's flags and component-base's `--log-flush-frequency`, which every CPO binary registers
 * (through `k8s.io/component-base/cli`). `--v` is not here: the binaries implement it.
 */
export const KLOG_FLAGS: Readonly<Record<string, CompatFlag>> = {
  vmodule: { kind: 'string', why: 'per-file verbosity is not supported; use --v' },
  'log-flush-frequency': { kind: 'duration', why: 'logs are written unbuffered' },
  logtostderr: { kind: 'bool', why: LOGS_TO_STDERR },
  alsologtostderr: { kind: 'bool', why: LOGS_TO_STDERR },
  'log-dir': { kind: 'string', why: LOGS_TO_STDERR },
  'log-file': { kind: 'string', why: LOGS_TO_STDERR },
  'log-file-max-size': { kind: 'int', why: LOGS_TO_STDERR },
  'skip-headers': { kind: 'bool', why: 'log lines are JSON objects' },
  'skip-log-headers': { kind: 'bool', why: LOGS_TO_STDERR },
  'add-dir-header': { kind: 'bool', why: 'log lines are JSON objects' },
  'one-output': { kind: 'bool', why: LOGS_TO_STDERR },
  stderrthreshold: { kind: 'string', why: LOGS_TO_STDERR },
  'legacy-stderr-threshold-behavior': { kind: 'bool', why: LOGS_TO_STDERR },
  'log-backtrace-at': { kind: 'string', why: 'errors are logged with their cause' },
};

/** CPO's `AddPVCFlags` Kubernetes client flags; our client uses --kubeconfig or the in-cluster config. */
const KUBERNETES_CLIENT_FLAGS: Readonly<Record<string, CompatFlag>> = {
  master: { kind: 'string', why: 'the Kubernetes API is reached through --kubeconfig or the in-cluster config' },
  'kube-api-qps': { kind: 'float', why: 'the plugin makes few Kubernetes API calls and does not throttle them' },
  'kube-api-burst': { kind: 'int', why: 'the plugin makes few Kubernetes API calls and does not throttle them' },
  'min-resync-period': { kind: 'duration', why: 'the plugin runs no Kubernetes informers' },
};

/** cinder-csi-plugin (CPO `cmd/cinder-csi-plugin`). */
export const CINDER_CPO_FLAGS: Readonly<Record<string, CompatFlag>> = {
  nodeid: { kind: 'string', why: 'CPO ignores it too: the node ID is the Nova instance ID from metadata' },
  'node-service-no-os-client': { kind: 'bool', why: 'the node service never uses OpenStack credentials' },
  ...KUBERNETES_CLIENT_FLAGS,
  ...KLOG_FLAGS,
};

/** manila-csi-plugin (CPO `cmd/manila-csi-plugin`), for the Manila binary. */
export const MANILA_CPO_FLAGS: Readonly<Record<string, CompatFlag>> = {
  nodeid: { kind: 'string', why: 'CPO ignores it too' },
  nodeaz: { kind: 'string', why: 'CPO ignores it too' },
  'compatibility-settings': { kind: 'string', why: 'CPO ignores it too' },
  ...KUBERNETES_CLIENT_FLAGS,
  ...KLOG_FLAGS,
};

/** The `parseFlags` specs accepting a compat table's flags (their values are checked, then unused). */
export function compatFlagSpecs(table: Readonly<Record<string, CompatFlag>>): Record<string, FlagSpec> {
  const specs: Record<string, FlagSpec> = {};
  for (const [name, flag] of Object.entries(table)) {
    const description = `no effect (cloud-provider-openstack compatibility): ${flag.why}`;
    switch (flag.kind) {
      case 'bool':
        specs[name] = { type: 'bool', default: false, description };
        break;
      case 'int':
        specs[name] = { type: 'int', default: 0, description };
        break;
      case 'float':
        specs[name] = { type: 'string', default: '', format: FLOAT, description };
        break;
      case 'duration':
        specs[name] = { type: 'string', default: '', format: DURATION, description };
        break;
      default:
        specs[name] = { type: 'string', default: '', description };
    }
  }
  return specs;
}

/** The compat flags a command line set, as `--name`, in table order (for one warning line). */
export function ignoredFlagsGiven(table: Readonly<Record<string, CompatFlag>>, given: ReadonlySet<PropertyKey>): string[] {
  return Object.keys(table)
    .filter((name) => given.has(name))
    .map((name) => `--${name}`);
}

/** One line for --help listing the accepted-but-unused flags. */
export function compatHelp(table: Readonly<Record<string, CompatFlag>>): string {
  return `\nAccepted for cloud-provider-openstack compatibility, without effect (a warning names them):\n  ${Object.keys(table)
    .map((name) => `--${name}`)
    .join(' ')}\n`;
}

/**
 * Drops a leading argument naming the binary itself (`/bin/cinder-csi-plugin`), as CPO's manifests pass
 * it. Only the first argument and only the binary's own name: any other word is still an error.
 */
export function withoutBinaryPath(argv: readonly string[], binaryName: string): readonly string[] {
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && path.basename(first) === binaryName) return argv.slice(1);
  return argv;
}
