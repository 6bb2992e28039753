/**
 * Tests that need a host program skip, with what to install in their title, where it is missing, so
 * `npm test` passes on a fresh machine (CI installs everything and runs them all).
 */
import { missingFilesystemToolsReason } from '../host-tools';
import type { FilesystemType } from '../mounter';

type TestFn = (title: string, fn: jest.ProvidesCallback, timeout?: number) => void;

/** Jest's `it`, or `it.skip` with "(SKIPPED: reason)" in the title when there is a reason. */
export function itUnless(reason: string | undefined): TestFn {
  if (reason === undefined) return it;
  return (title, fn, timeout) => it.skip(`${title} (SKIPPED: ${reason})`, fn, timeout);
}

/** `itUnless` for a test that formats or grows `fsType`. */
export function itWithFilesystemTools(fsType: FilesystemType): TestFn {
  return itUnless(missingFilesystemToolsReason(fsType));
}
