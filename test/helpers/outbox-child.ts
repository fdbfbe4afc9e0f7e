/**
 * A process that queues POSTS posts for one WeCom group and delivers them, one a second: the
 * crash test kills it in the middle and starts it again. Run from the build
 * (`node dist/test/helpers/outbox-child.js`) with REDIS_URL, PREFIX, WECOM_BASE and POSTS set.
 * Optional: KEY is the group's webhook key ('crash'); PICTURE=1 gives every post a picture (two parts: the picture, then the text);
 * DIE_AFTER_POSTED=1 makes the process SIGKILL itself the moment it logs its first post as posted
 * (every part sent, the job not yet completed); SETTLE_MS is how long it waits for the posts (30 s);
 * LOCK_MS is the outbox's job lock (30 s), which bounds how soon a post left active by a killed
 * process is taken up again.
 */
import { Redis } from 'ioredis';
import { createWecom } from '../../src/adapters/wecom/index.js';
import { createLogger } from '../../src/core/logger.js';
import { createOutbox } from '../../src/outbox/index.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

/** Stands for a chart: WeCom's webhook takes any base64 picture small enough (the fake checks nothing more). */
const PICTURE = Buffer.from('a chart, as PNG bytes would be').toString('base64');

async function main(): Promise<void> {
  const redis = new Redis(env('REDIS_URL'));
  const keys = createKeys(env('PREFIX'));
  const store = createRedisStore(redis, keys);
  const dieAfterPosted = process.env.DIE_AFTER_POSTED === '1';
  const log = dieAfterPosted
    ? createLogger('info', (line) => {
        // Synchronous, inside the outbox's own step: nothing after the log line runs.
        if ((JSON.parse(line) as { msg?: string }).msg === 'posted') process.kill(process.pid, 'SIGKILL');
      })
    : createLogger('silent');
  const webhook = `${env('WECOM_BASE')}/cgi-bin/webhook/send?key=${process.env.KEY ?? 'crash'}`;
  await store.saveGroup({ platform: 'wecom', chat: 'wrkCrash', township: '城关镇', webhook });
  const { poster } = createWecom(
    { token: 'crashToken', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', apiBase: env('WECOM_BASE') },
    { store, log },
  );
  const lockMs = process.env.LOCK_MS === undefined ? {} : { lockMs: Number(process.env.LOCK_MS) };
  const outbox = createOutbox({ redis, queuePrefix: keys.queuePrefix(), store, posters: { wecom: poster }, log, perMinute: 1, windowMs: 1000, ...lockMs });
  const posts = Array.from({ length: Number(env('POSTS')) }, (_, i) => ({
    key: `crash/${String(i + 1)}`,
    platform: 'wecom' as const,
    chat: 'wrkCrash',
    message: { lines: [[`第${String(i + 1)}条`]], ...(process.env.PICTURE === '1' ? { image: { base64: PICTURE } } : {}) },
  }));
  await outbox.enqueue(posts);
  outbox.start();
  const states = await outbox.settled(posts.map((p) => p.key), Number(process.env.SETTLE_MS ?? 30_000));
  await outbox.close();
  redis.disconnect();
  process.exitCode = [...states.values()].every((s) => s === 'sent') ? 0 : 1;
}

await main();
