import { formatHelp, parseFlags, UsageError } from './flags';

const SPECS = {
  name: { type: 'string', default: 'x', description: 'a name' },
  tags: { type: 'strings', default: ['default'], description: 'tags' },
  on: { type: 'bool', default: false, description: 'switch' },
  level: { type: 'int', default: 1, min: 0, max: 3, description: 'level' },
  labels: { type: 'map', default: {}, description: 'labels' },
} as const;

describe('parseFlags', () => {
  it('keeps defaults, replaces a list default on first use and appends after', () => {
    const untouched = parseFlags(SPECS, []);
    expect(untouched).toEqual({ help: false, values: { name: 'x', tags: ['default'], on: false, level: 1, labels: {} }, given: new Set() });
    const parsed = parseFlags(SPECS, ['--tags=a', '--tags', 'b', '--on', '--level', '3', '--labels=a=1=2', '--']);
    expect(parsed).toMatchObject({ help: false, values: { tags: ['a', 'b'], on: true, level: 3, labels: { a: '1=2' } } });
    if (!parsed.help) expect([...parsed.given].sort()).toEqual(['labels', 'level', 'on', 'tags']);
  });

  it('treats the last occurrence of a single-valued flag as the value', () => {
    expect(parseFlags(SPECS, ['--name=a', '--name=b'])).toMatchObject({ values: { name: 'b' } });
    expect(parseFlags(SPECS, ['--on', '--on=F'])).toMatchObject({ values: { on: false } });
  });

  it('rejects arguments after --, bad ints and out-of-range values', () => {
    expect(() => parseFlags(SPECS, ['--', 'x'])).toThrow(UsageError);
    expect(() => parseFlags(SPECS, ['--level=1.5'])).toThrow(/flag --level: must be an integer/);
    expect(() => parseFlags(SPECS, ['--level=4'])).toThrow(/flag --level: must be in 0..3/);
    expect(() => parseFlags(SPECS, ['-'])).toThrow(/unexpected argument "-"/);
    expect(() => parseFlags(SPECS, ['--constructor=1'])).toThrow(/unknown flag: --constructor/);
  });

  it('reads _ and - in flag names alike, as cobra-based CPO binaries do', () => {
    const specs = { 'log-dir': { type: 'string', default: '', description: 'dir' } } as const;
    expect(parseFlags(specs, ['--log_dir=/var/log'])).toMatchObject({ values: { 'log-dir': '/var/log' } });
    expect(parseFlags(specs, ['--log-dir', '/tmp'])).toMatchObject({ values: { 'log-dir': '/tmp' } });
  });

  it('splits comma-list flags on every occurrence and keeps other lists whole', () => {
    const specs = {
      files: { type: 'strings', default: [], commaList: true, description: 'files' },
      agents: { type: 'strings', default: [], description: 'agents' },
    } as const;
    const parsed = parseFlags(specs, ['--files=a,b', '--files', 'c', '--agents=x,y']);
    expect(parsed).toMatchObject({ values: { files: ['a', 'b', 'c'], agents: ['x,y'] } });
    expect(formatHelp('Usage: tool', specs)).toMatch(/--files string\s+files \(repeatable, or a comma list\)/);
  });

  it('checks string values against their format', () => {
    const specs = { every: { type: 'string', default: '', format: { pattern: /^\d+s$/, expected: 'seconds like 5s' }, description: 'period' } } as const;
    expect(parseFlags(specs, ['--every=5s'])).toMatchObject({ values: { every: '5s' } });
    expect(() => parseFlags(specs, ['--every=soon'])).toThrow('invalid value "soon" for flag --every: must be seconds like 5s');
  });

  it('formats help with placeholders, defaults and repeatable markers', () => {
    const help = formatHelp('Usage: tool', SPECS);
    expect(help).toMatch(/--name string\s+a name \(default "x"\)/);
    expect(help).toMatch(/--tags string\s+tags \(repeatable\) \(default \["default"\]\)/);
    expect(help).toMatch(/--on\s+switch \(default false\)/);
    expect(help).toMatch(/--labels key=value\s+labels \(repeatable\)/);
    expect(help).toContain('--help');
  });
});
