import * as path from 'node:path';

/** The repository root (this file is pkg/stack/paths.ts), for spawning the plugin binary from anywhere. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
