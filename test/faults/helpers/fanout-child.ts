/**
 * A process that queues a fan-out — POSTS_PER_ROBOT posts into each of ROBOTS WeCom groups — and
 * delivers it through the outbox, as `serve` would; the crash fault test SIGKILLs it mid-way and
 * starts it again. Queuing again is harmless: a key queued before stays as it is. Run from the
 * build (`node dist/test/faults/helpers/fanout-child.js`) with REDIS_URL, PREFIX, WECOM_BASE,
 * ROBOTS, POSTS_PER_ROBOT, CONCURRENCY, WINDOW_MS and PER_WINDOW set. Exits 0 once every post is
 * sent, 1 otherwise.
 */
import { Redis } from 'ioredis';
import { createWecom } from '../../../src/adapters/wecom/index.js';
import { createLogger } from '../../../src/core/logger.js';
import { createOutbox } from '../../../src/outbox/index.js';
import { createKeys } from '../../../src/store/keys.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { postKey, postText, robotChat } from './fanout.js';
import type { Post } from '../../../src/core/posts.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const count = (name: string): number => {
  const value = Number(env(name));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};

async function main(): Promise<void> {
  const redis = new Redis(env('REDIS_URL'));
  const keys = createKeys(env('PREFIX'));
  const store = createRedisStore(redis, keys);
  const log = createLogger('silent');
  const base = env('WECOM_BASE');
  const robots = count('ROBOTS');
  const perRobot = count('POSTS_PER_ROBOT');
  for (let robot = 0; robot < robots; robot++) {
    await store.saveGroup({ platform: 'wecom', chat: robotChat(robot), township: '城关镇', webhook: `${base}/cgi-bin/webhook/send?key=${robotChat(robot)}` });
  }
  const { poster } = createWecom(
    { token: 'fanoutToken', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', apiBase: base },
    { store, log },
  );
  const outbox = createOutbox({
    redis,
    queuePrefix: keys.queuePrefix(),
    store,
    posters: { wecom: poster },
    log,
    concurrency: count('CONCURRENCY'),
    windowMs: count('WINDOW_MS'),
    perMinute: count('PER_WINDOW'),
  });
  // Robot by robot, as a monthly ranking fans out group by group.
  const posts: Post[] = [];
  for (let robot = 0; robot < robots; robot++) {
    for (let n = 0; n < perRobot; n++) posts.push({ key: postKey(robot, n), platform: 'wecom', chat: robotChat(robot), message: { lines: [[postText(robot, n)]] } });
  }
  await outbox.enqueue(posts);
  outbox.start();
  // Posts a killed process was sending are taken up again only once BullMQ sees them stalled
  // (its 30 s lock, checked every 30 s): give that room, twice over.
  const states = await outbox.settled(posts.map((p) => p.key), 150_000);
  await outbox.close();
  redis.disconnect();
  process.exitCode = [...states.values()].every((s) => s === 'sent') ? 0 : 1;
}

await main();
