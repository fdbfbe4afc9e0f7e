/**
 * A bot process as `duban serve` runs its outbox — the app's Redis client (`connectRedis`: fails
 * fast while Redis is away) and the outbox's own waiting connection — that queues POSTS_PER_ROBOT
 * posts into each of ROBOTS WeCom groups and delivers them until it is told to stop (SIGTERM).
 * The Redis outage fault test takes Redis away in the middle and brings it back; this process is
 * never restarted. Run from the build (`node dist/test/faults/helpers/outage-child.js`) with
 * REDIS_URL, PREFIX, WECOM_BASE, ROBOTS, POSTS_PER_ROBOT, WINDOW_MS and PER_WINDOW set. Log lines
 * (warnings and up) go to stderr, as serve's do.
 */
import { createWecom } from '../../../src/adapters/wecom/index.js';
import { createLogger } from '../../../src/core/logger.js';
import type { Post } from '../../../src/core/posts.js';
import { createOutbox } from '../../../src/outbox/index.js';
import { connectRedis } from '../../../src/store/connect.js';
import { createKeys } from '../../../src/store/keys.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { postKey, postText, robotChat } from './fanout.js';

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
  const log = createLogger('warn');
  const handle = await connectRedis(env('REDIS_URL'), log);
  const keys = createKeys(env('PREFIX'));
  const store = createRedisStore(handle.redis, keys);
  const base = env('WECOM_BASE');
  const robots = count('ROBOTS');
  const perRobot = count('POSTS_PER_ROBOT');
  for (let robot = 0; robot < robots; robot++) {
    await store.saveGroup({ platform: 'wecom', chat: robotChat(robot), township: '城关镇', webhook: `${base}/cgi-bin/webhook/send?key=${robotChat(robot)}` });
  }
  const { poster } = createWecom(
    { token: 'outageToken', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', apiBase: base },
    { store, log },
  );
  const outbox = createOutbox({
    redis: handle.redis,
    queuePrefix: keys.queuePrefix(),
    store,
    posters: { wecom: poster },
    log,
    windowMs: count('WINDOW_MS'),
    perMinute: count('PER_WINDOW'),
    ...(process.env.WATCHDOG_MS === undefined ? {} : { watchdogMs: count('WATCHDOG_MS') }),
  });
  const posts: Post[] = [];
  for (let robot = 0; robot < robots; robot++) {
    for (let n = 0; n < perRobot; n++) posts.push({ key: postKey(robot, n), platform: 'wecom', chat: robotChat(robot), message: { lines: [[postText(robot, n)]] } });
  }
  await outbox.enqueue(posts);
  outbox.start();
  // The test says when it has seen enough; the outbox keeps delivering until then.
  await new Promise<void>((done) => process.once('SIGTERM', () => { done(); }));
  await outbox.close();
  await handle.close();
}

await main();
