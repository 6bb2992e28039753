/**
 * Secret redaction for anything that reaches a log line or an error message. CSI requests carry
 * `secrets` maps and OpenStack credentials travel in config objects; both are masked by key name,
 * recursively. Free text (mount options, command lines, command output) is masked by `key=value` pairs
 * whose key looks like a credential; mount options, which the CSI spec says MAY carry secrets, keep
 * only their flag names.
 */
export const REDACTED = '***redacted***';

const SECRET_MAP_KEY = /(^|_)secrets$/i;
const CREDENTIAL_KEY =
  /(password|passwd|secret|token|credential|access_?key|userkey|private_?key|auth_?header|x-auth|x-subject)/i;
/** Log fields holding mount options (`mountOptions`, `mount_flags`, ...). */
const MOUNT_OPTIONS_KEY = /^mount_?(flags|options)$/i;
/** A `key=value` pair inside free text; the value ends at whitespace, a comma, `;`, `&` or a quote. */
const KEY_VALUE = /([\w.@-]+)=([^\s,;&'"]*)/g;

export function isCredentialKey(key: string): boolean {
  return CREDENTIAL_KEY.test(key);
}

/** Masks the value of every `key=value` in `text` whose key looks like a credential. */
export function redactText(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(KEY_VALUE, (pair: string, key: string) => (isCredentialKey(key) ? `${key}=${REDACTED}` : pair));
}

/**
 * One mount option list (`ro,noatime,password=x` or a single flag): flags without a value stay,
 * every `key=value` keeps only its key, whatever the key, since any value may be a secret.
 */
export function redactMountOptions(options: string): string {
  return options
    .split(',')
    .map((option) => {
      const eq = option.indexOf('=');
      return eq < 0 ? option : `${option.slice(0, eq)}=${REDACTED}`;
    })
    .join(',');
}

/** Returns a deep copy of `value` with every secrets map, credential-like key and secret in text masked. */
export function redact<T>(value: T): T {
  return redactValue(value, new WeakSet()) as T;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
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
    } else if (MOUNT_OPTIONS_KEY.test(key) && (typeof inner === 'string' || Array.isArray(inner))) {
      out[key] = maskMountOptionValue(inner);
    } else {
      out[key] = redactValue(inner, seen);
    }
  }
  return out;
}

function maskMountOptionValue(value: unknown): unknown {
  if (typeof value === 'string') return redactMountOptions(value);
  return Array.isArray(value) ? value.map(maskMountOptionValue) : value;
}
