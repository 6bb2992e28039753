/**
 * Structured JSON logging shared by every binary. Verbosity follows klog's `--v` convention used by
 * cloud-provider-openstack: errors/warnings/info always print, `debug(level, ...)` prints when `--v >= level`.
 */
import { redact, redactText } from './redact';
import { truncateUtf8 } from './truncate';

export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Printed only when the configured verbosity is at least `level` (klog `V(level)`). */
  debug(level: number, msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  verbosity?: number;
  sink?: LogSink;
  fields?: LogFields;
}

class JsonLogger implements Logger {
  constructor(
    private readonly verbosity: number,
    private readonly sink: LogSink,
    private readonly base: LogFields,
  ) {}

  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.write('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.write('error', msg, fields);
  }
  debug(level: number, msg: string, fields?: LogFields): void {
    if (this.verbosity >= level) this.write('debug', msg, { v: level, ...fields });
  }
  child(fields: LogFields): Logger {
    return new JsonLogger(this.verbosity, this.sink, { ...this.base, ...fields });
  }

  private write(level: string, msg: string, fields?: LogFields): void {
    const record = redact({ time: new Date().toISOString(), level, msg, ...this.base, ...fields });
    const line = JSON.stringify(record, boundedReplacer);
    if (line.length <= MAX_LINE_CHARS) {
      this.sink(line);
      return;
    }
    // Many fields each within bounds can still add up: keep what identifies the line, say what was cut.
    const { time, msg: text, ...rest } = record as LogFields;
    const kept = Object.fromEntries(Object.entries(rest).filter(([, value]) => typeof value !== 'object' || value === null));
    this.sink(JSON.stringify({ time, level, msg: text, ...kept, truncated: `log line of ${line.length} characters cut to its scalar fields` }, boundedReplacer));
  }
}

/**
 * Bounds every piece of a log record as it is serialised: strings (also an Error's message and stack),
 * arrays and objects. A request with a megabyte field logs a few kilobytes, not megabytes.
 */
export const LOG_LIMITS = { stringBytes: 2048, arrayItems: 32, objectKeys: 64 } as const;
const MAX_LINE_CHARS = 64 * 1024;

function boundedReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return truncateUtf8(redactText(value), LOG_LIMITS.stringBytes);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (Array.isArray(value) && value.length > LOG_LIMITS.arrayItems) {
    return [...value.slice(0, LOG_LIMITS.arrayItems), `… ${value.length - LOG_LIMITS.arrayItems} more items`];
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length > LOG_LIMITS.objectKeys) {
      const kept = Object.fromEntries(keys.slice(0, LOG_LIMITS.objectKeys).map((k) => [k, (value as Record<string, unknown>)[k]]));
      return { ...kept, '…': `${keys.length - LOG_LIMITS.objectKeys} more keys` };
    }
  }
  return value;
}

const stderrSink: LogSink = (line) => process.stderr.write(line + '\n');

export function createLogger(options: LoggerOptions = {}): Logger {
  return new JsonLogger(options.verbosity ?? 2, options.sink ?? stderrSink, options.fields ?? {});
}

/** A logger that drops everything; for tests that do not assert on logs. */
export const silentLogger: Logger = createLogger({ sink: () => undefined });
