/**
 * DingTalk end to end: robot messages signed by a client written from the protocol, by HTTP
 * callback to the real Koa app and by Stream through a fake gateway, on real Redis, with a fake
 * DingTalk recording the replies.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDingtalk } from '../../src/adapters/dingtalk/index.js';
import type { Inbound, PlatformAdapter } from '../../src/core/platform.js';
import { compose } from '../../src/compose.js';
import { createLogger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import type { RouteMessage } from '../../src/core/router.js';
import { createApp } from '../../src/server/app.js';
import type { Store } from '../../src/store/redis-store.js';
import { testCounty } from '../fixtures/county.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';
import { callbackHeaders, robotMessage, type RobotMessageOptions } from '../helpers/dingtalk-client.js';
import { startFakeDingtalk, type FakeDingtalk, type ReceivedRequest } from '../helpers/fake-dingtalk.js';
import { listen, type Listening } from '../helpers/http.js';
import type { County } from '../../src/domain/model.js';

const CLIENT_ID = 'dingduban0001';
const CLIENT_SECRET = 'duban-test-app-secret';
const CHENGGUAN = 'cidChengguanGroup==';
const CLERK = '1665000001';
const LEADER = '1665000009';

const county: County = {
  ...testCounty,
  groups: [...testCounty.groups, { platform: 'dingtalk', chat: CHENGGUAN, township: '城关镇' }, { platform: 'dingtalk', chat: 'cidLeadersGroup==', role: 'leaders' }],
  people: [
    ...testCounty.people,
    { platform: 'dingtalk', user: CLERK, name: '钱联络', roles: [], township: '城关镇' },
    { platform: 'dingtalk', user: LEADER, name: '王书记', roles: ['leader'] },
  ],
};

let bot: TestBot;
let fake: FakeDingtalk;
const opened: Array<{ close(): Promise<void> }> = [];

beforeEach(async () => {
  bot = await openTestBot(import.meta.url, county);
  fake = await startFakeDingtalk({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
});
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
  await fake.close();
  await bot.close();
});

function dingtalkFor(options: { store?: Store; mode?: 'http' | 'stream'; metrics?: Pick<Metrics, 'connection'> } = {}): PlatformAdapter {
  return createDingtalk(
    { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, mode: options.mode ?? 'http', apiBase: fake.base, oapiBase: fake.base },
    { store: options.store ?? bot.store, log: createLogger('silent'), backoff: { firstMs: 20, maxMs: 200 }, metrics: options.metrics },
  );
}

async function serve(options: { route?: RouteMessage; store?: Store } = {}): Promise<Listening> {
  const inbound = dingtalkFor(options).receive(options.route ?? bot.route);
  const store = options.store ?? bot.store;
  const server = await listen(createApp({ log: createLogger('silent'), redisUp: () => store.ping(), routes: inbound.routes }));
  opened.push({ close: async () => { await server.close(); await inbound.stop(); } });
  return server;
}

const clerkSays = (msgId: string, content: string, extra: Partial<RobotMessageOptions> = {}) =>
  robotMessage({ msgId, content, conversationType: '2', conversationId: CHENGGUAN, senderStaffId: CLERK, senderNick: '钱联络', sessionWebhook: fake.sessionWebhook(`s-${msgId}`), ...extra });

async function deliver(server: Listening, body: unknown, headers = callbackHeaders(CLIENT_SECRET)): Promise<{ status: number; body: string }> {
  const res = await fetch(`${server.base}/dingtalk/callback`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.text() };
}

interface MarkdownPost {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
  at: { atUserIds: string[]; isAtAll: boolean };
}

const toSession = (session: string) => (r: ReceivedRequest) => r.path === '/robot/sendBySession' && r.query.session === session;
const sessionPosts = () => fake.received.filter((r) => r.path === '/robot/sendBySession');
const settle = () => new Promise((done) => setTimeout(done, 200));

async function ledgerSize(): Promise<number> {
  return (await bot.store.ledger(['T1', 'T2', 'T3'])).length;
}

describe('a DingTalk robot message by HTTP callback', () => {
  it('records a clerk\'s report, answers {"msgtype":"empty"} at once, and replies through the sessionWebhook with the clerk @-ed', async () => {
    const server = await serve();
    const res = await deliver(server, clerkSays('msg-1', '上报 T2 80%'));

    expect(res).toEqual({ status: 200, body: '{"msgtype":"empty"}' });
    const reply = (await fake.waitFor(toSession('s-msg-1'))).body as MarkdownPost;
    expect(reply.msgtype).toBe('markdown');
    expect(reply.markdown.text).toContain('已记录');
    expect(reply.markdown.text).toContain(`@${CLERK}`);
    expect(reply.at).toEqual({ atUserIds: [CLERK], isAtAll: false });
    expect(await ledgerSize()).toBe(1);
  });

  it('records and replies once when DingTalk delivers the same msgId again', async () => {
    const server = await serve();
    const message = clerkSays('msg-2', '上报 T2 60%');
    await deliver(server, message);
    await fake.waitFor(toSession('s-msg-2'));
    expect((await deliver(server, message)).status).toBe(200);
    await settle();

    expect(sessionPosts()).toHaveLength(1);
    expect(await ledgerSize()).toBe(1);
  });

  it('records and replies once when two instances sharing one Redis both get the message', async () => {
    const second = await compose(await bot.db.connect(), { log: createLogger('silent'), prefix: `${bot.db.prefix}:bot`, now: () => bot.clock.now });
    const [a, b] = [await serve(), await serve({ route: second.route, store: second.store })];
    const message = clerkSays('msg-3', '上报 T2 70%');
    await Promise.all([deliver(a, message), deliver(b, message)]);
    await fake.waitFor(toSession('s-msg-3'));
    await settle();

    expect(sessionPosts()).toHaveLength(1);
    expect(await ledgerSize()).toBe(1);
  });

  it('answers a leader in a direct chat without an @', async () => {
    const server = await serve();
    await deliver(server, robotMessage({ msgId: 'msg-4', content: '排名', conversationType: '1', senderStaffId: LEADER, senderNick: '王书记', sessionWebhook: fake.sessionWebhook('s-msg-4') }));
    const reply = (await fake.waitFor(toSession('s-msg-4'))).body as MarkdownPost;

    expect(reply.markdown.text).toContain('排名');
    expect(reply.markdown.text).toContain('红星乡');
    expect(reply.at.atUserIds).toEqual([]);
  });

  it('tells someone who sends a picture that it reads text only, and records nothing', async () => {
    const server = await serve();
    const picture = { ...clerkSays('msg-5', ''), msgtype: 'picture', text: undefined, content: { downloadCode: 'x' } };
    await deliver(server, picture);
    const reply = (await fake.waitFor(toSession('s-msg-5'))).body as MarkdownPost;

    expect(reply.markdown.text).toContain('只看得懂文字');
    expect(await ledgerSize()).toBe(0);
  });

  it('replies through the OpenAPI group send once the sessionWebhook has expired', async () => {
    const server = await serve();
    await deliver(server, clerkSays('msg-6', '截止', { createAt: Date.now() - 100 * 60_000, sessionWebhookExpiredTime: Date.now() - 10 * 60_000 }));
    const sent = await fake.waitFor((r) => r.path === '/v1.0/robot/groupMessages/send');

    expect(sent.body).toMatchObject({ robotCode: CLIENT_ID, openConversationId: CHENGGUAN, msgKey: 'sampleMarkdown' });
    expect(sessionPosts()).toEqual([]);
  });

  it('tries a reply once more when DingTalk answers it with a 5xx', async () => {
    const server = await serve();
    fake.answerNext('s-msg-8', { status: 503 });
    await deliver(server, clerkSays('msg-8', '截止'));
    await fake.waitFor((r) => toSession('s-msg-8')(r) && sessionPosts().length === 2, 6000);

    expect(sessionPosts()).toHaveLength(2);
  });

  it('says the message was not handled, and lets a redelivery try again, when handling fails after the claim', async () => {
    const server = await serve({ route: () => Promise.reject(new Error('Redis went away')) });
    const message = clerkSays('msg-9', '上报 T2 80%');
    await deliver(server, message);
    const reply = (await fake.waitFor(toSession('s-msg-9'))).body as MarkdownPost;
    await settle();
    await deliver(server, message);
    await fake.waitFor(() => sessionPosts().length === 2);

    expect(reply.markdown.text).toContain('没能处理完');
    expect(sessionPosts()).toHaveLength(2);
  });

  it('records a report once when the clerk sends it again as told after the bot failed past recording it', async () => {
    // The report is in the ledger, then Redis goes away before the reply is kept.
    const recordsThenFails: RouteMessage = async (message) => {
      await bot.route(message);
      throw new Error('Redis went away');
    };
    const failing = await serve({ route: recordsThenFails });
    await deliver(failing, clerkSays('msg-10', '上报 T2 80% 已整改'));
    expect(((await fake.waitFor(toSession('s-msg-10'))).body as MarkdownPost).markdown.text).toContain('重新发送');

    const server = await serve();
    await deliver(server, clerkSays('msg-11', '上报 T2 80% 已整改'));
    const reply = (await fake.waitFor(toSession('s-msg-11'))).body as MarkdownPost;

    expect(reply.markdown.text).toContain('这次没有重复记录');
    expect(await ledgerSize()).toBe(1);
  });

  it('never posts to a sessionWebhook outside DINGTALK_OAPI_BASE', async () => {
    const elsewhere = await startFakeDingtalk({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    try {
      const server = await serve();
      await deliver(server, clerkSays('msg-7', '任务', { sessionWebhook: elsewhere.sessionWebhook('s-7') }));
      await settle();
      expect(elsewhere.received).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('a forged, stale or malformed DingTalk callback', () => {
  it.each([
    ['signed with another secret', () => callbackHeaders('not-the-secret')],
    ['signed two hours ago', () => callbackHeaders(CLIENT_SECRET, { timestamp: String(Date.now() - 2 * 60 * 60_000) })],
    ['without its signature headers', () => ({ 'content-type': 'application/json' })],
  ])('is refused with 401 when %s, and nothing is recorded or sent', async (_, headers) => {
    const server = await serve();
    const res = await deliver(server, clerkSays('msg-forged', '上报 T2 90%'), headers());
    await settle();

    expect(res.status).toBe(401);
    expect(await ledgerSize()).toBe(0);
    expect(fake.received).toEqual([]);
  });

  it.each([
    ['not JSON', 'msgId=1'],
    ['JSON that is not a robot message', '{"hello":"world"}'],
    ['a robot message without its sender', JSON.stringify({ ...robotMessage({ msgId: 'x', content: '任务', conversationType: '2', senderStaffId: '1', senderNick: 'x', sessionWebhook: 'http://127.0.0.1:1/' }), senderId: undefined })],
  ])('is refused with 400 when the body is %s', async (_, body) => {
    const server = await serve();
    expect((await deliver(server, body)).status).toBe(400);
  });

  it('is refused with 413 when the body is over 64 KB, and nothing is recorded', async () => {
    const server = await serve();
    const res = await deliver(server, clerkSays('msg-huge', `上报 T2 80% ${'很'.repeat(30_000)}`));

    expect(res.status).toBe(413);
    expect(await ledgerSize()).toBe(0);
  });

  it('is answered 503 while Redis is down, so DingTalk may deliver it again', async () => {
    const redis = await bot.db.connect();
    const offline = await compose(redis, { log: createLogger('silent'), prefix: `${bot.db.prefix}:bot` });
    redis.disconnect();
    const server = await serve({ route: offline.route, store: offline.store });

    expect((await deliver(server, clerkSays('msg-offline', '上报 T2 80%'))).status).toBe(503);
  });
});

describe('a DingTalk robot message by Stream', () => {
  async function streaming(options: { route?: RouteMessage; store?: Store; metrics?: Pick<Metrics, 'connection'> } = {}): Promise<Inbound> {
    const inbound = dingtalkFor({ ...options, mode: 'stream' }).receive(options.route ?? bot.route);
    inbound.start();
    opened.push({ close: () => inbound.stop() });
    await fake.stream.waitForConnection();
    return inbound;
  }

  it('is acknowledged first, then recorded and answered through the sessionWebhook', async () => {
    await streaming();
    const frame = fake.stream.callback(clerkSays('st-1', '上报 T2 80%', { robotCode: CLIENT_ID }));
    const ack = await fake.stream.waitForAck(frame);
    const reply = (await fake.waitFor(toSession('s-st-1'))).body as MarkdownPost;

    expect(ack).toMatchObject({ code: 200, headers: { messageId: frame } });
    expect(reply.markdown.text).toContain('已记录');
    expect(await ledgerSize()).toBe(1);
  });

  it('tells the sender to send again when Redis is down, since an acknowledged frame is not pushed again', async () => {
    const redis = await bot.db.connect();
    const offline = await compose(redis, { log: createLogger('silent'), prefix: `${bot.db.prefix}:bot` });
    redis.disconnect();
    await streaming({ route: offline.route, store: offline.store });
    const frame = fake.stream.callback(clerkSays('st-offline', '上报 T2 80%', { robotCode: CLIENT_ID }));
    await fake.stream.waitForAck(frame);
    const reply = (await fake.waitFor(toSession('s-st-offline'))).body as MarkdownPost;

    expect(reply.markdown.text).toContain('没能处理完');
  });

  it('echoes the gateway\'s ping', async () => {
    await streaming();
    const echo = await fake.stream.ping();

    expect(echo.code).toBe(200);
    expect(JSON.parse(echo.data)).toHaveProperty('opaque');
  });

  it('handles a message pushed twice once, acknowledging both pushes', async () => {
    await streaming();
    const message = clerkSays('st-2', '上报 T2 50%', { robotCode: CLIENT_ID });
    const first = fake.stream.callback(message);
    const again = fake.stream.callback(message);
    await Promise.all([fake.stream.waitForAck(first), fake.stream.waitForAck(again)]);
    await fake.waitFor(toSession('s-st-2'));
    await settle();

    expect(sessionPosts()).toHaveLength(1);
    expect(await ledgerSize()).toBe(1);
  });

  it.each([
    ['drops the connection', () => fake.stream.drop()],
    ['asks the bot to reconnect', () => fake.stream.disconnect()],
  ])('registers again with a fresh ticket after the gateway %s, and keeps answering', async (_, cut) => {
    await streaming();
    await cut();
    await fake.stream.waitForConnection(2);

    expect(fake.stream.opens()).toBe(2);
    const frame = fake.stream.callback(clerkSays('st-3', '任务', { robotCode: CLIENT_ID }));
    await fake.stream.waitForAck(frame);
    expect(((await fake.waitFor(toSession('s-st-3'))).body as MarkdownPost).markdown.text).toContain('T2');
  });

  it('tells the metrics its Stream is down until connected, down when the gateway drops it, and up again once back', async () => {
    const states: Array<[string, boolean]> = [];
    await streaming({ metrics: { connection: (name, up) => { states.push([name, up]); } } });
    await fake.stream.drop();
    await fake.stream.waitForConnection(2);
    for (let i = 0; i < 200 && states.length < 4; i++) await new Promise((done) => setTimeout(done, 10));

    expect(states).toEqual([['dingtalk-stream', false], ['dingtalk-stream', true], ['dingtalk-stream', false], ['dingtalk-stream', true]]);
  });
});

describe('a DingTalk group post with a picture (the monthly chart)', () => {
  const image = { base64: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.from('chart')]).toString('base64') };
  const group = { platform: 'dingtalk' as const, chat: CHENGGUAN, township: '城关镇' };

  it('counts as two messages against the robot\'s rate, the picture first', async () => {
    const { poster } = dingtalkFor();
    await poster.sendPart(group, { lines: [['排名']], image }, 0);
    await poster.sendPart(group, { lines: [['排名']], image }, 1);

    expect(poster.parts({ lines: [['排名']], image })).toBe(2);
    const sent = fake.received.filter((r) => r.path === '/v1.0/robot/groupMessages/send').map((r) => (r.body as { msgKey: string }).msgKey);
    expect(sent).toEqual(['sampleImageMsg', 'sampleMarkdown']);
  });

  it('still lets the text go when DingTalk refuses the picture for good', async () => {
    const { poster } = dingtalkFor();
    fake.answerNext('groupMessages', { status: 403, body: { code: 'Forbidden.AccessDenied', message: 'robot not in group' } });

    await expect(poster.sendPart(group, { lines: [['排名']], image }, 0)).resolves.toBeUndefined();
    await poster.sendPart(group, { lines: [['排名']], image }, 1);
    const last = fake.received.filter((r) => r.path === '/v1.0/robot/groupMessages/send').at(-1);
    expect((last?.body as { msgKey: string } | undefined)?.msgKey).toBe('sampleMarkdown');
  });

  it('fails the picture part when DingTalk is down, so the outbox tries it again', async () => {
    const { poster } = dingtalkFor();
    fake.answerNext('groupMessages', { status: 503 });
    await expect(poster.sendPart(group, { lines: [['排名']], image }, 0)).rejects.toMatchObject({ failure: 'failed' });
  });
});
