/**
 * The `args:` of the cinder-csi-plugin containers in cloud-provider-openstack's (CPO) manifests and Helm
 * chart, for the tests that start our binary (from source, and from the staged image files) with them.
 */
export interface CpoCommandLine {
  /** Where CPO has it (cloud-provider-openstack, release noted). */
  source: string;
  args: string[];
  /** Which services the container runs, by its flags. */
  serves: 'controller+node' | 'node';
}

/**
 * The `args:` of the cinder-csi-plugin containers. `$(VAR)` is expanded from the container env the same
 * manifest sets (CSI_ENDPOINT, CLOUD_CONFIG, CLUSTER_NAME, NODE_ID); only the values differ here (a
 * socket and cloud.conf in a temporary directory).
 */
export const CPO_COMMAND_LINES: CpoCommandLine[] = [
  {
    source: 'manifests/cinder-csi-plugin/cinder-csi-controllerplugin.yaml (v1.36)',
    args: ['/bin/cinder-csi-plugin', '--endpoint=$(CSI_ENDPOINT)', '--cloud-config=$(CLOUD_CONFIG)', '--cluster=$(CLUSTER_NAME)', '--pvc-annotations', '--v=1'],
    serves: 'controller+node',
  },
  {
    source: 'manifests/cinder-csi-plugin/cinder-csi-nodeplugin.yaml (v1.36)',
    args: ['/bin/cinder-csi-plugin', '--endpoint=$(CSI_ENDPOINT)', '--provide-controller-service=false', '--cloud-config=$(CLOUD_CONFIG)', '--v=1'],
    serves: 'node',
  },
  {
    source: 'charts/cinder-csi-plugin/templates/controllerplugin-deployment.yaml (default values: logVerbosityLevel 2)',
    args: ['/bin/cinder-csi-plugin', '-v=2', '--endpoint=$(CSI_ENDPOINT)', '--cloud-config=$(CLOUD_CONFIG)', '--cluster=$(CLUSTER_NAME)'],
    serves: 'controller+node',
  },
  {
    source: 'charts/cinder-csi-plugin/templates/nodeplugin-daemonset.yaml (default values)',
    args: ['/bin/cinder-csi-plugin', '-v=2', '--endpoint=$(CSI_ENDPOINT)', '--provide-controller-service=false', '--cloud-config=$(CLOUD_CONFIG)'],
    serves: 'node',
  },
  {
    source: 'manifests and chart before v1.22 (controller and node pass --nodeid)',
    args: ['/bin/cinder-csi-plugin', '--nodeid=$(NODE_ID)', '--endpoint=$(CSI_ENDPOINT)', '--cloud-config=$(CLOUD_CONFIG)', '--cluster=$(CLUSTER_NAME)'],
    serves: 'controller+node',
  },
  {
    source: 'every other flag CPO v1.36 cinder-csi-plugin accepts (component-base/klog and Kubernetes client flags)',
    args: [
      '/bin/cinder-csi-plugin',
      '--endpoint=$(CSI_ENDPOINT)',
      '--cloud-config=$(CLOUD_CONFIG_AUTH),$(CLOUD_CONFIG_EXTRA)',
      '--nodeid', '$(NODE_ID)',
      '--node-service-no-os-client=true',
      '--master=https://127.0.0.1:6443',
      '--kube-api-qps=5',
      '--kube-api-burst', '10',
      '--min-resync-period=12h0m0s',
      '--log-flush-frequency=5s',
      '--vmodule=controller*=4',
      '--logtostderr',
      '--alsologtostderr=false',
      '--log_dir=/var/log',
      '--log_file=/var/log/cinder.log',
      '--log_file_max_size=1800',
      '--skip_headers',
      '--skip_log_headers',
      '--add_dir_header',
      '--one_output',
      '--stderrthreshold=2',
      '--log_backtrace_at=:0',
      '--v=2',
    ],
    serves: 'controller+node',
  },
];

/** Kubernetes' `$(VAR)` expansion of container args from the container's env. */
export function expandContainerArgs(args: readonly string[], env: Record<string, string>): string[] {
  return args.map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole));
}
