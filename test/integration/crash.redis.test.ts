/**
 * A real process killed in the middle of delivering a group's posts, and started again: every
 * post arrives once, in order. The child runs from the build, so this file builds first.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import { openTestRedis, REDIS_URL, type TestRedis } from '../helpers/redis.js';

const POSTS = 5;
let db: TestRedis;
let fake: FakeWecom;

beforeAll(async () => {
  // tsc is incremental: a second or two when the build is current.
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc'], { stdio: 'inherit' });
  db = await openTestRedis(import.meta.url);
  fake = await startFakeWecom();
}, 120_000);
afterAll(async () => {
  await fake.close();
  await db.close();
});

function child(env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['dist/test/helpers/outbox-child.js'], {
    env: { ...process.env, REDIS_URL, PREFIX: `${db.prefix}:crash`, WECOM_BASE: fake.base, POSTS: String(POSTS), ...env },
    stdio: 'inherit',
  });
}

const exited = (process: ChildProcess): Promise<number | null> => new Promise((done) => process.once('exit', (code) => { done(code); }));
const posted = () => fake.received.filter((r) => r.query.key === 'crash').map((r) => (r.body as { markdown: { content: string } }).markdown.content);

describe('an outbox process killed mid-delivery', () => {
  it('delivers every post once, in order, after it is started again', async () => {
    const first = child();
    await fake.waitFor(() => posted().length === 2, 15_000);
    // Between two posts (they are a second apart): nothing is being sent at this moment.
    await new Promise((done) => setTimeout(done, 400));
    first.kill('SIGKILL');
    await exited(first);
    const killedAfter = posted().length;

    const second = child();
    expect(await exited(second)).toBe(0);
    expect(killedAfter).toBeLessThan(POSTS);
    expect(posted()).toEqual(Array.from({ length: POSTS }, (_, i) => `第${String(i + 1)}条`));
  }, 60_000);
});

describe('an outbox process killed after the last part of a post went out, before its job completed', () => {
  it('sends nothing of that post again after it is started again', async () => {
    // Its own queue: the job left active by the kill is taken up once BullMQ finds it stalled —
    // its lock run out, at a check — which with the outbox's 30 s lock took 61 s and more; a 2 s
    // lock here (sends to the fake are instant) makes it a few seconds.
    const env = { PREFIX: `${db.prefix}:last-part`, KEY: 'crash-last', POSTS: '1', PICTURE: '1', LOCK_MS: '2000' };
    const picturesAndTexts = () => fake.received.filter((r) => r.query.key === 'crash-last').map((r) => (r.body as { msgtype: string }).msgtype);
    const killed = child({ ...env, DIE_AFTER_POSTED: '1' });
    await exited(killed);
    const sentBeforeKill = picturesAndTexts();

    const again = child({ ...env, SETTLE_MS: '30000' });

    expect(killed.signalCode).toBe('SIGKILL');
    expect(sentBeforeKill).toEqual(['image', 'markdown']);
    expect(await exited(again), 'the restarted process saw the post completed').toBe(0);
    expect(picturesAndTexts()).toEqual(['image', 'markdown']);
  }, 60_000);
});
