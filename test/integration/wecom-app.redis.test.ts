/** The WeCom 自建应用 client behind the dashboard, against a fake WeCom and real Redis. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../src/adapters/credentials.js';
import { createWecomApp, jsApiSignature, type WecomApp, type WecomAppOptions } from '../../src/adapters/wecom/app.js';
import { SendError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import { createKeys, type Keys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { NON_MEMBER_CODE, startFakeWecomApp, type FakeWecomApp } from '../helpers/fake-wecom-app.js';
import { openTestRedis, type TestRedis } from '../helpers/redis.js';

const AGENT_ID = '1000002';
const PAGE = 'https://duban.example.cn/dashboard?month=2026-03';
const START = Date.UTC(2026, 2, 2, 1, 0, 0);

let t: TestRedis;
let n = 0;
let fake: FakeWecomApp;
let keys: Keys;
let store: CredentialStore;
let clock: number;
let logged: string[];

beforeAll(async () => {
  t = await openTestRedis(import.meta.url);
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  fake = await startFakeWecomApp();
  n += 1;
  keys = createKeys(`${t.prefix}:${String(n)}`);
  store = createRedisStore(t.redis, keys);
  clock = START;
  logged = [];
});
afterEach(async () => {
  await fake.close();
});

/** An instance of the app, as each server process makes one; its log lines go to `logged`. */
function instance(overrides: Partial<WecomAppOptions> = {}): WecomApp {
  return createWecomApp({
    corpId: fake.corpId,
    agentId: AGENT_ID,
    secret: fake.secret,
    apiBase: fake.base,
    store,
    log: createLogger('debug', (line) => logged.push(line)),
    now: () => clock,
    ...overrides,
  });
}

const credentialKey = (what: 'token' | 'corp-ticket' | 'agent-ticket') => keys.credential(`wecom-app:${fake.corpId}:${AGENT_ID}:${what}`);

/** The SendError `work` ends with; fails the test if it succeeds or fails otherwise. */
async function refusal(work: Promise<unknown>): Promise<SendError> {
  const error: unknown = await work.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof SendError)) throw new Error(`expected a SendError, got ${String(error)}`);
  return error;
}

const fetches = () => ({ gettoken: fake.calls('gettoken'), corp: fake.calls('get_jsapi_ticket'), agent: fake.calls('ticket/get') });

describe('JS-SDK signatures for the dashboard page', () => {
  it('signs the page URL with the corp ticket, a fresh 16-character nonce and the time in seconds', async () => {
    const app = instance();
    const first = await app.signature('corp', PAGE);
    const second = await app.signature('corp', PAGE);

    expect(first.timestamp).toBe(START / 1000);
    expect(first.nonceStr).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(second.nonceStr).not.toBe(first.nonceStr);
    const ticket = fake.ticket('corp') ?? '';
    expect(ticket).not.toBe('');
    expect(first.signature).toBe(jsApiSignature({ ticket, nonceStr: first.nonceStr, timestamp: first.timestamp, url: PAGE }));
  });

  it('signs with the agent ticket (type=agent_config) for agentConfig, and ignores the #fragment', async () => {
    const signed = await instance().signature('agent', `${PAGE}#/ranking`);

    expect(fetches()).toEqual({ gettoken: 1, corp: 0, agent: 1 });
    expect(signed.signature).toBe(jsApiSignature({ ticket: fake.ticket('agent') ?? '', nonceStr: signed.nonceStr, timestamp: signed.timestamp, url: PAGE }));
  });

  it('fetches the token and each ticket once for many signatures and page views', async () => {
    const app = instance();
    fake.registerCode('code-1', 'zhangsan');
    expect(await app.userIdForCode('code-1')).toBe('zhangsan');
    for (let i = 0; i < 30; i += 1) {
      await app.signature('corp', `${PAGE}&view=${String(i)}`);
      await app.signature('agent', `${PAGE}&view=${String(i)}`);
      clock += 60_000;
    }

    expect(fetches()).toEqual({ gettoken: 1, corp: 1, agent: 1 });
  });

  it('shares one fetch among callers asking at the same moment', async () => {
    const app = instance();
    await Promise.all(Array.from({ length: 20 }, (_, i) => app.signature(i % 2 === 0 ? 'corp' : 'agent', PAGE)));

    expect(fetches()).toEqual({ gettoken: 1, corp: 1, agent: 1 });
  });

  it('lets a second instance sharing the Redis sign and look up users without a gettoken or ticket call', async () => {
    await instance().signature('corp', PAGE);
    await instance().signature('agent', PAGE);
    expect(fetches()).toEqual({ gettoken: 1, corp: 1, agent: 1 });

    const other = instance({ store: createRedisStore(await t.connect(), keys) });
    fake.registerCode('code-2', 'lisi');
    const signed = await other.signature('corp', PAGE);
    await other.signature('agent', PAGE);

    expect(await other.userIdForCode('code-2')).toBe('lisi');
    expect(fetches()).toEqual({ gettoken: 1, corp: 1, agent: 1 });
    expect(signed.signature).toBe(jsApiSignature({ ticket: fake.ticket('corp') ?? '', nonceStr: signed.nonceStr, timestamp: signed.timestamp, url: PAGE }));
  });

  it('keeps the token and tickets in Redis until five minutes before WeCom says they expire', async () => {
    const app = instance();
    await app.signature('corp', PAGE);
    await app.signature('agent', PAGE);

    for (const what of ['token', 'corp-ticket', 'agent-ticket'] as const) {
      const ttl = await t.redis.ttl(credentialKey(what));
      expect(ttl).toBeGreaterThan(7200 - 300 - 5);
      expect(ttl).toBeLessThanOrEqual(7200 - 300);
    }
  });

  it('fetches the token and tickets again once their lifetime less five minutes has passed', async () => {
    const app = instance();
    await app.signature('corp', PAGE);
    clock += (7200 - 300) * 1000 - 1;
    await app.signature('corp', PAGE);
    expect(fetches()).toEqual({ gettoken: 1, corp: 1, agent: 0 });

    clock += 1;
    await app.signature('corp', PAGE);
    expect(fetches()).toEqual({ gettoken: 2, corp: 2, agent: 0 });
  });

  it('keeps signing when Redis fails, fetching once for this process', async () => {
    const broken: CredentialStore = {
      credential: () => Promise.reject(new Error('Connection is closed.')),
      saveCredential: () => Promise.reject(new Error('Connection is closed.')),
      dropCredential: () => Promise.reject(new Error('Connection is closed.')),
    };
    const app = instance({ store: broken });
    for (let i = 0; i < 5; i += 1) await app.signature('corp', PAGE);

    expect(fetches()).toEqual({ gettoken: 1, corp: 1, agent: 0 });
    expect(logged.some((line) => line.includes('credential cache in Redis failed'))).toBe(true);
  });
});

describe('a token WeCom rejects before its expiry', () => {
  it.each([42001, 40014] as const)('is fetched again once after %i, and the call succeeds', async (errcode) => {
    const app = instance();
    fake.registerCode('code-1', 'zhangsan');
    fake.registerCode('code-2', 'lisi');
    expect(await app.userIdForCode('code-1')).toBe('zhangsan');
    const revoked = fake.token;
    fake.expireToken(errcode);

    expect(await app.userIdForCode('code-2')).toBe('lisi');
    expect(fake.calls('gettoken')).toBe(2);
    expect(fake.calls('auth/getuserinfo')).toBe(3);
    expect(fake.token).not.toBe(revoked);
    expect(await t.redis.get(credentialKey('token'))).toContain(fake.token);
  });

  it('is replaced for the other instances too', async () => {
    fake.registerCode('code-1', 'zhangsan');
    fake.registerCode('code-2', 'lisi');
    await instance().userIdForCode('code-1');
    fake.expireToken();
    await instance().userIdForCode('code-2');

    const other = instance({ store: createRedisStore(await t.connect(), keys) });
    await other.signature('corp', PAGE);
    expect(fake.calls('gettoken')).toBe(2);
  });

  it('leaves the tickets alone: a ticket stays valid for its own lifetime', async () => {
    const app = instance();
    await app.signature('corp', PAGE);
    const ticket = fake.ticket('corp');
    fake.expireToken();
    const signed = await app.signature('corp', PAGE);

    expect(fetches()).toEqual({ gettoken: 1, corp: 1, agent: 0 });
    expect(fake.ticket('corp')).toBe(ticket);
    expect(signed.signature).toBe(jsApiSignature({ ticket: ticket ?? '', nonceStr: signed.nonceStr, timestamp: signed.timestamp, url: PAGE }));
  });

  it('is replaced when a ticket is fetched with it', async () => {
    const app = instance();
    await app.signature('corp', PAGE);
    fake.expireToken();
    await app.signature('agent', PAGE);

    expect(fetches()).toEqual({ gettoken: 2, corp: 1, agent: 2 });
  });

  it('is fetched again only once: a second rejection is a SendError', async () => {
    const app = instance();
    fake.answerNext('auth/getuserinfo', { errcode: 42001, errmsg: 'access_token expired' }, { errcode: 42001, errmsg: 'access_token expired' });
    const error = await refusal(app.userIdForCode('code-1'));

    expect(error.code).toBe('42001');
    expect(fake.calls('gettoken')).toBe(2);
    expect(fake.calls('auth/getuserinfo')).toBe(2);
  });
});

describe('WeCom refusing', () => {
  it('reports a wrong secret as a permanent SendError naming neither the secret nor a token, in errors or logs', async () => {
    const wrong = 'wrong-secret-0123456789abcdefghijklmnopqrstu';
    const app = instance({ secret: wrong });
    const error = await refusal(app.signature('corp', PAGE));

    expect(error).toMatchObject({ code: '40001', failure: 'permanent' });
    expect(error.message).toContain('/cgi-bin/gettoken');
    for (const text of [error.message, error.stack ?? '', ...logged]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain('corpsecret');
    }
    expect(await t.redis.exists(credentialKey('token'))).toBe(0);
  });

  it('reports another errcode as a SendError with its code, without the token', async () => {
    const app = instance();
    fake.answerNext('get_jsapi_ticket', { errcode: 60020, errmsg: 'not allow to access from your ip' }, { errcode: -1, errmsg: 'system busy' });

    expect(await refusal(app.signature('corp', PAGE))).toMatchObject({ code: '60020', failure: 'permanent' });
    const busy = await refusal(app.signature('corp', PAGE));
    expect(busy).toMatchObject({ code: '-1', failure: 'failed' });
    expect(busy.message).not.toContain(fake.token);
    expect(logged.join('\n')).not.toContain(fake.token);
    expect(logged.join('\n')).not.toContain(fake.secret);

    await app.signature('corp', PAGE);
    expect(fetches()).toEqual({ gettoken: 1, corp: 3, agent: 0 });
  });

  it('reports an unreachable WeCom as a network SendError', async () => {
    const gone = await startFakeWecomApp();
    await gone.close();
    const error = await refusal(instance({ apiBase: gone.base }).signature('corp', PAGE));

    expect(error).toMatchObject({ code: 'network', failure: 'failed' });
    expect(error.message).not.toContain(fake.secret);
  });
});

describe('who opened the dashboard (OAuth2 code → userid)', () => {
  it('answers the userid of a member', async () => {
    fake.registerCode('CODE-zhang', 'zhangsan');
    expect(await instance().userIdForCode('CODE-zhang')).toBe('zhangsan');
  });

  it('answers nothing for a visitor who is not a member of the corp', async () => {
    expect(await instance().userIdForCode(NON_MEMBER_CODE)).toBeUndefined();
    expect(fake.calls('auth/getuserinfo')).toBe(1);
  });

  it('answers nothing for an invalid, expired or used code (40029)', async () => {
    const app = instance();
    fake.registerCode('CODE-once', 'zhangsan');
    expect(await app.userIdForCode('CODE-once')).toBe('zhangsan');

    expect(await app.userIdForCode('CODE-once')).toBeUndefined();
    expect(await app.userIdForCode('made-up')).toBeUndefined();
    expect(fake.calls('gettoken')).toBe(1);
  });

  it('does not ask WeCom about an empty code or one longer than 512 bytes', async () => {
    const app = instance();
    expect(await app.userIdForCode('')).toBeUndefined();
    expect(await app.userIdForCode('x'.repeat(513))).toBeUndefined();
    expect(fake.calls('auth/getuserinfo')).toBe(0);
    expect(fake.calls('gettoken')).toBe(0);
  });
});
