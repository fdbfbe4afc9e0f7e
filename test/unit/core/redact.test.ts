/** What the redaction nets catch on their way to a log line (src/core/redact.ts, src/core/logger.ts). */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';
import { SendError } from '../../../src/core/errors.js';
import { redactText, rememberSecret, rememberToken, shownAddress } from '../../../src/core/redact.js';

/** A value no other test remembers: the nets are process-wide. */
const unique = (): string => randomUUID().replaceAll('-', '');

describe('a URL with credentials in its user-info', () => {
  it('is shown without any of the password, even one holding an @ (the issue\'s REDIS_URL)', () => {
    const url = 'redis://:Pw0rd@Leak9Zq@127.0.0.1:6402/0';

    expect(shownAddress(url)).toBe('redis://127.0.0.1:6402/0');
    expect(redactText(`connecting to ${url} now`)).toBe('connecting to redis://***@127.0.0.1:6402/0 now');
  });

  it('is shown without user name and password, with host, port and database kept', () => {
    expect(shownAddress('rediss://duban:s3cr3t@redis.example.gov.cn:6380/2')).toBe('rediss://redis.example.gov.cn:6380/2');
    expect(shownAddress('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(shownAddress('unix:///var/run/redis.sock')).toBe('unix:///var/run/redis.sock');
  });

  it('is masked as text when it does not parse', () => {
    expect(shownAddress('redis://:pa ss@host:x/0')).not.toContain('pa ss');
  });
});

describe('a credential in a URL\'s query', () => {
  it.each([
    ['a WeCom webhook key', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx', '693a91f6'],
    ['a WeCom response_code', 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=RESPCODE123', 'RESPCODE123'],
    ['a WeCom corpsecret', 'https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww01&corpsecret=CORPSECRET99', 'CORPSECRET99'],
    ['a WeCom access token', 'https://qyapi.weixin.qq.com/cgi-bin/auth/getuserinfo?access_token=ACCESS77&code=OAUTHCODE5', 'ACCESS77'],
    ['an OAuth code', 'https://qyapi.weixin.qq.com/cgi-bin/auth/getuserinfo?access_token=ACCESS77&code=OAUTHCODE5', 'OAUTHCODE5'],
    ['a DingTalk robot token', 'https://oapi.dingtalk.com/robot/send?access_token=ROBOTTOKEN1&timestamp=1700000000000&sign=abc%2Bdef%3D', 'ROBOTTOKEN1'],
    ['a DingTalk 加签 sign', 'https://oapi.dingtalk.com/robot/send?access_token=ROBOTTOKEN1&timestamp=1700000000000&sign=abc%2Bdef%3D', 'abc%2Bdef'],
    ['a DingTalk session', 'https://oapi.dingtalk.com/robot/sendBySession?session=SESSION42', 'SESSION42'],
    ['a Stream ticket', 'wss://wss-open-connection.dingtalk.com:443/connect?ticket=TICKET31', 'TICKET31'],
    ['a dashboard link token', 'https://duban.example.gov.cn/dashboard?t=7b22.abcdef', '7b22.abcdef'],
    ['a Redis password option', 'redis://127.0.0.1:6379/0?password=REDISPW8', 'REDISPW8'],
  ])('masks %s', (_, url, secret) => {
    const shown = redactText(`failed: ${url}`);

    expect(shown).not.toContain(secret);
    expect(shown).toContain('***');
  });

  it('keeps what is not a credential: the path, a timestamp, a type', () => {
    expect(redactText('https://oapi.dingtalk.com/media/upload?access_token=X1234567&type=image&timestamp=1700000000000')).toBe(
      'https://oapi.dingtalk.com/media/upload?access_token=***&type=image&timestamp=1700000000000',
    );
  });
});

describe('a secret the bot was given or fetched', () => {
  it('is masked wherever it turns up, as written and URL-encoded', () => {
    const secret = `${unique()}+/=`;
    rememberSecret(secret);

    expect(redactText(`errmsg: invalid credential ${secret}`)).toBe('errmsg: invalid credential ***');
    expect(redactText(`body=${encodeURIComponent(secret)}`)).toBe('body=***');
  });

  it('is not masked by value when it is too short to mask without garbling every line', () => {
    rememberSecret('abc');

    expect(redactText('abcdef')).toBe('abcdef');
  });

  it('is masked while among the latest tokens fetched, and forgotten once long replaced', () => {
    const first = unique();
    rememberToken(first);
    expect(redactText(first)).toBe('***');

    for (let i = 0; i < 40; i++) rememberToken(unique());
    expect(redactText(first)).toBe(first);
  });
});

describe('a log line', () => {
  const logged = (fields: Record<string, unknown>, msg = 'event'): Record<string, unknown> => {
    const lines: string[] = [];
    createLogger('info', (line) => lines.push(line)).info(msg, fields);
    return JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  };

  it('masks a field named like a credential whatever it holds', () => {
    const line = logged({ password: 'x', clientSecret: 'y', accessToken: 'z', sign: 's', cookie: 'c', nested: { appSecret: 'n' } });

    expect(line).toMatchObject({ password: '***', clientSecret: '***', accessToken: '***', sign: '***', cookie: '***', nested: { appSecret: '***' } });
  });

  it('keeps fields that only name a credential or count something', () => {
    expect(logged({ credential: 'wecom-app:ww01:1000002:token', expiresIn: 7200, key: 'reminders/2026-11-23/wecom/wrk01' })).toMatchObject({
      credential: 'wecom-app:ww01:1000002:token',
      expiresIn: 7200,
      key: 'reminders/2026-11-23/wecom/wrk01',
    });
  });

  it('redacts an error\'s message and stack, and the message of the line itself', () => {
    const error = new SendError('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY-IN-ERROR answered HTTP 500', 'http-500', 'failed');
    const line = JSON.stringify(logged({ error }, 'posting to redis://:pw@host/0 failed'));

    expect(line).not.toContain('KEY-IN-ERROR');
    expect(line).not.toContain(':pw@');
    expect(line).toContain('SendError');
  });
});
