/**
 * The bot over real Redis with a clock the test moves, and a `say` that speaks as someone
 * somewhere — the same path `duban say` and the webhooks take.
 */
import { say as sayThrough, type Speaker } from '../../src/adapters/console/index.js';
import { createBot, type Bot } from '../../src/bot.js';
import type { Posts } from '../../src/core/command.js';
import { createLogger } from '../../src/core/logger.js';
import type { County } from '../../src/store/types.js';
import { testCounty } from '../fixtures/county.js';
import { openTestRedis, type TestRedis } from './redis.js';

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

export async function openTestBot(
  fileUrl: string,
  county: County = testCounty,
  start = '2026-11-23T09:00:00+08:00',
  options: { posts?: Posts; publicUrl?: string } = {},
): Promise<TestBot> {
  const db = await openTestRedis(fileUrl);
  const clock = {
    now: new Date(start),
    set(iso: string) {
      clock.now = new Date(iso);
    },
  };
  const log = createLogger('silent');
  const prefix = `${db.prefix}:bot`;
  const seed = await createBot(db.redis, { log, prefix });
  await seed.store.loadCounty(county, { rest: [], work: [], years: [] });
  const bot = await createBot(db.redis, { log, prefix, now: () => clock.now, posts: options.posts, publicUrl: options.publicUrl });
  return {
    ...bot,
    db,
    clock,
    say: (speaker, text, messageId) => sayThrough(bot.route, speaker, text, messageId),
    close: () => db.close(),
  };
}
