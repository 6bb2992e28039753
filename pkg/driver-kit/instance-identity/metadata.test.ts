import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeMounter } from '../../mounter/testing/fake-mounter';
import type { CommandExecutor } from '../../mounter';
import {
  createConfigDriveSource,
  createMetadataServiceSource,
  createMetadataSources,
  metadataDocumentUrl,
  parseMetadataJson,
  parseSearchOrder,
} from './metadata';

const UUID = '0b7a6c43-7f1e-4c57-9c1c-2b5e3c0f9e11';
const META = JSON.stringify({ uuid: UUID, availability_zone: 'zone-a', name: 'worker-1', devices: [] });

describe('parseMetadataJson', () => {
  it('reads uuid, zone and name', () => {
    expect(parseMetadataJson(META, 'test')).toEqual({ uuid: UUID, availabilityZone: 'zone-a', name: 'worker-1' });
  });
  it('treats an empty zone as none', () => {
    expect(parseMetadataJson(JSON.stringify({ uuid: UUID, availability_zone: '' }), 'x').availabilityZone).toBeUndefined();
  });
  it('rejects bad JSON and a missing or malformed uuid, naming the origin', () => {
    expect(() => parseMetadataJson('{', '/cd/meta')).toThrow(/\/cd\/meta is not valid JSON/);
    expect(() => parseMetadataJson('{}', '/cd/meta')).toThrow(/no valid "uuid"/);
    expect(() => parseMetadataJson('{"uuid":"not-a-uuid"}', 'x')).toThrow(/not-a-uuid/);
    expect(() => parseMetadataJson('[]', 'x')).toThrow(/uuid/);
  });
});

describe('parseSearchOrder', () => {
  it('defaults to configDrive then metadataService', () => {
    expect(parseSearchOrder(undefined)).toEqual(['configDrive', 'metadataService']);
    expect(parseSearchOrder(' ')).toEqual(['configDrive', 'metadataService']);
  });
  it('keeps the given order and rejects unknown names', () => {
    expect(parseSearchOrder('metadataService, configDrive')).toEqual(['metadataService', 'configDrive']);
    expect(parseSearchOrder('metadataService')).toEqual(['metadataService']);
    expect(() => parseSearchOrder('configDrive,cloudInit')).toThrow(/cloudInit/);
  });
});

describe('config drive source', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'configdrive-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads meta_data.json from a configured directory', async () => {
    mkdirSync(path.join(dir, 'openstack', 'latest'), { recursive: true });
    writeFileSync(path.join(dir, 'openstack', 'latest', 'meta_data.json'), META);
    const source = createConfigDriveSource({ directory: dir });
    expect(source.name).toBe('configDrive');
    expect(await source.read()).toMatchObject({ uuid: UUID, availabilityZone: 'zone-a' });
  });

  it('says which file it could not read', async () => {
    await expect(createConfigDriveSource({ directory: dir }).read()).rejects.toThrow(
      `cannot read ${path.join(dir, 'openstack', 'latest', 'meta_data.json')}: ENOENT`,
    );
  });

  it('mounts the device read-only, trying iso9660 then vfat, and cleans up', async () => {
    const device = path.join(dir, 'config-2');
    writeFileSync(device, '');
    // A mounter whose vfat mount "shows" the drive's content in the mount directory.
    class DriveMounter extends FakeMounter {
      override async mount(source: string, target: string, fstype: string, options: readonly string[] = []) {
        this.calls.push({ op: 'mount', args: [source, target, fstype, [...options]] });
        if (fstype !== 'vfat') throw new Error(`wrong fs type ${fstype}`);
        mkdirSync(path.join(target, 'openstack', 'latest'), { recursive: true });
        writeFileSync(path.join(target, 'openstack', 'latest', 'meta_data.json'), META);
      }
      override async unmount(target: string) {
        this.calls.push({ op: 'unmount', args: [target] });
        await fsp.rm(path.join(target, 'openstack'), { recursive: true });
      }
    }
    const mounter = new DriveMounter();
    const metadata = await createConfigDriveSource({ device, mounter }).read();
    expect(metadata.uuid).toBe(UUID);
    const mounts = mounter.callsOf('mount');
    expect(mounts.map((args) => [args[0], args[2], args[3]])).toEqual([
      [device, 'iso9660', ['ro']],
      [device, 'vfat', ['ro']],
    ]);
    const mountDir = mounts[0][1] as string;
    expect(mounter.callsOf('unmount')).toEqual([[mountDir]]);
    await expect(fsp.stat(mountDir)).rejects.toThrow(/ENOENT/);
  });

  it('finds the drive by label with blkid when the by-label link is missing', async () => {
    const calls: string[][] = [];
    const executor: CommandExecutor = {
      async run(command, args) {
        calls.push([command, ...args]);
        return { exitCode: 2, stdout: '', stderr: '' };
      },
    };
    const source = createConfigDriveSource({ mounter: new FakeMounter(), executor });
    await expect(source.read()).rejects.toThrow(/no config drive/);
    expect(calls).toEqual([
      ['blkid', '-l', '-t', 'LABEL=config-2', '-o', 'device'],
      ['blkid', '-l', '-t', 'LABEL=CONFIG-2', '-o', 'device'],
    ]);
  });

  it('reports both mount failures', async () => {
    const device = path.join(dir, 'config-2');
    writeFileSync(device, '');
    const mounter = new FakeMounter();
    await expect(createConfigDriveSource({ device, mounter }).read()).rejects.toThrow(/iso9660: .*; vfat: /);
  });
});

describe('metadata service source', () => {
  let server: http.Server;
  let baseUrl: string;
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  const savedProxy = process.env.HTTP_PROXY;

  beforeAll(async () => {
    server = http.createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    if (savedProxy === undefined) delete process.env.HTTP_PROXY;
    else process.env.HTTP_PROXY = savedProxy;
  });

  it('reads meta_data.json directly, ignoring any proxy in the environment', async () => {
    process.env.HTTP_PROXY = 'http://127.0.0.1:9';
    handler = (req, res) => {
      expect(req.url).toBe('/openstack/latest/meta_data.json');
      res.end(META);
    };
    const source = createMetadataServiceSource({ url: `${baseUrl}/openstack/latest/meta_data.json` });
    expect(source.name).toBe('metadataService');
    expect(await source.read()).toMatchObject({ uuid: UUID, availabilityZone: 'zone-a' });
  });

  it('reports an HTTP error status with the URL', async () => {
    handler = (_req, res) => {
      res.statusCode = 404;
      res.end('nope');
    };
    const url = `${baseUrl}/openstack/latest/meta_data.json`;
    await expect(createMetadataServiceSource({ url }).read()).rejects.toThrow(`GET ${url} answered HTTP 404`);
  });

  it('gives up after the request timeout', async () => {
    handler = () => undefined; // never answers
    const url = `${baseUrl}/slow/meta_data.json`;
    await expect(createMetadataServiceSource({ url, timeoutMs: 200 }).read()).rejects.toThrow(`GET ${url} failed: ECONNABORTED`);
  });

  it('accepts a base URL and appends the document path', async () => {
    handler = (req, res) => {
      expect(req.url).toBe('/metadata/server-1/openstack/latest/meta_data.json');
      res.end(META);
    };
    expect(metadataDocumentUrl(`${baseUrl}/metadata/server-1/`)).toBe(`${baseUrl}/metadata/server-1/openstack/latest/meta_data.json`);
    expect(metadataDocumentUrl(undefined)).toBe('http://169.254.169.254/openstack/latest/meta_data.json');
    expect(await createMetadataServiceSource({ url: `${baseUrl}/metadata/server-1` }).read()).toMatchObject({ uuid: UUID });
  });

  it('builds sources in search order', () => {
    const sources = createMetadataSources(['metadataService', 'configDrive'], {
      configDrive: { directory: '/x' },
      metadataService: { url: baseUrl },
    });
    expect(sources.map((source) => source.name)).toEqual(['metadataService', 'configDrive']);
  });
});
