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

function child(): ChildProcess {
  return spawn(process.execPath, ['dist/test/helpers/outbox-child.js'], {
    env: { ...process.env, REDIS_URL, PREFIX: `${db.prefix}:crash`, WECOM_BASE: fake.base, POSTS: String(POSTS) },
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
