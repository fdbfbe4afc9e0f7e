/**
 * A restore that Redis stops part-way (docs/backup.md): it says so, with how far it got and how
 * to try again, and leaves no county in the store — the county's keys are written last — so the
 * bot answers "no county loaded" rather than serve half a county.
 *
 * The failure is Redis's own: on a redis-server of this file's own, the restoring user is denied
 * XADD by an ACL, so the first task whose ledger is written fails its MULTI.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/store/keys.js';
import { runCaptured, type Outcome } from '../helpers/cli.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';

let server: PrivateRedis;
let admin: Redis;
let dir: string;

const duban = (prefix: string, ...argv: string[]): Promise<Outcome> => runCaptured(argv, { env: { REDIS_URL: server.url }, prefix, dataDir: dir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duban-restore-fault-'));
  server = await startPrivateRedis();
  admin = new Redis({ path: server.url.slice('unix://'.length) });
  expect((await duban('source', 'load', 'examples/sample-county.yaml')).code).toBe(0);
  const report = await duban('source', 'say', '--chat', '城关镇工作群', '--user', '联络员', '上报 T2 80%');
  expect(report.out).toContain('已记录');
  expect((await duban('source', 'backup', join(dir, 'county.json.gz'))).code).toBe(0);
});

afterAll(async () => {
  admin.disconnect();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a restore Redis refuses part-way', () => {
  it('says how far it got and how to try again, and leaves no county behind', async () => {
    await admin.call('ACL', 'SETUSER', 'default', '-xadd');
    const { code, err } = await duban('copy', 'restore', join(dir, 'county.json.gz'));
    await admin.call('ACL', 'SETUSER', 'default', '+xadd');
    expect(code).toBe(1);
    expect(err).toMatch(/^恢复中断：\d+ 个键只写入了 \d+ 个，写 \{t:T\d+\}:\S+ 等键时 Redis 报错：NOPERM .*xadd/);
    expect(err).toContain(`duban restore ${join(dir, 'county.json.gz')} --force`);
    const keys = createKeys('copy');
    expect(await admin.exists(keys.county(), keys.tasks(), keys.townships())).toBe(0);
    expect((await admin.keys('copy:*')).length).toBeGreaterThan(0);
    const asked = await duban('copy', 'say', '--chat', '城关镇工作群', '--user', '联络员', '任务');
    expect(asked.err).toContain('还没有载入县的设置');
  });

  it('is then restored whole with --force', async () => {
    const { code, out } = await duban('copy', 'restore', join(dir, 'county.json.gz'), '--force');
    expect(code).toBe(0);
    expect(out).toContain('已从');
    const asked = await duban('copy', 'say', '--chat', '城关镇工作群', '--user', '联络员', '进度 T2');
    expect(asked.out).toContain('80%');
  });
});
