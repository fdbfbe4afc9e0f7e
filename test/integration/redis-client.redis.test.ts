/**
 * A Redis client that ioredis ends while the bot still uses it (src/store/connect.ts): a Sentinel
 * client's connector, closed under a reconnect by `+switch-master`, ends it for good. Ended here by
 * `disconnect`, the same status ioredis leaves it in; the guard cannot tell the causes apart.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { connectAgainWhenEnded } from '../../src/store/connect.js';
import { REDIS_URL } from '../helpers/redis.js';

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
