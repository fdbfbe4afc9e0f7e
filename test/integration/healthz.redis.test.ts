import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { createApp } from '../../src/server/app.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { openTestRedis, type TestRedis } from '../helpers/redis.js';

let db: TestRedis;
beforeAll(async () => {
  db = await openTestRedis(import.meta.url);
});
afterAll(async () => {
  await db.close();
});

async function healthz(redis: Parameters<typeof createRedisStore>[0]): Promise<number> {
  const store = createRedisStore(redis, createKeys(db.prefix));
  const server: Server = createApp({ log: createLogger('silent'), redisUp: () => store.ping() }).listen(0, '127.0.0.1');
  await new Promise((ready) => server.once('listening', ready));
  try {
    const res = await fetch(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}/healthz`);
    return res.status;
  } finally {
    server.close();
  }
}

describe('GET /healthz over a real store', () => {
  it('answers 200 while the store reaches Redis', async () => {
    expect(await healthz(db.redis)).toBe(200);
  });

  it('answers 503 once the connection to Redis is gone', async () => {
    const client = await db.connect();
    // The socket closes a moment after disconnect(); until 'end' ioredis still calls the client ready.
    const ended = once(client, 'end');
    client.disconnect();
    await ended;
    expect(await healthz(client)).toBe(503);
  });
});
