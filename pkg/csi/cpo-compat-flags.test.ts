import {
  CINDER_CPO_FLAGS,
  compatFlagSpecs,
  compatHelp,
  ignoredFlagsGiven,
  KLOG_FLAGS,
  MANILA_CPO_FLAGS,
  withoutBinaryPath,
} from './cpo-compat-flags';
import { parseFlags, UsageError } from './flags';

describe('CPO compatibility flags', () => {
  const specs = compatFlagSpecs(CINDER_CPO_FLAGS);

  it('lists klog, component-base and CPO client flags for Cinder, and Manila its own', () => {
    for (const name of ['vmodule', 'log-flush-frequency', 'logtostderr', 'log-dir', 'stderrthreshold', 'one-output']) {
      expect(KLOG_FLAGS).toHaveProperty([name]);
    }
    expect(Object.keys(CINDER_CPO_FLAGS)).toEqual(
      expect.arrayContaining(['nodeid', 'node-service-no-os-client', 'master', 'kube-api-qps', 'kube-api-burst', 'min-resync-period']),
    );
    expect(Object.keys(MANILA_CPO_FLAGS)).toEqual(
      expect.arrayContaining(['nodeid', 'nodeaz', 'compatibility-settings', 'master', 'kube-api-qps', 'min-resync-period']),
    );
    expect(CINDER_CPO_FLAGS).not.toHaveProperty(['nodeaz']);
    // --v is the binaries' own flag, never an ignored one.
    expect(KLOG_FLAGS).not.toHaveProperty(['v']);
  });

  it('consumes values the way pflag does: bools stay bare, others take the next word', () => {
    const parsed = parseFlags(specs, [
      '--nodeid', 'worker-1',
      '--logtostderr',
      '--alsologtostderr=false',
      '--log_file_max_size=1800',
      '--kube-api-qps=5.5',
      '--log-flush-frequency', '5s',
      '--min-resync-period=12h0m0s',
      '--vmodule=server*=4,node=2',
    ]);
    if (parsed.help) throw new Error('unexpected help');
    expect(ignoredFlagsGiven(CINDER_CPO_FLAGS, parsed.given)).toEqual([
      '--nodeid',
      '--kube-api-qps',
      '--min-resync-period',
      '--vmodule',
      '--log-flush-frequency',
      '--logtostderr',
      '--alsologtostderr',
      '--log-file-max-size',
    ]);
  });

  it.each([
    [['--kube-api-qps=fast'], 'invalid value "fast" for flag --kube-api-qps: must be a number'],
    [['--log-flush-frequency=5'], 'invalid value "5" for flag --log-flush-frequency: must be a duration'],
    [['--kube-api-burst=ten'], 'invalid value "ten" for flag --kube-api-burst: must be an integer'],
    [['--logtostderr=yes'], 'invalid value "yes" for flag --logtostderr: must be true or false'],
    [['--nodeid'], 'flag needs an argument: --nodeid'],
  ])('rejects %j as CPO would', (argv, message) => {
    expect(() => parseFlags(specs, argv)).toThrow(UsageError);
    expect(() => parseFlags(specs, argv)).toThrow(message);
  });

  it('drops only a leading argument naming the binary', () => {
    expect(withoutBinaryPath(['/bin/cinder-csi-plugin', '--v=1'], 'cinder-csi-plugin')).toEqual(['--v=1']);
    expect(withoutBinaryPath(['cinder-csi-plugin'], 'cinder-csi-plugin')).toEqual([]);
    expect(withoutBinaryPath(['/bin/manila-csi-plugin', '--v=1'], 'cinder-csi-plugin')).toEqual(['/bin/manila-csi-plugin', '--v=1']);
    expect(withoutBinaryPath(['--v=1', '/bin/cinder-csi-plugin'], 'cinder-csi-plugin')).toEqual(['--v=1', '/bin/cinder-csi-plugin']);
  });

  it('names every accepted flag in the help text', () => {
    const help = compatHelp(CINDER_CPO_FLAGS);
    for (const name of Object.keys(CINDER_CPO_FLAGS)) expect(help).toContain(`--${name}`);
  });
});
