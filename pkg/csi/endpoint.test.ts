import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { grpcAddress, parseEndpoint, prepareSocketPath, removeSocket } from './endpoint';

describe('parseEndpoint', () => {
  it.each([
    ['unix:///var/lib/kubelet/plugins/cinder.csi.openstack.org/csi.sock', '/var/lib/kubelet/plugins/cinder.csi.openstack.org/csi.sock'],
    ['unix://csi/csi.sock', '/csi/csi.sock'],
    ['unix:/csi/csi.sock', undefined],
    ['/tmp/x/../csi.sock', '/tmp/csi.sock'],
    ['UNIX:///a.sock', '/a.sock'],
  ])('%s -> unix %s', (input, expected) => {
    if (expected === undefined) {
      expect(() => parseEndpoint(input)).toThrow(/no scheme/);
    } else {
      expect(parseEndpoint(input)).toEqual({ kind: 'unix', path: expected });
    }
  });

  it('parses tcp endpoints', () => {
    expect(parseEndpoint('tcp://127.0.0.1:10000')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 10000 });
    expect(parseEndpoint('tcp://:0')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 0 });
    expect(parseEndpoint('tcp://[::1]:9')).toEqual({ kind: 'tcp', host: '[::1]', port: 9 });
    expect(grpcAddress(parseEndpoint('tcp://localhost:5'))).toBe('localhost:5');
    expect(grpcAddress(parseEndpoint('unix://csi/csi.sock'))).toBe('unix:///csi/csi.sock');
  });

  it.each([
    ['', /empty/],
    ['unix://', /no socket path/],
    ['tcp://host', /tcp:\/\/host:port/],
    ['tcp://host:99999', /invalid port/],
    ['http://x:1', /unsupported scheme "http"/],
    ['csi.sock', /no scheme/],
  ])('rejects %j', (input, message) => {
    expect(() => parseEndpoint(input)).toThrow(message);
  });
});

describe('socket path preparation', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-endpoint-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates missing parent directories', () => {
    const socketPath = path.join(dir, 'a', 'b', 'csi.sock');
    prepareSocketPath(socketPath);
    expect(fs.statSync(path.dirname(socketPath)).isDirectory()).toBe(true);
  });

  it('leaves regular files and directories alone', () => {
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, 'data');
    expect(() => prepareSocketPath(file)).toThrow(/not a socket/);
    removeSocket(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('data');
    fs.mkdirSync(path.join(dir, 'sub'));
    expect(() => prepareSocketPath(path.join(dir, 'sub'))).toThrow(/not a socket/);
    expect(() => removeSocket(path.join(dir, 'missing'))).not.toThrow();
  });
});
