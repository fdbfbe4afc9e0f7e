/**
 * A real process SIGKILLed twice in the middle of a fan-out, and started again each time
 * (docs/design.md §7: a scheduled message is posted once per group, also after a crash mid-fan-out).
 * test/integration/crash.redis.test.ts kills one group's slow posts between two sends; this one
 * kills a fast fan-out to 30 robots while posts are on the wire.
 *
 * The outbox promises at-least-once for a post being sent when its process dies: BullMQ takes
 * such a job up again once its lock runs out, and the platform may already have shown it. So a
 * post may arrive twice only if it was in flight (an active job) at one of the kills, and at most
 * CONCURRENCY posts are in flight at a time. Every other post arrives exactly once.
 * The child runs from the build, so this file builds it first (test/faults/tsconfig.child.json).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/store/keys.js';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import { openTestRedis, REDIS_URL, type TestRedis } from '../helpers/redis.js';
import { postKey, postText, robotChat } from './helpers/fanout.js';
import { closeAll, counts } from './helpers/load.js';

const ROBOTS = 30;
const PER_ROBOT = 10;
const POSTS = ROBOTS * PER_ROBOT;
/** The outbox worker's concurrency in the child: the most posts that can be in flight at a kill. */
const CONCURRENCY = 8;
/** 5 posts per 500 ms per robot: a post every 100 ms, so a robot's ten posts take a second. */
const WINDOW_MS = 500;
const PER_WINDOW = 5;
const KILLS = 2;

let db: TestRedis;
let fake: FakeWecom;
let queue: Queue;
const children = new Set<ChildProcess>();
/** What was started, to be stopped in reverse, also when a later start failed. */
const started: Array<() => unknown> = [];

beforeAll(async () => {
  // Only the child and what it imports, into dist/ where the full build puts them: a type error
  // elsewhere in the tree (work in progress on another part) does not stop this file. Incremental.
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/faults/tsconfig.child.json'], { stdio: 'inherit' });
  db = await openTestRedis(import.meta.url);
  started.push(() => db.close());
  fake = await startFakeWecom();
  started.push(() => fake.close());
  // The outbox's own BullMQ queue ('outbox', under the keys' queue prefix), read to see which
  // posts were being sent when a process died.
  queue = new Queue('outbox', { connection: await db.connect(), prefix: createKeys(`${db.prefix}:fanout`).queuePrefix() });
  started.push(() => queue.close());
}, 180_000);
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await closeAll([() => Promise.all([...children].map(exited)), ...started.reverse()]);
});

function child(): ChildProcess {
  const spawned = spawn(process.execPath, ['dist/test/faults/helpers/fanout-child.js'], {
    env: {
      ...process.env,
      REDIS_URL,
      PREFIX: `${db.prefix}:fanout`,
      WECOM_BASE: fake.base,
      ROBOTS: String(ROBOTS),
      POSTS_PER_ROBOT: String(PER_ROBOT),
      CONCURRENCY: String(CONCURRENCY),
      WINDOW_MS: String(WINDOW_MS),
      PER_WINDOW: String(PER_WINDOW),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(spawned);
  spawned.once('exit', () => children.delete(spawned));
  return spawned;
}

function exited(spawned: ChildProcess): Promise<number | null> {
  if (spawned.exitCode !== null || spawned.signalCode !== null) return Promise.resolve(spawned.exitCode);
  return new Promise((done) => spawned.once('exit', (code) => { done(code); }));
}

/** What the fake WeCom received, in arrival order: the group's webhook key and the post's text. */
const posted = (): Array<{ chat: string; text: string }> =>
  fake.received
    .filter((r) => r.path === '/cgi-bin/webhook/send')
    .map((r) => ({ chat: r.query.key ?? '', text: (r.body as { markdown: { content: string } }).markdown.content }));
const delivered = (): number => new Set(posted().map((p) => p.text)).size;

/**
 * SIGKILLs the child once `share` of the fan-out has arrived; returns the posts it was sending
 * then. Nothing else runs the queue now, so what is active was in flight when it died — apart from
 * posts stuck since an earlier kill (`before`), whose locks have not run out yet.
 */
async function killWhen(running: ChildProcess, share: number, before: ReadonlySet<string>): Promise<string[]> {
  await fake.waitFor(() => delivered() >= POSTS * share, 60_000);
  running.kill('SIGKILL');
  await exited(running);
  return (await queue.getActive()).map((job) => job.id ?? '').filter((id) => !before.has(id));
}

describe('an outbox process SIGKILLed twice in the middle of a fan-out to 30 robots', () => {
  it('delivers every post after it is started again, in order per robot, repeating only posts that were being sent at a kill', async () => {
    const inFlight: string[][] = [];
    inFlight.push(await killWhen(child(), 0.3, new Set()));
    const deliveredAtFirstKill = delivered();
    // Soon after: the posts stuck since the first kill are not taken up yet (BullMQ waits out
    // their 30 s lock), so the two outages overlap, and the whole test waits for that once.
    inFlight.push(await killWhen(child(), 0.55, new Set(inFlight.flat())));
    const deliveredAtSecondKill = delivered();
    const last = child();

    expect(await exited(last), 'the last process saw every post sent').toBe(0);
    expect(inFlight).toHaveLength(KILLS);
    // Both kills came in the middle of the fan-out.
    expect(deliveredAtFirstKill).toBeLessThan(POSTS);
    expect(deliveredAtSecondKill).toBeLessThan(POSTS);

    const arrivals = posted();
    const texts = counts(arrivals.map((a) => a.text));
    const all = Array.from({ length: ROBOTS }, (_, robot) => Array.from({ length: PER_ROBOT }, (__, n) => ({ robot, n })));
    // None lost.
    expect(all.flat().filter(({ robot, n }) => !texts.has(postText(robot, n))), 'posts never delivered').toEqual([]);
    // Each robot's posts first arrived in the order they were queued, and only in their own group.
    for (const [robot, posts] of all.entries()) {
      const mine = arrivals.filter((a) => a.chat === robotChat(robot)).map((a) => a.text);
      expect([...new Set(mine)], `order of ${robotChat(robot)}`).toEqual(posts.map(({ n }) => postText(robot, n)));
    }
    // At-least-once only for what was on the wire at a kill: at most CONCURRENCY posts each time.
    for (const active of inFlight) expect(active.length).toBeLessThanOrEqual(CONCURRENCY);
    const wereInFlight = new Set(inFlight.flat());
    const repeated = all.flat().filter(({ robot, n }) => (texts.get(postText(robot, n)) ?? 0) > 1);
    expect(repeated.filter(({ robot, n }) => !wereInFlight.has(postKey(robot, n))), 'repeated although not in flight at a kill').toEqual([]);
    for (const { robot, n } of repeated) expect(texts.get(postText(robot, n)), postKey(robot, n)).toBeLessThanOrEqual(KILLS + 1);
    expect(arrivals.length - POSTS).toBeLessThanOrEqual(KILLS * CONCURRENCY);
  }, 200_000);
});
