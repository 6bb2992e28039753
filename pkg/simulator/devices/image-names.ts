import { createHash } from 'node:crypto';

const SAFE = /[^A-Za-z0-9._-]/g;
const MAX_STEM = 120;

/**
 * Maps an opaque key to a file name. Keys that are already safe keep their name (easy to read in
 * `losetup -l`); anything rewritten gets a hash suffix so two different keys never share a file.
 */
export function imageFileName(key: string): string {
  if (key === '') throw new Error('image key must not be empty');
  let stem = key.replace(SAFE, '_');
  if (stem.startsWith('.')) stem = `_${stem}`;
  if (stem !== key || stem.length > MAX_STEM) {
    const digest = createHash('sha256').update(key).digest('hex').slice(0, 12);
    stem = `${stem.slice(0, MAX_STEM)}-${digest}`;
  }
  return `${stem}.img`;
}
