import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

type Loader = typeof import('./prom-client');

function freshLoader(): Loader {
  let loader: Loader | undefined;
  jest.isolateModules(() => {
    loader = jest.requireActual<Loader>('./prom-client');
  });
  return loader!;
}

describe('prom-client on demand', () => {
  it('creates metrics on their first observation, once', () => {
    const { lazyMetrics } = freshLoader();
    const create = jest.fn(() => ({ seen: [] as number[] }));
    const lazy = lazyMetrics(create);
    expect(create).not.toHaveBeenCalled();
    lazy.use((metrics) => metrics.seen.push(1));
    lazy.use((metrics) => metrics.seen.push(2));
    expect(lazy.get().seen).toEqual([1, 2]);
    expect(create).toHaveBeenCalledTimes(1);
    expect(create.mock.results[0].value).toEqual({ seen: [1, 2] });
  });

  it('creates and records nothing once collection is off (no --http-endpoint)', () => {
    const { lazyMetrics, stopCollectingMetrics, metricsCollected } = freshLoader();
    const create = jest.fn(() => ({}));
    const lazy = lazyMetrics(create);
    stopCollectingMetrics();
    const use = jest.fn();
    lazy.use(use);
    expect(metricsCollected()).toBe(false);
    expect(create).not.toHaveBeenCalled();
    expect(use).not.toHaveBeenCalled();
  });

  it('a lazy registry is a prom-client Registry, the same one on every call', async () => {
    const { lazyRegistry } = freshLoader();
    const registry = lazyRegistry();
    expect(registry()).toBe(registry());
    expect((await registry().metrics()).trim()).toBe('');
    expect(registry().contentType).toMatch(/^text\/plain/);
  });

  it('the plugin binary\'s module graph does not load prom-client until a metric is made', async () => {
    const root = path.resolve(__dirname, '..', '..');
    const script =
      "require('./cmd/cinder-csi-plugin/main');" +
      "const loaded = () => Object.keys(require.cache).some((file) => file.includes('/node_modules/prom-client/'));" +
      "const before = loaded(); require('./pkg/csi/metrics').csiMetricsRegistry();" +
      'console.log(JSON.stringify({ before, after: loaded() }));';
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({ before: false, after: true });
  });
});
