/**
 * A stand-in plugin binary for the harness's own tests: serves Identity on `--endpoint`, answers Probe
 * not-ready for `--ready-after-ms`, exits `--exit-code` at once when given, and drains on SIGTERM.
 */
import { silentLogger } from '../../log/logger';
import { createIdentityService } from '../../csi/identity';
import { startCsiServer } from '../../csi/server';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const exitCode = flag('exit-code');
  if (exitCode !== undefined) {
    process.stderr.write('fake plugin: failing on purpose\n');
    process.exit(Number(exitCode));
  }
  const startedAt = Date.now();
  const readyAfterMs = Number(flag('ready-after-ms') ?? '0');
  const server = await startCsiServer({
    endpoint: flag('endpoint') ?? '',
    logger: silentLogger,
    services: {
      identity: createIdentityService({
        driverName: 'fake.csi.example.org',
        vendorVersion: '0.0.0',
        capabilities: {},
        ready: () => Date.now() - startedAt >= readyAfterMs,
      }),
    },
  });
  process.stdout.write('fake plugin: listening\n');
  process.once('SIGTERM', () => {
    void server.stop().then(() => process.exit(0));
  });
}

void main();
