/**
 * The platform refusing for a while — HTTP 5xx, WeCom's 45009 and DingTalk's 130101 "too fast" —
 * and then taking posts again (docs/design.md §7: delivery is durable and retried with backoff; the
 * per-robot rate limit is never exceeded). The real outbox and platform posters on real Redis,
 * with a fake platform behind a stopwatch that notes when each request arrives.
 *
 * The platforms' minute is shortened to WINDOW_MS, as test/integration/outbox.redis.test.ts does,
 * and so is the pause a "too fast" answer imposes (a minute on WeCom, ten on DingTalk).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDingtalk } from '../../src/adapters/dingtalk/index.js';
import { createWecom } from '../../src/adapters/wecom/index.js';
import { createLogger } from '../../src/core/logger.js';
import { createOutbox, type Outbox } from '../../src/outbox/index.js';
import { type Poster } from '../../src/core/platform.js';
import { createKeys } from '../../src/store/keys.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';
import { startFakeDingtalk, type DingtalkAnswer } from '../helpers/fake-dingtalk.js';
import { startFakeWecom, type WebhookAnswer } from '../helpers/fake-wecom.js';
import { closeAll, until } from './helpers/load.js';
import { startStopwatch, type Arrival } from './helpers/stopwatch.js';
import type { ChatPlatform, Group } from '../../src/domain/model.js';
import type { Post } from '../../src/core/posts.js';

const WINDOW_MS = 600;
const PER_WINDOW = 3;
/** The platform's pause after "too fast", shortened like the window. */
const PAUSE_MS = 300;
const ROBOTS = 4;
const POSTS = 6;
/** Posts queued before the platform starts refusing; the rest are queued while it refuses. */
const FIRST_WAVE = 3;
const log = createLogger('silent');

let bot: TestBot;
const closing: Array<() => Promise<void>> = [];

beforeEach(async () => {
  bot = await openTestBot(import.meta.url);
});
afterEach(async () => {
  await closeAll([...closing.splice(0).reverse(), () => bot.close()]);
});

function outboxFor(platform: ChatPlatform, poster: Poster): Outbox {
  const outbox = createOutbox({
    redis: bot.db.redis,
    queuePrefix: createKeys(`${bot.db.prefix}:bot`).queuePrefix(),
    store: bot.store,
    posters: { [platform]: { ...poster, pauseMs: PAUSE_MS } },
    log,
    perMinute: PER_WINDOW,
    windowMs: WINDOW_MS,
    // More attempts than there are failures: every post must get through, none buried.
    backoff: { firstMs: 100, maxMs: 400, attempts: 6 },
  });
  closing.push(() => outbox.close());
  return outbox;
}

/** A post's text; its number is read back from what the platform got. */
const postText = (n: number): string => `月度通报#${String(n)}#`;
const numberIn = (text: string): number => Number(/月度通报#(\d+)#/.exec(text)?.[1] ?? NaN);

/** Posts `from` to `to` (excluded) of every robot, queued robot after robot, as a fan-out does. */
function fanOut(platform: ChatPlatform, groups: readonly Group[], from: number, to: number, mentions: readonly string[] = []): Post[] {
  return groups.flatMap((g) => Array.from({ length: to - from }, (_, i) => ({
    key: `throttle/${g.chat}/${String(from + i)}`,
    platform,
    chat: g.chat,
    message: { lines: [[postText(from + i)]], ...(mentions.length > 0 ? { mentions } : {}) },
  })));
}

/**
 * Queues the first posts, starts delivering, and queues the rest once every robot has been
 * refused twice: a fan-out still being queued while the platform refuses. Returns every key.
 */
async function deliverInTwoWaves(outbox: Outbox, platform: ChatPlatform, groups: readonly Group[], refusedTwice: () => boolean, mentions: readonly string[] = []): Promise<string[]> {
  const first = fanOut(platform, groups, 0, FIRST_WAVE, mentions);
  await outbox.enqueue(first);
  outbox.start();
  await until(refusedTwice, 'every robot to be refused twice');
  const second = fanOut(platform, groups, FIRST_WAVE, POSTS, mentions);
  await outbox.enqueue(second);
  return [...first, ...second].map((p) => p.key);
}

/** For each arrival, how many of the robot's requests arrived in the window that ends with it. */
function busiestWindow(arrivals: readonly Arrival[]): number {
  return Math.max(0, ...arrivals.map((a) => arrivals.filter((b) => b.at > a.at - WINDOW_MS && b.at <= a.at).length));
}

describe('a WeCom webhook that answers 502, 503, 429 and 45009 for a while', () => {
  const REFUSALS: WebhookAnswer[] = [{ status: 502 }, { errcode: 45009, errmsg: 'api freq out of limit' }, { status: 429 }, { status: 503 }, { errcode: 45009, errmsg: 'api freq out of limit' }];

  it('gets every post through later, also those queued meanwhile, once each and in order per robot, never more than the limit in any window', async () => {
    const fake = await startFakeWecom();
    closing.push(() => fake.close());
    const watch = await startStopwatch(fake.base);
    closing.push(() => watch.close());
    const groups: Group[] = Array.from({ length: ROBOTS }, (_, i) => ({ platform: 'wecom', chat: `wrkThrottle${String(i)}`, township: '城关镇', webhook: `${watch.base}/cgi-bin/webhook/send?key=throttle${String(i)}` }));
    for (const [i, g] of groups.entries()) {
      await bot.store.saveGroup(g);
      fake.answerNext(`throttle${String(i)}`, ...REFUSALS);
    }
    const { poster } = createWecom({ token: 'throttleToken', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', apiBase: watch.base }, { store: bot.store, log });
    const outbox = outboxFor('wecom', poster);
    const requestsOf = (i: number) => fake.received.filter((r) => r.query.key === `throttle${String(i)}`);
    const keys = await deliverInTwoWaves(outbox, 'wecom', groups, () => groups.every((_, i) => requestsOf(i).length >= 2));

    const states = await outbox.settled(keys, 40_000);
    expect([...states.values()].filter((s) => s !== 'sent'), 'posts not sent').toEqual([]);
    expect(await bot.store.deadLetters()).toEqual([]);
    for (const i of groups.keys()) {
      const key = `throttle${String(i)}`;
      // The first answers were the refusals; everything after them was taken.
      const taken = requestsOf(i).slice(REFUSALS.length).map((r) => numberIn((r.body as { markdown: { content: string } }).markdown.content));
      expect(taken, `posts ${key} took`).toEqual(Array.from({ length: POSTS }, (_, n) => n));
      expect(busiestWindow(watch.arrivals.filter((a) => a.query.key === key)), `requests of ${key} in one window`).toBeLessThanOrEqual(PER_WINDOW);
    }
  }, 60_000);
});

describe('a DingTalk custom robot that answers 130101, 410100 and 502 for a while', () => {
  const CLIENT_ID = 'dingthrottle01';
  const CLIENT_SECRET = 'duban-throttle-secret';
  const REFUSALS: DingtalkAnswer[] = [{ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }, { status: 502 }, { errcode: 410100, errmsg: 'send too fast' }, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }];

  it('gets every @-post through later, also those queued meanwhile, once each and in order per robot, never more than the limit in any window', async () => {
    const fake = await startFakeDingtalk({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    closing.push(() => fake.close());
    const watch = await startStopwatch(fake.base);
    closing.push(() => watch.close());
    const groups: Group[] = Array.from({ length: ROBOTS }, (_, i) => {
      const token = `throttle${String(i)}`;
      const secret = `SECthrottle${String(i)}`;
      // Registered with the fake (it checks the 加签), reached through the stopwatch.
      fake.customWebhook(token, secret);
      fake.answerNext(token, ...REFUSALS);
      return { platform: 'dingtalk', chat: `cidThrottle${String(i)}==`, township: '城关镇', webhook: `${watch.base}/robot/send?access_token=${token}`, secret };
    });
    for (const g of groups) await bot.store.saveGroup(g);
    const { poster } = createDingtalk({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, mode: 'http', apiBase: watch.base, oapiBase: watch.base }, { store: bot.store, log });
    const outbox = outboxFor('dingtalk', poster);
    const requestsOf = (i: number) => fake.received.filter((r) => r.path === '/robot/send' && r.query.access_token === `throttle${String(i)}`);
    // People @-ed: DingTalk posts go through each group's custom robot webhook.
    const keys = await deliverInTwoWaves(outbox, 'dingtalk', groups, () => groups.every((_, i) => requestsOf(i).length >= 2), ['1665000001']);

    const states = await outbox.settled(keys, 40_000);
    expect([...states.values()].filter((s) => s !== 'sent'), 'posts not sent').toEqual([]);
    expect(await bot.store.deadLetters()).toEqual([]);
    for (const i of groups.keys()) {
      const token = `throttle${String(i)}`;
      const taken = requestsOf(i).slice(REFUSALS.length).map((r) => numberIn((r.body as { markdown: { text: string } }).markdown.text));
      expect(taken, `posts robot ${token} took`).toEqual(Array.from({ length: POSTS }, (_, n) => n));
      expect(busiestWindow(watch.arrivals.filter((a) => a.query.access_token === token)), `requests of ${token} in one window`).toBeLessThanOrEqual(PER_WINDOW);
    }
    // Nothing went another way round the throttled robots.
    expect(fake.received.filter((r) => r.path === '/v1.0/robot/groupMessages/send')).toEqual([]);
  }, 60_000);
});
