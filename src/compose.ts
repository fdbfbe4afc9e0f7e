/**
 * duban over one Redis, composed once (docs/architecture.md §5) — for `duban serve`, every other
 * CLI command and the tests alike. Each part is made from those before it, so nothing waits
 * for a part made later:
 *
 *   store → the platforms' posters → outbox → router (its commands post through the outbox) → inbound
 *
 * Nothing starts here: the caller starts the outbox's worker, the scheduler, the server and the
 * platforms' connections, as its command needs.
 */
import { commands, refreshersFor } from '../commands/index.js';
import { createAdapters, type AdaptersConfig } from './adapters/index.js';
import { DASHBOARD_SECRET, LINK_TTL_MS, signAccess } from './core/access.js';
import type { DashboardLink } from './core/command.js';
import type { Logger } from './core/logger.js';
import type { Metrics } from './core/metrics.js';
import type { AppSignIn, Inbound, Poster } from './core/platform.js';
import { countyWindow, tellLeaders, type Posts } from './core/posts.js';
import { createRouter, type RouteMessage } from './core/router.js';
import { createWorkCalendar } from './domain/calendar.js';
import type { ChatPlatform, WorkCalendar } from './domain/model.js';
import { createOutbox, type Outbox } from './outbox/index.js';
import type { RedisClient } from './store/connect.js';
import { createKeys } from './store/keys.js';
import { createRedisStore, type Store } from './store/redis-store.js';
import type { SecretStore } from './store/secrets.js';

export interface ComposeOptions {
  log: Logger;
  /** Redis key prefix; tests give each file its own, the demo has its own. */
  prefix?: string;
  /** The county's clock; tests fix it. */
  now?: () => Date;
  /** The platforms that are on, and the server's public origin for 看板 links (no origin, no links). */
  config?: AdaptersConfig & { publicUrl?: string };
  /** Where posts into the terminal's groups are printed; nowhere by default. */
  write?: (text: string) => void;
  /** Where commands hand their posts (催办): this composition's outbox, unless a test brings its own. */
  posts?: Posts;
  /** Where the router, the outbox and the platforms' connections count what they do (`duban serve`'s /metrics); nowhere by default. */
  metrics?: Metrics;
}

export interface Bot {
  store: Store;
  calendar: WorkCalendar;
  route: RouteMessage;
  /** How each platform that is on takes messages in: routes for the server, or a connection. */
  inbound: readonly Inbound[];
  /** The dashboard's sign-in inside a platform's app, when one is configured. */
  signIn?: AppSignIn;
  /** A line for the log about each platform that is off. */
  off: readonly string[];
  /** The outbox, opened when first asked for: a command that posts nothing opens no queue. */
  outbox(): Outbox;
  /** Closes the outbox, if it was opened; the Redis connection stays the caller's. */
  close(): Promise<void>;
}

export async function compose(redis: RedisClient, { log, prefix, now, config = {}, write = () => undefined, posts, metrics }: ComposeOptions): Promise<Bot> {
  const keys = createKeys(prefix);
  const store = createRedisStore(redis, keys);
  const calendar = createWorkCalendar(await store.calendarOverrides());
  const { adapters, off, signIn } = createAdapters(config, { store, log, write, metrics });
  const posters: Partial<Record<ChatPlatform, Poster>> = Object.fromEntries(adapters.map((a) => [a.platform, a.poster]));
  let opened: Outbox | undefined;
  const outbox = (): Outbox =>
    (opened ??= createOutbox({
      redis,
      queuePrefix: keys.queuePrefix(),
      store,
      posters,
      log: log.child({ part: 'outbox' }),
      window: countyWindow(store, calendar),
      refreshers: refreshersFor({ store, calendar }),
      onDeadLetter: tellLeaders(store),
      metrics,
    }));
  const dashboardLink = config.publicUrl === undefined ? undefined : linkMaker(store, config.publicUrl);
  const route = createRouter({
    store,
    calendar,
    log,
    commands,
    now,
    posts: posts ?? { enqueue: (queued, options) => outbox().enqueue(queued, options), delivering: () => outbox().delivering() },
    dashboardLink,
    metrics,
  });
  return {
    store,
    calendar,
    route,
    inbound: adapters.map((a) => a.receive(route)),
    ...(signIn ? { signIn } : {}),
    off,
    outbox,
    close: async () => { await opened?.close(); },
  };
}

/** Links to `/dashboard` signed with the bot's own secret (made once, shared by every instance). */
function linkMaker(store: Pick<SecretStore, 'secret'>, publicUrl: string): DashboardLink {
  return async (person, now) => {
    const token = signAccess(await store.secret(DASHBOARD_SECRET), { kind: 'link', platform: person.platform, user: person.user, expires: now.getTime() + LINK_TTL_MS });
    return `${publicUrl}/dashboard?t=${token}`;
  };
}
