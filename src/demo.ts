/**
 * `npm run demo` (`duban serve --demo`): the sample county in a key space of its own, built
 * around the day it starts (src/domain/demo.ts), so every light, deadline and rank reads as a
 * county in use today. It never touches a real county's keys: a private redis-server under
 * ./data/demo where one can be started, and always the demo's own prefix.
 */
import { readFileSync } from 'node:fs';
import { createWorkCalendar, estimatingBeyondCoverage } from './domain/calendar.js';
import { beijingDate } from './domain/dates.js';
import { planDemo } from './domain/demo.js';
import type { Reporter, Township } from './domain/model.js';
import type { Logger } from './core/logger.js';
import { demoDataDir, SAMPLE_COUNTY } from './paths.js';
import { readSetup } from './setup/index.js';
import { connectPrivateRedis, connectRedis, RedisUnavailableError, type RedisHandle } from './store/connect.js';
import { createKeys, DEMO_PREFIX } from './store/keys.js';
import { createRedisStore } from './store/redis-store.js';
import type { CountySetupStore } from './store/county-setup.js';
import type { LedgerStore } from './store/ledger.js';
import type { RequestStore } from './store/requests.js';

/** The township whose clerk the terminal speaks as (the sample's 李联络). */
export const DEMO_TOWNSHIP = '城关镇';

export type DemoOutcome = 'kept' | 'built';

/**
 * When the demo county is built: `fresh`, whatever is there (`--fresh`); `new-day`, unless today's
 * is there (`serve --demo`: a demo of another day has drifted out of the present); `if-missing`,
 * only when there is none (`say --demo`, `job --demo`: never under a running demo's feet).
 */
export type DemoBuild = 'fresh' | 'new-day' | 'if-missing';

/**
 * The demo's Redis and key space, with today's demo county in it. Its own redis-server under
 * `<dataDir>/demo` (one already running there is reused); without redis-server, the Redis the bot
 * would use — the demo's prefix keeps it apart there.
 */
export async function openDemo(
  redisUrl: string | undefined,
  log: Logger,
  options: { dataDir: string; prefix?: string; build: DemoBuild; now: Date },
): Promise<{ redis: RedisHandle; prefix: string; outcome: DemoOutcome }> {
  let redis: RedisHandle;
  try {
    redis = await connectPrivateRedis(demoDataDir(options.dataDir), log);
  } catch (error) {
    if (!(error instanceof RedisUnavailableError)) throw error;
    log.warn('no redis-server for the demo; using the shared Redis under the demo prefix');
    redis = await connectRedis(redisUrl, log, options.dataDir);
  }
  const prefix = options.prefix ?? DEMO_PREFIX;
  const outcome = await prepareDemo(createRedisStore(redis.redis, createKeys(prefix)), options.now, options.build);
  return { redis, prefix, outcome };
}

/** Builds the demo county around `now`'s day as `build` says (the reports typed into an old one go). */
export async function prepareDemo(store: CountySetupStore & Pick<LedgerStore, 'recordReport'> & Pick<RequestStore, 'openExtension'>, now: Date, build: DemoBuild): Promise<DemoOutcome> {
  const today = beijingDate(now);
  const built = await store.demoBuiltOn();
  if ((build === 'new-day' && built === today) || (build === 'if-missing' && built !== undefined)) return 'kept';
  const file = SAMPLE_COUNTY();
  const sample = readSetup(readFileSync(file), file);
  if (!sample.ok) throw new Error(`the sample county does not parse: ${sample.errors.join('; ')}`);
  const { county } = sample;
  const clerks = new Map<string, Reporter>();
  for (const p of county.people) if (p.township !== undefined && p.platform !== 'console' && !clerks.has(p.township)) clerks.set(p.township, { platform: p.platform, user: p.user, name: p.name });
  const reporterOf = (t: Township): Reporter => clerks.get(t.id) ?? { platform: 'console', user: `${t.id}联络员`, name: `${t.name}联络员` };
  const calendar = estimatingBeyondCoverage(createWorkCalendar(sample.calendar));
  const plan = planDemo({ townships: county.townships, tasks: county.tasks, reporterOf, featured: DEMO_TOWNSHIP, now, today, calendar });

  await store.wipe();
  await store.loadCounty({ ...county, tasks: plan.tasks }, sample.calendar, sample.schedule);
  for (const [i, r] of plan.reports.entries()) {
    await store.recordReport({ ...r, source: `demo:${String(i)}` });
  }
  for (const [i, r] of plan.requests.entries()) {
    await store.openExtension({ ...r, source: `demo:request:${String(i)}` });
  }
  await store.markDemoBuilt(today);
  return 'built';
}
