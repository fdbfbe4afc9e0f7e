/**
 * Finding a Redis (docs/design.md §6): REDIS_URL if set; else the one on 127.0.0.1:6379; else a private
 * redis-server with its data under ./data (AOF on), started here and stopped on exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../core/logger.js';
import { rememberSecret, shownAddress } from '../core/redact.js';
import { cli } from '../messages/index.js';
import { createHealthStore } from './health.js';
import { parseSentinelUrl, type SentinelSettings } from './sentinel-url.js';

/** The client the stores and the outbox's queue share: only `src/store/` names ioredis. */
export type RedisClient = Redis;

export interface RedisHandle {
  redis: RedisClient;
  /** A URL to reach it again (`redis://…` or `unix://…`). */
  url: string;
  /** Where it is, for the log: the URL without a password. */
  where: string;
  /** True when this process started the server and will stop it. */
  embedded: boolean;
  close(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 6379;
const START_TIMEOUT_MS = 5_000;

// Fail fast rather than queue: a command that waits for a dead Redis would leave a platform
// callback hanging past its deadline; the caller decides what an outage means.
// No auto-pipelining: it holds each command issued while a batch is in flight until that batch's
// replies are back (ioredis's autoPipelining.js), so under load a report's commands outlived two
// young-generation collections — the server promoted 200 MB over an inbound benchmark, 44 MB
// without it, and collected its old generation 28 times instead of 8. Sent at once, side by side,
// the bot answered about as many reports a second or more, with a lower p99 (README, "Changed").
// A tick's commands still leave in one write (writeOncePerTick), and bulk reads and writes batch
// themselves with explicit pipelines (redis-io.ts).
const options: RedisOptions = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, enableAutoPipelining: false };

/**
 * The commands a message sends together — its kept reply with the county's version, its report
 * with the ranking clock — leave in one socket write instead of one each: the bot's writes to Redis
 * took about a quarter of its CPU per report (`writeUtf8String` and `writev` in a profile of the
 * inbound benchmark; README, "Changed"). The socket is corked at a tick's first write and uncorked
 * once the tick's synchronous work is done, on `process.nextTick`
 * (https://nodejs.org/api/stream.html#writablecork). Unlike auto-pipelining, no command waits for
 * the replies to an earlier batch. Every new socket of a reconnection is batched the same way.
 */
export function writeOncePerTick(redis: Redis): void {
  const batched = new WeakSet<Redis['stream']>();
  const batch = (): void => {
    const socket = redis.stream;
    if (batched.has(socket)) return;
    batched.add(socket);
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    let corked = false;
    const uncork = (): void => {
      corked = false;
      socket.uncork();
    };
    socket.write = (...args: unknown[]): boolean => {
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      return write(...args);
    };
  };
  batch();
  redis.on('connect', batch);
}

/**
 * How long finding a Redis may take. A plain address fails within `connectTimeout`; a Sentinel
 * client asks every sentinel in turn and, when none answers, starts again for ever (ioredis's
 * default `sentinelRetryStrategy`), so `duban doctor` or `serve` would wait without a word.
 */
const FIRST_CONNECT_MS = 10_000;

async function tryConnect(redis: Redis): Promise<boolean> {
  // Without a listener ioredis prints "Unhandled error event" for a probe that is meant to fail.
  const quiet = (): void => undefined;
  redis.on('error', quiet);
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new Error(`no Redis within ${String(FIRST_CONNECT_MS)} ms`)); }, FIRST_CONNECT_MS);
  });
  try {
    await Promise.race([redis.connect().then(() => redis.ping()), gaveUp]);
    return true;
  } catch {
    // Also ends a Sentinel client's round of asking.
    redis.disconnect();
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** How long an ended client waits before it connects again: a failover takes seconds. */
const CONNECT_AGAIN_MS = 1_000;

/**
 * Connects `redis` again whenever it ends while `closed()` says it is in use. ioredis ends a client
 * for good when its connector gives up in the middle of a connect, and a Sentinel client's does
 * when `+switch-master` arrives while it is reconnecting after its master died: the failover
 * detector closes the connector under the connect in progress, which then fails with "Connection
 * is closed." (ioredis 6, `SentinelConnector.connect`), and every command after it fails the same
 * way. Seen in the fault suite's master kill: the bot answered 503 until it was restarted.
 */
export function connectAgainWhenEnded(redis: Redis, log: Logger, closed: () => boolean): void {
  redis.on('end', () => {
    if (closed()) return;
    log.warn('redis client ended; connecting again', { inMs: CONNECT_AGAIN_MS });
    setTimeout(() => {
      if (!closed() && redis.status === 'end') redis.connect().catch(() => undefined);
    }, CONNECT_AGAIN_MS).unref();
  });
}

function handle(redis: Redis, url: string, log: Logger, child?: ChildProcess): RedisHandle {
  writeOncePerTick(redis);
  redis.removeAllListeners('error');
  let closing = false;
  connectAgainWhenEnded(redis, log, () => closing);
  // ioredis reconnects by itself; say so once per outage rather than once per retry.
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) log.warn('redis connection lost; reconnecting', { error: error.message });
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info('redis connection back');
    down = false;
  });
  return {
    redis,
    url,
    where: shownAddress(url),
    embedded: child !== undefined,
    async close() {
      closing = true;
      await redis.quit().catch(() => undefined);
      if (child && child.exitCode === null) {
        // SIGTERM makes redis-server flush the AOF and exit cleanly.
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * `start: false` (duban doctor) finds a Redis that is already there — REDIS_URL, 127.0.0.1:6379,
 * or the private one another duban process runs under `dataDir` — and starts none.
 */
export async function connectRedis(url: string | undefined, log: Logger, dataDir = resolve('data'), { start = true }: { start?: boolean } = {}): Promise<RedisHandle> {
  if (url !== undefined) {
    rememberRedisPassword(url);
    const sentinel = parseSentinelUrl(url);
    // ioredis takes a socket as a bare path; `unix://` is our spelling of it in REDIS_URL.
    const redis = sentinel ? new Redis(sentinelOptions(sentinel)) : new Redis(url.startsWith('unix://') ? url.slice('unix://'.length) : url, options);
    if (await tryConnect(redis)) return handle(redis, url, log);
    throw new RedisUnavailableError(sentinel ? cli.redis.sentinelsUnreachable(shownAddress(url)) : cli.redis.unreachable(shownAddress(url)));
  }
  const local = new Redis({ ...options, host: DEFAULT_HOST, port: DEFAULT_PORT });
  if (await tryConnect(local)) return handle(local, `redis://${DEFAULT_HOST}:${String(DEFAULT_PORT)}`, log);
  if (!start) {
    const running = await runningPrivateRedis(dataDir, log);
    if (running) return running;
    throw new RedisUnavailableError(cli.redis.none);
  }
  return connectPrivateRedis(dataDir, log);
}

/**
 * ioredis asks the sentinels for the master named `name`, connects to it and checks its ROLE; when
 * the connection drops it asks them again, so after a failover it lands on the promoted replica
 * (https://github.com/redis/ioredis#sentinel). `failoverDetector` also listens for the sentinels'
 * `+switch-master`, so a master demoted while still alive is left at once rather than at its first
 * refused write. The rest is as for a single Redis: no offline queue, so while there is no master a
 * command fails at once and the webhook answers 503 (docs/design.md §7).
 */
export function sentinelOptions(settings: SentinelSettings): RedisOptions {
  return {
    ...options,
    sentinels: settings.sentinels,
    name: settings.name,
    role: 'master',
    failoverDetector: true,
    ...(settings.username === undefined ? {} : { username: settings.username }),
    ...(settings.password === undefined ? {} : { password: settings.password }),
    ...(settings.sentinelPassword === undefined ? {} : { sentinelPassword: settings.sentinelPassword }),
  };
}

/** The password in a Redis URL (user-info or `?password=`), as ioredis reads it, is masked in every log line. */
function rememberRedisPassword(url: string): void {
  const sentinel = parseSentinelUrl(url);
  if (sentinel) {
    rememberSecret(sentinel.password);
    rememberSecret(sentinel.sentinelPassword);
    return;
  }
  if (!URL.canParse(url)) return;
  const parsed = new URL(url);
  for (const value of [parsed.password, parsed.searchParams.get('password') ?? '', parsed.searchParams.get('sentinelPassword') ?? '']) {
    rememberSecret(value);
    // ioredis decodes the user-info; a stray `%` makes that throw, and then the raw form is all there is.
    try {
      rememberSecret(decodeURIComponent(value));
    } catch {
      // remembered as written above
    }
  }
}

/**
 * The private redis-server whose data is under `dataDir`: the one another duban process started
 * there, else a new one, stopped on close.
 */
export async function connectPrivateRedis(dataDir: string, log: Logger): Promise<RedisHandle> {
  return (await runningPrivateRedis(dataDir, log)) ?? startPrivate(dataDir, resolve(dataDir, 'redis.sock'), log);
}

/** The private redis-server another duban process started under `dataDir`, if it answers. */
async function runningPrivateRedis(dataDir: string, log: Logger): Promise<RedisHandle | undefined> {
  const socket = resolve(dataDir, 'redis.sock');
  if (!existsSync(socket)) return undefined;
  const shared = new Redis({ ...options, path: socket });
  return (await tryConnect(shared)) ? handle(shared, `unix://${socket}`, log) : undefined;
}

/**
 * What in a Redis's settings breaks the promise that a confirmed report is kept (docs/design.md §7): no
 * AOF (a restart loses everything since the last snapshot, or all of it), or an eviction policy
 * (under memory pressure Redis would drop ledger entries and dedupe markers). A managed Redis may
 * refuse CONFIG; then only what INFO shows is checked (`durability`, health.ts, which `duban doctor` reads too).
 */
export async function persistenceProblems(redis: Redis): Promise<string[]> {
  const { aof, maxmemoryPolicy } = await createHealthStore(redis).durability();
  const problems: string[] = [];
  if (aof === false) problems.push('appendonly is off: a restart of Redis loses what it has not snapshotted (set appendonly yes)');
  if (maxmemoryPolicy !== undefined && maxmemoryPolicy !== 'noeviction') problems.push(`maxmemory-policy is ${maxmemoryPolicy}: under memory pressure Redis would drop ledger entries (set noeviction)`);
  return problems;
}

async function startPrivate(dataDir: string, socket: string, log: Logger): Promise<RedisHandle> {
  mkdirSync(dataDir, { recursive: true });
  // A unix socket, no TCP port: private to this machine's user, and no clash with other Redis.
  // AOF fsynced every second, and no eviction: what `persistenceProblems` asks of any Redis.
  const args = ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'];
  // Nothing of our environment: it holds the platforms' secrets, and redis-server needs none of it
  // (nor a preload meant for this process, such as libfaketime's in `npm run test:dates`).
  const child = spawn('redis-server', args, { stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const failed = new Promise<'failed'>((done) => {
    child.once('error', () => { done('failed'); });
    child.once('exit', () => { done('failed'); });
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const outcome = await Promise.race([failed, new Promise<'wait'>((done) => setTimeout(() => { done('wait'); }, 100))]);
    if (outcome === 'failed') break;
    const redis = new Redis({ ...options, path: socket });
    if (await tryConnect(redis)) {
      log.info('started a private redis-server', { dir: dataDir });
      return handle(redis, `unix://${socket}`, log, child);
    }
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError(cli.redis.none);
}
