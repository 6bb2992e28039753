import { cinderHelp, parseCinderOptions, UsageError } from './options';

function parse(...argv: string[]) {
  const result = parseCinderOptions(argv);
  if (result.help) throw new Error('unexpected help');
  return result.options;
}

function usageError(...argv: string[]): string {
  try {
    parseCinderOptions(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCinderOptions', () => {
  it('applies CPO defaults', () => {
    expect(parse('--cloud-config=/etc/config/cloud.conf')).toMatchObject({
      endpoint: 'unix://csi/csi.sock',
      cloudConfig: ['/etc/config/cloud.conf'],
      cloudNames: [''],
      cluster: '',
      withTopology: true,
      additionalTopology: {},
      provideControllerService: true,
      provideNodeService: true,
      httpEndpoint: '',
      userAgent: [],
      pvcAnnotations: false,
      kubeconfig: '',
      verbosity: 2,
      driverName: 'cinder.csi.openstack.org',
    });
  });

  it('accepts --flag=value and --flag value, repeatable flags and explicit booleans', () => {
    const options = parse(
      '--endpoint', 'unix:///var/lib/csi/sockets/pluginproxy/csi.sock',
      '--cloud-config=/etc/a.conf',
      '--cloud-config', '/etc/b.conf',
      '--cloud-name=', '--cloud-name', 'east',
      '--cluster=k8s-1',
      '--with-topology=false',
      '--additional-topology', 'topology.kubernetes.io/region=r1',
      '--additional-topology=rack=r7,row=3',
      '--provide-node-service=false',
      '--http-endpoint=:8080',
      '--user-agent=magnum/1.0', '--user-agent', 'acme',
      '--pvc-annotations',
      '--kubeconfig=/root/.kube/config',
      '--v=5',
      '-driver-name=cinder-b.csi.openstack.org',
    );
    expect(options).toMatchObject({
      endpoint: 'unix:///var/lib/csi/sockets/pluginproxy/csi.sock',
      cloudConfig: ['/etc/a.conf', '/etc/b.conf'],
      cloudNames: ['', 'east'],
      cluster: 'k8s-1',
      withTopology: false,
      additionalTopology: { 'topology.kubernetes.io/region': 'r1', rack: 'r7', row: '3' },
      provideControllerService: true,
      provideNodeService: false,
      httpEndpoint: ':8080',
      userAgent: ['magnum/1.0', 'acme'],
      pvcAnnotations: true,
      kubeconfig: '/root/.kube/config',
      verbosity: 5,
      driverName: 'cinder-b.csi.openstack.org',
    });
  });

  it('defaults the node discovery paths to the host locations', () => {
    expect(parse('--cloud-config=/a')).toMatchObject({
      deviceDir: '/dev/disk/by-id',
      sysfsRoot: '/sys',
      configDriveDir: '',
      metadataUrl: 'http://169.254.169.254/openstack/latest/meta_data.json',
      nodeName: '',
      waitInitialDelayMs: 1000,
      waitLearnPace: true,
    });
  });

  it('does not share default arrays between parses', () => {
    const first = parse('--cloud-config=/a');
    first.cloudNames.push('mutated');
    expect(parse('--cloud-config=/a').cloudNames).toEqual(['']);
  });

  it('returns help text listing every flag', () => {
    const result = parseCinderOptions(['--cloud-config=/x', '--help']);
    expect(result.help).toBe(true);
    const text = cinderHelp();
    for (const flag of [
      'endpoint', 'cloud-config', 'cloud-name', 'cluster', 'with-topology', 'additional-topology',
      'provide-controller-service', 'provide-node-service', 'http-endpoint', 'user-agent', 'pvc-annotations', 'v',
    ]) {
      expect(text).toContain(`--${flag}`);
    }
    expect(parseCinderOptions(['-h']).help).toBe(true);
  });

  it.each([
    [['--cloud-config=/x', '--with-topology=maybe'], /invalid value "maybe" for flag --with-topology: must be true or false/],
    [['--cloud-config=/x', '--v=loud'], /invalid value "loud" for flag --v: must be an integer/],
    [['--cloud-config=/x', '--v=-1'], /flag --v: must be in 0..10/],
    [['--cloud-config=/x', '--endpoint=http://x:1'], /flag --endpoint: .*unsupported scheme/],
    [['--cloud-config=/x', '--endpoint'], /flag needs an argument: --endpoint/],
    [['--cloud-config=/x', '--frobnicate'], /unknown flag: --frobnicate/],
    [['--cloud-config=/x', 'stray'], /unexpected argument "stray"/],
    [['--cloud-config=/x', '--with-topology', 'false'], /unexpected argument "false"/],
    [[], /--cloud-config is required/],
    [['--cloud-config='], /flag --cloud-config: must be a file path/],
    [['--cloud-config=/x', '--additional-topology=novalue'], /flag --additional-topology: expected key=value/],
    [['--cloud-config=/x', '--additional-topology=k='], /flag --additional-topology: empty value/],
    [['--cloud-config=/x', '--additional-topology=bad key=x'], /invalid value "bad key=x" for flag --additional-topology: not a Kubernetes label: name "bad key"/],
    [['--cloud-config=/x', '--additional-topology=rack=r1,room=bad value!'], /invalid value "room=bad value!" for flag --additional-topology: not a Kubernetes label/],
    [['--cloud-config=/x', '--additional-topology=Example.com/rack=r1'], /flag --additional-topology: not a Kubernetes label: prefix "Example.com"/],
    [['--cloud-config=/x', '--http-endpoint=8080'], /flag --http-endpoint: expected host:port/],
    [['--cloud-config=/x', '--driver-name=-bad-'], /flag --driver-name/],
    [
      ['--cloud-config=/x', '--provide-controller-service=false', '--provide-node-service=false'],
      /nothing to serve/,
    ],
  ])('rejects %j', (argv, message) => {
    expect(usageError(...argv)).toMatch(message);
  });
});

describe('parseCinderOptions with cloud-provider-openstack command lines', () => {
  function parseWithIgnored(...argv: string[]) {
    const result = parseCinderOptions(argv);
    if (result.help) throw new Error('unexpected help');
    return result;
  }

  it('drops the leading /bin/cinder-csi-plugin that CPO manifests pass', () => {
    const result = parseWithIgnored('/bin/cinder-csi-plugin', '--endpoint=unix://csi/csi.sock', '--cloud-config=/etc/config/cloud.conf');
    expect(result.options.cloudConfig).toEqual(['/etc/config/cloud.conf']);
    expect(result.ignoredFlags).toEqual([]);
  });

  it('reads --cloud-config and --cloud-name as comma lists, repeatable, like pflag StringSlice', () => {
    const { options } = parseWithIgnored('--cloud-config=/etc/a.conf,/etc/b.conf', '--cloud-config', '/etc/c.conf', '--cloud-name=,east');
    expect(options.cloudConfig).toEqual(['/etc/a.conf', '/etc/b.conf', '/etc/c.conf']);
    expect(options.cloudNames).toEqual(['', 'east']);
    expect(usageError('--cloud-config=/etc/a.conf,')).toMatch(/flag --cloud-config: must be a file path/);
  });

  it('accepts CPO flags without effect and names the ones given, in one list', () => {
    const result = parseWithIgnored(
      '--cloud-config=/a',
      '--nodeid=worker-1',
      '--node-service-no-os-client',
      '--master=https://10.0.0.1:6443',
      '--kube-api-qps=20',
      '--kube-api-burst=40',
      '--log-flush-frequency=5s',
      '--vmodule=controller=4',
      '--logtostderr=true',
      '--log_dir=/var/log/cinder',
      '--v=4',
    );
    expect(result.options.verbosity).toBe(4);
    expect(result.ignoredFlags).toEqual([
      '--nodeid',
      '--node-service-no-os-client',
      '--master',
      '--kube-api-qps',
      '--kube-api-burst',
      '--vmodule',
      '--log-flush-frequency',
      '--logtostderr',
      '--log-dir',
    ]);
  });

  it('answers --version with the package version, like cobra', () => {
    const result = parseCinderOptions(['/bin/cinder-csi-plugin', '--version']);
    expect(result).toEqual({ help: true, text: expect.stringMatching(/^cinder-csi-plugin version \d+\.\d+\.\d+/) });
  });

  it('warns about unknown class parameters by default and rejects them with --unknown-parameters=reject', () => {
    expect(parse('--cloud-config=/a').unknownParameters).toBe('warn');
    expect(parse('--cloud-config=/a', '--unknown-parameters=reject').unknownParameters).toBe('reject');
    expect(usageError('--cloud-config=/a', '--unknown-parameters=ignore')).toMatch(
      'invalid value "ignore" for flag --unknown-parameters: must be "warn" or "reject"',
    );
  });
});
