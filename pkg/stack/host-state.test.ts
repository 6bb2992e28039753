import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detachLoopDevicesUnder, filesUnder, loopDevicesUnder, mountsUnder, unmountAllUnder } from './host-state';
import { canUseLoopDevices } from '../mounter/host-capabilities';

const canUseLoop = canUseLoopDevices;

describe('filesUnder', () => {
  it('lists files and links relative to the directory, not directories', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-state-files-'));
    try {
      fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'a', 'b', 'file'), 'x');
      fs.symlinkSync('/nonexistent', path.join(dir, 'link'));
      expect(filesUnder(dir)).toEqual(['a/b/file', 'link']);
      expect(filesUnder(path.join(dir, 'missing'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

(canUseLoop ? describe : describe.skip)(
  canUseLoop ? 'cleanup of mounts and loop devices' : 'cleanup of mounts and loop devices (SKIPPED: needs root and /dev/loop-control)',
  () => {
    let inside: string;
    let outside: string;
    const loops: string[] = [];

    const makeLoop = (dir: string): string => {
      const image = path.join(dir, 'disk.img');
      fs.writeFileSync(image, '');
      fs.truncateSync(image, 64 * 1024 * 1024);
      const device = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
      loops.push(device);
      return device;
    };

    beforeEach(() => {
      inside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'host-state-inside-')));
      outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'host-state-outside-')));
    });

    afterEach(() => {
      const table = JSON.parse(execFileSync('findmnt', ['-J', '-l', '-o', 'TARGET'], { encoding: 'utf8' })) as {
        filesystems: { target: string }[];
      };
      const ours = table.filesystems.map((fs) => fs.target).filter((t) => t.startsWith(inside) || t.startsWith(outside));
      for (const target of ours.reverse()) execFileSync('umount', [target]);
      for (const device of loops.splice(0)) {
        try {
          execFileSync('losetup', ['--detach', device], { stdio: 'ignore' });
        } catch {
          // Already detached by the code under test.
        }
      }
      fs.rmSync(inside, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    });

    it('unmounts stacked and nested mounts under the directory and nothing outside it', async () => {
      const device = makeLoop(inside);
      execFileSync('mkfs.ext4', ['-q', '-F', device]);
      const staging = path.join(inside, 'staging');
      const target = path.join(inside, 'pods', 'target');
      const elsewhere = path.join(outside, 'mnt');
      for (const dir of [staging, target, elsewhere]) fs.mkdirSync(dir, { recursive: true });
      execFileSync('mount', [device, staging]);
      execFileSync('mount', ['--bind', staging, target]);
      execFileSync('mount', ['--bind', staging, target]);
      execFileSync('mount', ['--bind', staging, elsewhere]);

      expect(await mountsUnder(inside)).toEqual([staging, target, target]);
      const unmounted = await unmountAllUnder(inside);
      expect(unmounted).toHaveLength(3);
      expect(await mountsUnder(inside)).toEqual([]);
      expect(await mountsUnder(outside)).toEqual([elsewhere]);
    });

    it('detaches loop devices backed by files under the directory only', async () => {
      const mine = makeLoop(inside);
      const theirs = makeLoop(outside);
      expect((await loopDevicesUnder(inside)).map((loop) => loop.device)).toEqual([mine]);
      expect(await detachLoopDevicesUnder(inside)).toEqual([mine]);
      expect(await loopDevicesUnder(inside)).toEqual([]);
      expect((await loopDevicesUnder(outside)).map((loop) => loop.device)).toEqual([theirs]);
    });
  },
);
