/**
 * Bench: how soon the node plugin's device finder (pkg/cinder/node/device-finder.ts) finds a disk after the
 * attach finished, i.e. after udev created its by-id link. Each volume's find starts at once (NodeStage
 * arrives while the attach is still settling); its link appears a seeded-random 0.2–2.5 s later. Ours: the
 * real finder with CPO's schedule (1 s × 1.1, 15 checks) woken by directory events. CPO: the same schedule
 * without events, modelled (its next check after the link appeared). Runs in a temp directory, no root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDeviceFinder, DEFAULT_DEVICE_WAIT } from '../../pkg/cinder/node/device-finder';
import { scheduleCheckTimes } from '../../pkg/openstack/pace-model';
import { mean, printTable, ratio, recordFigures, runAlone } from './report';

export interface DeviceDiscoveryOptions {
  volumes: number;
  workDir: string;
}

/** Deterministic link delays (mulberry32), so runs are comparable. */
function seededDelays(count: number, seed: number): number[] {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => 200 + Math.floor(next() * 2300));
}

export async function runDeviceDiscoveryBench(options: DeviceDiscoveryOptions): Promise<void> {
  console.log('\n== 4. Device discovery on the node: attach finished → NodeStage found the device ==');
  const root = fs.mkdtempSync(path.join(options.workDir, 'devices-'));
  const byIdDir = path.join(root, 'by-id');
  const sysfsRoot = path.join(root, 'sys');
  fs.mkdirSync(byIdDir, { recursive: true });
  fs.mkdirSync(path.join(sysfsRoot, 'block'), { recursive: true });
  const cpoChecks = scheduleCheckTimes(DEFAULT_DEVICE_WAIT);
  try {
    const finder = createDeviceFinder({ byIdDir, sysfsRoot, devRoot: root, scsiRescan: false, udevTrigger: false });
    const delays = seededDelays(options.volumes, 20_261_201);
    const samples = await Promise.all(
      delays.map(async (delayMs, index) => {
        const volumeId = `0000${index.toString().padStart(4, '0')}-aaaa-bbbb-cccc-000000000000`;
        const device = path.join(root, `vd${index}`);
        fs.writeFileSync(device, '');
        const began = performance.now();
        const found = finder.find(volumeId);
        let linkedAt = 0;
        setTimeout(() => {
          fs.symlinkSync(device, path.join(byIdDir, `virtio-${volumeId.slice(0, 20)}`));
          linkedAt = performance.now() - began;
        }, delayMs);
        await found;
        const oursMs = performance.now() - began - linkedAt;
        const cpoMs = (cpoChecks.find((time) => time >= linkedAt) ?? linkedAt) - linkedAt;
        return { oursMs, cpoMs };
      }),
    );
    const ours = mean(samples.map((sample) => sample.oursMs));
    const cpo = mean(samples.map((sample) => sample.cpoMs));
    const worst = Math.max(...samples.map((sample) => sample.oursMs));
    printTable(
      `Time from the by-id link appearing to the finder returning, ms (${options.volumes} finds side by side; target ≤ 50 ms)`,
      ['finder', 'mean ms', 'max ms', 'ratio'],
      [
        ['CPO: 1 s × 1.1 polling (modelled)', cpo.toFixed(0), Math.max(...samples.map((sample) => sample.cpoMs)).toFixed(0), '1.00x'],
        ['ours: directory/udev events, same polling as fallback', ours.toFixed(1), worst.toFixed(1), ratio(ours, cpo)],
      ],
    );
    recordFigures('deviceDiscovery', { volumes: options.volumes, oursMeanMs: ours, oursMaxMs: worst, cpoMeanMs: cpo });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Lets this file run alone: `node --import tsx tests/bench/device-discovery.bench.ts`. */
if (require.main === module) {
  runAlone((workDir) => runDeviceDiscoveryBench({ volumes: 20, workDir }));
}
