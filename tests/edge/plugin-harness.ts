/**
 * The whole Cinder plugin (identity, controller, group controller, node) wired exactly as the binary
 * wires it (`buildServices` from parsed flags), served on a unix socket in a per-run temp directory,
 * backed by the simulator, with every log line kept for inspection. One client = one gRPC connection.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCinderOptions } from '../../pkg/cinder/options';
import { buildServices } from '../../pkg/cinder/plugin/services';
import { startCsiServer, type CsiServer } from '../../pkg/csi/server';
import { createCsiClient, type CsiClient } from '../../pkg/csi/client';
import { createLogger } from '../../pkg/log/logger';
import { startSimulator, type Simulator } from '../../pkg/simulator';

export interface PluginUnderTest {
  sim: Simulator;
  server: CsiServer;
  client: CsiClient;
  /** The run's own directory: the socket, cloud.conf and every path the tests hand to the plugin live under it. */
  dir: string;
  /** Every log line the plugin wrote, in order. */
  logLines: string[];
  stop(): Promise<void>;
}

export async function startPlugin(extraArgs: string[] = []): Promise<PluginUnderTest> {
  const sim = await startSimulator({ latencyMs: 5, devices: { enabled: false } });
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'edge-plugin-'));
  const node = sim.addServer({ name: 'edge-node' });
  const cloudConf = path.join(dir, 'cloud.conf');
  await sim.writeCloudConf(cloudConf);
  const parsed = parseCinderOptions([
    `--endpoint=unix://${path.join(dir, 'csi.sock')}`,
    `--cloud-config=${cloudConf}`,
    `--config-drive-dir=${sim.configDriveDir(node.id)}`,
    `--device-dir=${sim.byIdDir}`,
    `--sysfs-root=${sim.sysfsRoot}`,
    '--v=5',
    ...extraArgs,
  ]);
  if (parsed.help) throw new Error('--help is not a way to start a plugin');
  const logLines: string[] = [];
  const logger = createLogger({ verbosity: parsed.options.verbosity, sink: (line) => logLines.push(line) });
  const plugin = await buildServices(parsed.options, logger);
  const server = await startCsiServer({ endpoint: parsed.options.endpoint, services: plugin.services, logger, drainTimeoutMs: 2000 });
  const client = createCsiClient(server.address);
  return {
    sim,
    server,
    client,
    dir,
    logLines,
    async stop() {
      client.close();
      await server.stop();
      await plugin.close();
      await sim.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
