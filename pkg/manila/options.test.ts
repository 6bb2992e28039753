import { parseManilaOptions, UsageError, type ManilaPluginOptions } from './options';

function parse(argv: string[]): { options: ManilaPluginOptions; ignoredFlags: string[] } {
  const parsed = parseManilaOptions(argv);
  if (parsed.help) throw new Error('unexpected help');
  return parsed;
}

function options(argv: string[]): ManilaPluginOptions {
  return parse(argv).options;
}

describe('manila-csi-plugin flags', () => {
  it("takes CPO's defaults", () => {
    expect(options(['--share-protocol-selector=NFS', '--fwdendpoint=unix:///csi/csi-nfs.sock'])).toMatchObject({
      endpoint: 'unix://tmp/csi.sock',
      driverName: 'manila.csi.openstack.org',
      shareProtocol: 'NFS',
      fwdEndpoint: 'unix:///csi/csi-nfs.sock',
      withTopology: false,
      provideControllerService: true,
      provideNodeService: true,
      pvcAnnotations: false,
      clusterId: '',
      userAgent: [],
    });
    expect(parse(['--share-protocol-selector=NFS', '--fwdendpoint=unix:///csi/csi-nfs.sock']).ignoredFlags).toEqual([]);
  });

  it('accepts the protocol in any case and the partner as unix://, tcp:// or an absolute path', () => {
    expect(options(['--share-protocol-selector', 'cephfs', '--fwdendpoint', '/var/lib/kubelet/plugins/cephfs.csi.ceph.com/csi.sock'])).toMatchObject({
      shareProtocol: 'CEPHFS',
      fwdEndpoint: 'unix:///var/lib/kubelet/plugins/cephfs.csi.ceph.com/csi.sock',
    });
    expect(options(['--share-protocol-selector=Nfs', '--fwdendpoint=tcp://127.0.0.1:9000']).fwdEndpoint).toBe('127.0.0.1:9000');
  });

  it('requires the protocol, and the partner only for the node service', () => {
    expect(() => options(['--fwdendpoint=/x.sock'])).toThrow(/--share-protocol-selector is required/);
    expect(() => options(['--share-protocol-selector=smb', '--fwdendpoint=/x.sock'])).toThrow(UsageError);
    expect(() => options(['--share-protocol-selector=NFS'])).toThrow(/--fwdendpoint is required/);
    expect(options(['--share-protocol-selector=NFS', '--provide-node-service=false']).fwdEndpoint).toBe('');
    expect(() => options(['--share-protocol-selector=NFS', '--fwdendpoint=ftp://x'])).toThrow(/--fwdendpoint/);
  });

  it('takes every CPO flag and names the ignored ones that were given', () => {
    const { options: parsed, ignoredFlags: ignored } = parse([
      '--endpoint=unix:///csi/csi.sock',
      '--drivername=nfs.manila.csi.openstack.org',
      '--share-protocol-selector=NFS',
      '--fwdendpoint=unix:///plugins/csi-nfsplugin/csi.sock',
      '--with-topology',
      '--runtime-config-file=/runtimeconfig/runtimeconfig.json',
      '--cluster-id=c1',
      '--user-agent=a',
      '--user-agent=b',
      '--pvc-annotations',
      '--kubeconfig=/k',
      '--nodeid=n1',
      '--nodeaz=az',
      '--compatibility-settings=x',
      '--master=http://m',
      '--kube-api-qps=5',
      '--kube-api-burst=10',
      '--min-resync-period=12h',
      '--v=4',
      '--logtostderr',
      '--log-flush-frequency=5s',
    ]);
    expect(parsed).toMatchObject({
      driverName: 'nfs.manila.csi.openstack.org',
      withTopology: true,
      runtimeConfigFile: '/runtimeconfig/runtimeconfig.json',
      clusterId: 'c1',
      userAgent: ['a', 'b'],
      pvcAnnotations: true,
      kubeconfig: '/k',
      verbosity: 4,
    });
    expect(ignored.sort()).toEqual(
      ['compatibility-settings', 'kube-api-burst', 'kube-api-qps', 'log-flush-frequency', 'logtostderr', 'master', 'min-resync-period', 'nodeaz', 'nodeid']
        .map((name) => `--${name}`)
        .sort(),
    );
  });

  it('rejects unknown flags and bad values naming the flag', () => {
    expect(() => options(['--share-protocol-selector=NFS', '--fwdendpoint=/x', '--bogus'])).toThrow(/--bogus/);
    expect(() => options(['--share-protocol-selector=NFS', '--fwdendpoint=/x', '--drivername=-bad-'])).toThrow(/--drivername/);
    expect(() => options(['--share-protocol-selector=NFS', '--provide-node-service=false', '--provide-controller-service=false'])).toThrow(/nothing to serve/);
  });
});
