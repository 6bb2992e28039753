/**
 * CSI endpoint strings as cloud-provider-openstack accepts them:
 *   unix:///abs/path.sock   absolute socket path
 *   unix://rel/path.sock    CPO reads this as /rel/path.sock (the path is never relative to the cwd)
 *   /abs/path.sock          bare absolute path (csi-sanity style)
 *   tcp://host:port         for tests and debugging only
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

export type Endpoint = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export function parseEndpoint(endpoint: string): Endpoint {
  const value = endpoint.trim();
  if (value === '') throw new Error('endpoint is empty');
  if (value.startsWith('/')) return { kind: 'unix', path: path.normalize(value) };

  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(value);
  if (!match) throw new Error(`endpoint "${endpoint}" has no scheme; use unix:///path/to/csi.sock or tcp://host:port`);
  const scheme = match[1].toLowerCase();
  const rest = match[2];

  if (scheme === 'unix') {
    const trimmed = rest.replace(/^\/+/, '');
    if (trimmed === '') throw new Error(`endpoint "${endpoint}" has no socket path`);
    return { kind: 'unix', path: path.normalize('/' + trimmed) };
  }
  if (scheme === 'tcp') {
    const hostPort = /^(\[[^\]]+\]|[^:/]*):(\d+)$/.exec(rest);
    if (!hostPort) throw new Error(`endpoint "${endpoint}" must be tcp://host:port`);
    const port = Number(hostPort[2]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`endpoint "${endpoint}" has an invalid port`);
    return { kind: 'tcp', host: hostPort[1] === '' ? '0.0.0.0' : hostPort[1], port };
  }
  throw new Error(`endpoint "${endpoint}" has unsupported scheme "${scheme}" (unix or tcp)`);
}

/** The address string @grpc/grpc-js binds to or dials. */
export function grpcAddress(endpoint: Endpoint): string {
  return endpoint.kind === 'unix' ? `unix://${endpoint.path}` : `${endpoint.host}:${endpoint.port}`;
}

/**
 * Makes a unix socket path bindable: creates the parent directory and removes a socket left behind by
 * a previous run. Anything that is not a socket is left alone and reported, so a typo can never delete
 * a user's file.
 */
export function prepareSocketPath(socketPath: string): void {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!stat.isSocket()) {
    throw new Error(`refusing to replace ${socketPath}: it exists and is not a socket`);
  }
  fs.unlinkSync(socketPath);
}

/**
 * True when something accepts connections on the socket: another plugin instance is running there, and
 * its socket must not be pulled from under it. A refused connection means the socket is stale.
 */
export function isSocketInUse(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(socketPath);
    } catch {
      resolve(false);
      return;
    }
    if (!stat.isSocket()) {
      resolve(false);
      return;
    }
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => {
      probe.destroy();
      resolve(false);
    });
  });
}

/** Removes our socket on shutdown; a missing file is fine, a non-socket is never touched. */
export function removeSocket(socketPath: string): void {
  try {
    if (fs.lstatSync(socketPath).isSocket()) fs.unlinkSync(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
