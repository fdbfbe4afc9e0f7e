/**
 * The outbox's watchdog (src/outbox/watchdog.ts) on real Redis: a worker that takes up no due post
 * is replaced, the log says so, and every post still goes out once, in order. The first worker is
 * made to wedge as BullMQ workers have after Redis outages: its blocking connection goes through a
 * hop that stops passing anything once the worker names that connection (test/helpers/freezing-proxy.ts);
 * the worker's other connection, and every connection of the worker that replaces it, pass.
 */
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import type { Poster } from '../../src/core/platform.js';
import type { Post } from '../../src/core/posts.js';
import { createOutbox, type Outbox } from '../../src/outbox/index.js';
import { createKeys } from '../../src/store/keys.js';
import { testCounty } from '../fixtures/county.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';
import { startFreezingProxy, type FreezingProxy } from '../helpers/freezing-proxy.js';
import { REDIS_URL } from '../helpers/redis.js';
import type { County } from '../../src/domain/model.js';

const GROUP = '看门狗群';
const county: County = { ...testCounty, groups: [...testCounty.groups, { platform: 'console', chat: GROUP, township: '城关镇' }] };
const QUEUE = 'outbox';
/** BullMQ names a worker's blocking connection `<prefix>:<base64 of the queue name>:w:<worker name>` (CLIENT SETNAME); RESP ends the name with CRLF. */
const blockingConnectionOf = (queuePrefix: string, worker: string): string => `${queuePrefix}:${Buffer.from(QUEUE).toString('base64')}:w:${worker}\r\n`;

let bot: TestBot;
let proxy: FreezingProxy | undefined;
let client: Redis | undefined;

beforeEach(async () => {
  bot = await openTestBot(import.meta.url, county);
});
afterEach(async () => {
  client?.disconnect();
  await proxy?.close();
  await bot.close();
});

function recorder(): Poster & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    parts: () => 1,
    pauseMs: 100,
    sendPart(_group, message) {
      sent.push(message.lines.flat().map((s) => (typeof s === 'string' ? s : s.text)).join(''));
      return Promise.resolve();
    },
  };
}

/** An outbox through the hop, whose first worker's blocking connection is frozen; its warnings and errors go to `lines`. */
async function wedgedOutbox(watchdogMs: number): Promise<{ outbox: Outbox; poster: Poster & { sent: string[] }; lines: string[]; hop: FreezingProxy }> {
  const queuePrefix = createKeys(`${bot.db.prefix}:bot`).queuePrefix();
  const hop = await startFreezingProxy(REDIS_URL, blockingConnectionOf(queuePrefix, 'outbox-1'));
  proxy = hop;
  client = new Redis(hop.url);
  const lines: string[] = [];
  const poster = recorder();
  const outbox = createOutbox({
    redis: client,
    queuePrefix,
    store: bot.store,
    posters: { console: poster },
    log: createLogger('warn', (line) => { lines.push(line); }),
    // 500 ms apart: the next post is not yet due when one is done, so a worker must wait for it on its blocking connection.
    perMinute: 2,
    windowMs: 1000,
    watchdogMs,
  });
  return { outbox, poster, lines, hop };
}

const logged = (lines: readonly string[], start: string): Array<Record<string, unknown>> =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => String(l.msg).startsWith(start));

describe('the outbox watchdog', () => {
  it('replaces a worker that takes up no due post, says so in the log, and every post goes out once, in order', async () => {
    const { outbox, poster, lines, hop } = await wedgedOutbox(300);
    const posts: Post[] = Array.from({ length: 4 }, (_, n) => ({ key: `watchdog/${String(n)}`, platform: 'console', chat: GROUP, message: { lines: [[`第${String(n)}条`]] } }));
    await outbox.enqueue(posts);
    outbox.start();
    const states = await outbox.settled(posts.map((p) => p.key), 20_000);
    await outbox.close();

    expect(hop.frozen(), 'connections of the first worker frozen').toBeGreaterThan(0);
    expect([...states.values()]).toEqual(posts.map(() => 'sent'));
    expect(poster.sent).toEqual(['第0条', '第1条', '第2条', '第3条']);
    expect(logged(lines, 'outbox worker recreated: due work and nothing completed for')).toEqual([expect.objectContaining({ level: 'warn', closed: 'outbox-1', started: 'outbox-2', due: expect.any(Number) as unknown })]);
  }, 40_000);

  it('lets the outbox close when its worker is wedged, cutting the worker\'s connections after a while', async () => {
    // The watchdog does not get to act here.
    const { outbox, lines, hop } = await wedgedOutbox(3_600_000);
    outbox.start();
    await until(() => hop.frozen() > 0);

    await outbox.close();

    expect(logged(lines, 'outbox worker did not close in time; its connections are cut')).toEqual([expect.objectContaining({ worker: 'outbox-1' })]);
  }, 40_000);
});

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}
