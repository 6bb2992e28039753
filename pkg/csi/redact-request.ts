/**
 * What of a CSI request may reach a log line. On top of the shared redaction (every `secrets` /
 * `*_secrets` map and credential-like keys, e.g. in volume_context), mount flags are masked when they
 * look like `key=value` with a credential-like key: the spec warns they may carry secrets.
 */
import { isCredentialKey, redact, REDACTED } from '../log/redact';

export function redactRequest<T>(request: T): T {
  return maskMountFlags(redact(request)) as T;
}

function maskMountFlags(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(maskMountFlags);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'mount_flags' && Array.isArray(inner)) {
      out[key] = inner.map((flag) => (typeof flag === 'string' ? maskFlag(flag) : flag));
    } else {
      out[key] = maskMountFlags(inner);
    }
  }
  return out;
}

function maskFlag(flag: string): string {
  const eq = flag.indexOf('=');
  if (eq <= 0) return flag;
  return isCredentialKey(flag.slice(0, eq)) ? `${flag.slice(0, eq)}=${REDACTED}` : flag;
}
