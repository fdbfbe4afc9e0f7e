/**
 * The bot over one Redis: store, work calendar and router, as serve, say and chat all use them.
 */
import type { Redis } from 'ioredis';
import { commands } from '../commands/index.js';
import type { Enqueue } from './core/command.js';
import type { Logger } from './core/logger.js';
import { createRouter, type Router } from './core/router.js';
import { createWorkCalendar } from './domain/calendar.js';
import type { WorkCalendar } from './domain/model.js';
import { createKeys } from './store/keys.js';
import { createRedisStore } from './store/redis-store.js';
import type { Store } from './store/types.js';

export interface Bot {
  store: Store;
  calendar: WorkCalendar;
  route: Router;
}

export interface BotOptions {
  log: Logger;
  /** Redis key prefix; tests give each file its own. */
  prefix?: string;
  now?: () => Date;
  /** Where commands hand posts into other groups (催办). */
  enqueue?: Enqueue;
}

export async function createBot(redis: Redis, { log, prefix, now, enqueue }: BotOptions): Promise<Bot> {
  const store = createRedisStore(redis, createKeys(prefix));
  const calendar = createWorkCalendar(await store.calendarOverrides());
  const route = createRouter({ store, calendar, log, commands, now, enqueue });
  return { store, calendar, route };
}
