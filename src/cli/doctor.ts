/**
 * `duban doctor`: checks what is configured, posting nothing, and says in Chinese what works and
 * what to fix; exit 1 when something is broken. This file gathers the facts — the environment,
 * the Redis that is there (none is started), the county in it, one request to each platform that
 * is on (an access token; the long connection's subscribe, unless a running instance holds it),
 * and GET PUBLIC_URL/healthz — and `doctor-report.ts` decides what they mean.
 *
 * Never a message: no webhook, no robot send, no `aibot_send_msg`. The tokens are fetched fresh
 * and not written to the bot's credential cache in Redis.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { fetchDingtalkToken } from '../adapters/dingtalk/send.js';
import { getJson } from '../adapters/http.js';
import { fetchAppToken } from '../adapters/wecom/app.js';
import { connectionLease } from '../adapters/wecom/long-connection.js';
import { probeSubscribe } from '../adapters/wecom/probe.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { SendError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { shownAddress } from '../core/redact.js';
import { createWorkCalendar } from '../domain/calendar.js';
import { beijingDate } from '../domain/dates.js';
import { doctor as D } from '../messages/index.js';
import { connectRedis, RedisUnavailableError, type RedisHandle } from '../store/connect.js';
import { createKeys } from '../store/keys.js';
import { createRedisStore, type Store } from '../store/redis-store.js';
import { isSentinelUrl } from '../store/sentinel-url.js';
import { configReport, doctorReport, renderReport, SOCKET_PROBE_SECONDS, type CallOutcome, type CountyFacts, type DoctorFacts, type HealthFacts, type RedisFacts, type RedisNamedBy, type SocketFacts } from './doctor-report.js';
import { options, UsageError, write, type CliIo } from './common.js';

const DEFAULT_REDIS = '127.0.0.1:6379';

/** REDIS_SENTINELS reaches the config as a `redis+sentinel://` URL, as a REDIS_URL naming Sentinels does. */
const redisNamedBy = (url: string | undefined): RedisNamedBy => (url === undefined ? 'default' : isSentinelUrl(url) ? 'sentinels' : 'url');
/** What duban's own /healthz answers (src/server/app.ts); another server behind PUBLIC_URL answers something else. */
const HealthSchema = z.looseObject({ redis: z.enum(['up', 'down']) });

export async function doctorCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = options(args, {});
  const [extra] = positionals;
  if (extra !== undefined) throw new UsageError(D.extra(extra));
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(io.stdout, renderReport(configReport(error.problems)));
    return 1;
  }
  const report = doctorReport(await gather(config, io, new Date()));
  write(io.stdout, renderReport(report));
  return report.exitCode;
}

async function gather(config: Config, io: CliIo, now: Date): Promise<DoctorFacts> {
  // Log lines are for a server's operators; doctor says everything in its report, unless
  // LOG_LEVEL asks for them (on stderr, apart from the report).
  const log = createLogger(config.logLevel ?? 'silent', (line) => { io.stderr.write(`${line}\n`); });
  let handle: RedisHandle | undefined;
  try {
    handle = await connectRedis(config.redisUrl, log, io.dataDir ?? resolve('data'), { start: false });
  } catch (error) {
    if (!(error instanceof RedisUnavailableError)) throw error;
  }
  try {
    const store = handle && createRedisStore(handle.redis, createKeys(io.prefix));
    const place = { where: handle?.where ?? (config.redisUrl === undefined ? DEFAULT_REDIS : shownAddress(config.redisUrl)), namedBy: redisNamedBy(config.redisUrl) };
    const redis: RedisFacts = store ? { ...place, up: true, durability: await store.durability() } : { ...place, up: false };
    const county = store ? await countyOf(store) : { state: 'unread' as const };
    const calendar = createWorkCalendar(store ? await store.calendarOverrides() : {});
    const { wecomApp: app, dingtalk: talk } = config;
    const [wecomSocket, wecomApp, dingtalk, health] = await Promise.all([
      socketFacts(config, store),
      app ? call(() => fetchAppToken({ corpId: app.corpId, secret: app.secret, apiBase: app.apiBase })) : undefined,
      talk ? call(() => fetchDingtalkToken({ clientId: talk.clientId, clientSecret: talk.clientSecret, apiBase: talk.apiBase })) : undefined,
      healthOf(config.publicUrl),
    ]);
    return {
      today: beijingDate(now),
      config,
      publicUrlSet: (io.env.PUBLIC_URL ?? '') !== '',
      redis,
      county,
      calendar,
      ...(wecomSocket === undefined ? {} : { wecomSocket }),
      ...(wecomApp === undefined ? {} : { wecomApp }),
      ...(dingtalk === undefined ? {} : { dingtalk }),
      health,
    };
  } finally {
    await handle?.close();
  }
}

async function countyOf(store: Store): Promise<CountyFacts> {
  const name = await store.countyName();
  if (name === undefined) return { state: 'none' };
  const [townships, groups, tasks] = await Promise.all([store.townships(), store.groups(), store.tasks()]);
  const openTasks = tasks.filter((t) => t.status === 'open');
  const granted = await store.grantedDeadlines(openTasks.map((t) => t.id));
  return { state: 'loaded', name, townships, groups, openTasks, granted };
}

/**
 * The long connection, in websocket mode: WeCom keeps one connection per bot and a new subscribe
 * kicks the one it has, so a bot an instance holds (its lease in Redis) is not probed; nor is it
 * when there is no Redis to tell.
 */
async function socketFacts(config: Config, store: Store | undefined): Promise<SocketFacts | undefined> {
  const { wecom } = config;
  if (wecom?.mode !== 'websocket') return undefined;
  if (!store) return { kind: 'unchecked' };
  if ((await store.leaseHolder(connectionLease(wecom.botId))) !== undefined) return { kind: 'held' };
  return probeSubscribe({ url: wecom.wsUrl, botId: wecom.botId, botSecret: wecom.botSecret, timeoutMs: SOCKET_PROBE_SECONDS * 1000 });
}

/** A platform request's outcome, by the SendError it throws (src/adapters/http.ts names its own codes). */
async function call(request: () => Promise<unknown>): Promise<CallOutcome> {
  try {
    await request();
    return { kind: 'ok' };
  } catch (error) {
    if (!(error instanceof SendError)) return { kind: 'failed', detail: error instanceof Error ? error.message : String(error) };
    // "… refused /cgi-bin/gettoken: 40013 invalid corpid", "… unreachable: fetch failed (ECONNREFUSED)": what follows the first ": ".
    const detail = error.message.replace(/^.*?: /, '');
    if (error.code === 'network') return { kind: 'unreachable', detail };
    if (error.code === 'bad-answer' || /^(?:http|redirect)-\d+$/.test(error.code)) return { kind: 'failed', detail: error.message };
    return { kind: 'refused', code: error.code, detail };
  }
}

/** GET /healthz on the public origin: duban answers `{status, redis}` (src/server/app.ts), 200 or 503. */
async function healthOf(publicUrl: string): Promise<HealthFacts> {
  try {
    const { status, json } = await getJson(new URL('/healthz', publicUrl));
    const ours = HealthSchema.safeParse(json);
    if (ours.success) return { kind: 'ours', redisUp: ours.data.redis === 'up' };
    return status >= 200 && status < 300 ? { kind: 'not-ours' } : { kind: 'status', status };
  } catch (error) {
    if (!(error instanceof SendError)) throw error;
    if (error.code.startsWith('redirect-')) return { kind: 'redirect', status: `HTTP ${error.code.slice('redirect-'.length)}` };
    if (error.code === 'bad-answer') return { kind: 'not-ours' };
    return { kind: 'unreachable', detail: error.message.replace(/^.*?: /, '') };
  }
}
