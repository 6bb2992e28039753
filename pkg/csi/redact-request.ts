/**
 * What of a CSI request may reach a log line: the shared redaction masks every `secrets` /
 * `*_secrets` map, credential-like keys (e.g. in volume_context), secret-looking `key=value` text and
 * the values of `mount_flags` (the spec warns they may carry secrets; flag names stay for debugging).
 */
import { redact } from '../log/redact';

export function redactRequest<T>(request: T): T {
  return redact(request);
}
