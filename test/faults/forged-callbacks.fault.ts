/**
 * Forged, replayed, oversized and malformed callbacks against the real Koa app (docs/design.md §7: every
 * callback is verified before anything is parsed or stored; stale DingTalk timestamps and bodies
 * over 64 KB are refused; payloads are validated). Each is sent as a forger would send it, and
 * after each, everything under this file's Redis prefix is compared with what was there before:
 * a refusal stores nothing and sends nothing; a replay is answered as the original was, and
 * changes nothing either.
 */
import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDingtalk } from '../../src/adapters/dingtalk/index.js';
import { streamIdOf } from '../../src/adapters/wecom/inbound.js';
import { createWecom } from '../../src/adapters/wecom/index.js';
import type { Inbound } from '../../src/core/platform.js';
import { createLogger } from '../../src/core/logger.js';
import { createApp } from '../../src/server/app.js';
import { createKeys } from '../../src/store/keys.js';
import { testCounty } from '../fixtures/county.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';
import { callbackHeaders, robotMessage, signature } from '../helpers/dingtalk-client.js';
import { startFakeDingtalk, type FakeDingtalk } from '../helpers/fake-dingtalk.js';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import { listen, type Listening } from '../helpers/http.js';
import { createWecomClient, textMessage } from '../helpers/wecom-client.js';
import { closeAll } from './helpers/load.js';
import { send, type RawAnswer, type RawRequest } from './helpers/raw-http.js';
import { changes, snapshot } from './helpers/snapshot.js';
import type { County } from '../../src/domain/model.js';

const TOKEN = 'forgeToken';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const CLIENT_ID = 'dingforge0001';
const CLIENT_SECRET = 'duban-forge-app-secret';
/** Bound to 城关镇 in the test county. */
const WECOM_GROUP = 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw';
const DINGTALK_GROUP = 'cidForgeChengguan==';
const county: County = { ...testCounty, groups: [...testCounty.groups, { platform: 'dingtalk', chat: DINGTALK_GROUP, township: '城关镇' }] };
const OVER_64_KB = '很'.repeat(30_000);

const wecom = createWecomClient({ token: TOKEN, encodingAesKey: AES_KEY });

let bot: TestBot;
let fakeWecom: FakeWecom;
let fakeDingtalk: FakeDingtalk;
let platforms: { wecom: Inbound; dingtalk: Inbound };
let server: Listening;

/** What was started, to be stopped in reverse, also when a later start failed. */
const started: Array<() => unknown> = [];

beforeAll(async () => {
  bot = await openTestBot(import.meta.url, county);
  started.push(() => bot.close());
  fakeWecom = await startFakeWecom();
  started.push(() => fakeWecom.close());
  fakeDingtalk = await startFakeDingtalk({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  started.push(() => fakeDingtalk.close());
  const log = createLogger('silent');
  platforms = {
    wecom: createWecom({ token: TOKEN, encodingAesKey: AES_KEY, apiBase: fakeWecom.base }, { store: bot.store, log }).receive(bot.route),
    dingtalk: createDingtalk({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, mode: 'http', apiBase: fakeDingtalk.base, oapiBase: fakeDingtalk.base }, { store: bot.store, log }).receive(bot.route),
  };
  started.push(() => platforms.dingtalk.stop());
  server = await listen(createApp({ log, redisUp: () => bot.store.ping(), routes: [...platforms.wecom.routes, ...platforms.dingtalk.routes] }));
  started.push(() => server.close());
});
afterAll(async () => {
  await closeAll(started.reverse());
});

let messages = 0;
/** A message id never used before in this file. */
const freshId = (what: string): string => `forged-${what}-${String(++messages)}`;

const outbound = (): number => fakeWecom.received.length + fakeDingtalk.received.length;

/** Sends `req`; DingTalk's background work (if anything was taken) is finished before it returns. */
async function exchange(req: RawRequest): Promise<RawAnswer> {
  const answer = await send(server.base, req);
  await platforms.dingtalk.stop();
  await platforms.wecom.stop();
  return answer;
}

/** Sends `req` and checks it was refused with one of `statuses`, storing and sending nothing. */
async function expectRefused(req: RawRequest, statuses: readonly number[]): Promise<void> {
  const before = await snapshot(bot.db.redis, bot.db.prefix);
  const sent = outbound();
  const answer = await exchange(req);
  expect(statuses, `answered ${String(answer.status)} ${answer.body.slice(0, 60)}`).toContain(answer.status);
  expect(changes(before, await snapshot(bot.db.redis, bot.db.prefix)), 'keys changed by a refused callback').toEqual([]);
  expect(outbound(), 'requests to the platform').toBe(sent);
}

async function ledgerSources(): Promise<string[]> {
  return (await bot.store.ledger(['T1', 'T2', 'T3', 'T4', 'T5'])).map((e) => e.source);
}

// ---- WeCom ----

const report = (msgid: string, content = '@督办助手 上报 T2 90%') =>
  textMessage({ msgid, chatid: WECOM_GROUP, userid: 'lilianluo', content, responseUrl: fakeWecom.responseUrl(msgid) });

const wecomPost = (query: string, body: string | Buffer, extra: Partial<RawRequest> = {}): RawRequest =>
  ({ path: `/wecom/callback?${query}`, headers: { 'content-type': 'application/json' }, body, ...extra });

/** A callback with our token's signature over `encrypt`, whatever it holds: what only a forger holding the token could send. */
function signedOver(encrypt: string, stamp: { timestamp?: string; nonce?: string } = {}): { query: string; body: string } {
  const timestamp = stamp.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = stamp.nonce ?? String(randomInt(100_000_000, 2_000_000_000));
  return { query: new URLSearchParams({ msg_signature: wecom.sign(timestamp, nonce, encrypt), timestamp, nonce }).toString(), body: JSON.stringify({ encrypt }) };
}

const aesKey = Buffer.from(`${AES_KEY}=`, 'base64');

/** AES-256-CBC over bytes already laid out and padded by the caller, as the scheme uses it (IV = the key's first 16 bytes). */
function sealRaw(raw: Buffer, key: Buffer = aesKey): string {
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(raw), cipher.final()]).toString('base64');
}

/** `random(16) ‖ uint32be(length) ‖ message`, with its PKCS#7-to-32 pad given by `pad(n)` for the n bytes it needs (n ≥ 2). */
function laidOut(message: Buffer, pad: (n: number) => Buffer, length = message.length): Buffer {
  let body = message;
  // At least two pad bytes, so that "pad bytes that disagree" can be written.
  if ((20 + body.length) % 32 === 31) body = Buffer.concat([body, Buffer.from(' ')]);
  const header = Buffer.alloc(20);
  randomBytes(16).copy(header);
  header.writeUInt32BE(length === message.length ? body.length : length, 16);
  const unpadded = Buffer.concat([header, body]);
  return Buffer.concat([unpadded, pad(32 - (unpadded.length % 32))]);
}

const payload = (msgid: string): Buffer => Buffer.from(JSON.stringify(report(msgid)), 'utf8');
const signedRaw = (raw: Buffer, key: Buffer = aesKey): RawRequest => {
  const { query, body } = signedOver(sealRaw(raw, key));
  return wecomPost(query, body);
};
const without = (query: string, name: string): string => {
  const params = new URLSearchParams(query);
  params.delete(name);
  return params.toString();
};
const withParam = (query: string, name: string, value: string): string => {
  const params = new URLSearchParams(query);
  params.set(name, value);
  return params.toString();
};

/** [what it is, the request, the statuses it may be refused with]. */
const wecomForgeries: Array<[string, () => RawRequest, number[]]> = [
  ['signed with another token', () => {
    const c = createWecomClient({ token: 'notOurToken', encodingAesKey: AES_KEY }).callback(report(freshId('w')));
    return wecomPost(c.query, c.body);
  }, [401]],
  ...(['msg_signature', 'timestamp', 'nonce'] as const).map((name): [string, () => RawRequest, number[]] => [`without its ${name}`, () => {
    const c = wecom.callback(report(freshId('w')));
    return wecomPost(without(c.query, name), c.body);
  }, [401]]),
  ['without any query', () => wecomPost('', wecom.callback(report(freshId('w'))).body), [401]],
  ['with a timestamp that is not a number, signed over it', () => {
    const { query, body } = signedOver(wecom.encrypt(JSON.stringify(report(freshId('w')))), { timestamp: '17x0000000' });
    return wecomPost(query, body);
  }, [401]],
  ['with a nonce over 128 characters, signed over it', () => {
    const { query, body } = signedOver(wecom.encrypt(JSON.stringify(report(freshId('w')))), { nonce: '9'.repeat(129) });
    return wecomPost(query, body);
  }, [401]],
  ['with its signature in upper case', () => {
    const c = wecom.callback(report(freshId('w')));
    return wecomPost(withParam(c.query, 'msg_signature', (new URLSearchParams(c.query).get('msg_signature') ?? '').toUpperCase()), c.body);
  }, [401]],
  ['carrying the signature of another callback', () => {
    const a = wecom.callback(report(freshId('w')));
    const b = wecom.callback(report(freshId('w')));
    return wecomPost(a.query, b.body);
  }, [401]],
  ['with its timestamp changed after signing', () => {
    const c = wecom.callback(report(freshId('w')));
    return wecomPost(withParam(c.query, 'timestamp', String(Number(c.timestamp) + 1)), c.body);
  }, [401]],
  ['with its query parameters given twice', () => {
    const c = wecom.callback(report(freshId('w')));
    return wecomPost(`${c.query}&${c.query}`, c.body);
  }, [401]],
  ['whose body is not JSON', () => wecomPost(wecom.callback(report(freshId('w'))).query, 'encrypt=abc'), [400]],
  ...['[]', 'null', '"encrypt"', '42', '{}', '{"encrypt":""}', '{"encrypt":123}', '{"encrypt":["a"]}', '{"Encrypt":"abc"}'].map((body): [string, () => RawRequest, number[]] =>
    [`whose body is the JSON ${body}`, () => wecomPost(wecom.callback(report(freshId('w'))).query, body), [400]]),
  ['whose body is over 64 KB', () => {
    const c = wecom.callback(report(freshId('w'), `@督办助手 上报 T2 80% ${OVER_64_KB}`));
    return wecomPost(c.query, c.body);
  }, [413]],
  ['whose body is over 64 KB and comes in chunks without a length', () => {
    const c = wecom.callback(report(freshId('w'), `@督办助手 上报 T2 80% ${OVER_64_KB}`));
    return wecomPost(c.query, c.body, { chunked: 8192 });
  }, [413]],
  ['whose Content-Length claims over 64 KB', () => {
    const c = wecom.callback(report(freshId('w')));
    return wecomPost(c.query, c.body, { headers: { 'content-type': 'application/json', 'content-length': String(65 * 1024) } });
  }, [413]],
  ['addressed to another receive id', () => {
    const c = wecom.callback(report(freshId('w')), { receiveId: 'wx5823bf96d3bd56c7' });
    return wecomPost(c.query, c.body);
  }, [400]],
  ['whose ciphertext is cut short and signed again', () => {
    const encrypt = wecom.encrypt(JSON.stringify(report(freshId('w'))));
    const { query, body } = signedOver(encrypt.slice(0, encrypt.length - 7));
    return wecomPost(query, body);
  }, [400]],
  ['whose ciphertext lost its last block and is signed again', () => {
    const bytes = Buffer.from(wecom.encrypt(JSON.stringify(report(freshId('w')))), 'base64');
    const { query, body } = signedOver(bytes.subarray(0, bytes.length - 32).toString('base64'));
    return wecomPost(query, body);
  }, [400]],
  ['whose ciphertext is cut short under its old signature', () => {
    const c = wecom.callback(report(freshId('w')));
    const encrypt = (JSON.parse(c.body) as { encrypt: string }).encrypt;
    return wecomPost(c.query, JSON.stringify({ encrypt: encrypt.slice(0, -8) }));
  }, [401]],
  ['whose ciphertext is not base64, signed over it', () => {
    const { query, body } = signedOver('not base64 at all!');
    return wecomPost(query, body);
  }, [400]],
  ['whose padding is zero', () => signedRaw(laidOut(payload(freshId('w')), (n) => Buffer.alloc(n, 0))), [400]],
  ['whose padding says 33', () => signedRaw(laidOut(payload(freshId('w')), (n) => Buffer.alloc(n, 33))), [400]],
  ['whose padding bytes disagree', () => signedRaw(laidOut(payload(freshId('w')), (n) => Buffer.concat([Buffer.from([n - 1]), Buffer.alloc(n - 1, n)]))), [400]],
  ['whose length field runs past the plaintext', () => signedRaw(laidOut(payload(freshId('w')), (n) => Buffer.alloc(n, n), 10_000)), [400]],
  ['whose message is not UTF-8', () => signedRaw(laidOut(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), (n) => Buffer.alloc(n, n))), [400]],
  ['encrypted under another key, signed with our token', () => signedRaw(laidOut(payload(freshId('w')), (n) => Buffer.alloc(n, n)), Buffer.from(aesKey).reverse()), [400]],
  ...([
    ['not JSON', () => 'this is not json'],
    ['a text message without its sender', () => JSON.stringify({ msgid: 'x1', chattype: 'group', chatid: WECOM_GROUP, msgtype: 'text', text: { content: '上报 T2 80%' } })],
    ['a group message without its chat id', () => JSON.stringify({ msgid: 'x2', chattype: 'group', from: { userid: 'lilianluo' }, msgtype: 'text', text: { content: '上报 T2 80%' } })],
    ['a text message whose text is a number', () => JSON.stringify({ ...report('x3'), text: { content: 80 } })],
    ['a message without its msgid', () => JSON.stringify({ ...report('x4'), msgid: '' })],
    ['a JSON array', () => '[1,2,3]'],
  ] as const).map(([what, plaintext]): [string, () => RawRequest, number[]] => [`whose decrypted payload is ${what}`, () => {
    const c = wecom.callback(plaintext());
    return wecomPost(c.query, c.body);
  }, [400]]),
  ['a URL check signed with another token', () => ({ method: 'GET', path: `/wecom/callback?${createWecomClient({ token: 'notOurToken', encodingAesKey: AES_KEY }).urlCheck('1616140317555161061').query}` }), [401]],
  ['a URL check without its echostr', () => ({ method: 'GET', path: `/wecom/callback?${without(wecom.urlCheck('1616140317555161061').query, 'echostr')}` }), [401]],
  ['a PUT', () => ({ ...wecomPost(wecom.callback(report(freshId('w'))).query, wecom.callback(report(freshId('w'))).body), method: 'PUT' }), [405]],
];

describe('a forged or malformed WeCom callback', () => {
  it.each(wecomForgeries)('is refused when %s, and nothing is stored or sent', async (_, forge, statuses) => {
    await expectRefused(forge(), statuses);
  });

  it('is refused, storing and sending nothing, however a signed callback is tampered with', async () => {
    type Tamper =
      | { kind: 'param'; name: 'msg_signature' | 'timestamp' | 'nonce'; value: string }
      | { kind: 'drop'; name: 'msg_signature' | 'timestamp' | 'nonce' }
      | { kind: 'flip'; at: number; char: string }
      | { kind: 'cut'; at: number }
      | { kind: 'append'; junk: string }
      | { kind: 'body'; body: string };
    const name = fc.constantFrom('msg_signature' as const, 'timestamp' as const, 'nonce' as const);
    const base64Char = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split(''));
    const tamper: fc.Arbitrary<Tamper> = fc.oneof(
      fc.record({ kind: fc.constant('param' as const), name, value: fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[0-9a-f]{40}$/), fc.stringMatching(/^\d{1,13}$/)) }),
      fc.record({ kind: fc.constant('drop' as const), name }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: base64Char }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      // Trailing whitespace would leave the JSON as it was: junk starts with something else.
      fc.record({ kind: fc.constant('append' as const), junk: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== '' && !/^\s/.test(s)) }),
      fc.record({ kind: fc.constant('body' as const), body: fc.oneof(fc.string({ maxLength: 300 }), fc.json(), fc.string({ unit: 'binary', maxLength: 300 })) }),
    );
    await fc.assert(
      fc.asyncProperty(tamper, async (t) => {
        const c = wecom.callback(report(freshId('fc')));
        const encrypt = (JSON.parse(c.body) as { encrypt: string }).encrypt;
        let { query, body } = c;
        switch (t.kind) {
          case 'param':
            fc.pre(new URLSearchParams(query).get(t.name) !== t.value);
            query = withParam(query, t.name, t.value);
            break;
          case 'drop':
            query = without(query, t.name);
            break;
          case 'flip': {
            const at = t.at % encrypt.length;
            fc.pre(encrypt[at] !== t.char && encrypt[at] !== '=');
            body = JSON.stringify({ encrypt: encrypt.slice(0, at) + t.char + encrypt.slice(at + 1) });
            break;
          }
          case 'cut':
            body = body.slice(0, t.at % body.length);
            break;
          case 'append':
            body += t.junk;
            break;
          case 'body':
            fc.pre(t.body !== c.body);
            body = t.body;
            break;
        }
        await expectRefused(wecomPost(query, body), [400, 401, 413]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a replayed WeCom callback', () => {
  it('is answered with the very same body, under a new nonce with the same reply, and recorded once', async () => {
    const msgid = freshId('replay');
    const original = wecom.callback(report(msgid));
    const first = await exchange(wecomPost(original.query, original.body));
    expect(first.status).toBe(200);
    const reply = wecom.openReply(first.body, { nonce: original.nonce }) as { stream: { content: string } };
    expect(reply.stream.content).toContain('已记录');
    const stored = await snapshot(bot.db.redis, bot.db.prefix);

    expect(await exchange(wecomPost(original.query, original.body))).toEqual(first);
    const renewed = wecom.callback(report(msgid));
    const again = await exchange(wecomPost(renewed.query, renewed.body));
    expect(again.status).toBe(200);
    expect(wecom.openReply(again.body, { nonce: renewed.nonce })).toEqual(reply);
    expect(changes(stored, await snapshot(bot.db.redis, bot.db.prefix)), 'keys changed by a replay').toEqual([]);
    expect((await ledgerSources()).filter((s) => s === `wecom:${msgid}`)).toHaveLength(1);
  });
});

describe('a 撤回 delivered again an hour later, when only the router\'s answer is kept', () => {
  it('undoes nothing a second time, though the clerk has reported on another task since', async () => {
    // A clerk of this test's own, so that no other test's report is the last one.
    const say = async (msgid: string, words: string) => {
      const callback = wecom.callback(textMessage({ msgid, chatid: WECOM_GROUP, userid: 'replayclerk', content: `@督办助手 ${words}`, responseUrl: fakeWecom.responseUrl(msgid) }));
      const answer = await exchange(wecomPost(callback.query, callback.body));
      expect(answer.status).toBe(200);
      return { callback, reply: (wecom.openReply(answer.body, { nonce: callback.nonce }) as { stream: { content: string } }).stream.content };
    };
    await say(freshId('report'), '上报 T2 60%');
    const undoId = freshId('undo');
    const undo = await say(undoId, '撤回');
    expect(undo.reply).toContain('已撤回');
    await say(freshId('report'), '上报 T3 5个');
    // An hour on, nothing the WeCom adapter keeps (a "working" answer, an hour) would be left; the
    // answer given at once is the router's, kept for a week like the report's seen marker.
    const keys = createKeys(`${bot.db.prefix}:bot`);
    expect(await bot.db.redis.exists(keys.callbackReply('wecom', streamIdOf(undoId))), 'what the adapter kept of an answer given at once').toBe(0);
    expect(await bot.db.redis.ttl(keys.reply(`wecom:${undoId}`)), 'seconds the router keeps its answer').toBeGreaterThan(6 * 24 * 3600);
    // The same request again: WeCom's callbacks carry no freshness the bot checks, so it is taken.
    expect((await exchange(wecomPost(undo.callback.query, undo.callback.body))).status).toBe(200);

    const reversals = (await bot.store.ledger(['T2', 'T3'])).filter((e) => e.source === `wecom:${undoId}`);
    expect(reversals.map((e) => `${e.task} ${e.kind}`), 'what the one 撤回 message undid').toEqual(['T2 reversal']);
    expect((await bot.store.progress(['T3'])).get('T3')?.get('城关镇')?.amount, 'the clerk\'s newer T3 report').toBe(5);
  });
});

// ---- DingTalk ----

const clerkSays = (msgId: string, content = '上报 T2 70%') =>
  robotMessage({ msgId, content, conversationType: '2', conversationId: DINGTALK_GROUP, senderStaffId: '1665000001', senderNick: '钱联络', sessionWebhook: fakeDingtalk.sessionWebhook(`s-${msgId}`) });

const dingtalkPost = (headers: Record<string, string>, body: string | Buffer, extra: Partial<RawRequest> = {}): RawRequest => ({ path: '/dingtalk/callback', headers, body, ...extra });
const signedAt = (timestamp: string, secret = CLIENT_SECRET): Record<string, string> => ({ 'content-type': 'application/json; charset=utf-8', timestamp, sign: signature(secret, timestamp) });
const HOUR = 60 * 60 * 1000;
const omit = (headers: Record<string, string>, name: string): Record<string, string> => Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));

const dingtalkForgeries: Array<[string, () => RawRequest, number[]]> = [
  ['without its timestamp and sign headers', () => dingtalkPost({ 'content-type': 'application/json' }, JSON.stringify(clerkSays(freshId('d')))), [401]],
  ['without its sign', () => dingtalkPost(omit(callbackHeaders(CLIENT_SECRET), 'sign'), JSON.stringify(clerkSays(freshId('d')))), [401]],
  ['without its timestamp', () => dingtalkPost(omit(callbackHeaders(CLIENT_SECRET), 'timestamp'), JSON.stringify(clerkSays(freshId('d')))), [401]],
  ['signed with another secret', () => dingtalkPost(callbackHeaders('not-the-secret'), JSON.stringify(clerkSays(freshId('d')))), [401]],
  ['signed an hour and a minute ago', () => dingtalkPost(signedAt(String(Date.now() - HOUR - 60_000)), JSON.stringify(clerkSays(freshId('d')))), [401]],
  ['signed an hour and a minute ahead', () => dingtalkPost(signedAt(String(Date.now() + HOUR + 60_000)), JSON.stringify(clerkSays(freshId('d')))), [401]],
  ['signed over a timestamp in seconds', () => dingtalkPost(signedAt(String(Math.floor(Date.now() / 1000))), JSON.stringify(clerkSays(freshId('d')))), [401]],
  ['signed over a timestamp that is not a number', () => dingtalkPost(signedAt(`${String(Date.now())}x`), JSON.stringify(clerkSays(freshId('d')))), [401]],
  ['carrying the sign of another timestamp', () => {
    const now = Date.now();
    return dingtalkPost({ ...signedAt(String(now)), sign: signature(CLIENT_SECRET, String(now - 1)) }, JSON.stringify(clerkSays(freshId('d'))));
  }, [401]],
  ['with its sign URL-encoded', () => {
    const headers = callbackHeaders(CLIENT_SECRET);
    return dingtalkPost({ ...headers, sign: encodeURIComponent(headers.sign ?? '') }, JSON.stringify(clerkSays(freshId('d'))));
  }, [401]],
  ['whose body is not JSON', () => dingtalkPost(callbackHeaders(CLIENT_SECRET), 'msgId=1&text=上报'), [400]],
  ...([
    ['the JSON []', () => '[]'],
    ['the JSON null', () => 'null'],
    ['the JSON {}', () => '{}'],
    ['a robot message without its sessionWebhook', () => JSON.stringify({ ...clerkSays(freshId('d')), sessionWebhook: undefined })],
    ['a robot message of conversation type 3', () => JSON.stringify({ ...clerkSays(freshId('d')), conversationType: '3' })],
    ['a robot message with an empty msgId', () => JSON.stringify({ ...clerkSays(freshId('d')), msgId: '' })],
    ['a robot message without its sender', () => JSON.stringify({ ...clerkSays(freshId('d')), senderId: undefined })],
    ['a robot message whose webhook expiry is a word', () => JSON.stringify({ ...clerkSays(freshId('d')), sessionWebhookExpiredTime: 'soon' })],
    ['a robot message whose text is a number', () => JSON.stringify({ ...clerkSays(freshId('d')), text: { content: 80 } })],
  ] as const).map(([what, body]): [string, () => RawRequest, number[]] => [`whose body is ${what}`, () => dingtalkPost(callbackHeaders(CLIENT_SECRET), body()), [400]]),
  ['whose body is over 64 KB', () => dingtalkPost(callbackHeaders(CLIENT_SECRET), JSON.stringify(clerkSays(freshId('d'), `上报 T2 80% ${OVER_64_KB}`))), [413]],
  ['whose body is over 64 KB and comes in chunks without a length', () => dingtalkPost(callbackHeaders(CLIENT_SECRET), JSON.stringify(clerkSays(freshId('d'), `上报 T2 80% ${OVER_64_KB}`)), { chunked: 8192 }), [413]],
];

describe('a forged, stale or malformed DingTalk callback', () => {
  it.each(dingtalkForgeries)('is refused when %s, and nothing is stored or sent', async (_, forge, statuses) => {
    await expectRefused(forge(), statuses);
  });

  it('is refused, storing and sending nothing, whatever headers and body a forger makes up', async () => {
    // Header values as HTTP allows them: visible ASCII.
    const headerText = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
    const timestamp = fc.option(fc.oneof(headerText(20), fc.integer({ min: 0, max: 2 ** 50 }).map(String), fc.integer({ min: -3 * HOUR, max: 3 * HOUR }).map((d) => String(Date.now() + d))), { nil: undefined });
    const sign = fc.option(fc.oneof(headerText(60), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64'))), { nil: undefined });
    const body = fc.oneof(fc.constant('valid'), fc.string({ maxLength: 300 }), fc.json());
    await fc.assert(
      fc.asyncProperty(timestamp, sign, body, async (ts, sg, content) => {
        const message = content === 'valid' ? JSON.stringify(clerkSays(freshId('dfc'))) : content;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (ts !== undefined) headers.timestamp = ts;
        if (sg !== undefined) headers.sign = sg;
        await expectRefused(dingtalkPost(headers, message), [400, 401, 413]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a replayed DingTalk callback', () => {
  it('is answered as the original was, replied to and recorded once', async () => {
    const msgId = freshId('replay');
    const request = dingtalkPost(callbackHeaders(CLIENT_SECRET), JSON.stringify(clerkSays(msgId)));
    const first = await exchange(request);
    expect(first).toEqual({ status: 200, body: '{"msgtype":"empty"}' });
    const replies = () => fakeDingtalk.received.filter((r) => r.query.session === `s-${msgId}`);
    expect(replies()).toHaveLength(1);
    const stored = await snapshot(bot.db.redis, bot.db.prefix);

    // The very same request again (within the hour its signature is good for), and again.
    expect(await exchange(request)).toEqual(first);
    expect(await exchange({ ...request, headers: callbackHeaders(CLIENT_SECRET) })).toEqual(first);
    expect(replies()).toHaveLength(1);
    expect(changes(stored, await snapshot(bot.db.redis, bot.db.prefix)), 'keys changed by a replay').toEqual([]);
    expect((await ledgerSources()).filter((s) => s === `dingtalk:${msgId}`)).toHaveLength(1);
  });
});
