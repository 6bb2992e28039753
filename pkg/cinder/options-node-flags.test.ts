/** The flags that point the node plugin at its host (or at the simulator in tests), and the wait flag. */
import { cinderHelp, parseCinderOptions, UsageError } from './options';

function parse(...argv: string[]) {
  const result = parseCinderOptions(['--cloud-config=/etc/config/cloud.conf', ...argv]);
  if (result.help) throw new Error('unexpected help');
  return result.options;
}

describe('node discovery and wait flags', () => {
  it('takes every node path and the wait delay from the command line', () => {
    expect(
      parse(
        '--device-dir=/tmp/sim/dev/disk/by-id',
        '--sysfs-root', '/tmp/sim/sys',
        '--config-drive-dir=/tmp/sim/config-drive/abc',
        '--metadata-url=http://127.0.0.1:8080/metadata/abc',
        '--node-name=worker-1',
        '--wait-initial-delay-ms=50',
      ),
    ).toMatchObject({
      deviceDir: '/tmp/sim/dev/disk/by-id',
      sysfsRoot: '/tmp/sim/sys',
      configDriveDir: '/tmp/sim/config-drive/abc',
      metadataUrl: 'http://127.0.0.1:8080/metadata/abc',
      nodeName: 'worker-1',
      waitInitialDelayMs: 50,
    });
  });

  it('takes --kubelet-dir, defaulting to /var/lib/kubelet as CPO and EBS deployments mount it', () => {
    expect(parse().kubeletDir).toBe('/var/lib/kubelet');
    expect(parse('--kubelet-dir=/data/kubelet').kubeletDir).toBe('/data/kubelet');
    expect(cinderHelp()).toContain('--kubelet-dir');
  });

  it('lists the flags in --help', () => {
    const help = cinderHelp();
    for (const flag of ['device-dir', 'sysfs-root', 'config-drive-dir', 'metadata-url', 'node-name', 'wait-initial-delay-ms']) {
      expect(help).toContain(`--${flag}`);
    }
  });

  it.each([
    [['--device-dir=dev/disk/by-id'], /invalid value "dev\/disk\/by-id" for flag --device-dir: must be an absolute path/],
    [['--sysfs-root=sys'], /flag --sysfs-root: must be an absolute path/],
    [['--config-drive-dir=./drive'], /flag --config-drive-dir: must be an absolute path/],
    [['--kubelet-dir=var/lib/kubelet'], /flag --kubelet-dir: must be an absolute path/],
    [['--kubelet-dir='], /--device-dir, --sysfs-root and --kubelet-dir must not be empty/],
    [['--device-dir='], /--device-dir, --sysfs-root and --kubelet-dir must not be empty/],
    [['--metadata-url=169.254.169.254'], /invalid value "169.254.169.254" for flag --metadata-url/],
    [['--metadata-url=ftp://x/meta_data.json'], /flag --metadata-url: expected an http\(s\) URL/],
    [['--wait-initial-delay-ms=-5'], /flag --wait-initial-delay-ms: must be in 0..60000/],
    [['--wait-initial-delay-ms=fast'], /flag --wait-initial-delay-ms: must be an integer/],
  ])('rejects %j', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});
