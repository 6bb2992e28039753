import { createLogger } from './logger';
import { REDACTED, redact } from './redact';

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
