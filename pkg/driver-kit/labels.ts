/**
 * Kubernetes label syntax, for what a driver reports as topology: segment keys and values become node
 * labels (`--additional-topology`), and zone names become label values (`zone.ts`).
 */

/** Label values, and the name part of label keys, are at most 63 characters. */
export const MAX_LABEL_LENGTH = 63;
/** A label key's optional prefix is a DNS subdomain: at most 253 characters. */
const MAX_PREFIX_LENGTH = 253;

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` cannot be a label key (`[prefix/]name`), or undefined when it can. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (!DNS_SUBDOMAIN.test(prefix) || prefix.length > MAX_PREFIX_LENGTH)) {
    return `prefix "${prefix}" is not a DNS subdomain (lower-case alphanumerics, "-" and ".", at most ${MAX_PREFIX_LENGTH} characters)`;
  }
  if (!NAME.test(name) || name.length > MAX_LABEL_LENGTH) {
    return `name "${name}" must be 1-${MAX_LABEL_LENGTH} alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric`;
  }
  return undefined;
}

/** Why `value` cannot be a label value, or undefined when it can (the empty value can). */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (!NAME.test(value) || value.length > MAX_LABEL_LENGTH) {
    return `value "${value}" must be at most ${MAX_LABEL_LENGTH} alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric`;
  }
  return undefined;
}
