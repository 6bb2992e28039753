/**
 * CPO's runtime config (`--runtime-config-file`, a ConfigMap): `{"nfs":{"matchExportLocationAddress":"CIDR"}}`.
 * Re-read on every call so a ConfigMap update applies without a restart; a missing file is no config, an
 * unreadable or invalid one is FAILED_PRECONDITION naming the file.
 */
import { promises as fsp } from 'node:fs';
import { failedPrecondition } from '../../csi/errors';

export interface RuntimeConfig {
  nfs?: { matchExportLocationAddress?: string };
}

export async function readRuntimeConfig(file: string): Promise<RuntimeConfig> {
  if (file === '') return {};
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw failedPrecondition(`cannot read runtime config ${file}: ${(error as Error).message}`);
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw failedPrecondition(`runtime config ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw failedPrecondition(`runtime config ${file} must be a JSON object like {"nfs":{"matchExportLocationAddress":"10.0.0.0/8"}}`);
  }
  return parsed as RuntimeConfig;
}
