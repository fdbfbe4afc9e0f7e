/**
 * The bot's Redis client (src/store/connect.ts). One that ioredis ends while the bot still uses it:
 * a Sentinel client's connector, closed under a reconnect by `+switch-master`, ends it for good.
 * Ended here by `disconnect`, the same status ioredis leaves it in; the guard cannot tell the causes
 * apart. And the commands of one tick, which leave in one socket write.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { connectAgainWhenEnded, writeOncePerTick } from '../../src/store/connect.js';
import { openTestRedis, REDIS_URL } from '../helpers/redis.js';

const db = await openTestRedis(import.meta.url);
afterAll(() => db.close());

const opened: Redis[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const redis of opened.splice(0)) redis.disconnect();
});

async function client(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  opened.push(redis);
  await redis.connect();
  return redis;
}

describe('a Redis client the bot still uses', () => {
  it('is connected again when it ends, and answers commands once more', async () => {
    const redis = await client();
    connectAgainWhenEnded(redis, createLogger('silent'), () => false);

    redis.disconnect();
    await vi.waitFor(() => { expect(redis.status).toBe('end'); });

    await vi.waitFor(() => { expect(redis.status).toBe('ready'); }, { timeout: 10_000 });
    expect(await redis.ping()).toBe('PONG');
  });

  it('stays closed once its owner has closed it', async () => {
    const redis = await client();
    let closed = false;
    connectAgainWhenEnded(redis, createLogger('silent'), () => closed);
    vi.useFakeTimers({ toFake: ['setTimeout'] });

    closed = true;
    redis.disconnect();
    await vi.waitFor(() => { expect(redis.status).toBe('end'); });
    await vi.runAllTimersAsync();

    expect(redis.status).toBe('end');
  });
});

describe('the commands a message sends in one tick', () => {
  /** Three commands sent together, as a message sends its kept reply with the county's version. */
  async function sendTogether(redis: Redis, key: string): Promise<{ heldWhileSending: boolean; replies: unknown[] }> {
    const replies = Promise.all([redis.set(key, 'a'), redis.incr(`${key}:n`), redis.get(key)]);
    const heldWhileSending = redis.stream.writableCorked > 0 && redis.stream.writableLength > 0;
    return { heldWhileSending, replies: await replies };
  }

  it('leave together once the tick is done, each answered by its own reply, also on the socket of a reconnection', async () => {
    const redis = await client();
    writeOncePerTick(redis);

    const first = await sendTogether(redis, `${db.prefix}:first`);
    expect(first).toEqual({ heldWhileSending: true, replies: ['OK', 1, 'a'] });
    expect(redis.stream.writableCorked).toBe(0);

    const before = redis.stream;
    const readyAgain = new Promise((done) => redis.once('ready', done));
    redis.disconnect(true);
    await readyAgain;
    expect(redis.stream).not.toBe(before);
    expect(await sendTogether(redis, `${db.prefix}:again`)).toEqual({ heldWhileSending: true, replies: ['OK', 1, 'a'] });
  });
});
