/**
 * Structured JSON logging shared by every binary. Verbosity follows klog's `--v` convention used by
 * cloud-provider-openstack: errors/warnings/info always print, `debug(level, ...)` prints when `--v >= level`.
 */
import { redact } from './redact';

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
    this.sink(JSON.stringify(record, errorReplacer));
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

const stderrSink: LogSink = (line) => process.stderr.write(line + '\n');

export function createLogger(options: LoggerOptions = {}): Logger {
  return new JsonLogger(options.verbosity ?? 2, options.sink ?? stderrSink, options.fields ?? {});
}

/** A logger that drops everything; for tests that do not assert on logs. */
export const silentLogger: Logger = createLogger({ sink: () => undefined });
