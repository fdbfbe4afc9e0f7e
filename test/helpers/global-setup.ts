/**
 * Makes sure the integration tests have a Redis: REDIS_URL, else 127.0.0.1:6379, else a
 * throwaway redis-server on a unix socket that is removed after the run. Tests read the URL
 * with `inject('redisUrl')`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../src/core/logger.js';
import { connectRedis } from '../../src/store/connect.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'duban-test-'));
  const handle = await connectRedis(process.env.REDIS_URL, createLogger('warn'), dir);
  project.provide('redisUrl', handle.url);
  return async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  };
}
