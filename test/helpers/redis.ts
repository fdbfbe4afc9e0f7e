/**
 * Real Redis for integration tests. The server is shared (other test files, other developers),
 * so each test file works under its own prefix `test:<file>:<uuid>` and deletes only that.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The Redis the global setup found or started (`test/helpers/global-setup.ts`). */
const url = inject('redisUrl');
// ioredis takes a unix socket as a bare path.
export const REDIS_URL = url.startsWith('unix://') ? url.slice('unix://'.length) : url;

export interface TestRedis {
  redis: Redis;
  /** `test:<file>:<uuid>`: pass it (or `${prefix}:something`) to `createKeys`. */
  prefix: string;
  /** Another connection, for tests that need two clients racing; closed by `close`. */
  connect(): Promise<Redis>;
  /** Deletes every key under the prefix. */
  cleanup(): Promise<void>;
  /** `cleanup`, then closes every connection. */
  close(): Promise<void>;
}

async function open(): Promise<Redis> {
  // Fail fast instead of queueing: a test should say "no Redis", not time out.
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  await redis.connect();
  return redis;
}

/** `fileUrl` is the test file's `import.meta.url`; its name goes into the prefix so leftovers say whose they are. */
export async function openTestRedis(fileUrl: string): Promise<TestRedis> {
  const file = basename(fileURLToPath(fileUrl)).replace(/\.test\.ts$/, '').replace(/[^\w.-]/g, '_');
  const prefix = `test:${file}:${randomUUID()}`;
  const redis = await open();
  const extra: Redis[] = [];

  async function cleanup(): Promise<void> {
    // The prefix holds only word characters, dots, dashes and colons: nothing SCAN's glob treats specially.
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (found.length > 0) await redis.unlink(...found);
      cursor = next;
    } while (cursor !== '0');
  }

  return {
    redis,
    prefix,
    async connect() {
      const client = await open();
      extra.push(client);
      return client;
    },
    cleanup,
    async close() {
      await cleanup();
      // A test may have disconnected a client on purpose; ioredis calls it 'ready' until its socket has
      // closed, and a QUIT on a closing socket throws (enableOfflineQueue is off). Such a client needs
      // no QUIT: disconnect() is what it was already doing.
      await Promise.all(
        [redis, ...extra].map(async (client) => {
          if (client.status === 'ready') {
            await client.quit().catch(() => {
              client.disconnect();
            });
          } else {
            client.disconnect();
          }
        }),
      );
    },
  };
}
