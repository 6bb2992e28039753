import { createLogger, LOG_LIMITS } from './logger';
import { REDACTED, redact, redactMountOptions, redactText } from './redact';
import { truncateUtf8 } from './truncate';

describe('redact', () => {
  it('masks every value of secrets maps and credential-like keys, at any depth', () => {
    const input = {
      name: 'pvc-1',
      secrets: { cloud: 'east', 'os-password': 'hunter2' },
      controller_publish_secrets: { token: 'abc' },
      volume_context: { 'os-applicationCredentialSecret': 's3cr3t', zone: 'nova' },
      nested: [{ password: 'p', user: 'u' }],
    };
    const out = redact(input);
    expect(out).toEqual({
      name: 'pvc-1',
      secrets: { cloud: REDACTED, 'os-password': REDACTED },
      controller_publish_secrets: { token: REDACTED },
      volume_context: { 'os-applicationCredentialSecret': REDACTED, zone: 'nova' },
      nested: [{ password: REDACTED, user: 'u' }],
    });
    expect(input.secrets['os-password']).toBe('hunter2');
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { password: 'x' };
    a.self = a;
    expect(redact(a)).toEqual({ password: REDACTED, self: '[circular]' });
  });
});

describe('logger', () => {
  it('writes one JSON line per call, honours --v, and never prints a secret', () => {
    const lines: string[] = [];
    const logger = createLogger({ verbosity: 3, sink: (line) => lines.push(line) }).child({ component: 'test' });
    logger.info('created', { secrets: { password: 'hunter2' }, size: 1 });
    logger.debug(4, 'too verbose');
    logger.debug(3, 'shown');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]);
    expect(first).toMatchObject({ level: 'info', msg: 'created', component: 'test', size: 1 });
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(JSON.parse(lines[1])).toMatchObject({ level: 'debug', v: 3, msg: 'shown' });
  });
});

describe('secrets in free text', () => {
  it('masks key=value pairs whose key looks like a credential, in any text', () => {
    expect(redactText('mount -o password=hunter2,uid=1000 /dev/x /mnt: failed')).toBe(`mount -o password=${REDACTED},uid=1000 /dev/x /mnt: failed`);
    expect(redactText('GET /x?token=abc&limit=1')).toBe(`GET /x?token=${REDACTED}&limit=1`);
    expect(redactText('no pairs here')).toBe('no pairs here');
  });

  it('keeps only the names of mount options', () => {
    expect(redactMountOptions('ro,cred=/etc/c,sec=krb5,noatime')).toBe(`ro,cred=${REDACTED},sec=${REDACTED},noatime`);
  });

  it('the logger masks mount options in fields named so and secret pairs in messages', () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (line) => lines.push(line) });
    logger.info('mount failed: mount -o password=hunter2 /dev/x', { mountOptions: ['ro', 'user=bob', 'secret=s1'], mount_flags: 'a=b' });
    const record = JSON.parse(lines[0]);
    expect(record.msg).toBe(`mount failed: mount -o password=${REDACTED} /dev/x`);
    expect(record.mountOptions).toEqual(['ro', `user=${REDACTED}`, `secret=${REDACTED}`]);
    expect(record.mount_flags).toBe(`a=${REDACTED}`);
  });
});

describe('bounded log lines', () => {
  it('a megabyte field, a huge list and a huge map make a line of a few kilobytes that says what it cut', () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (line) => lines.push(line) });
    const map = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v']));
    logger.warn('grpc call failed', { request: { name: 'n'.repeat(1024 * 1024), flags: Array(10_000).fill('x'), parameters: map } });
    expect(lines).toHaveLength(1);
    expect(lines[0].length).toBeLessThan(8 * 1024);
    const record = JSON.parse(lines[0]);
    expect(record.request.name).toMatch(/^n+… \(1048576 bytes, truncated\)$/);
    expect(record.request.flags).toHaveLength(LOG_LIMITS.arrayItems + 1);
    expect(Object.keys(record.request.parameters)).toHaveLength(LOG_LIMITS.objectKeys + 1);
  });

  it('an error is logged with its message and stack, bounded', () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (line) => lines.push(line) });
    logger.error('failed', { error: new Error('x'.repeat(100_000)) });
    const record = JSON.parse(lines[0]);
    expect(record.error.name).toBe('Error');
    expect(Buffer.byteLength(record.error.message)).toBeLessThanOrEqual(LOG_LIMITS.stringBytes);
    expect(lines[0].length).toBeLessThan(8 * 1024);
  });

  it('many fields each within bounds are cut to the scalar ones', () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (line) => lines.push(line) });
    const wide = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, Object.fromEntries(Array.from({ length: 60 }, (_, j) => [`k${j}`, 'v'.repeat(100)]))]));
    logger.info('wide', { requestId: 'r1', ...wide });
    const record = JSON.parse(lines[0]);
    expect(record).toMatchObject({ msg: 'wide', requestId: 'r1' });
    expect(record.truncated).toMatch(/cut to its scalar fields/);
  });
});

describe('truncateUtf8', () => {
  it('keeps short text, cuts long text on a character boundary within the byte budget', () => {
    expect(truncateUtf8('short', 10)).toBe('short');
    const cut = truncateUtf8('€'.repeat(1000), 100);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(100);
    expect(cut).toMatch(/^€+… \(3000 bytes, truncated\)$/);
  });
});
