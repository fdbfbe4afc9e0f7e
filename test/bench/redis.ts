/**
 * The benchmarks' Redis, found as the app finds it (REDIS_URL from the environment or `.env`, else
 * 127.0.0.1:6379, else a throwaway redis-server — in a temporary directory here, never `./data`).
 * The server may be shared, so everything is written under `bench:<uuid>` and deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { connectRedis } from '../../src/store/connect.js';

export interface BenchRedis {
  redis: Redis;
  /** `bench:<uuid>`: every key a benchmark writes starts with it. */
  prefix: string;
  /** Where Redis is, without a password, and its version. */
  where: string;
  version: string;
  /** Deletes every key under `prefix` (default: the whole run's); returns how many. */
  cleanup(prefix?: string): Promise<number>;
  /** Cleans up, then disconnects (and stops a throwaway server). */
  close(): Promise<void>;
}

export async function openBenchRedis(): Promise<BenchRedis> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const dir = mkdtempSync(join(tmpdir(), 'duban-bench-'));
  const handle = await connectRedis(config.redisUrl, createLogger('warn'), dir).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const { redis } = handle;
  const prefix = `bench:${randomUUID()}`;
  const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';

  async function cleanup(under = prefix): Promise<number> {
    if (under !== prefix && !under.startsWith(`${prefix}:`)) throw new Error(`refusing to delete outside ${prefix}: ${under}`);
    // The prefix holds only word characters, dashes and colons: nothing SCAN's glob treats specially.
    let removed = 0;
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${under}:*`, 'COUNT', 1000);
      if (found.length > 0) removed += await redis.unlink(...found);
      cursor = next;
    } while (cursor !== '0');
    return removed;
  }

  return {
    redis,
    prefix,
    where: handle.where,
    version,
    cleanup,
    async close() {
      try {
        await cleanup();
      } finally {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
