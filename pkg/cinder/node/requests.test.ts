import { Code, CsiError } from '../../csi/errors';
import { requirePath, requireVolumePath } from './requests';

function codeOf(call: () => unknown): Code | undefined {
  try {
    call();
  } catch (error) {
    if (error instanceof CsiError) return error.code;
    throw error;
  }
  return undefined;
}

describe('requireVolumePath (NodeGetVolumeStats / NodeExpandVolume volume_path)', () => {
  it('is required', () => {
    expect(codeOf(() => requireVolumePath(''))).toBe(Code.INVALID_ARGUMENT);
    expect(codeOf(() => requireVolumePath(undefined))).toBe(Code.INVALID_ARGUMENT);
  });

  it('answers NOT_FOUND for a relative path: nothing is ever staged or published there', () => {
    expect(codeOf(() => requireVolumePath('some/path'))).toBe(Code.NOT_FOUND);
  });

  it('refuses a NUL character as malformed', () => {
    expect(codeOf(() => requireVolumePath('/a\0b'))).toBe(Code.INVALID_ARGUMENT);
  });

  // Returned as given: resolving it (and refusing ".." segments) is the kubelet-directory rule's job.
  it('returns an absolute path as given', () => {
    expect(requireVolumePath('/var/lib/kubelet/pods/p1/')).toBe('/var/lib/kubelet/pods/p1/');
  });

  it('leaves staging/target path validation strict (a relative path there is a malformed request)', () => {
    expect(codeOf(() => requirePath('rel/path', 'staging_target_path'))).toBe(Code.INVALID_ARGUMENT);
  });
});
