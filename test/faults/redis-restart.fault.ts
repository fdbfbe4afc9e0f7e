/**
 * Redis stopped and started again in the middle of inbound load (docs/design.md §7: a report the bot has
 * confirmed is in Redis; Redis down → 503, never a false confirmation).
 *
 * The app is assembled as `serve` assembles it (config → connectRedis → compose → createApp)
 * against a redis-server of this file's own, which is stopped while signed WeCom and DingTalk callbacks are in flight, and started again on the same AOF. Every
 * answer is classified the way the platform and the clerk would see it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compose, type Bot } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { createApp } from '../../src/server/app.js';
import { connectRedis } from '../../src/store/connect.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { testCounty } from '../fixtures/county.js';
import { callbackHeaders, robotMessage } from '../helpers/dingtalk-client.js';
import { startFakeDingtalk, type FakeDingtalk } from '../helpers/fake-dingtalk.js';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import { listen, type Listening } from '../helpers/http.js';
import { createWecomClient, textMessage } from '../helpers/wecom-client.js';
import { closeAll, counts, inPool, until } from './helpers/load.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';
import { startTripwire } from './helpers/redis-tripwire.js';
import { isReportEntry, type County } from '../../src/domain/model.js';

const TOKEN = 'faultToken';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const CLIENT_ID = 'dingfault0001';
const CLIENT_SECRET = 'duban-fault-app-secret';
/** Bound to 城关镇 in the test county. */
const WECOM_GROUP = 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw';
const DINGTALK_GROUP = 'cidFaultChengguan==';
const county: County = { ...testCounty, groups: [...testCounty.groups, { platform: 'dingtalk', chat: DINGTALK_GROUP, township: '城关镇' }] };

/** What the clerk sees confirmed: the report command's headline. */
const CONFIRMED = /已记录|已更正/;
/** What the DingTalk clerk is told when a message was taken but could not be finished. */
const RESEND = '没能处理完';

const wecom = createWecomClient({ token: TOKEN, encodingAesKey: AES_KEY });

/** How one delivery ended, as WeCom or DingTalk and the clerk would see it. */
type Outcome =
  | { kind: 'confirmed'; text: string }
  /** 503: the platform delivers it again. */
  | { kind: 'refused' }
  /** The connection failed: the platform delivers it again too. */
  | { kind: 'unreachable'; error: string }
  /** DingTalk only: taken (200), then the clerk was told to send it again. */
  | { kind: 'resend' }
  /** Anything else: a 200 that confirms nothing, another status. Always a failure of this test. */
  | { kind: 'other'; detail: string };

interface Running {
  server: Listening;
  bot: Bot;
}

let redis: PrivateRedis;
let fakeWecom: FakeWecom;
let fakeDingtalk: FakeDingtalk;

/** What was started, to be stopped in reverse, also when a later start failed. */
const started: Array<() => unknown> = [];

beforeEach(async () => {
  redis = await startPrivateRedis();
  started.push(() => redis.close());
  fakeWecom = await startFakeWecom();
  started.push(() => fakeWecom.close());
  fakeDingtalk = await startFakeDingtalk({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  started.push(() => fakeDingtalk.close());
});
afterEach(async () => {
  // Each step on its own: one failing must not leave a server or a redis-server behind.
  await closeAll(started.splice(0).reverse());
});

/** The server as `duban serve` builds it, with both platforms on and their bases at the fakes. */
async function startApp(redisUrl = redis.url): Promise<Running> {
  const config = loadConfig({
    REDIS_URL: redisUrl,
    WECOM_TOKEN: TOKEN,
    WECOM_ENCODING_AES_KEY: AES_KEY,
    WECOM_API_BASE: fakeWecom.base,
    DINGTALK_CLIENT_ID: CLIENT_ID,
    DINGTALK_CLIENT_SECRET: CLIENT_SECRET,
    DINGTALK_MODE: 'http',
    DINGTALK_API_BASE: fakeDingtalk.base,
    DINGTALK_OAPI_BASE: fakeDingtalk.base,
  });
  const log = createLogger('silent');
  const handle = await connectRedis(config.redisUrl, log);
  started.push(() => handle.close());
  // The county is loaded before the bot is made, as `duban load` would have done.
  await createRedisStore(handle.redis, createKeys()).loadCounty(county, { rest: [], work: [], years: [] });
  const bot = await compose(handle.redis, { log, config });
  started.push(...bot.inbound.map((inbound) => () => inbound.stop()), () => bot.close());
  const server = await listen(createApp({ log, redisUp: () => bot.store.ping(), routes: bot.inbound.flatMap((i) => i.routes) }));
  started.push(() => server.close());
  return { server, bot };
}

/** A report of T2: `said` is what follows the task (`66%`, or a value and a note). */
const wecomReport = (msgid: string, said: string) =>
  textMessage({ msgid, chatid: WECOM_GROUP, userid: 'lilianluo', content: `@督办助手 上报 T2 ${said}`, responseUrl: fakeWecom.responseUrl(msgid) });

/** One WeCom delivery of a report; a redelivery is the same payload under a new nonce, as WeCom sends it. */
async function deliverWecom(app: Running, msgid: string, said: string): Promise<Outcome> {
  const callback = wecom.callback(wecomReport(msgid, said));
  let res: Response;
  try {
    res = await fetch(`${app.server.base}/wecom/callback?${callback.query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: callback.body });
  } catch (error) {
    return { kind: 'unreachable', error: String(error) };
  }
  const body = await res.text();
  if (res.status === 503) return { kind: 'refused' };
  if (res.status !== 200) return { kind: 'other', detail: `HTTP ${String(res.status)} ${body.slice(0, 80)}` };
  const reply = wecom.openReply(body, { nonce: callback.nonce }) as { stream: { content: string } };
  return CONFIRMED.test(reply.stream.content) ? { kind: 'confirmed', text: reply.stream.content } : { kind: 'other', detail: `200 without a confirmation: ${reply.stream.content}` };
}

const dingtalkReport = (msgId: string, said: string) =>
  robotMessage({ msgId, content: `上报 T2 ${said}`, conversationType: '2', conversationId: DINGTALK_GROUP, senderStaffId: '1665000001', senderNick: '钱联络', sessionWebhook: fakeDingtalk.sessionWebhook(`s-${msgId}`) });

/** The sessionWebhook replies DingTalk got for a message. */
const sessionReplies = (msgId: string): string[] =>
  fakeDingtalk.received.filter((r) => r.path === '/robot/sendBySession' && r.query.session === `s-${msgId}`).map((r) => (r.body as { markdown: { text: string } }).markdown.text);

/** One DingTalk delivery: 200 at once, then the answer through the sessionWebhook; or a refusal. */
async function deliverDingtalk(app: Running, msgId: string, said: string): Promise<Outcome> {
  const before = sessionReplies(msgId).length;
  let res: Response;
  try {
    res = await fetch(`${app.server.base}/dingtalk/callback`, { method: 'POST', headers: callbackHeaders(CLIENT_SECRET), body: JSON.stringify(dingtalkReport(msgId, said)) });
  } catch (error) {
    return { kind: 'unreachable', error: String(error) };
  }
  const body = await res.text();
  if (res.status === 503) return { kind: 'refused' };
  if (res.status !== 200 || body !== '{"msgtype":"empty"}') return { kind: 'other', detail: `HTTP ${String(res.status)} ${body.slice(0, 80)}` };
  // The answer follows in the background; a redelivery DingTalk makes is answered by nobody.
  await until(() => sessionReplies(msgId).length > before, `the sessionWebhook reply to ${msgId}`);
  const text = sessionReplies(msgId).at(-1) ?? '';
  if (CONFIRMED.test(text)) return { kind: 'confirmed', text };
  if (text.includes(RESEND)) return { kind: 'resend' };
  return { kind: 'other', detail: `reply without a confirmation: ${text}` };
}

async function healthy(app: Running): Promise<boolean> {
  const res = await fetch(`${app.server.base}/healthz`).catch(() => undefined);
  return res?.status === 200;
}

/** Every ledger entry of T2 as its source (`<platform>:<message id>`) and the value reported. */
async function ledgerEntries(app: Running): Promise<Array<{ source: string; value: string }>> {
  return (await app.bot.store.ledger(['T2'])).filter(isReportEntry).map((e) => ({ source: e.source, value: e.value }));
}

const WECOM_BEFORE = 120;
const WECOM_WHILE_DOWN = 30;
const WECOM_AFTER = 90;
const DINGTALK_EACH = 6;
const CONCURRENCY = 12;

describe.each(['SHUTDOWN', 'SIGKILL'] as const)('Redis stopped by %s in the middle of inbound load', (how) => {
  it('never confirms a report it did not keep, refuses the rest with 503, and records each refused one exactly once when it is delivered again', async () => {
    const app = await startApp();
    // Values that tell the messages apart, so a report recorded twice or under the wrong message
    // would show. Each message carries its id as the note too: the percentages repeat every 101
    // messages, and one clerk's message saying what the last said is one entry (the 'repeat' of
    // record-report.lua).
    const percentOf = (n: number): number => n % 101;
    const said = (id: string, n: number): string => `${String(percentOf(n))}% ${id}`;
    const wecomIds = Array.from({ length: WECOM_BEFORE + WECOM_WHILE_DOWN + WECOM_AFTER }, (_, n) => `fault-${how}-wecom-${String(n)}`);
    const dingtalkIds = Array.from({ length: DINGTALK_EACH * 3 }, (_, n) => `fault-${how}-ding-${String(n)}`);
    const outcomes = new Map<string, Outcome>();
    const wecomPhase = (from: number, to: number) => inPool(wecomIds.slice(from, to), CONCURRENCY, async (id) => {
      outcomes.set(`wecom:${id}`, await deliverWecom(app, id, said(id, wecomIds.indexOf(id))));
    });
    const dingtalkPhase = (from: number, to: number) => inPool(dingtalkIds.slice(from, to), 3, async (id) => {
      outcomes.set(`dingtalk:${id}`, await deliverDingtalk(app, id, said(id, dingtalkIds.indexOf(id))));
    });

    // Stopped while requests are in flight: some were answered, others are half way through.
    const before = Promise.all([wecomPhase(0, WECOM_BEFORE), dingtalkPhase(0, DINGTALK_EACH)]);
    await until(() => outcomes.size >= WECOM_BEFORE / 3, 'a third of the first load to be answered');
    await redis.stop(how);
    await Promise.all([wecomPhase(WECOM_BEFORE, WECOM_BEFORE + WECOM_WHILE_DOWN), dingtalkPhase(DINGTALK_EACH, 2 * DINGTALK_EACH)]);
    // Started again while the rest of the load comes in, racing the app's reconnect.
    await redis.start();
    await Promise.all([before, wecomPhase(WECOM_BEFORE + WECOM_WHILE_DOWN, wecomIds.length), dingtalkPhase(2 * DINGTALK_EACH, dingtalkIds.length)]);
    await until(() => healthy(app), '/healthz to say Redis is back');

    const byKind = (kind: Outcome['kind']) => [...outcomes].filter(([, o]) => o.kind === kind).map(([source]) => source);
    expect([...outcomes].filter(([, o]) => o.kind === 'other'), 'answers that neither confirm nor refuse').toEqual([]);
    // What was confirmed survived the stop: it is in the ledger read back from the restarted server.
    const kept = new Set((await ledgerEntries(app)).map((e) => e.source));
    expect(byKind('confirmed').filter((source) => !kept.has(source)), 'confirmed but not in the ledger').toEqual([]);
    const refused = [...byKind('refused'), ...byKind('unreachable')];
    // The stop really fell inside the load: both answers were given.
    expect(byKind('confirmed').length).toBeGreaterThan(0);
    expect(refused.filter((s) => s.startsWith('wecom:')).length).toBeGreaterThanOrEqual(WECOM_WHILE_DOWN);
    expect(refused.filter((s) => s.startsWith('dingtalk:')).length).toBeGreaterThanOrEqual(DINGTALK_EACH);

    // The platforms deliver every refused message again, now that Redis is back.
    for (const source of refused) {
      const [platform, id] = source.split(':') as [string, string];
      const again = platform === 'wecom' ? await deliverWecom(app, id, said(id, wecomIds.indexOf(id))) : await deliverDingtalk(app, id, said(id, dingtalkIds.indexOf(id)));
      expect(again.kind, `redelivery of ${source}`).toBe('confirmed');
    }

    const entries = await ledgerEntries(app);
    const recorded = counts(entries.map((e) => e.source));
    const told = new Set(byKind('resend'));
    for (const source of outcomes.keys()) {
      // A DingTalk message taken and then given up was not confirmed: the clerk sends it anew.
      if (told.has(source)) expect(recorded.get(source) ?? 0, source).toBeLessThanOrEqual(1);
      else expect(recorded.get(source), `ledger entries of ${source}`).toBe(1);
    }
    expect([...recorded.keys()].filter((source) => !outcomes.has(source)), 'ledger entries nobody sent').toEqual([]);
    // Each under its own message: the value that message reported.
    const sent = (source: string): string => {
      const id = source.slice(source.indexOf(':') + 1);
      return `${String(percentOf(source.startsWith('wecom:') ? wecomIds.indexOf(id) : dingtalkIds.indexOf(id)))}%`;
    };
    expect(entries.filter((e) => e.value !== sent(e.source)), 'entries with another message\'s value').toEqual([]);
  }, 90_000);
});

describe('Redis killed just after a report is written, before its reply is kept', () => {
  /** The report's own entries: the value is unique to this test. */
  const entriesOf = async (app: Running, value: string): Promise<number> => (await ledgerEntries(app)).filter((e) => e.value === value).length;

  async function trippedApp(): Promise<{ app: Running; armAt: (msgId: string) => void; restart: () => Promise<void> }> {
    const wire = await startTripwire(redis.url.slice('unix://'.length), () => redis.stop('SIGKILL'));
    started.push(() => wire.close());
    const app = await startApp(wire.url);
    // A report first, so that this Redis holds the scripts: one that does not answers the report's
    // EVALSHA with NOSCRIPT, and the script runs on the EVAL after it (src/store/scripts.ts).
    expect((await deliverDingtalk(app, 'trip-warm-up', '12%')).kind).toBe('confirmed');
    return {
      app,
      // Armed on the report script, the only command naming the message's seen marker.
      armAt: (msgId) => { wire.arm((command) => command.includes(':seen:') && command.includes(msgId)); },
      async restart() {
        await redis.start();
        await wire.reopen();
        await until(() => healthy(app), '/healthz to say Redis is back');
      },
    };
  }

  // The script's answer arrives and the report is in Redis, so the clerk is told it is recorded;
  // the kept reply, sent after it, is lost with Redis. A refusal is also true to the clerk: the
  // bot asks Redis whether it has replicas once a second, and a question that falls after the
  // kill fails the message. Either way, a message sent or delivered again records nothing twice.
  it('on DingTalk: the clerk is told it is recorded (or to send it again), and sending it again records nothing twice', async () => {
    const { app, armAt, restart } = await trippedApp();
    armAt('trip-ding-1');
    expect(['confirmed', 'resend']).toContain((await deliverDingtalk(app, 'trip-ding-1', '77%')).kind);

    await restart();
    const resent = await deliverDingtalk(app, 'trip-ding-2', '77%');

    expect(resent).toMatchObject({ kind: 'confirmed', text: expect.stringContaining('这次没有重复记录') as unknown });
    expect(await entriesOf(app, '77%')).toBe(1);
  }, 60_000);

  it('on WeCom: the clerk is told it is recorded (or WeCom is answered 503), and a redelivery or the clerk sending it again records nothing twice', async () => {
    const { app, armAt, restart } = await trippedApp();
    armAt('trip-wecom-1');
    expect(['confirmed', 'refused', 'unreachable']).toContain((await deliverWecom(app, 'trip-wecom-1', '66%')).kind);

    await restart();
    const resent = await deliverWecom(app, 'trip-wecom-2', '66%');
    const redelivered = await deliverWecom(app, 'trip-wecom-1', '66%');

    expect(resent).toMatchObject({ kind: 'confirmed', text: expect.stringContaining('这次没有重复记录') as unknown });
    expect(redelivered.kind).toBe('confirmed');
    expect(await entriesOf(app, '66%')).toBe(1);
  }, 60_000);
});
