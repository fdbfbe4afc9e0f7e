/**
 * WeCom's long connection end to end: the bot dials a fake long-connection server written from
 * the protocol (test/helpers/fake-wecom-ws.ts), takes messages through the same parser and router
 * as the URL callback, answers them over the socket, keeps one connection among instances, and
 * posts into groups that have no webhook.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWecom, type WecomDeps } from '../../src/adapters/wecom/index.js';
import { SendError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import type { Inbound, PlatformAdapter } from '../../src/core/platform.js';
import type { OutgoingMessage } from '../../src/core/types.js';
import { isReportEntry, type County, type Group } from '../../src/domain/model.js';
import { testCounty } from '../fixtures/county.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import { startFakeWecomWs, type FakeWecomWs } from '../helpers/fake-wecom-ws.js';
import monthlyRanking from '../../jobs/monthly-ranking.js';
import { runJobs } from '../../src/core/scheduler.js';
import { createOutbox } from '../../src/outbox/index.js';
import { createKeys } from '../../src/store/keys.js';
import { PNG_SIGNATURE } from '../helpers/png.js';

const BOT = 'aibDubanTest01';
const SECRET = 'dubanTestSecret01';
const CHENGGUAN = 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw';
const HONGXING = 'wrkHongxingGroupWithAWebhook0001';

let bot: TestBot;
let server: FakeWecomWs;
let webhooks: FakeWecom;
const running: Inbound[] = [];

function county(): County {
  return {
    ...testCounty,
    groups: [
      ...testCounty.groups,
      { platform: 'wecom', chat: HONGXING, township: '红星乡', webhook: `${webhooks.base}/cgi-bin/webhook/send?key=hongxing` },
    ],
    people: [
      ...testCounty.people,
      { platform: 'wecom', user: 'lilianluo', name: '李联络', roles: [], township: '城关镇' },
      { platform: 'wecom', user: 'zhaoguanli', name: '赵管理', roles: ['admin'] },
    ],
  };
}

beforeEach(async () => {
  server = await startFakeWecomWs({ bots: { [BOT]: SECRET } });
  webhooks = await startFakeWecom();
  bot = await openTestBot(import.meta.url, county());
});
afterEach(async () => {
  for (const inbound of running.splice(0)) await inbound.stop();
  await server.close();
  await webhooks.close();
  await bot.close();
});

/** Quick timings: a lease of a second, looked at every 50 ms; pings every 100 ms; reconnects from 20 ms. */
const QUICK: NonNullable<WecomDeps['socket']> = { leaseMs: 1000, tickMs: 50, heartbeatMs: 100, ackTimeoutMs: 1000, backoff: { firstMs: 20, maxMs: 200 } };

function wecomOn(instance = 'A', socket: WecomDeps['socket'] = {}, metrics?: WecomDeps['metrics']): PlatformAdapter {
  return createWecom(
    { mode: 'websocket', botId: BOT, botSecret: SECRET, wsUrl: server.url, apiBase: webhooks.base },
    { store: bot.store, log: createLogger('silent'), socket: { ...QUICK, instance, ...socket }, metrics },
  );
}

/** An instance of the bot with its long connection started. */
function start(instance = 'A', socket: WecomDeps['socket'] = {}, metrics?: WecomDeps['metrics']): PlatformAdapter {
  const adapter = wecomOn(instance, socket, metrics);
  const inbound = adapter.receive(bot.route);
  inbound.start();
  running.push(inbound);
  return adapter;
}

/** A text message as WeCom sends it; `chatid` null for a single chat. */
const message = (msgid: string, content: string, chatid: string | null = CHENGGUAN) => ({
  msgid,
  aibotid: BOT,
  ...(chatid === null ? { chattype: 'single' } : { chatid, chattype: 'group' }),
  from: { userid: 'lilianluo' },
  msgtype: 'text',
  text: { content },
});

async function answered(reqId: string): Promise<{ id: string; finish: boolean; content: string }> {
  await server.waitFor(() => server.responds(reqId).some((r) => r.errcode === 0));
  const reply = server.responds(reqId).find((r) => r.errcode === 0)?.body;
  if (reply?.msgtype !== 'stream') throw new Error(`expected a stream reply, got ${JSON.stringify(reply)}`);
  const stream = reply.stream as { id: string; finish: boolean; content: string };
  return stream;
}

async function reportsOfT2(): Promise<number> {
  return (await bot.store.ledger(['T2'])).filter(isReportEntry).length;
}

describe('messages over the long connection', () => {
  it('subscribes with the bot id and secret, and a report is recorded and answered with a finished stream', async () => {
    start();
    await server.waitFor(() => server.live(BOT) === 1);
    const subscribe = server.frames.find((f) => f.frame.cmd === 'aibot_subscribe')?.frame.body;
    expect(subscribe).toEqual({ bot_id: BOT, secret: SECRET });

    const reqId = await server.deliver(BOT, message('msg-report-1', '@督办助手 上报 T2 80%'));
    const stream = await answered(reqId);
    expect(stream.finish).toBe(true);
    expect(stream.content).toContain('80%');
    expect(await reportsOfT2()).toBe(1);
  });

  it('answers a redelivered message with the same stream, records it once, and counts the redelivery as a duplicate', async () => {
    const outcomes: string[] = [];
    start('A', {}, { connection: () => undefined, message: (_platform, outcome) => { outcomes.push(outcome); } });
    const first = await answered(await server.deliver(BOT, message('msg-again', '@督办助手 上报 T2 60%')));
    const again = await answered(await server.deliver(BOT, message('msg-again', '@督办助手 上报 T2 60%')));
    expect(again).toEqual(first);
    expect(await reportsOfT2()).toBe(1);
    // The first delivery is the router's to count; the adapter answered the second from its kept reply.
    expect(outcomes).toEqual(['duplicate']);
  });

  it('answers a message whose reply was cut off by the server closing, once it delivers it again to the next connection', async () => {
    start();
    await server.waitFor(() => server.live(BOT) === 1);
    server.closeOnNextRespond();
    await server.deliver(BOT, message('msg-cut', '@督办助手 上报 T2 70%'));
    await server.waitFor(() => server.callbacks(BOT).some((c) => c.redelivered && c.answered));
    const redelivery = server.callbacks(BOT).find((c) => c.redelivered);
    expect((await answered(redelivery?.reqId ?? '')).content).toContain('70%');
    expect(await reportsOfT2()).toBe(1);
    expect(server.subscribes(BOT)).toBe(2);
  });

  it('answers a direct chat in the chat, and a picture with the sentence that it reads text only', async () => {
    start();
    expect((await answered(await server.deliver(BOT, message('msg-direct', '帮助', null)))).content).toContain('上报');
    const picture = await server.deliver(BOT, { msgid: 'msg-picture', aibotid: BOT, chatid: CHENGGUAN, chattype: 'group', from: { userid: 'lilianluo' }, msgtype: 'image', image: { url: 'https://example.invalid/x' } });
    expect((await answered(picture)).content).toContain('文字');
  });

  it('answers 排名 图 with the ranking, then the chart as a picture uploaded over the connection', async () => {
    start();
    await answered(await server.deliver(BOT, message('msg-before-chart', '@督办助手 上报 T2 80%')));
    const reqId = await server.deliver(BOT, message('msg-chart', '@督办助手 排名 图'));
    await server.waitFor(() => server.responds(reqId).filter((r) => r.errcode === 0).length === 2);
    const [words, picture] = server.responds(reqId).map((r) => r.body);
    expect(words?.msgtype === 'stream' && words.stream.content).toContain('城关镇');
    const mediaId = picture?.msgtype === 'image' ? picture.image.media_id : '';
    expect(server.media(mediaId)?.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });

  it('ignores a callback that is not a message WeCom sends and goes on answering', async () => {
    start();
    await server.deliver(BOT, { msgtype: 'text', text: { content: '上报 T2 90%' } });
    expect((await answered(await server.deliver(BOT, message('msg-after-junk', '@督办助手 上报 T2 90%')))).content).toContain('90%');
    expect(await reportsOfT2()).toBe(1);
  });
});

describe('keeping the connection', () => {
  it('keeps subscribing after refusals, backing off, and is up once WeCom accepts', async () => {
    server.refuseAuth(true);
    start();
    await server.waitFor(() => server.frames.filter((f) => f.frame.cmd === 'aibot_subscribe').length >= 3);
    server.refuseAuth(false);
    await server.waitFor(() => server.live(BOT) === 1);
    expect((await answered(await server.deliver(BOT, message('msg-after-refusal', '@督办助手 任务')))).content).toContain('T2');
  });

  it('counts a connection whose pings go unanswered as dead and connects again', async () => {
    start();
    await server.waitFor(() => server.live(BOT) === 1);
    server.silentPings(true);
    await server.waitFor(() => server.connections() >= 2);
    server.silentPings(false);
    await server.waitFor(() => server.live(BOT) === 1);
    const pings = server.frames.filter((f) => f.frame.cmd === 'ping' && f.connection === 1).length;
    expect(pings).toBeGreaterThanOrEqual(2);
  });

  it('comes through a storm of dropped connections and answers afterwards', async () => {
    server.dropAfterSubscribe(6);
    start();
    await server.waitFor(() => server.subscribes(BOT) >= 7 && server.live(BOT) === 1, 10_000);
    expect((await answered(await server.deliver(BOT, message('msg-after-storm', '@督办助手 上报 T2 50%')))).content).toContain('50%');
  });

  it('stops for good when stopped while its subscription is on its way, and does not connect again', async () => {
    const release = server.holdSubscribes();
    const adapter = wecomOn();
    const inbound = adapter.receive(bot.route);
    inbound.start();
    await server.waitFor(() => server.frames.some((f) => f.frame.cmd === 'aibot_subscribe'));
    const stopping = inbound.stop();
    release();
    await stopping;
    // Ten times the longest backoff: a client brought back to life by the late answer would have reconnected by then.
    await new Promise((done) => setTimeout(done, 2000));
    expect(server.connections()).toBe(1);
    expect(server.live(BOT)).toBe(0);
  });

  it('stays off the connection after another one took the bot over, rather than fight it', async () => {
    start();
    await server.waitFor(() => server.live(BOT) === 1);
    server.kick(BOT);
    await server.waitFor(() => server.live(BOT) === 0);
    // Ten times the longest backoff: a client that reconnects would have by then.
    await new Promise((done) => setTimeout(done, 2000));
    expect(server.connections()).toBe(1);
  });
});

describe('one connection among instances', () => {
  it('opens one connection for two instances, and the other hands its posts to the holder', async () => {
    const a = start('A');
    await server.waitFor(() => server.live(BOT) === 1);
    const b = start('B');
    await new Promise((done) => setTimeout(done, 300));
    expect(server.connections()).toBe(1);

    await b.poster.sendPart(group(CHENGGUAN), { lines: [['从 B 发出']] }, 0);
    await a.poster.sendPart(group(CHENGGUAN), { lines: [['从 A 发出']] }, 0);
    expect(server.pushes(CHENGGUAN).map((p) => p.body.msgtype === 'markdown' && p.body.markdown.content)).toEqual([expect.stringContaining('从 B 发出'), expect.stringContaining('从 A 发出')]);
    expect(server.subscribes(BOT)).toBe(1);
  });

  it('lets the other instance take the connection over when the holder stops', async () => {
    start('A');
    await server.waitFor(() => server.live(BOT) === 1);
    const b = start('B');
    await running[0]?.stop();
    await server.waitFor(() => server.subscribes(BOT) === 2 && server.live(BOT) === 1);
    expect((await answered(await server.deliver(BOT, message('msg-after-handover', '@督办助手 上报 T2 40%')))).content).toContain('40%');
    await b.poster.sendPart(group(CHENGGUAN), { lines: [['接手后']] }, 0);
    expect(server.pushes(CHENGGUAN)).toHaveLength(1);
  });

  it('tells each instance\'s metrics whether it holds the connection: up at the holder, down at the other until it takes over', async () => {
    const seen: Record<'A' | 'B', Array<[string, boolean]>> = { A: [], B: [] };
    start('A', {}, { connection: (name, up) => { seen.A.push([name, up]); }, message: () => undefined });
    // Once A has read WeCom's answer to its subscribe, not only once WeCom has sent it.
    await server.waitFor(() => seen.A.length === 2);
    start('B', {}, { connection: (name, up) => { seen.B.push([name, up]); }, message: () => undefined });
    await running[0]?.stop();
    await server.waitFor(() => server.subscribes(BOT) === 2 && server.live(BOT) === 1);
    await server.waitFor(() => seen.B.length === 2);

    expect(seen.A).toEqual([['wecom-long-connection', false], ['wecom-long-connection', true], ['wecom-long-connection', false]]);
    expect(seen.B).toEqual([['wecom-long-connection', false], ['wecom-long-connection', true]]);
  });
});

describe('posts without a webhook', () => {
  it('gives the month\'s ranking to every group, one bound in chat by 绑定 included, through aibot_send_msg', async () => {
    const a = start();
    const QINGSHAN = 'wrkQingshanBoundInChat0000000001';
    const bind = { ...message('msg-bind', '@督办助手 绑定 青山镇', QINGSHAN), from: { userid: 'zhaoguanli' } };
    expect((await answered(await server.deliver(BOT, bind))).content).toContain('青山镇');

    await bot.store.recordReport({ task: 'T2', township: '城关镇', amount: 40, value: '40%', note: '', by: { platform: 'wecom', user: 'lilianluo', name: '李联络' }, at: '2026-11-20T10:00:00.000+08:00', source: 'wecom:november' });
    const log = createLogger('silent');
    const outbox = createOutbox({ redis: bot.db.redis, queuePrefix: createKeys(`${bot.db.prefix}:bot`).queuePrefix(), store: bot.store, posters: { wecom: a.poster }, log, perMinute: 600 });
    try {
      const outcome = await runJobs([monthlyRanking], new Date('2026-12-01T09:00:00+08:00'), { store: bot.store, calendar: bot.calendar, log, outbox });
      const keys = outcome.ran ? outcome.posts.filter((p) => p.platform === 'wecom').map((p) => p.key) : [];
      expect(keys.length).toBeGreaterThanOrEqual(3);
      outbox.start();
      expect(new Set((await outbox.settled(keys, 20_000)).values())).toEqual(new Set(['sent']));
    } finally {
      await outbox.close();
    }
    for (const chat of [CHENGGUAN, QINGSHAN, HONGXING]) {
      expect(server.pushes(chat).map((p) => p.body.msgtype)).toEqual(['image', 'markdown']);
      expect(server.pushes(chat).some((p) => p.body.msgtype === 'markdown' && p.body.markdown.content.includes('11月'))).toBe(true);
    }
    expect(server.frames.filter((f) => f.frame.cmd === 'aibot_upload_media_init')).toHaveLength(1);
    expect(webhookPosts('hongxing')).toHaveLength(0);
  });

  it('sends a chart by uploading it once and posting its media_id, then the text', async () => {
    const a = start();
    await server.waitFor(() => server.live(BOT) === 1);
    // Over one upload chunk's 512 KB, so it goes in two.
    const picture = Buffer.concat([PNG_SIGNATURE, Buffer.alloc(600 * 1024, 7)]);
    const chart: OutgoingMessage = { lines: [['十一月排名']], image: { base64: picture.toString('base64') } };
    const parts = a.poster.parts(chart);
    for (const target of [CHENGGUAN, 'wrkQingshan000000000000000000001']) for (let i = 0; i < parts; i++) await a.poster.sendPart(group(target), chart, i);
    const images = server.pushes().filter((p) => p.body.msgtype === 'image');
    expect(images).toHaveLength(2);
    expect(server.frames.filter((f) => f.frame.cmd === 'aibot_upload_media_init')).toHaveLength(1);
    const first = images[0]?.body;
    const mediaId = first?.msgtype === 'image' ? first.image.media_id : '';
    expect(server.media(mediaId)).toEqual(picture);
    expect(server.frames.filter((f) => f.frame.cmd === 'aibot_upload_media_chunk')).toHaveLength(2);
    expect(server.pushes(CHENGGUAN).map((p) => p.body.msgtype)).toEqual(['image', 'markdown']);
  });

  it('posts a message that @s people by the group\'s webhook when it has one, and over the connection when it has none', async () => {
    const a = start();
    await server.waitFor(() => server.live(BOT) === 1);
    const nudge: OutgoingMessage = { lines: [['请尽快上报 T2']], mentions: ['lilianluo'] };
    await a.poster.sendPart(group(HONGXING, webhooks.base), nudge, 0);
    await a.poster.sendPart(group(CHENGGUAN), nudge, 0);
    expect(webhookPosts('hongxing')).toMatchObject([{ msgtype: 'text', text: { mentioned_list: ['lilianluo'] } }]);
    expect(server.pushes(CHENGGUAN)).toHaveLength(1);
    expect(server.pushes(HONGXING)).toHaveLength(0);
  });

  it('falls back to the group\'s webhook for good when WeCom refuses the post over the connection, and dead-letters a group with none', async () => {
    const a = start();
    await server.waitFor(() => server.live(BOT) === 1);
    server.failNextSends([40008, 40008]);
    await a.poster.sendPart(group(HONGXING, webhooks.base), { lines: [['改走 webhook']] }, 0);
    await a.poster.sendPart(group(HONGXING, webhooks.base), { lines: [['之后也走 webhook']] }, 0);
    expect(webhookPosts('hongxing')).toHaveLength(2);
    await expect(a.poster.sendPart(group(CHENGGUAN), { lines: [['没有 webhook']] }, 0)).rejects.toMatchObject({ failure: 'permanent', code: '40008' });
  });

  it('waits once a conversation has had its 30 messages in a minute, replies included', async () => {
    const a = start();
    await server.waitFor(() => server.live(BOT) === 1);
    for (let i = 0; i < 5; i++) await answered(await server.deliver(BOT, message(`msg-budget-${String(i)}`, '@督办助手 任务')));
    for (let i = 0; i < 25; i++) await a.poster.sendPart(group(CHENGGUAN), { lines: [[`第${String(i + 1)}条`]] }, 0);
    const refusal: unknown = await a.poster.sendPart(group(CHENGGUAN), { lines: [['第31条']] }, 0).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SendError);
    expect(refusal).toMatchObject({ failure: 'rate-limited' });
    expect((refusal as SendError).retryAfterMs).toBeGreaterThan(0);
    expect(server.pushes(CHENGGUAN)).toHaveLength(25);
    expect(server.overLimit()).toEqual([]);
  });
});

function group(chat: string, webhookBase?: string): Group {
  const township = chat === HONGXING ? '红星乡' : '城关镇';
  return { platform: 'wecom', chat, township, ...(webhookBase === undefined ? {} : { webhook: `${webhookBase}/cgi-bin/webhook/send?key=hongxing` }) };
}

/** What the fake WeCom server received on one group's 消息推送 webhook. */
function webhookPosts(key: string): unknown[] {
  return webhooks.received.filter((r) => r.path === '/cgi-bin/webhook/send' && r.query.key === key).map((r) => r.body);
}
