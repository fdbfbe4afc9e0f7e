/** The start-up check of Redis's settings, against real redis-servers started with known ones. */
import { spawn, type ChildProcess } from 'node:child_process';
import { realClockEnv } from '../helpers/real-clock.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { persistenceProblems } from '../../src/store/connect.js';

const started: { child: ChildProcess; redis: Redis; dir: string }[] = [];


afterEach(async () => {
  for (const { child, redis, dir } of started.splice(0)) {
    redis.disconnect();
    child.kill('SIGKILL');
    await new Promise((done) => child.once('exit', done));
    rmSync(dir, { recursive: true, force: true });
  }
});

async function redisWith(...settings: string[]): Promise<Redis> {
  const dir = mkdtempSync(join(tmpdir(), 'duban-persist-'));
  const socket = join(dir, 'redis.sock');
  const child = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--dir', dir, '--save', '', ...settings], { stdio: 'ignore', env: realClockEnv });
  for (let i = 0; i < 100 && !existsSync(socket); i += 1) await new Promise((done) => setTimeout(done, 50));
  const redis = new Redis({ path: socket, lazyConnect: true });
  started.push({ child, redis, dir });
  await redis.connect();
  return redis;
}

describe('the check of Redis persistence at start', () => {
  it('names no problem for AOF with noeviction, as the bot runs its own Redis', async () => {
    expect(await persistenceProblems(await redisWith('--appendonly', 'yes', '--maxmemory-policy', 'noeviction'))).toEqual([]);
  });

  it('names AOF switched off and an eviction policy, the two ways a confirmed report could be lost', async () => {
    const problems = await persistenceProblems(await redisWith('--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('appendonly is off');
    expect(problems[1]).toContain('maxmemory-policy is allkeys-lru');
  });
});
