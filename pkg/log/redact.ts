/**
 * Secret redaction for anything that reaches a log line. CSI requests carry `secrets` maps and
 * OpenStack credentials travel in config objects; both are masked by key name, recursively.
 */
export const REDACTED = '***redacted***';

const SECRET_MAP_KEY = /(^|_)secrets$/i;
const CREDENTIAL_KEY =
  /(password|passwd|secret|token|credential|access_?key|userkey|private_?key|auth_?header|x-auth|x-subject)/i;

export function isCredentialKey(key: string): boolean {
  return CREDENTIAL_KEY.test(key);
}

/** Returns a deep copy of `value` with every secrets map and credential-like key masked. */
export function redact<T>(value: T): T {
  return redactValue(value, new WeakSet()) as T;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error || value instanceof Date || Buffer.isBuffer(value)) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_MAP_KEY.test(key) && inner && typeof inner === 'object') {
      out[key] = Object.fromEntries(Object.keys(inner as object).map((k) => [k, REDACTED]));
    } else if (isCredentialKey(key) && (typeof inner === 'string' || typeof inner === 'number')) {
      out[key] = REDACTED;
    } else {
      out[key] = redactValue(inner, seen);
    }
  }
  return out;
}
