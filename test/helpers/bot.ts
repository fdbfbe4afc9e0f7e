/**
 * The bot over real Redis with a clock the test moves, and a `say` that speaks as someone
 * somewhere — the same path `duban say` and the webhooks take.
 */
import { say as sayThrough, type Speaker } from '../../src/adapters/console/index.js';
import { compose, type Bot } from '../../src/compose.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import { prepareDemo } from '../../src/demo.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { testCounty } from '../fixtures/county.js';
import { openTestRedis, type TestRedis } from './redis.js';
import type { County } from '../../src/domain/model.js';
import type { Posts } from '../../src/core/posts.js';

export interface TestBot extends Bot {
  db: TestRedis;
  /** The time the bot reads; move it with `clock.set`. */
  clock: { now: Date; set(iso: string): void };
  say(speaker: Speaker, text: string, messageId?: string): Promise<string>;
  close(): Promise<void>;
}

export const clerk: Speaker = { platform: 'console', chat: '城关镇工作群', user: '联络员' };
export const hongxingClerk: Speaker = { platform: 'console', chat: '红星乡工作群', user: '红星联络员' };
export const leader: Speaker = { platform: 'console', chat: '领导群', user: '书记' };
export const leaderDirect: Speaker = { platform: 'console', user: '书记' };
export const admin: Speaker = { platform: 'console', chat: '城关镇工作群', user: '管理员' };

export interface BotOptions {
  posts?: Posts;
  publicUrl?: string;
  /** Where the bot logs; nowhere by default. */
  log?: Logger;
}

/** The bot as `compose` makes it for every caller, over what `seed` put under a fresh prefix, reading the test's clock. */
async function openBot(fileUrl: string, start: string, options: BotOptions, seed: (prefix: string, db: TestRedis, now: Date) => Promise<void>): Promise<TestBot> {
  const db = await openTestRedis(fileUrl);
  const clock = {
    now: new Date(start),
    set(iso: string) {
      clock.now = new Date(iso);
    },
  };
  const prefix = `${db.prefix}:bot`;
  await seed(prefix, db, clock.now);
  const bot = await compose(db.redis, { log: options.log ?? createLogger('silent'), prefix, now: () => clock.now, posts: options.posts, config: { publicUrl: options.publicUrl } });
  return {
    ...bot,
    db,
    clock,
    say: (speaker, text, messageId) => sayThrough(bot.route, speaker, text, messageId),
    async close() {
      await bot.close();
      await db.close();
    },
  };
}

/**
 * The bot over the demo county as `npm run demo` builds it on the day of `start`: the sample
 * county moved around that day, with its made-up reports — the county the README speaks of.
 */
export function openDemoBot(fileUrl: string, start: string, options: BotOptions = {}): Promise<TestBot> {
  return openBot(fileUrl, start, options, async (prefix, db, now) => {
    await prepareDemo(createRedisStore(db.redis, createKeys(prefix)), now, 'fresh');
  });
}

export function openTestBot(fileUrl: string, county: County = testCounty, start = '2026-11-23T09:00:00+08:00', options: BotOptions = {}): Promise<TestBot> {
  return openBot(fileUrl, start, options, async (prefix, db) => {
    await createRedisStore(db.redis, createKeys(prefix)).loadCounty(county, { rest: [], work: [], years: [] });
  });
}
