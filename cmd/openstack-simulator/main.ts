#!/usr/bin/env node
/**
 * `openstack-simulator`: runs the simulated cloud until SIGTERM/SIGINT, writes a cloud.conf for the driver
 * and prints where everything is.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../../pkg/log/logger';
import { startSimulator, type SimulatorOptions } from '../../pkg/simulator';

const USAGE = `usage: openstack-simulator [--port N] [--host ADDR] [--cloud-config-out FILE]
  [--region NAME]... [--availability-zone NAME]... [--server NAME[:AZ]]...
  [--latency-ms N | --latency-ms MIN-MAX] [--token-lifetime-seconds N] [--max-volumes-per-server N]
  [--devices auto|on|off] [--by-id-dir DIR] [--work-dir DIR] [--scsi-links] [--v N]`;

export function parseCommandLine(argv: string[]): { options: SimulatorOptions; cloudConfigOut?: string; verbosity: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'cloud-config-out': { type: 'string' },
      region: { type: 'string', multiple: true },
      'availability-zone': { type: 'string', multiple: true },
      server: { type: 'string', multiple: true },
      'latency-ms': { type: 'string' },
      'token-lifetime-seconds': { type: 'string' },
      'max-volumes-per-server': { type: 'string' },
      devices: { type: 'string', default: 'auto' },
      'by-id-dir': { type: 'string' },
      'work-dir': { type: 'string' },
      'scsi-links': { type: 'boolean', default: false },
      v: { type: 'string', default: '2' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const integer = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a non-negative integer, got "${text}"`);
    return Number(text);
  };
  let latencyMs: SimulatorOptions['latencyMs'];
  const latency = values['latency-ms'];
  if (latency !== undefined) {
    const range = /^(\d+)-(\d+)$/.exec(latency);
    latencyMs = range ? { min: Number(range[1]), max: Number(range[2]) } : integer('latency-ms', latency);
  }
  const devices = values.devices;
  if (!['auto', 'on', 'off'].includes(devices)) throw new Error(`--devices must be auto, on or off, got "${devices}"`);
  const servers = values.server?.map((spec) => {
    const [name, availabilityZone] = spec.split(':', 2);
    if (!name) throw new Error(`--server needs a name, got "${spec}"`);
    return { name, availabilityZone: availabilityZone || undefined };
  });
  return {
    options: {
      port: integer('port', values.port),
      host: values.host,
      regions: values.region,
      availabilityZones: values['availability-zone'],
      servers,
      latencyMs,
      tokenLifetimeSeconds: integer('token-lifetime-seconds', values['token-lifetime-seconds']),
      maxVolumesPerServer: integer('max-volumes-per-server', values['max-volumes-per-server']),
      devices: {
        enabled: devices === 'auto' ? undefined : devices === 'on',
        byIdDir: values['by-id-dir'],
        workDir: values['work-dir'],
        scsiLinks: values['scsi-links'],
      },
      adminApi: true,
    },
    cloudConfigOut: values['cloud-config-out'],
    verbosity: integer('v', values.v) ?? 2,
  };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exit(2);
  }
  const logger = createLogger({ verbosity: parsed.verbosity });
  const sim = await startSimulator({ ...parsed.options, logger });
  if (parsed.cloudConfigOut) await sim.writeCloudConf(parsed.cloudConfigOut);

  const lines = [
    `OpenStack simulator listening on ${sim.url}`,
    `  identity (auth-url): ${sim.endpoints.identity}`,
    `  block storage:       ${sim.endpoints.volume}`,
    `  compute:             ${sim.endpoints.compute}`,
    `  shared file systems: ${sim.endpoints.share}`,
    `  admin:               ${sim.endpoints.admin ?? '(off)'}`,
    `  metadata URL:        ${sim.metadataUrl} (server ${sim.defaultServer.name} ${sim.defaultServer.id}, AZ ${sim.defaultServer.availabilityZone})`,
    `  config drive:        ${sim.configDriveDir(sim.defaultServer.id)}`,
    `  by-id directory:     ${sim.byIdDir}`,
    `  block devices:       ${sim.devicesEnabled ? 'loop devices' : `off (${sim.devicesDisabledReason ?? 'disabled'})`}`,
    `  user ${sim.credentials.username} / project ${sim.credentials.projectName} (${sim.credentials.projectId}), region ${sim.credentials.region}`,
  ];
  if (parsed.cloudConfigOut) lines.push(`  cloud.conf written:  ${parsed.cloudConfigOut}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping simulator', { signal });
    sim.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('simulator stop failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A wrapper (npm run's shell, tsx) may die without passing the signal on; orphaned, we release our devices.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown('parent exited');
  }, 1000).unref();
}

if (require.main === module) {
  void main();
}
