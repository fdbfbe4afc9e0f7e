/**
 * `duban serve`: config → Redis → bot → HTTP server; stops cleanly on SIGINT/SIGTERM.
 * With `--demo`, the demo county in its own key space (src/demo.ts), and a chat in the terminal.
 */
import { resolve } from 'node:path';
import { castOf, chat, defaultSpeaker } from './adapters/console/index.js';
import { createWecomApp } from './adapters/wecom/app.js';
import { jobs } from '../jobs/index.js';
import { createBot } from './bot.js';
import type { Config } from './config.js';
import { createLogger, fileLogger, type Logger } from './core/logger.js';
import { startScheduler } from './core/scheduler.js';
import { openDemo } from './demo.js';
import { chatLogFile } from './paths.js';
import { beijingDate } from './domain/dates.js';
import { cli } from './messages/index.js';
import type { Outbox } from './outbox/index.js';
import { createPlatforms, openOutbox } from './platforms.js';
import { createApp } from './server/app.js';
import { listen } from './server/listen.js';
import { connectRedis, persistenceProblems } from './store/connect.js';
import type { Posts } from './core/posts.js';

export interface ServeIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** Redis key prefix; tests give each run its own. */
  prefix?: string;
  /** Where a private redis-server and the demo keep their files; `./data` by default. */
  dataDir?: string;
  /** Chat in the terminal (the demo): by default when stdin is a terminal. */
  interactive?: boolean;
}

export interface ServeOptions {
  config: Config;
  /** The demo county, in its own key space; `fresh` builds it anew. */
  demo?: { fresh: boolean };
  io: ServeIo;
}

/** The server could not start for a reason the operator can fix; the message says how. */
export class ServeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServeError';
  }
}

/** How long in-flight requests may take to finish on shutdown. */
const SHUTDOWN_GRACE_MS = 10_000;

export async function serve({ config, demo, io }: ServeOptions): Promise<number> {
  const interactive = demo !== undefined && (io.interactive ?? ('isTTY' in io.stdin && io.stdin.isTTY === true));
  const dataDir = io.dataDir ?? resolve('data');
  // In the demo chat, log lines would interleave with the conversation: they go to a file.
  const logFile = interactive ? chatLogFile(dataDir, true) : undefined;
  const log = logFile === undefined ? createLogger('info', (line) => { io.stderr.write(`${line}\n`); }) : fileLogger(logFile, 'info');
  const now = new Date();
  const opened = demo ? await openDemo(config.redisUrl, log, { dataDir, prefix: io.prefix, build: demo.fresh ? 'fresh' : 'new-day', now }) : undefined;
  const redis = opened?.redis ?? (await connectRedis(config.redisUrl, log, dataDir));
  const prefix = opened?.prefix ?? io.prefix;
  log.info('redis connected', { where: redis.where, embedded: redis.embedded });
  for (const problem of await persistenceProblems(redis.redis)) log.warn('redis may lose confirmed reports', { problem });
  if (opened) io.stderr.write(`${opened.outcome === 'built' ? cli.demo.built(beijingDate(now)) : cli.demo.kept}\n`);
  // The outbox needs the bot's store, and its posters need the bot's router: it is made after
  // the bot, and before the server takes a message that could use it.
  const late: { outbox?: Outbox } = {};
  const outboxNow = (): Outbox => {
    if (!late.outbox) throw new Error('the outbox is not open yet');
    return late.outbox;
  };
  const posts: Posts = { enqueue: (queued) => outboxNow().enqueue(queued), delivering: () => outboxNow().delivering() };
  const bot = await createBot(redis.redis, { log, prefix, posts, publicUrl: config.publicUrl });
  await warnCalendarGap(bot, log);
  const platforms = createPlatforms(config, bot, log, (text) => { io.stdout.write(`${text}\n`); });
  const { wecom, dingtalk } = platforms;
  log.info(wecom ? 'wecom is on: callback at /wecom/callback' : 'wecom is off: WECOM_TOKEN and WECOM_ENCODING_AES_KEY are not set');
  log.info(
    !dingtalk
      ? 'dingtalk is off: DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET are not set'
      : dingtalk.stream
        ? 'dingtalk is on: stream mode, no public address needed'
        : 'dingtalk is on: callback at /dingtalk/callback',
  );

  const outbox = (late.outbox = openOutbox(redis.redis, bot, platforms, log, { prefix }));
  outbox.start();
  const scheduler = await startScheduler(jobs, { store: bot.store, calendar: bot.calendar, log, outbox }).catch(async (error: unknown) => {
    // The worker and Redis would keep the process alive, half started.
    await outbox.close();
    await redis.close();
    throw error;
  });

  const wecomApp = config.wecomApp && createWecomApp({ ...config.wecomApp, store: bot.store, log });
  log.info(wecomApp ? 'dashboard at /dashboard: WeCom sign-in and 看板 links' : 'dashboard at /dashboard: 看板 links only (WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_AGENT_SECRET not set)');
  const dashboard = { store: bot.store, calendar: bot.calendar, log, publicUrl: config.publicUrl, ...(wecomApp ? { wecom: wecomApp } : {}) };
  const app = createApp({ log, redisUp: () => bot.store.ping(), wecom: wecom?.callback, dingtalk: dingtalk?.callback, dashboard });
  // Timeouts and a cap on connections (src/server/listen.ts): slow clients cannot hold the server.
  const server = await listen(app, { port: config.port, log }).catch(async (error: unknown) => {
    await Promise.all([scheduler.stop(), outbox.close()]);
    await redis.close();
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') throw new ServeError(cli.serve.portTaken(config.port));
    throw error;
  });
  log.info('listening', { port: config.port });
  dingtalk?.stream?.start();
  io.stderr.write(`${cli.serve.started(config.port, redis.where)}\n${cli.serve.dashboard(config.publicUrl)}\n`);
  if (logFile !== undefined) io.stderr.write(`${cli.serve.logFile(logFile)}\n`);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      log.info('shutting down');
      const closed = new Promise<void>((done) => server.close(() => { done(); }));
      // Idle keep-alive sockets would hold close() open; in-flight requests get the grace period.
      server.closeIdleConnections();
      await Promise.race([closed, new Promise((done) => setTimeout(done, SHUTDOWN_GRACE_MS).unref())]);
      server.closeAllConnections();
      log.info('http server closed');
      // No new messages from the Stream; answers still owed (WeCom's response_url, DingTalk's
      // sessionWebhook replies) go out before Redis closes, since they may still need it.
      await Promise.all([scheduler.stop(), dingtalk?.stream?.stop()]);
      await Promise.all([wecom?.callback.drain(), dingtalk?.inbound.drain()]);
      // A post being sent finishes; the rest stay queued in Redis for the next start.
      await outbox.close();
      await redis.close();
      log.info('stopped');
    })());

  const finished = new Promise<void>((done) => {
    const onSignal = (): void => { void stop().then(done); };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // A closed terminal: the demo's private redis-server must not outlive it.
    process.once('SIGHUP', onSignal);
    if (interactive) {
      void defaultSpeaker(bot.store, { platform: 'console' })
        .then(async (speaker) => chat(bot.route, speaker, { input: io.stdin, output: io.stdout }, await castOf(bot.store)))
        .then(() => stop())
        .then(done);
    }
  });
  await finished;
  return 0;
}

/** Says at start, not only in replies, when open tasks run past the years the calendar knows. */
async function warnCalendarGap(bot: Awaited<ReturnType<typeof createBot>>, log: Logger): Promise<void> {
  const last = bot.calendar.lastCoveredYear;
  const beyond = (await bot.store.tasks()).filter((t) => t.status === 'open' && Number(t.deadline.slice(0, 4)) > last);
  if (beyond.length > 0) {
    log.warn('open tasks run past the holiday calendar; their working days are estimated Monday to Friday', {
      lastCoveredYear: last,
      tasks: beyond.map((t) => t.id),
      fix: 'update chinese-days, or give the year under calendar in the setup file',
    });
  }
}
