/**
 * Redis away for 20 s, then for 90 s, while the outbox has posts due (issue 17; docs/design.md §7:
 * outbound delivery is durable). The bot process is never restarted: once Redis is back, every post
 * goes out exactly once, in order per robot. BullMQ workers have stayed silent after outages like
 * these (src/outbox/watchdog.ts names the issues); the outbox's watchdog replaces such a worker,
 * and its lock check keeps the old and the new from both sending a post.
 *
 * Redis is this file's own redis-server, on a unix socket with an AOF fsynced on every write, stopped
 * and started again on the same data: by SHUTDOWN for the short outage, by SIGKILL for the long one
 * (every job lock has run out by the time it is back). The bot runs from the build, so this file
 * builds it first (test/faults/tsconfig.outage-child.json).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import { postText, robotChat } from './helpers/fanout.js';
import { closeAll, counts, until } from './helpers/load.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';

const ROBOTS = 3;
const PER_ROBOT = 16;
const POSTS = ROBOTS * PER_ROBOT;
/** One post per 500 ms per robot: a robot's posts take 8 s, so most are due while Redis is away. */
const WINDOW_MS = 500;
const PER_WINDOW = 1;

let redis: PrivateRedis;
let fake: FakeWecom;
/** The bot's log lines (JSON, warnings and up), shown when an assertion fails. */
let logLines: string[] = [];
const started: Array<() => unknown> = [];

beforeAll(() => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/faults/tsconfig.outage-child.json'], { stdio: 'inherit' });
}, 180_000);
beforeEach(async () => {
  redis = await startPrivateRedis();
  started.push(() => redis.close());
  fake = await startFakeWecom();
  started.push(() => fake.close());
  logLines = [];
});
afterEach(async () => {
  await closeAll(started.splice(0).reverse());
});

function exited(spawned: ChildProcess): Promise<number | null> {
  if (spawned.exitCode !== null || spawned.signalCode !== null) return Promise.resolve(spawned.exitCode);
  return new Promise((done) => spawned.once('exit', (code) => { done(code); }));
}

function startBot(): ChildProcess {
  const bot = spawn(process.execPath, ['dist/test/faults/helpers/outage-child.js'], {
    env: {
      ...process.env,
      REDIS_URL: redis.url,
      PREFIX: 'outage',
      WECOM_BASE: fake.base,
      ROBOTS: String(ROBOTS),
      POSTS_PER_ROBOT: String(PER_ROBOT),
      WINDOW_MS: String(WINDOW_MS),
      PER_WINDOW: String(PER_WINDOW),
    },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let partial = '';
  bot.stderr.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    logLines.push(...lines);
  });
  started.push(async () => {
    bot.kill('SIGKILL');
    await exited(bot);
  });
  return bot;
}

/** What the fake WeCom received, in arrival order: the robot's webhook key and the post's text. */
const posted = (): Array<{ chat: string; text: string }> =>
  fake.received
    .filter((r) => r.path === '/cgi-bin/webhook/send')
    .map((r) => ({ chat: r.query.key ?? '', text: (r.body as { markdown: { content: string } }).markdown.content }));
const delivered = (): number => new Set(posted().map((p) => p.text)).size;
const logTail = (): string => logLines.slice(-15).join('\n');

describe.each([
  { seconds: 20, how: 'SHUTDOWN' as const },
  { seconds: 90, how: 'SIGKILL' as const },
])('Redis away for $seconds s (stopped by $how) while the outbox has posts due', ({ seconds, how }) => {
  it('posts every one exactly once, in order per robot, after Redis is back, with the same bot process', async () => {
    const bot = startBot();
    await until(() => delivered() >= ROBOTS * 2, 'the first posts of every robot', 30_000);
    await redis.stop(how);
    const deliveredAtStop = delivered();
    await new Promise((done) => setTimeout(done, seconds * 1000));
    await redis.start();
    await until(() => delivered() >= POSTS, 'every post after Redis is back', 120_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; the bot's last log lines:\n${logTail()}`);
    });
    // No late repeat: a post taken up again must not go out a second time after the last first one.
    await new Promise((done) => setTimeout(done, 2 * WINDOW_MS));

    expect(bot.exitCode, 'the bot was never restarted').toBeNull();
    expect(deliveredAtStop, 'posts were still due when Redis went away').toBeLessThan(POSTS - ROBOTS * 4);
    const arrivals = posted();
    const repeated = [...counts(arrivals.map((a) => a.text))].filter(([, n]) => n > 1);
    expect(repeated, `posts that arrived more than once; the bot's last log lines:\n${logTail()}`).toEqual([]);
    for (let robot = 0; robot < ROBOTS; robot++) {
      const mine = arrivals.filter((a) => a.chat === robotChat(robot)).map((a) => a.text);
      expect(mine, `posts of ${robotChat(robot)}`).toEqual(Array.from({ length: PER_ROBOT }, (_, n) => postText(robot, n)));
    }
    bot.kill('SIGTERM');
    expect(await exited(bot), 'the bot stops cleanly when told to').toBe(0);
  }, (seconds + 150) * 1000);
});
