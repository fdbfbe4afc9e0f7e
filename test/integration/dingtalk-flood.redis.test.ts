/**
 * A flood of DingTalk robot messages while the bot is stuck on the first ones (every message's
 * routing waits on a gate the test opens): a bounded number is handled at once, a bounded number
 * waits, and the rest are turned away unclaimed — by HTTP callback with a 503 that DingTalk
 * answers by delivering again, by Stream with a reply asking the sender to send it again. Each
 * message ends up recorded exactly once. Real Redis, a fake DingTalk recording the replies.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callbackRoute, createDingtalkCallback } from '../../src/adapters/dingtalk/callback.js';
import { createDingtalkInbound, type DingtalkInbound } from '../../src/adapters/dingtalk/inbound.js';
import { createDingtalkSender } from '../../src/adapters/dingtalk/send.js';
import { createStreamClient } from '../../src/adapters/dingtalk/stream.js';
import { createLogger } from '../../src/core/logger.js';
import type { RouteMessage } from '../../src/core/router.js';
import { isReportEntry, type County } from '../../src/domain/model.js';
import { text } from '../../src/messages/index.js';
import { createApp } from '../../src/server/app.js';
import { testCounty } from '../fixtures/county.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';
import { callbackHeaders, robotMessage } from '../helpers/dingtalk-client.js';
import { startFakeDingtalk, type FakeDingtalk, type ReceivedRequest } from '../helpers/fake-dingtalk.js';
import { gated } from '../helpers/gated-route.js';
import { listen } from '../helpers/http.js';

const CLIENT_ID = 'dingflood0001';
const CLIENT_SECRET = 'duban-flood-app-secret';
const CHENGGUAN = 'cidChengguanFlood==';
const CLERK = '1665000001';
const BOUND = { handling: 2, waiting: 3 };
const ROOM = BOUND.handling + BOUND.waiting;
const FLOOD = 10;

const county: County = {
  ...testCounty,
  groups: [...testCounty.groups, { platform: 'dingtalk', chat: CHENGGUAN, township: '城关镇' }],
  people: [...testCounty.people, { platform: 'dingtalk', user: CLERK, name: '钱联络', roles: [], township: '城关镇' }],
};

let bot: TestBot;
let fake: FakeDingtalk;
const opened: Array<() => Promise<void>> = [];

beforeEach(async () => {
  bot = await openTestBot(import.meta.url, county);
  fake = await startFakeDingtalk({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
});
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
  await fake.close();
  await bot.close();
});


function inboundFor(route: RouteMessage): DingtalkInbound {
  const log = createLogger('silent');
  const sender = createDingtalkSender({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, apiBase: fake.base, oapiBase: fake.base, store: bot.store, log });
  const inbound = createDingtalkInbound({ route, store: bot.store, sender, log, bound: BOUND });
  opened.push(() => inbound.drain());
  return inbound;
}

/** Report `n` of the flood: its own note, so the ledger shows which were recorded. */
const report = (msgId: string, n: number) =>
  robotMessage({ msgId, content: `上报 T2 80% 第${String(n)}条`, conversationType: '2', conversationId: CHENGGUAN, senderStaffId: CLERK, senderNick: '钱联络', sessionWebhook: fake.sessionWebhook(`s-${msgId}`), robotCode: CLIENT_ID });

const sessionPosts = (): ReceivedRequest[] => fake.received.filter((r) => r.path === '/robot/sendBySession');
const postText = (r: ReceivedRequest): string => JSON.stringify(r.body);
const said = (r: ReceivedRequest, words: string): boolean => postText(r).includes(words);
const sessionOf = (r: ReceivedRequest): string => String(r.query.session);

/** How many times each report of the flood is in the ledger, by its number. */
async function recordedTimes(): Promise<number[]> {
  const notes = (await bot.store.ledger(['T2'])).filter(isReportEntry).map((e) => e.note);
  return Array.from({ length: FLOOD }, (_, i) => notes.filter((note) => note === `第${String(i + 1)}条`).length);
}

describe('a flood of DingTalk messages by HTTP callback', () => {
  it('handles at most the bound at once, answers the excess 503 unclaimed, and records each once after DingTalk delivers them again', async () => {
    const gate = gated(bot.route);
    const inbound = inboundFor(gate.route);
    const server = await listen(createApp({ log: createLogger('silent'), redisUp: () => bot.store.ping(), routes: [callbackRoute(createDingtalkCallback({ appSecret: CLIENT_SECRET, inbound }))] }));
    opened.push(() => server.close());
    const deliver = async (n: number): Promise<number> =>
      (await fetch(`${server.base}/dingtalk/callback`, { method: 'POST', headers: callbackHeaders(CLIENT_SECRET), body: JSON.stringify(report(`m-${String(n)}`, n)) })).status;

    const flood = Array.from({ length: FLOOD }, (_, i) => i + 1);
    const statuses = await Promise.all(flood.map(deliver));
    await vi.waitFor(() => { expect(gate.started()).toBe(BOUND.handling); });

    expect(statuses.filter((s) => s === 200)).toHaveLength(ROOM);
    expect(statuses.filter((s) => s === 503)).toHaveLength(FLOOD - ROOM);
    const turnedAway = flood.filter((_, i) => statuses[i] === 503);

    gate.open();
    await vi.waitFor(() => { expect(sessionPosts()).toHaveLength(ROOM); });
    // DingTalk delivers each refused callback again; then, for good measure, every one once more.
    expect(await Promise.all(turnedAway.map(deliver))).toEqual(turnedAway.map(() => 200));
    await inbound.drain();
    for (const n of flood) expect(await deliver(n)).toBe(200);
    await inbound.drain();

    expect(gate.most()).toBe(BOUND.handling);
    expect(await recordedTimes()).toEqual(flood.map(() => 1));
    expect(sessionPosts().filter((r) => said(r, '已记录'))).toHaveLength(FLOOD);
  });
});

describe('a flood of DingTalk messages by Stream', () => {
  it('handles at most the bound at once, asks the senders of the excess to send again, and records each once after they do', async () => {
    const gate = gated(bot.route);
    const inbound = inboundFor(gate.route);
    const stream = createStreamClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, apiBase: fake.base, log: createLogger('silent'), onRobotMessage: (payload) => inbound.receiveAcknowledged(payload), backoff: { firstMs: 20, maxMs: 200 } });
    stream.start();
    opened.push(() => stream.stop());
    await fake.stream.waitForConnection();

    const flood = Array.from({ length: FLOOD }, (_, i) => i + 1);
    const frames = flood.map((n) => fake.stream.callback(report(`st-${String(n)}`, n)));
    await Promise.all(frames.map((f) => fake.stream.waitForAck(f)));
    await vi.waitFor(() => { expect(sessionPosts()).toHaveLength(FLOOD - ROOM); });
    // A second push of a message being handled is no new message: it is not turned away.
    await fake.stream.waitForAck(fake.stream.callback(report('st-1', 1)));
    await vi.waitFor(() => { expect(gate.started()).toBe(BOUND.handling); });

    const busy = sessionPosts();
    expect(busy.every((r) => said(r, text.busy))).toBe(true);
    const turnedAway = flood.filter((n) => busy.some((r) => sessionOf(r) === `s-st-${String(n)}`));
    expect(turnedAway).toHaveLength(FLOOD - ROOM);

    gate.open();
    await vi.waitFor(() => { expect(sessionPosts().filter((r) => said(r, '已记录'))).toHaveLength(ROOM); });
    // Each sender sends the message again: a new message, with its own msgId.
    const resent = turnedAway.map((n) => fake.stream.callback(report(`st-${String(n)}-again`, n)));
    await Promise.all(resent.map((f) => fake.stream.waitForAck(f)));
    await vi.waitFor(() => { expect(sessionPosts().filter((r) => said(r, '已记录'))).toHaveLength(FLOOD); });
    await inbound.drain();

    expect(gate.most()).toBe(BOUND.handling);
    expect(await recordedTimes()).toEqual(flood.map(() => 1));
  });
});
