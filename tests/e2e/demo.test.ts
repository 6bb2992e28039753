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

/** A demo run where every step ran and passed: exit 0, nothing on stderr, `group`'s summary row clean. */
function expectAllPassed(result: ReturnType<typeof runDemo>, group: string): void {
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/✔ nothing left on the host/);
  expect(result.stdout).toMatch(new RegExp(`^\\s+${group}\\s+\\d+\\s+0\\s+0\\s+.*passed$`, 'm'));
  expect(result.stdout).toMatch(/^All steps passed in /m);
}

/** A demo run as nobody: exit 0, the node side skipped for want of root, the controller side done. */
function expectNodeSideSkipped(result: ReturnType<typeof runDemo>): void {
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/– NodeStageVolume \(source\)\s+needs root/);
  expect(result.stdout).toMatch(/✔ CreateSnapshot/);
  expect(result.stdout).toMatch(/^All steps that ran passed in .*; \d+ skipped/m);
}

(canUseLoop ? it : it.skip)(
  canUseLoop ? 'demo runs the block lifecycle on loop devices and exits 0' : 'demo as root (SKIPPED: needs root and /dev/loop-control)',
  () => {
    const result = runDemo(['--kinds', 'block']);
    expectAllPassed(result, 'block');
    expect(result.stdout).toMatch(/✔ verify data \(restored\)/);
    expect(result.stdout).toMatch(/^Summary$/m);
  },
  300_000,
);

(canDropRoot ? it : it.skip)(
  canDropRoot
    ? 'demo without root skips the node side, says why, and still exits 0'
    : 'demo without root (SKIPPED: needs root, setpriv, and a repository and Node binary others can read, to run as nobody)',
  () => {
    const result = runDemo(['--kinds', 'ext4'], true);
    expectNodeSideSkipped(result);
    expect(result.stdout).toContain('Node-side steps (devices or shares, mounts, data, growth) cannot run on this host');
    expect(result.stdout).toMatch(/^Skipped\n\s+\d+ steps: needs root/m);
  },
  300_000,
);

it('demo rejects an unknown volume kind with a usage message', () => {
  const result = runDemo(['--kinds', 'ntfs']);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('invalid value for --kinds: ntfs; choose from ext4, xfs, block');
});

// Manila's node side is the stand-in partner's bind mounts: root is what it needs (the demo asks for
// loop devices too before it runs any node step, for every driver).
(canUseLoop ? it : it.skip)(
  canUseLoop
    ? 'demo --driver manila: two publishes of one share see the same bytes, snapshot → restore keeps them, nothing left, exit 0'
    : 'demo --driver manila as root (SKIPPED: needs root and /dev/loop-control)',
  () => {
    const result = runDemo(['--driver', 'manila']);
    expectAllPassed(result, 'nfs');
    expect(result.stdout).toContain('the Manila CSI plugin (NFS) end to end');
    expect(result.stdout).toMatch(/✔ CreateVolume \(NFS share\)\s+.*rule ip 0\.0\.0\.0\/0 active/);
    expect(result.stdout).toMatch(/✔ NodePublishVolume \(source, pod-b\)/);
    expect(result.stdout).toMatch(/✔ read the same bytes \(ReadWriteMany: pod-b\)/);
    expect(result.stdout).toMatch(/✔ read the same bytes \(restored\)/);
    expect(result.stdout).toMatch(/✔ ControllerExpandVolume → 2 GiB\s+.*share is 2 GiB/);
    expect(result.stdout).toMatch(/✔ nothing left on the host\s+.*no mounts, kubelet files, share or snapshot directories left/);
  },
  300_000,
);

(canDropRoot ? it : it.skip)(
  canDropRoot
    ? 'demo --driver manila without root skips the node side (bind mounts), says why, and still exits 0'
    : 'demo --driver manila without root (SKIPPED: needs root, setpriv, and a repository and Node binary others can read)',
  () => {
    const result = runDemo(['--driver', 'manila'], true);
    expectNodeSideSkipped(result);
    expect(result.stdout).toMatch(/– NodePublishVolume \(source, pod-b\)\s+skipped/);
    expect(result.stdout).toMatch(/✔ DeleteVolume ×2/);
  },
  300_000,
);

it('demo refuses a driver that does not exist, before anything starts', () => {
  const result = runDemo(['--driver', 'ceph']);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('invalid value "ceph" for --driver: choose from cinder, manila');
  expect(result.stdout).toBe('');
});
