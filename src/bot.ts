/**
 * The bot over one Redis: store, work calendar and router, as serve, say and chat all use them.
 */
import type { Redis } from 'ioredis';
import { commands } from '../commands/index.js';
import { DASHBOARD_SECRET, LINK_TTL_MS, signAccess } from './core/access.js';
import type { DashboardLink } from './core/command.js';
import type { Logger } from './core/logger.js';
import { createRouter, type RouteMessage } from './core/router.js';
import { createWorkCalendar } from './domain/calendar.js';
import type { WorkCalendar } from './domain/model.js';
import { createKeys } from './store/keys.js';
import { createRedisStore, type Store } from './store/redis-store.js';
import type { SecretStore } from './store/secrets.js';
import type { Posts } from './core/posts.js';

export interface Bot {
  store: Store;
  calendar: WorkCalendar;
  route: RouteMessage;
}

export interface BotOptions {
  log: Logger;
  /** Redis key prefix; tests give each file its own. */
  prefix?: string;
  now?: () => Date;
  /** Where commands hand posts into other groups (催办). */
  posts?: Posts;
  /** The server's public origin: 看板 gives links to its dashboard. Absent: no server, no links. */
  publicUrl?: string;
}

export async function createBot(redis: Redis, { log, prefix, now, posts, publicUrl }: BotOptions): Promise<Bot> {
  const store = createRedisStore(redis, createKeys(prefix));
  const calendar = createWorkCalendar(await store.calendarOverrides());
  const dashboardLink = publicUrl === undefined ? undefined : linkMaker(store, publicUrl);
  const route = createRouter({ store, calendar, log, commands, now, posts, dashboardLink });
  return { store, calendar, route };
}

/** Links to `/dashboard` signed with the bot's own secret (made once, shared by every instance). */
function linkMaker(store: Pick<SecretStore, 'secret'>, publicUrl: string): DashboardLink {
  return async (person, now) => {
    const token = signAccess(await store.secret(DASHBOARD_SECRET), { kind: 'link', platform: person.platform, user: person.user, expires: now.getTime() + LINK_TTL_MS });
    return `${publicUrl}/dashboard?t=${token}`;
  };
}
