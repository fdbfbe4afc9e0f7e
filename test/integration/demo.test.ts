/**
 * `npm run demo` as a new user meets it: `duban serve --demo` in-process with the terminal chat,
 * its own redis-server under a fresh data folder, and the way back to a fresh start.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { demoDataDir } from '../../src/paths.js';
import { prepareDemo } from '../../src/demo.js';
import { connectPrivateRedis } from '../../src/store/connect.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { openTestRedis } from '../helpers/redis.js';
import { runCaptured, type Outcome } from '../helpers/cli.js';

let dataDir: string;
let port: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'duban-demo-'));
  port = await freePort();
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function freePort(): Promise<string> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => { done(typeof address === 'object' && address ? String(address.port) : '0'); });
    });
  });
}

/** `duban <argv>` with the lines typed into its terminal, then `:quit`. */
const run = (argv: string[], ...lines: string[]): Promise<Outcome> =>
  runCaptured(argv, { env: { PORT: port }, dataDir, interactive: true }, [...lines, ':quit', ''].join('\n'));

describe('the demo county’s building', () => {
  it('is built anew by the server on a new day, and never by a terminal command under it', async () => {
    const db = await openTestRedis(import.meta.url);
    try {
      const store = createRedisStore(db.redis, createKeys(`${db.prefix}:demo`));
      const monday = new Date('2026-11-23T09:00:00+08:00');
      const tuesday = new Date('2026-11-24T00:30:00+08:00');
      expect(await prepareDemo(store, monday, 'if-missing')).toBe('built');
      expect(await prepareDemo(store, monday, 'new-day')).toBe('kept');
      expect(await prepareDemo(store, tuesday, 'if-missing')).toBe('kept');
      expect(await store.demoBuiltOn()).toBe('2026-11-23');
      expect(await prepareDemo(store, tuesday, 'new-day')).toBe('built');
      expect(await prepareDemo(store, tuesday, 'fresh')).toBe('built');
    } finally {
      await db.close();
    }
  });
});

describe('npm run demo', () => {
  let first: Outcome;
  beforeAll(async () => {
    first = await run(['serve', '--demo'], '上报 T2 80%', '任务');
  }, 60_000);

  it('greets the clerk of 城关镇 by name, and the README’s first report lifts a lagging task to green', () => {
    expect(first.code).toBe(0);
    expect(first.out).toContain('[城关镇工作群 · 李联络] >');
    expect(first.out).toContain('已记录：城关镇 T2 软弱涣散党组织整顿转化，进度 80%\n🟢正常推进');
  });

  it('shows no log lines in the conversation, and says once where the log is', () => {
    expect(first.out).not.toContain('{"level"');
    expect(first.err).not.toContain('{"level"');
    const logFile = join(demoDataDir(dataDir), 'duban.log');
    expect(first.err.split(logFile)).toHaveLength(2);
    expect(readFileSync(logFile, 'utf8')).toContain('"msg":"listening"');
  });

  it('keeps the demo in a redis-server and key space of its own', async () => {
    const redis = await connectPrivateRedis(demoDataDir(dataDir), createLogger('silent'));
    try {
      const keys = await redis.redis.keys('*');
      expect(keys.length).toBeGreaterThan(10);
      expect(keys.filter((k) => !k.startsWith('duban-demo:'))).toEqual([]);
    } finally {
      await redis.close();
    }
  });

  it('is what say, job, export and import reach with --demo, without log lines in their answers', async () => {
    const said = await run(['say', '--demo', '--chat', '领导群', '--user', '书记', '催办', 'T2']);
    expect(said.out).toContain('催办');
    expect(`${said.out}${said.err}`).not.toContain('{"level"');
    const file = join(dataDir, '排名.xlsx');
    const exported = await run(['export', 'ranking', '--demo', '--out', file]);
    expect(exported.code).toBe(0);
    expect(readFileSync(file).subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('keeps what was typed when started again the same day, and forgets it with --fresh', async () => {
    const again = await run(['say', '--demo', '--chat', '城关镇工作群', '--user', '联络员', '进度', 'T2']);
    expect(again.out).toContain('城关镇：80%');

    const fresh = await run(['serve', '--demo', '--fresh'], '进度 T2');
    expect(fresh.err).toContain('示范县已按今天');
    expect(fresh.out).not.toContain('城关镇：80%');
    expect(fresh.out).toContain('城关镇：');
  }, 60_000);
});
