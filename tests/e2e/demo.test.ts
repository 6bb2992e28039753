/**
 * `npm run demo` as a user runs it: the real command, its exit code and what it prints. As root the
 * node side runs on loop devices; as an unprivileged user (via setpriv) it must still pass, saying what
 * it skipped and why.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../pkg/stack';
import { canUseLoopDevices } from '../../pkg/mounter/host-capabilities';

const isRoot = process.getuid?.() === 0;
const canUseLoop = canUseLoopDevices;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((file) => fs.existsSync(file));
const NOBODY = 65534;

/** An unprivileged user can run the demo only if every directory down to the repository lets others in. */
function othersCanReach(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    if ((fs.statSync(current).mode & 0o005) !== 0o005) return false;
    if (path.dirname(current) === current) return true;
  }
}
// The Node running the tests must be runnable by others too: not so for a Node in root's npm cache
// (`npx node@24`, as .ci/run runs the suite on the image's Node major).
const othersCanRunNode = othersCanReach(path.dirname(process.execPath)) && (fs.statSync(process.execPath).mode & 0o001) !== 0;
const canDropRoot = isRoot && setpriv !== undefined && othersCanReach(REPO_ROOT) && othersCanRunNode;

function runDemo(args: string[], asNobody = false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-test-'));
  fs.chmodSync(dir, 0o777);
  const logFile = path.join(dir, 'plugins.log');
  const command = [process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'cmd', 'demo', 'main.ts'), '--log-file', logFile, ...args];
  const [file, ...argv] = asNobody
    ? [setpriv as string, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...command]
    : command;
  const result = spawnSync(file, argv, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, NO_COLOR: '1', HOME: asNobody ? dir : process.env.HOME },
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

(canUseLoop ? it : it.skip)(
  canUseLoop ? 'demo runs the block lifecycle on loop devices and exits 0' : 'demo as root (SKIPPED: needs root and /dev/loop-control)',
  () => {
    const result = runDemo(['--kinds', 'block']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/✔ verify data \(restored\)/);
    expect(result.stdout).toMatch(/✔ nothing left on the host/);
    expect(result.stdout).toMatch(/^Summary$/m);
    expect(result.stdout).toMatch(/^\s+block\s+\d+\s+0\s+0\s+.*passed$/m);
    expect(result.stdout).toMatch(/^All steps passed in /m);
  },
  300_000,
);

(canDropRoot ? it : it.skip)(
  canDropRoot
    ? 'demo without root skips the node side, says why, and still exits 0'
    : 'demo without root (SKIPPED: needs root, setpriv, and a repository and Node binary others can read, to run as nobody)',
  () => {
    const result = runDemo(['--kinds', 'ext4'], true);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('node-side steps (device, format, mount, data, filesystem growth)');
    expect(result.stdout).toMatch(/– NodeStageVolume \(source\)\s+needs root/);
    expect(result.stdout).toMatch(/✔ CreateSnapshot/);
    expect(result.stdout).toMatch(/^Skipped\n\s+\d+ steps: needs root/m);
    expect(result.stdout).toMatch(/^All steps that ran passed in .*; \d+ skipped/m);
  },
  300_000,
);

it('demo rejects an unknown volume kind with a usage message', () => {
  const result = runDemo(['--kinds', 'ntfs']);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('invalid value for --kinds: ntfs; choose from ext4, xfs, block');
});

it('demo runs only the drivers that exist: --driver manila is refused as not there yet, before anything starts', () => {
  const result = runDemo(['--driver', 'manila']);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('--driver manila: the manila driver is not implemented yet; available: cinder');
  expect(result.stdout).toBe('');
});
