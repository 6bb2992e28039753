/**
 * Command-line flags the way cloud-provider-openstack's plugins (cobra/pflag) take them, shared by the
 * plugin binaries:
 *   --name=value  or  --name value       (a single leading dash is accepted too)
 *   booleans: --flag (true), --flag=false; a bare following word is NOT consumed, as in pflag
 *   repeatable flags collect every occurrence; map flags take k=v (comma-separated lists allowed);
 *   comma-list flags (pflag StringSlice) also split each occurrence on commas
 *   `_` and `-` are the same in flag names (`--log_dir` is `--log-dir`), as cobra's CLI normalises them
 *   --help / -h
 * Every error names the flag and what is wrong, so a bad manifest fails loudly at start.
 */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface BaseSpec {
  description: string;
}
export interface StringFlag extends BaseSpec {
  type: 'string';
  default: string;
  /** Values must match this (e.g. a Go duration), `expected` says what in the error. */
  format?: { pattern: RegExp; expected: string };
}
export interface StringListFlag extends BaseSpec {
  type: 'strings';
  default: readonly string[];
  /** Each occurrence is a comma-separated list (pflag StringSlice) instead of one value (StringArray). */
  commaList?: boolean;
}
export interface BoolFlag extends BaseSpec {
  type: 'bool';
  default: boolean;
}
export interface IntFlag extends BaseSpec {
  type: 'int';
  default: number;
  min?: number;
  max?: number;
}
export interface MapFlag extends BaseSpec {
  type: 'map';
  default: Readonly<Record<string, string>>;
}
export type FlagSpec = StringFlag | StringListFlag | BoolFlag | IntFlag | MapFlag;

export type FlagValue<S extends FlagSpec> = S extends StringFlag
  ? string
  : S extends StringListFlag
    ? string[]
    : S extends BoolFlag
      ? boolean
      : S extends IntFlag
        ? number
        : Record<string, string>;
type AnyFlagValue = string | string[] | boolean | number | Record<string, string>;

export type FlagValues<Specs extends Record<string, FlagSpec>> = { [K in keyof Specs]: FlagValue<Specs[K]> };

export type ParseResult<Specs extends Record<string, FlagSpec>> =
  | { help: true }
  | { help: false; values: FlagValues<Specs>; /** Flags given explicitly on the command line. */ given: Set<keyof Specs> };

const TRUE_WORDS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

export function parseBool(flag: string, raw: string): boolean {
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  throw new UsageError(`invalid value "${raw}" for flag --${flag}: must be true or false`);
}

function parseInt10(flag: string, raw: string, spec: IntFlag): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`invalid value "${raw}" for flag --${flag}: must be an integer`);
  const value = Number(raw.trim());
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    const range = `${spec.min ?? '-inf'}..${spec.max ?? 'inf'}`;
    throw new UsageError(`invalid value "${raw}" for flag --${flag}: must be in ${range}`);
  }
  return value;
}

function parseMapEntries(flag: string, raw: string): Array<[string, string]> {
  return raw
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const key = eq < 0 ? '' : part.slice(0, eq).trim();
      if (key === '') throw new UsageError(`invalid value "${raw}" for flag --${flag}: expected key=value`);
      return [key, part.slice(eq + 1).trim()];
    });
}

function cloneDefault(spec: FlagSpec): AnyFlagValue {
  if (spec.type === 'strings') return [...spec.default];
  if (spec.type === 'map') return { ...spec.default };
  return spec.default;
}

/** cobra's word-separator normalisation: `--log_dir` and `--log-dir` name the same flag. */
export function normaliseFlagName(name: string): string {
  return name.replace(/_/g, '-');
}

export function parseFlags<Specs extends Record<string, FlagSpec>>(specs: Specs, argv: readonly string[]): ParseResult<Specs> {
  const values: Record<string, AnyFlagValue> = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = cloneDefault(spec);
  const given = new Set<keyof Specs>();

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h' || arg === '-help') return { help: true };
    if (arg === '--') {
      if (i + 1 < argv.length) throw new UsageError(`unexpected argument "${argv[i + 1]}"`);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') throw new UsageError(`unexpected argument "${arg}"`);

    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = normaliseFlagName(eq < 0 ? body : body.slice(0, eq));
    const spec = Object.prototype.hasOwnProperty.call(specs, name) ? specs[name] : undefined;
    if (!spec) throw new UsageError(`unknown flag: --${name}`);

    let raw: string;
    if (eq >= 0) {
      raw = body.slice(eq + 1);
    } else if (spec.type === 'bool') {
      raw = 'true';
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${name}`);
      raw = argv[++i];
    }

    const firstTime = !given.has(name);
    given.add(name);
    switch (spec.type) {
      case 'string':
        if (spec.format && !spec.format.pattern.test(raw)) {
          throw new UsageError(`invalid value "${raw}" for flag --${name}: must be ${spec.format.expected}`);
        }
        values[name] = raw;
        break;
      case 'bool':
        values[name] = parseBool(name, raw);
        break;
      case 'int':
        values[name] = parseInt10(name, raw, spec);
        break;
      case 'strings': {
        // The first explicit occurrence replaces the default, later ones append (pflag StringArray).
        const list = firstTime ? [] : (values[name] as string[]);
        list.push(...(spec.commaList ? raw.split(',') : [raw]));
        values[name] = list;
        break;
      }
      case 'map': {
        const map = firstTime ? {} : (values[name] as Record<string, string>);
        for (const [key, value] of parseMapEntries(name, raw)) map[key] = value;
        values[name] = map;
        break;
      }
    }
  }
  return { help: false, values: values as FlagValues<Specs>, given };
}

function describeDefault(spec: FlagSpec): string {
  switch (spec.type) {
    case 'string':
      return spec.default === '' ? '' : ` (default "${spec.default}")`;
    case 'strings':
      return spec.default.length === 0 ? '' : ` (default ${JSON.stringify(spec.default)})`;
    case 'map':
      return Object.keys(spec.default).length === 0 ? '' : ` (default ${JSON.stringify(spec.default)})`;
    default:
      return ` (default ${spec.default})`;
  }
}

const PLACEHOLDER: Record<FlagSpec['type'], string> = {
  string: ' string',
  strings: ' string',
  bool: '',
  int: ' int',
  map: ' key=value',
};

export function formatHelp(usage: string, specs: Record<string, FlagSpec>): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const repeat =
      spec.type === 'strings' && spec.commaList
        ? ' (repeatable, or a comma list)'
        : spec.type === 'strings' || spec.type === 'map'
          ? ' (repeatable)'
          : '';
    return [`  --${name}${PLACEHOLDER[spec.type]}`, `${spec.description}${repeat}${describeDefault(spec)}`];
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => left.padEnd(width) + right);
  return `${usage}\n\nFlags:\n${lines.join('\n')}\n  -h, --help${' '.repeat(Math.max(1, width - 12))}show this help\n`;
}
