/**
 * Bounds for text that leaves the process (log lines, gRPC status messages). Requests may carry
 * megabyte-sized fields; echoing them makes multi-megabyte log lines and, in a status message, an HTTP/2
 * trailer large enough to break the caller's connection.
 */

/** Cuts `text` to at most `maxBytes` of UTF-8 (never inside a character), saying how long it was. */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Every UTF-16 unit is at least one UTF-8 byte: a string this short in units may still fit.
  if (text.length <= maxBytes / 3) return text;
  const size = Buffer.byteLength(text, 'utf8');
  if (size <= maxBytes) return text;
  const marker = `… (${size} bytes, truncated)`;
  let end = Math.max(0, maxBytes - Buffer.byteLength(marker, 'utf8'));
  // The first `end` units hold at least `end` bytes, so encoding only them is enough.
  const head = Buffer.from(text.slice(0, end), 'utf8');
  // Back off to the first byte of a character (continuation bytes are 10xxxxxx).
  while (end > 0 && end < head.length && (head[end] & 0xc0) === 0x80) end--;
  return head.subarray(0, end).toString('utf8') + marker;
}
