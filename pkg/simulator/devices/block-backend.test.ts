import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findExecutable, runCommand, type CommandRunner } from './command';
import {
  BackendClosedError,
  createBlockBackend,
  ImageExistsError,
  ImageNotFoundError,
  InvalidSizeError,
  LinkConflictError,
  type BlockBackend,
} from './index';
import { canUseLoopDevices } from '../../mounter/host-capabilities';

const exec = promisify(execFile);
const MiB = 1024 * 1024;

const canUseLoop = canUseLoopDevices;
const describeLoop = canUseLoop ? describe : describe.skip;
if (!canUseLoop) {
  console.warn('Skipping loop-device tests: they need root and /dev/loop-control');
}

interface LoopEntry {
  name: string;
  'back-file': string | null;
}

/** Loop devices whose backing file lives under `dir`, as the kernel reports them. */
async function loopDevicesUnder(dir: string): Promise<LoopEntry[]> {
  const { stdout } = await exec('losetup', ['--list', '--json', '--output', 'NAME,BACK-FILE']);
  if (stdout.trim() === '') return [];
  const parsed = JSON.parse(stdout) as { loopdevices: LoopEntry[] };
  return parsed.loopdevices.filter((entry) => (entry['back-file'] ?? '').startsWith(dir + path.sep));
}

async function deviceSize(device: string): Promise<number> {
  const { stdout } = await exec('blockdev', ['--getsize64', device]);
  return Number(stdout.trim());
}

async function writeThrough(device: string, offset: number, data: Buffer): Promise<void> {
  const handle = await fs.open(device, 'r+');
  try {
    await handle.write(data, 0, data.length, offset);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readThrough(device: string, offset: number, length: number): Promise<Buffer> {
  const handle = await fs.open(device, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

describeLoop('block backend with loop devices', () => {
  const backends: BlockBackend[] = [];
  const open = async (options: Parameters<typeof createBlockBackend>[0] = {}): Promise<BlockBackend> => {
    const backend = await createBlockBackend(options);
    backends.push(backend);
    return backend;
  };

  afterAll(async () => {
    // Every path, including failed assertions, releases what the tests made.
    await Promise.allSettled(backends.map((backend) => backend.close()));
  });

  it('auto-enables as root and uses a fresh work directory', async () => {
    const backend = await open();
    expect(backend.enabled).toBe(true);
    expect(backend.disabledReason).toBeUndefined();
    expect(backend.byIdDir).toBe(path.join(backend.workDir, 'dev', 'disk', 'by-id'));
    expect(backend.sysfsRoot).toBe(path.join(backend.workDir, 'sys'));
    expect(path.dirname(backend.workDir)).toBe(await fs.realpath(os.tmpdir()));
  });

  it('runs the whole lifecycle: attach, write, snapshot, restore, extend, detach, delete', async () => {
    const backend = await open();
    const volumeId = randomUUID();
    const restoredId = randomUUID();
    const payload = Buffer.from(`written through the device ${randomUUID()}`);
    const offset = 5 * MiB + 4096;

    await backend.createImage(`volume-${volumeId}`, 64 * MiB);
    const attached = await backend.attach(`volume-${volumeId}`, volumeId);
    expect(attached.devicePath).toMatch(/^\/dev\/loop\d+$/);
    const virtioLink = path.join(backend.byIdDir, `virtio-${volumeId.slice(0, 20)}`);
    expect(attached.links).toEqual([virtioLink]);
    expect(await fs.realpath(virtioLink)).toBe(attached.devicePath);
    expect((await fs.stat(virtioLink)).isBlockDevice()).toBe(true);
    expect(await deviceSize(virtioLink)).toBe(64 * MiB);
    const serialFile = path.join(backend.sysfsRoot, 'block', path.basename(attached.devicePath), 'serial');
    expect(await fs.readFile(serialFile, 'utf8')).toBe(volumeId.slice(0, 20));

    await writeThrough(virtioLink, offset, payload);
    // Snapshot while the source is attached, then create a larger volume from the snapshot.
    await backend.cloneImage(`volume-${volumeId}`, `snapshot-${volumeId}`, 64 * MiB);
    await backend.cloneImage(`snapshot-${volumeId}`, `volume-${restoredId}`, 96 * MiB);
    const restored = await backend.attach(`volume-${restoredId}`, restoredId);
    expect(restored.devicePath).not.toBe(attached.devicePath);
    expect(await deviceSize(restored.devicePath)).toBe(96 * MiB);
    expect(await readThrough(restored.links[0], offset, payload.length)).toEqual(payload);

    await backend.resizeImage(`volume-${volumeId}`, 128 * MiB);
    expect(await deviceSize(attached.devicePath)).toBe(128 * MiB);
    // Data written before the extension is still there.
    expect(await readThrough(attached.devicePath, offset, payload.length)).toEqual(payload);

    await backend.detach(`volume-${volumeId}`);
    await backend.detach(`volume-${restoredId}`);
    await expect(fs.lstat(virtioLink)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.stat(serialFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await loopDevicesUnder(backend.workDir)).toEqual([]);
    expect(await listFiles(backend.byIdDir)).toEqual([]);

    for (const key of [`volume-${volumeId}`, `snapshot-${volumeId}`, `volume-${restoredId}`]) {
      await backend.deleteImage(key);
    }
    expect(await listFiles(path.join(backend.workDir, 'images'))).toEqual([]);
    expect(await listFiles(path.join(backend.sysfsRoot, 'block'))).toEqual([]);

    await backend.close();
    expect(existsSync(backend.workDir)).toBe(false);
  });

  it('flushes writes still cached above an attached source before cloning it', async () => {
    const backend = await open();
    const volumeId = randomUUID();
    const payload = Buffer.from(`not yet synced ${randomUUID()}`);
    await backend.createImage('volume-a', 16 * MiB);
    const { devicePath } = await backend.attach('volume-a', volumeId);
    const handle = await fs.open(devicePath, 'r+');
    try {
      // No fsync: the bytes sit in the block device's page cache until the backend flushes them.
      await handle.write(payload, 0, payload.length, 2 * MiB);
      await backend.cloneImage('volume-a', 'snapshot-a', 16 * MiB);
    } finally {
      await handle.close();
    }
    const clone = await backend.attach('snapshot-a', randomUUID());
    expect(await readThrough(clone.devicePath, 2 * MiB, payload.length)).toEqual(payload);
    await backend.close();
    expect(await loopDevicesUnder(backend.workDir)).toEqual([]);
  });

  it('lets operations already running finish before close() releases everything, and refuses new ones', async () => {
    const backend = await open();
    const ids = Array.from({ length: 3 }, () => randomUUID());
    await Promise.all(ids.map((id) => backend.createImage(`volume-${id}`, 4 * MiB)));
    const attaching = ids.map((id) => backend.attach(`volume-${id}`, id));
    const closing = backend.close();
    await expect(backend.attach(`volume-${ids[0]}`, ids[0])).rejects.toBeInstanceOf(BackendClosedError);
    const results = await Promise.all(attaching);
    expect(results.every((result) => result.devicePath.startsWith('/dev/loop'))).toBe(true);
    await closing;
    expect(await loopDevicesUnder(backend.workDir)).toEqual([]);
    expect(existsSync(backend.workDir)).toBe(false);
  });

  it('returns the same device when the key is attached again, and makes SCSI links when asked', async () => {
    const backend = await open({ scsiLinks: true });
    const volumeId = randomUUID();
    await backend.createImage('volume-a', 8 * MiB);
    const first = await backend.attach('volume-a', volumeId);
    const second = await backend.attach('volume-a', volumeId);
    expect(second).toEqual(first);
    const scsiLink = path.join(backend.byIdDir, `scsi-0QEMU_QEMU_HARDDISK_${volumeId.slice(0, 20)}`);
    expect(first.links).toEqual([path.join(backend.byIdDir, `virtio-${volumeId.slice(0, 20)}`), scsiLink]);
    expect(await fs.realpath(scsiLink)).toBe(first.devicePath);
    expect(await loopDevicesUnder(backend.workDir)).toHaveLength(1);
    await backend.close();
    expect(await loopDevicesUnder(backend.workDir)).toEqual([]);
  });

  it('attaches many keys concurrently and close() releases everything still attached', async () => {
    const backend = await open();
    const ids = Array.from({ length: 6 }, () => randomUUID());
    await Promise.all(ids.map((id) => backend.createImage(`volume-${id}`, 4 * MiB)));
    const results = await Promise.all(ids.map((id) => backend.attach(`volume-${id}`, id)));
    expect(new Set(results.map((result) => result.devicePath)).size).toBe(ids.length);
    expect(await loopDevicesUnder(backend.workDir)).toHaveLength(ids.length);

    await backend.close();
    expect(await loopDevicesUnder(backend.workDir)).toEqual([]);
    expect(existsSync(backend.workDir)).toBe(false);
    await expect(backend.close()).resolves.toBeUndefined();
    await expect(backend.createImage('volume-late', 4 * MiB)).rejects.toBeInstanceOf(BackendClosedError);
  });

  it('refuses shrinking, undersized clones, duplicate keys, unknown keys and clashing links without leaking devices', async () => {
    const backend = await open();
    await backend.createImage('volume-a', 8 * MiB);
    await expect(backend.createImage('volume-a', 8 * MiB)).rejects.toBeInstanceOf(ImageExistsError);
    await expect(backend.resizeImage('volume-a', 4 * MiB)).rejects.toBeInstanceOf(InvalidSizeError);
    await expect(backend.cloneImage('volume-a', 'volume-b', 4 * MiB)).rejects.toBeInstanceOf(InvalidSizeError);
    await expect(backend.cloneImage('volume-a', 'volume-a', 8 * MiB)).rejects.toBeInstanceOf(ImageExistsError);
    await expect(backend.createImage('volume-c', 1000)).rejects.toBeInstanceOf(InvalidSizeError);
    await expect(backend.attach('volume-missing', randomUUID())).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(backend.attach('volume-a', '../escape')).rejects.toThrow(/not usable/);

    // Two volume IDs sharing their first 20 characters would claim the same by-id name.
    const sharedPrefix = '0123456789abcdef0123';
    await backend.createImage('volume-b', 8 * MiB);
    await backend.attach('volume-a', `${sharedPrefix}-first`);
    await expect(backend.attach('volume-b', `${sharedPrefix}-second`)).rejects.toBeInstanceOf(LinkConflictError);
    expect(await loopDevicesUnder(backend.workDir)).toHaveLength(1);

    // A link someone else put in the by-id directory is not ours to replace; the fresh loop device is released.
    const foreignId = randomUUID();
    const foreignLink = path.join(backend.byIdDir, `virtio-${foreignId.slice(0, 20)}`);
    await fs.symlink('/dev/null', foreignLink);
    await expect(backend.attach('volume-b', foreignId)).rejects.toBeInstanceOf(LinkConflictError);
    expect(await fs.readlink(foreignLink)).toBe('/dev/null');
    expect(await loopDevicesUnder(backend.workDir)).toHaveLength(1);
    await fs.unlink(foreignLink);

    await backend.deleteImage('volume-a');
    expect(await loopDevicesUnder(backend.workDir)).toEqual([]);
    await expect(backend.deleteImage('volume-a')).resolves.toBeUndefined();
    await expect(backend.detach('volume-b')).resolves.toBeUndefined();
  });

  it('retries losetup --find when another process wins the race for a device', async () => {
    let failuresLeft = 2;
    const racyRunner: CommandRunner = async (file, args, timeoutMs) => {
      if (args[0] === '--find' && failuresLeft > 0) {
        failuresLeft--;
        return runCommand(file, ['--find', '--show', '/nonexistent/lost-the-race'], timeoutMs);
      }
      return runCommand(file, args, timeoutMs);
    };
    const backend = await open({ runCommand: racyRunner });
    await backend.createImage('volume-a', 4 * MiB);
    const { devicePath } = await backend.attach('volume-a', randomUUID());
    expect(failuresLeft).toBe(0);
    expect(await deviceSize(devicePath)).toBe(4 * MiB);
    await backend.close();
    expect(await loopDevicesUnder(backend.workDir)).toEqual([]);
  });

  it('keeps a caller-supplied work directory but removes everything it made inside it', async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'block-backend-test-'));
    try {
      const workDir = path.join(parent, 'work');
      await fs.mkdir(workDir);
      await fs.writeFile(path.join(workDir, 'keep-me'), 'not ours');
      const byIdDir = path.join(parent, 'by-id');
      const backend = await open({ workDir, byIdDir });
      expect(backend.byIdDir).toBe(byIdDir);
      const volumeId = randomUUID();
      await backend.createImage('volume/with:odd chars', 4 * MiB);
      const { links } = await backend.attach('volume/with:odd chars', volumeId);
      expect(links).toEqual([path.join(byIdDir, `virtio-${volumeId.slice(0, 20)}`)]);
      await backend.close();
      expect((await fs.readdir(parent)).sort()).toEqual(['work']);
      expect(await fs.readdir(workDir)).toEqual(['keep-me']);
      expect(await loopDevicesUnder(workDir)).toEqual([]);
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
  });

  it('carries an ext4 filesystem and its files into a clone', async () => {
    const backend = await open();
    const mountPoint = await fs.mkdtemp(path.join(os.tmpdir(), 'block-backend-mnt-'));
    let mounted = false;
    const mount = async (device: string): Promise<void> => {
      await exec('mount', [device, mountPoint]);
      mounted = true;
    };
    const umount = async (): Promise<void> => {
      await exec('umount', [mountPoint]);
      mounted = false;
    };
    try {
      const sourceId = randomUUID();
      const cloneId = randomUUID();
      const content = `file content ${randomUUID()}`;
      await backend.createImage(`volume-${sourceId}`, 64 * MiB);
      const source = await backend.attach(`volume-${sourceId}`, sourceId);
      await exec('mkfs.ext4', ['-q', '-F', source.links[0]]);
      await mount(source.devicePath);
      await fs.writeFile(path.join(mountPoint, 'data.txt'), content);
      await umount();

      await backend.cloneImage(`volume-${sourceId}`, `volume-${cloneId}`, 64 * MiB);
      const clone = await backend.attach(`volume-${cloneId}`, cloneId);
      await mount(clone.links[0]);
      expect(await fs.readFile(path.join(mountPoint, 'data.txt'), 'utf8')).toBe(content);
      await umount();
      await backend.close();
      expect(await loopDevicesUnder(backend.workDir)).toEqual([]);
    } finally {
      if (mounted) await exec('umount', [mountPoint]).catch(() => undefined);
      await fs.rm(mountPoint, { recursive: true, force: true });
    }
  });
});

describe('block backend without block devices', () => {
  let backend: BlockBackend;
  beforeEach(async () => {
    backend = await createBlockBackend({ enabled: false });
  });
  afterEach(async () => {
    await backend.close();
  });

  const imageFile = (key: string): string => path.join(backend.workDir, 'images', `${key}.img`);

  it('says why it is disabled and attaches without a device', async () => {
    expect(backend.enabled).toBe(false);
    expect(backend.disabledReason).toMatch(/disabled/);
    await backend.createImage('volume-a', 8 * MiB);
    await expect(backend.attach('volume-a', randomUUID())).resolves.toEqual({ devicePath: '', links: [] });
    await expect(backend.detach('volume-a')).resolves.toBeUndefined();
    expect(await listFiles(backend.byIdDir)).toEqual([]);
  });

  it('still creates, clones, grows and deletes sparse image files', async () => {
    await backend.createImage('volume-a', 8 * MiB);
    const stat = await fs.stat(imageFile('volume-a'));
    expect(stat.size).toBe(8 * MiB);
    expect(stat.blocks * 512).toBeLessThan(8 * MiB);

    const payload = Buffer.from('bytes in the source image');
    const handle = await fs.open(imageFile('volume-a'), 'r+');
    await handle.write(payload, 0, payload.length, 3 * MiB);
    await handle.close();

    await backend.cloneImage('volume-a', 'snapshot-a', 16 * MiB);
    const cloned = await fs.readFile(imageFile('snapshot-a'));
    expect(cloned.length).toBe(16 * MiB);
    expect(cloned.subarray(3 * MiB, 3 * MiB + payload.length)).toEqual(payload);

    await backend.resizeImage('volume-a', 32 * MiB);
    expect((await fs.stat(imageFile('volume-a'))).size).toBe(32 * MiB);

    await backend.deleteImage('volume-a');
    expect(await listFiles(path.join(backend.workDir, 'images'))).toEqual(['snapshot-a.img']);
    await backend.close();
    expect(existsSync(backend.workDir)).toBe(false);
  });

  it('refuses to start when block devices are required but unavailable', async () => {
    if (canUseLoop) {
      const required = await createBlockBackend({ enabled: true });
      expect(required.enabled).toBe(true);
      await required.close();
    } else {
      await expect(createBlockBackend({ enabled: true })).rejects.toThrow(/unavailable/);
    }
  });
});

// Dropping to an unprivileged user needs root to begin with; this checks the auto-detection a
// non-root simulator relies on, in a real unprivileged process rather than by faking the uid.
const setpriv = findExecutable('setpriv');
const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** The unprivileged user must be able to reach the sources (a checkout under /root usually is not). */
function othersCanEnter(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}
const canDropPrivileges = process.getuid?.() === 0 && setpriv !== undefined && othersCanEnter(repoRoot);
if (!canDropPrivileges) {
  console.warn('Skipping the non-root test: it needs root, setpriv and a checkout other users can read');
}
(canDropPrivileges ? describe : describe.skip)('block backend started by a non-root user', () => {
  it('auto-disables itself, says it is not root, and still serves files', async () => {
    const script = [
      "import { createBlockBackend } from './pkg/simulator/devices';",
      'void (async () => {',
      '  const backend = await createBlockBackend();',
      "  await backend.createImage('volume-a', 1048576);",
      "  const attached = await backend.attach('volume-a', 'abc');",
      '  await backend.close();',
      '  console.log(JSON.stringify({ enabled: backend.enabled, reason: backend.disabledReason, attached }));',
      '})();',
    ].join('\n');
    const { stdout } = await exec(
      setpriv as string,
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, require.resolve('tsx/cli'), '-e', script],
      { cwd: repoRoot, env: { ...process.env, HOME: os.tmpdir() }, timeout: 60_000 },
    );
    expect(JSON.parse(stdout.trim().split('\n').pop() as string)).toEqual({
      enabled: false,
      reason: 'not root (loop devices need root)',
      attached: { devicePath: '', links: [] },
    });
  });
});
