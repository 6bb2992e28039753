/** Value parsers shared by the config readers; they follow the gcfg/Go conventions CPO's files use. */
import { ConfigError } from '../errors';

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export function parseBoolean(value: unknown, key: string, source: string): boolean {
  if (typeof value === 'boolean') return value;
  const word = String(value).trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word) || word === '') return false;
  // The value is not quoted: a secret pasted under the wrong key must not reach a log.
  throw new ConfigError(`${source}: key "${key}" must be a boolean (true/false)`);
}

export function parseInteger(value: unknown, key: string, source: string): number {
  const text = String(value).trim();
  if (!/^[-+]?\d+$/.test(text)) {
    throw new ConfigError(`${source}: key "${key}" must be an integer`);
  }
  return Number.parseInt(text, 10);
}

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go `time.ParseDuration` syntax ("10s", "1m30s", "500ms"); a bare number is taken as seconds. */
export function parseDurationMs(value: unknown, key: string, source: string): number {
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(text); match; match = part.exec(text)) {
    total += Number(match[1]) * DURATION_UNITS_MS[match[2]];
    consumed = part.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new ConfigError(`${source}: key "${key}" must be a duration like "10s"`);
  }
  return total;
}

/** Non-empty trimmed string, or undefined. */
export function optionalString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = Array.isArray(value) ? String(value[value.length - 1]) : String(value);
  return text.length > 0 ? text : undefined;
}
