import type { MixAudit } from './audit';
import { codeRows, describeCodes, findings, summaryRows } from './report';
import { mixSeed, soakFailed, type MixResult, type SoakReport } from './soak';

const cleanAudit = (): MixAudit => ({
  leakedVolumes: [],
  leakedAttachments: [],
  leakedMounts: [],
  leakedLoopDevices: [],
  leakedFiles: [],
  duplicateNames: [],
  duplicateAttachments: [],
});

const mix = (overrides: Partial<MixResult> = {}): MixResult => ({
  name: 'resets',
  description: '',
  lifecycles: [{ name: 'soak-resets-x-0', kind: 'ext4', volumeId: 'v1', completed: true, durationMs: 10 }],
  completed: 1,
  injected: {},
  codes: { CreateVolume: { UNAVAILABLE: 2, OK: 1 } },
  recoveryCodes: {},
  restarts: { controller: 0, node: 0 },
  operatorResets: [],
  audit: cleanAudit(),
  harnessErrors: [],
  durationMs: 1000,
  ...overrides,
});

const report = (mixes: MixResult[]): SoakReport => ({
  seed: 1, startedAt: '', durationMs: 0, stackStartMs: 0, restartMs: { controller: [], node: [] }, mixes, logFile: 'x',
});

describe('soak report', () => {
  it('passes a run where everything completed and nothing was left', () => {
    expect(soakFailed(report([mix()]))).toBe(false);
    expect(findings([mix()])).toEqual([]);
  });

  it('fails on any leak or duplicate and says what it was', () => {
    const leaky = mix({ audit: { ...cleanAudit(), leakedMounts: ['/tmp/csi-stack-1/kubelet/pods/v1/mount'] } });
    expect(soakFailed(report([mix(), leaky]))).toBe(true);
    expect(findings([leaky])).toEqual(['resets: leakedMounts: /tmp/csi-stack-1/kubelet/pods/v1/mount']);
    const doubled = mix({ audit: { ...cleanAudit(), duplicateNames: ['pvc ×2 (a, b)'] } });
    expect(soakFailed(report([doubled]))).toBe(true);
  });

  it('fails when a lifecycle could not even be taken down, and when the audit did not run', () => {
    const stuck = mix({
      completed: 0,
      lifecycles: [{ name: 'n', kind: 'xfs', completed: false, failedStep: 'CreateVolume', failure: 'gave up', recovered: false, recoveryFailure: 'still', durationMs: 1 }],
    });
    expect(soakFailed(report([stuck]))).toBe(true);
    expect(findings([stuck])).toEqual(['resets: n (xfs) gave up at CreateVolume: gave up; take-down failed: still']);
    expect(soakFailed(report([mix({ audit: undefined })]))).toBe(true);
  });

  it('does not fail a mix that never ran for lack of time', () => {
    expect(soakFailed(report([mix({ lifecycles: [], completed: 0, audit: undefined })]))).toBe(false);
  });

  it('prints codes OK first, then by count, and rows in lifecycle order', () => {
    expect(describeCodes({ UNAVAILABLE: 2, INTERNAL: 5, OK: 1 })).toBe('OK 1, INTERNAL 5, UNAVAILABLE 2');
    const rows = codeRows([mix({ codes: { DeleteVolume: { OK: 1 }, CreateVolume: { OK: 1 } } })], (m) => m.codes);
    expect(rows.map((row) => row[1])).toEqual(['CreateVolume', 'DeleteVolume']);
    expect(summaryRows([mix()])[0].slice(0, 4)).toEqual(['resets', '1/1', 0, 0]);
  });

  it('gives each mix its own seed, the same alone or with others', () => {
    expect(mixSeed(7, 'kill-node')).toBe(mixSeed(7, 'kill-node'));
    expect(mixSeed(7, 'kill-node')).not.toBe(mixSeed(7, 'kill-controller'));
    expect(mixSeed(7, 'kill-node')).not.toBe(mixSeed(8, 'kill-node'));
  });
});
