import type { ServerVolumeAttachment, Volume, VolumeAttachment } from '../../pkg/openstack';
import type { StackLeftovers } from '../../pkg/stack';
import { Auditor, auditProblems, duplicateAttachments, duplicateNames, type Picture } from './audit';

const volume = (id: string, name: string, attachments: Partial<VolumeAttachment>[] = [], status = 'available'): Volume =>
  ({ id, name, status, attachments: attachments as VolumeAttachment[] }) as Volume;
const serverAttachment = (id: string, volumeId: string, serverId = 'node-1'): ServerVolumeAttachment => ({ id, volumeId, serverId, device: null });
const host = (overrides: Partial<StackLeftovers> = {}): StackLeftovers => ({
  mounts: [],
  loopDevices: [],
  deviceLinks: [],
  kubeletFiles: [],
  simulatorFiles: [],
  ...overrides,
});
const picture = (overrides: Partial<Picture> = {}): Picture => ({ volumes: [], serverAttachments: [], host: host(), ...overrides });

describe('soak audit', () => {
  it('reports only what appeared during the mix', () => {
    const before = picture({
      volumes: [volume('old', 'from-before')],
      serverAttachments: [serverAttachment('a0', 'old')],
      host: host({ mounts: ['/run/x/old'], loopDevices: ['/dev/loop9 (old.img)'] }),
    });
    const after = picture({
      volumes: [volume('old', 'from-before'), volume('v1', 'soak-1', [], 'error_deleting')],
      serverAttachments: [serverAttachment('a0', 'old'), serverAttachment('a1', 'v1')],
      host: host({
        mounts: ['/run/x/old', '/run/x/kubelet/pods/v1/mount'],
        loopDevices: ['/dev/loop9 (old.img)', '/dev/loop3 (v1.img)'],
        kubeletFiles: ['plugins/staging/v1/stray'],
      }),
    });
    const audit = Auditor.compare(before, after);
    expect(audit).toEqual({
      leakedVolumes: ['v1 (soak-1, error_deleting)'],
      leakedAttachments: ['v1 → node-1'],
      leakedMounts: ['/run/x/kubelet/pods/v1/mount'],
      leakedLoopDevices: ['/dev/loop3 (v1.img)'],
      leakedFiles: ['plugins/staging/v1/stray'],
      duplicateNames: [],
      duplicateAttachments: [],
    });
    expect(auditProblems(audit)).toBe(5);
    expect(auditProblems(Auditor.compare(after, after))).toBe(0);
  });

  it('finds two volumes with one name and two attachments of one volume to one server', () => {
    const volumes = [
      volume('v1', 'pvc-a', [{ server_id: 'node-1' }, { server_id: 'node-1' }]),
      volume('v2', 'pvc-a'),
      volume('v3', 'pvc-b', [{ server_id: 'node-1' }, { server_id: 'node-2' }]),
    ];
    expect(duplicateNames(volumes)).toEqual(['pvc-a ×2 (v1, v2)']);
    expect(
      duplicateAttachments({ volumes, serverAttachments: [serverAttachment('a1', 'v1'), serverAttachment('a2', 'v1'), serverAttachment('a3', 'v3')] }),
    ).toEqual(['v1 ×2 on node-1 (Nova)', 'v1 ×2 on node-1 (Cinder)']);
  });

  it('does not blame a mix for duplicates that were there before it', () => {
    const doubled = picture({ volumes: [volume('v1', 'pvc-a'), volume('v2', 'pvc-a')] });
    expect(Auditor.compare(doubled, doubled).duplicateNames).toEqual([]);
    const third = picture({ volumes: [...doubled.volumes, volume('v3', 'pvc-a')] });
    expect(Auditor.compare(doubled, third).duplicateNames).toEqual(['pvc-a ×3 (v1, v2, v3)']);
  });
});
