import * as fs from 'fs';
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { createLogger, Logger } from '../log/logger';
import { Code, CsiError, notFound } from './errors';
import { createIdentityService } from './identity';
import type { ControllerHandlers, NodeHandlers } from './handlers';
import { CsiServer, startCsiServer } from './server';
import { createCsiClient, CsiClient } from './client';
import { Registry } from 'prom-client';
import { createCsiCallMetrics, CSI_OPERATIONS_METRIC } from './metrics';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}
function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function captureLogger(verbosity = 10): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ verbosity, sink: (line) => lines.push(line) }), lines };
}

const identity = createIdentityService({
  driverName: 'cinder.csi.openstack.org',
  vendorVersion: '9.9.9',
  capabilities: { controllerService: true, volumeAccessibilityConstraints: true, volumeExpansion: ['ONLINE'] },
  ready: () => true,
});

async function expectCode(promise: Promise<unknown>, code: Code): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code: number; details: string };
    expect(e.code).toBe(code);
    return e;
  }
  throw new Error(`expected gRPC code ${Code[code]}, call succeeded`);
}

describe('CSI server over a real unix socket', () => {
  let dir: string;
  let server: CsiServer | undefined;
  let client: CsiClient | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-server-'));
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await server?.stop();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(
    services: { controller?: ControllerHandlers; node?: NodeHandlers },
    logger: Logger = createLogger({ sink: () => undefined }),
    extra: { drainTimeoutMs?: number; endpoint?: string; registry?: Registry } = {},
  ): Promise<CsiClient> {
    server = await startCsiServer({
      endpoint: extra.endpoint ?? `unix://${path.join(dir, 'sub', 'csi.sock')}`,
      services: { identity, ...services },
      logger,
      drainTimeoutMs: extra.drainTimeoutMs,
      metrics: createCsiCallMetrics(extra.registry ?? new Registry()),
    });
    client = createCsiClient(server.address);
    return client;
  }

  it('answers Identity calls and creates the socket parent directory', async () => {
    const c = await start({});
    expect(server!.address).toBe(path.join(dir, 'sub', 'csi.sock'));
    expect(fs.lstatSync(server!.address).isSocket()).toBe(true);

    const info = await c.identity.GetPluginInfo({});
    expect(info.name).toBe('cinder.csi.openstack.org');
    expect(info.vendor_version).toBe('9.9.9');

    const caps = await c.identity.GetPluginCapabilities({});
    expect(caps.capabilities).toEqual([
      { service: { type: 'CONTROLLER_SERVICE' }, type: 'service' },
      { service: { type: 'VOLUME_ACCESSIBILITY_CONSTRAINTS' }, type: 'service' },
      { volume_expansion: { type: 'ONLINE' }, type: 'volume_expansion' },
    ]);

    const probe = await c.identity.Probe({});
    expect(probe.ready).toEqual({ value: true });
  });

  it('answers UNIMPLEMENTED for services and methods without a handler', async () => {
    const c = await start({ controller: { async ControllerGetCapabilities() { return { capabilities: [] }; } } });
    const err = await expectCode(c.controller.CreateVolume({ name: 'x' }), Code.UNIMPLEMENTED);
    expect(err.details).toContain('CreateVolume');
    await expectCode(c.node.NodeGetInfo({}), Code.UNIMPLEMENTED);
    await expect(c.controller.ControllerGetCapabilities({})).resolves.toEqual({ capabilities: [] });
  });

  it('refuses a concurrent duplicate with ABORTED and frees the key afterwards', async () => {
    const entered = deferred();
    const release = deferred();
    let calls = 0;
    const c = await start({
      controller: {
        async CreateVolume(req) {
          calls += 1;
          if (calls === 1) {
            entered.resolve();
            await release.promise;
          }
          return { volume: { volume_id: `id-${req.name}`, capacity_bytes: req.capacity_range?.required_bytes ?? '0' } };
        },
      },
    });

    const first = c.controller.CreateVolume({ name: 'pvc-1', capacity_range: { required_bytes: '9007199254740993' } });
    await entered.promise;
    const dup = await expectCode(c.controller.CreateVolume({ name: 'pvc-1' }), Code.ABORTED);
    expect(dup.details).toBe('an operation for volume name pvc-1 is already in progress');
    // A different name is not blocked by the running one.
    await expect(c.controller.CreateVolume({ name: 'pvc-2' })).resolves.toMatchObject({ volume: { volume_id: 'id-pvc-2' } });

    release.resolve();
    const created = await first;
    // int64 survives the round trip as a decimal string, beyond 2^53.
    expect(created.volume?.capacity_bytes).toBe('9007199254740993');
    await expect(c.controller.CreateVolume({ name: 'pvc-1' })).resolves.toMatchObject({ volume: { volume_id: 'id-pvc-1' } });
    expect(calls).toBe(3);
  });

  it('frees the key when the handler fails', async () => {
    let attempt = 0;
    const c = await start({
      node: {
        async NodeStageVolume() {
          attempt += 1;
          if (attempt === 1) throw new Error('boom');
          return {};
        },
      },
    });
    const req = { volume_id: 'v1', staging_target_path: '/x' };
    await expectCode(c.node.NodeStageVolume(req), Code.INTERNAL);
    await expect(c.node.NodeStageVolume(req)).resolves.toEqual({});
  });

  it('maps a typed CsiError to its status and hides unknown errors behind a safe INTERNAL message', async () => {
    const { logger, lines } = captureLogger();
    const c = await start(
      {
        controller: {
          async DeleteSnapshot(req) {
            throw notFound(`snapshot ${req.snapshot_id} not found`);
          },
          async ListVolumes() {
            throw new Error('database password=hunter2 at /secret/path exploded');
          },
          async GetCapacity() {
            throw new CsiError(Code.RESOURCE_EXHAUSTED, 'quota exceeded');
          },
        },
      },
      logger,
    );
    const nf = await expectCode(c.controller.DeleteSnapshot({ snapshot_id: 'snap-9' }), Code.NOT_FOUND);
    expect(nf.details).toBe('snapshot snap-9 not found');
    await expectCode(c.controller.GetCapacity({}), Code.RESOURCE_EXHAUSTED);

    const internal = await expectCode(
      c.controller.ListVolumes({}, { metadata: { 'x-request-id': 'req-42' } }),
      Code.INTERNAL,
    );
    expect(internal.details).toBe('internal error (request req-42)');
    expect(internal.details).not.toContain('hunter2');

    const failure = lines.map((l) => JSON.parse(l)).find((r) => r.requestId === 'req-42' && r.msg === 'grpc call failed');
    expect(failure).toMatchObject({ method: 'ListVolumes', code: 'INTERNAL', level: 'error' });
    expect(typeof failure.durationMs).toBe('number');
    expect(failure.cause.stack).toContain('exploded');
  });

  it('writes one completion line per call with request ID, method, duration and code', async () => {
    const { logger, lines } = captureLogger(2);
    const c = await start({ controller: { async DeleteVolume() { return {}; } } }, logger);
    await c.controller.DeleteVolume({ volume_id: 'v-1' }, { metadata: { 'x-request-id': 'abc-1' } });
    const records = lines.map((l) => JSON.parse(l)).filter((r) => r.requestId === 'abc-1');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ msg: 'grpc call', method: 'DeleteVolume', service: 'Controller', code: 'OK' });
    expect(records[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('records one metric observation per call with method and code', async () => {
    const registry = new Registry();
    const c = await start(
      { controller: { async DeleteVolume(req) { if (req.volume_id === 'gone') throw notFound('gone'); return {}; } } },
      undefined,
      { registry },
    );
    await c.controller.DeleteVolume({ volume_id: 'v1' });
    await c.controller.DeleteVolume({ volume_id: 'v2' });
    await expectCode(c.controller.DeleteVolume({ volume_id: 'gone' }), Code.NOT_FOUND);
    const text = await registry.metrics();
    expect(text).toContain(`${CSI_OPERATIONS_METRIC}_count{method_name="DeleteVolume",grpc_status_code="OK"} 2`);
    expect(text).toContain(`${CSI_OPERATIONS_METRIC}_count{method_name="DeleteVolume",grpc_status_code="NOT_FOUND"} 1`);
  });

  it('never logs secrets, credential-like volume context or secret mount flags', async () => {
    const { logger, lines } = captureLogger(10);
    const c = await start(
      {
        node: {
          async NodeStageVolume() {
            throw new CsiError(Code.FAILED_PRECONDITION, 'device missing');
          },
          async NodePublishVolume() {
            return {};
          },
        },
      },
      logger,
    );
    const secretValues = ['s3cr3t-pass', 'tok-ABC123', 'ck-xyz789', 'mflag-pw'];
    const request = {
      volume_id: 'vol-1',
      staging_target_path: '/stage',
      target_path: '/target',
      secrets: { password: secretValues[0], 'os-token': secretValues[1] },
      volume_context: { cephfs_userKey: secretValues[2], fsName: 'myfs' },
      volume_capability: { mount: { fs_type: 'ext4', mount_flags: [`password=${secretValues[3]}`, 'noatime'] } },
    };
    await expectCode(c.node.NodeStageVolume(request), Code.FAILED_PRECONDITION);
    await c.node.NodePublishVolume(request);

    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(log).toContain('vol-1');
    expect(log).toContain('myfs');
    expect(log).toContain('noatime');
    for (const secret of secretValues) expect(log).not.toContain(secret);
  });

  it('removes a stale socket but refuses to replace a regular file', async () => {
    const socketPath = path.join(dir, 'stale.sock');
    // A crashed previous run: a process bound the socket and exited without cleaning up.
    const child = spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.exit(0))`,
    ]);
    expect(child.status).toBe(0);
    expect(fs.lstatSync(socketPath).isSocket()).toBe(true);
    const c = await start({}, undefined, { endpoint: `unix://${socketPath}` });
    await expect(c.identity.Probe({})).resolves.toEqual({ ready: { value: true } });
    await server!.stop();
    server = undefined;
    expect(fs.existsSync(socketPath)).toBe(false);

    const regular = path.join(dir, 'not-a-socket');
    fs.writeFileSync(regular, 'keep me');
    await expect(
      startCsiServer({ endpoint: `unix://${regular}`, services: { identity }, logger: createLogger({ sink: () => undefined }) }),
    ).rejects.toThrow(/not a socket/);
    expect(fs.readFileSync(regular, 'utf8')).toBe('keep me');
  });

  it('refuses to take over a socket another process is serving on', async () => {
    const first = await start({});
    await expect(
      startCsiServer({ endpoint: `unix://${server!.address}`, services: { identity }, logger: createLogger({ sink: () => undefined }) }),
    ).rejects.toThrow(/already serving/);
    await expect(first.identity.Probe({})).resolves.toEqual({ ready: { value: true } });
  });

  it('drains a running call on stop, then unlinks the socket', async () => {
    const entered = deferred();
    const release = deferred();
    const c = await start({
      controller: {
        async ControllerExpandVolume() {
          entered.resolve();
          await release.promise;
          return { capacity_bytes: '2147483648', node_expansion_required: true };
        },
      },
    });
    const running = c.controller.ControllerExpandVolume({ volume_id: 'v', capacity_range: { required_bytes: '1' } });
    await entered.promise;
    const socketPath = server!.address;
    let stopped = false;
    const stopping = server!.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release.resolve();
    await expect(running).resolves.toEqual({ capacity_bytes: '2147483648', node_expansion_required: true });
    await stopping;
    expect(fs.existsSync(socketPath)).toBe(false);
    server = undefined;
  });

  it('cancels calls that outlive the drain bound', async () => {
    const entered = deferred();
    const c = await start(
      {
        controller: {
          async ControllerPublishVolume() {
            entered.resolve();
            await new Promise(() => undefined);
            return {};
          },
        },
      },
      undefined,
      { drainTimeoutMs: 50 },
    );
    const hanging = c.controller.ControllerPublishVolume({ volume_id: 'v', node_id: 'n' });
    await entered.promise;
    const socketPath = server!.address;
    await server!.stop();
    server = undefined;
    await expect(hanging).rejects.toMatchObject({ code: expect.any(Number) });
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it('listens on tcp://host:port for tests', async () => {
    const c = await start({}, undefined, { endpoint: 'tcp://127.0.0.1:0' });
    expect(server!.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server!.address).not.toBe('127.0.0.1:0');
    await expect(c.identity.GetPluginInfo({})).resolves.toMatchObject({ name: 'cinder.csi.openstack.org' });
  });
});
