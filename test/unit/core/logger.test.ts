import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, fileLogger, type Level } from '../../../src/core/logger.js';
import { rememberSecret } from '../../../src/core/redact.js';

const written = (level: Level, log: (logger: ReturnType<typeof createLogger>) => void): string[] => {
  const lines: string[] = [];
  log(createLogger(level, (line) => lines.push(line)));
  return lines;
};

describe('the pino logger', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

  it('masks a remembered secret in the message, a field, a child\'s field and an error', () => {
    const secret = 'pino-secret-value-0123456789';
    rememberSecret(secret);

    const [line = ''] = written('info', (log) => {
      log.child({ upstream: `https://example.test/hook?x=${secret}` }).error(`refused by ${secret}`, { answer: `errmsg: ${secret}`, error: new Error(`token ${secret} expired`) });
    });

    expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({ level: 'error', msg: 'refused by ***', answer: 'errmsg: ***', upstream: 'https://example.test/hook?x=***', error: { name: 'Error', message: 'token *** expired' } });
  });

  it('writes one JSON line per event with the level\'s name, the time and the fields', () => {
    const [line = ''] = written('info', (log) => { log.child({ platform: 'wecom' }).warn('lane paused', { pauseMs: 60_000 }); });

    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 'warn', msg: 'lane paused', platform: 'wecom', pauseMs: 60_000 });
    expect(new Date(String(parsed.time)).toISOString()).toBe(parsed.time);
    expect(line).not.toContain('\n');
  });

  it('writes nothing below its level, and nothing at all when silent', () => {
    expect(written('warn', (log) => { log.debug('a'); log.info('b'); log.warn('c'); log.error('d'); }).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['c', 'd']);
    expect(written('silent', (log) => { log.error('e'); })).toEqual([]);
  });

  it('keeps a field that refers to itself from stopping the line', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;

    const [line = ''] = written('info', (log) => { log.info('circular', { loop }); });

    expect(JSON.parse(line)).toMatchObject({ loop: { name: 'loop', self: '[Circular]' } });
  });

  it('appends to a file in a folder it makes, for a chat in the terminal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'duban-log-'));
    dirs.push(dir);
    const file = join(dir, 'logs', 'chat.log');

    fileLogger(file, 'info').info('first');
    fileLogger(file, 'info').info('second');

    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['first', 'second']);
  });
});
