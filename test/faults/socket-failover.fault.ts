/**
 * Two `duban serve` processes in WeCom's long-connection mode on one Redis, against a fake
 * long-connection server (test/helpers/fake-wecom-ws.ts): only one subscribes; the other hands
 * its posts to it; the holder is SIGKILLed while messages and a fan-out are under way; the other
 * takes the connection over. Afterwards every message was answered and recorded once, and every
 * post reached its group — twice only if it was being sent at the kill: sent over the socket (by
 * the holder, or handed over to it by the other) with the holder dead before it could say so, it
 * is sent again, since WeCom takes no key that would let it drop a repeat. The children run
 * serve() from the build, as an operator starts it, with the lease's real timings (so the
 * takeover takes up to half a minute).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../src/compose.js';
import type { Poster } from '../../src/core/platform.js';
import type { Post } from '../../src/core/posts.js';
import { createLogger } from '../../src/core/logger.js';
import { isReportEntry, type County, type Group } from '../../src/domain/model.js';
import { createOutbox, jobIdOf } from '../../src/outbox/index.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { taskDueNextYear, testCounty } from '../fixtures/county.js';
import { startFakeWecomWs, type FakeWecomWs } from '../helpers/fake-wecom-ws.js';
import { openTestRedis, REDIS_URL, type TestRedis } from '../helpers/redis.js';
import { closeAll, freePort, until } from './helpers/load.js';

const BOT = 'aibFailover0001';
const SECRET = 'dubanFailoverSecret01';
const GROUPS = 8;
const POSTS_PER_GROUP = 3;
const chatOf = (i: number): string => `wrkFailoverGroup${String(i).padStart(16, '0')}`;
const groups: Group[] = Array.from({ length: GROUPS }, (_, i) => ({ platform: 'wecom', chat: chatOf(i), township: '城关镇' }));
// The children's schedulers run on the real clock: the sample's overdue tasks would have them post
// the day's reminder into these groups between 09:00 and 18:00 on a working day.
const county: County = {
  ...testCounty,
  tasks: [taskDueNextYear(new Date())],
  groups: [...testCounty.groups, ...groups],
  people: [...testCounty.people, { platform: 'wecom', user: 'lilianluo', name: '李联络', roles: [], township: '城关镇' }],
};

let db: TestRedis;
let server: FakeWecomWs;
let prefix = '';
const children = new Map<string, ChildProcess>();
const logs = new Map<string, string>();
const closers: Array<() => unknown> = [];

async function startInstance(name: string): Promise<void> {
  const port = await freePort();
  const spawned = spawn(process.execPath, ['dist/test/faults/helpers/serve-child.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL: REDIS_URL.startsWith('/') ? `unix://${REDIS_URL}` : REDIS_URL,
      PREFIX: prefix,
      WECOM_MODE: 'websocket',
      WECOM_BOT_ID: BOT,
      WECOM_BOT_SECRET: SECRET,
      WECOM_WS_URL: server.url,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.set(name, spawned);
  logs.set(name, '');
  spawned.stderr.on('data', (chunk: Buffer) => logs.set(name, (logs.get(name) ?? '') + chunk.toString('utf8')));
  await until(async () => (await fetch(`http://127.0.0.1:${String(port)}/healthz`).catch(() => undefined))?.status === 200, `instance ${name} to answer /healthz`, 60_000);
}

/** Which child holds the connection: the one whose log says so. */
const holder = (): string | undefined => [...logs].find(([, log]) => log.includes('this instance holds the long connection'))?.[0];

beforeAll(async () => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/faults/tsconfig.serve-child.json'], { stdio: 'inherit' });
  db = await openTestRedis(import.meta.url);
  closers.push(() => db.close());
  prefix = `${db.prefix}:serve`;
  await (await compose(db.redis, { log: createLogger('silent'), prefix })).store.loadCounty(county, { rest: [], work: [], years: [] });
  server = await startFakeWecomWs({ bots: { [BOT]: SECRET } });
  closers.push(() => server.close());
  closers.push(async () => {
    for (const child of children.values()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  });
}, 180_000);
afterAll(async () => {
  await closeAll([...closers.reverse()]);
});

const postKey = (chat: string, n: number): string => `failover/${chat}/${String(n)}`;

const report = (i: number) => ({
  msgid: `failover-${String(i)}`,
  aibotid: BOT,
  chatid: chatOf(0),
  chattype: 'group',
  from: { userid: 'lilianluo' },
  msgtype: 'text',
  text: { content: `@督办助手 上报 T2 ${String(10 + i)}%` },
});

/** Queues the fan-out from outside both instances, as `duban job` does: their outbox workers deliver it. */
async function enqueueFanOut(): Promise<string[]> {
  const keys = createKeys(prefix);
  // Queuing needs only each post's size; sending is the instances' business.
  const sizer: Poster = { parts: () => 1, sendPart: () => Promise.reject(new Error('not sent from here')), pauseMs: 0 };
  const outbox = createOutbox({ redis: db.redis, queuePrefix: keys.queuePrefix(), store: createRedisStore(db.redis, keys), posters: { wecom: sizer }, log: createLogger('silent') });
  const posts: Post[] = groups.flatMap((group) =>
    Array.from({ length: POSTS_PER_GROUP }, (_, n) => ({ key: postKey(group.chat, n), platform: 'wecom' as const, chat: group.chat, message: { lines: [[`第${String(n + 1)}条 ${group.chat}`]] } })),
  );
  // Whatever the hour the suite runs at: the posting window is not what this test is about.
  const { added } = await outbox.enqueue(posts, { windowDecided: true });
  await outbox.close();
  return added;
}

describe('two instances sharing one WeCom long connection', () => {
  it('subscribe once, survive the holder\'s SIGKILL, answer every message once, and post every post, twice only if it was being sent at the kill', async () => {
    await startInstance('A');
    await server.waitFor(() => server.live(BOT) === 1, 30_000);
    await startInstance('B');
    // B has asked for the lease at least once by now (it asks as it starts, then every 5 s).
    await new Promise((done) => setTimeout(done, 6000));
    expect(server.subscribes(BOT)).toBe(1);
    const first = holder();
    expect(first).toBeDefined();

    for (let i = 0; i < 3; i++) await server.deliver(BOT, report(i));
    await server.waitFor(() => server.callbacks(BOT).filter((c) => c.answered).length === 3, 20_000);
    const keys = await enqueueFanOut();
    expect(keys).toHaveLength(GROUPS * POSTS_PER_GROUP);
    // Each group's first post has gone (from either instance: B's through A); the next are seconds away.
    await server.waitFor(() => groups.every((g) => server.pushes(g.chat).length >= 1), 30_000);

    const killed = children.get(first ?? '');
    const gone = new Promise((done) => killed?.once('exit', done));
    killed?.kill('SIGKILL');
    await gone;
    // What was being sent then: the dead holder's posts, and the other's handed over to it.
    const queue = new Queue('outbox', { connection: await db.connect(), prefix: createKeys(prefix).queuePrefix() });
    const inFlight = new Set((await queue.getActive()).map((job) => job.id ?? ''));
    await queue.close();
    // Sent while nobody holds the connection: the fake keeps it until one subscribes.
    for (let i = 3; i < 6; i++) void server.deliver(BOT, report(i), { timeoutMs: 60_000 });
    await server.waitFor(() => server.subscribes(BOT) === 2 && server.live(BOT) === 1, 45_000);
    await server.waitFor(() => new Set(server.callbacks(BOT).filter((c) => c.answered).map((c) => c.body.msgid)).size === 6, 30_000);
    const delivered = (chat: string): string[] => server.pushes(chat).filter((p) => p.errcode === 0).map((p) => (p.body.msgtype === 'markdown' ? p.body.markdown.content : ''));
    // Distinct posts, not pushes: a post in flight at the kill may come twice before the last one comes.
    await server.waitFor(() => groups.every((g) => new Set(delivered(g.chat)).size >= POSTS_PER_GROUP), 120_000);

    for (const group of groups) {
      const contents = delivered(group.chat);
      const expected = Array.from({ length: POSTS_PER_GROUP }, (_, n) => `第${String(n + 1)}条 ${group.chat}`);
      expect([...new Set(contents)], group.chat).toEqual(expected);
      for (const [n, content] of expected.entries()) {
        const times = contents.filter((c) => c === content).length;
        expect(times, `${content}: sent ${String(times)} times; in flight at the kill: ${[...inFlight].join(', ') || 'none'}`).toBeLessThanOrEqual(inFlight.has(jobIdOf(postKey(group.chat, n))) ? 2 : 1);
      }
    }
    const answeredTwice = server.callbacks(BOT).filter((c) => server.responds(c.reqId).filter((r) => r.errcode === 0).length > 1);
    expect(answeredTwice).toEqual([]);
    const reports = (await createRedisStore(db.redis, createKeys(prefix)).ledger(['T2'])).filter(isReportEntry);
    expect(reports.map((r) => r.value).sort()).toEqual(['10%', '11%', '12%', '13%', '14%', '15%']);
    expect(server.overLimit()).toEqual([]);
  }, 300_000);
});
