/**
 * `duban serve`: config → Redis → the composed bot → HTTP server, the outbox's worker, the
 * scheduler and the platforms' connections; stops cleanly on SIGINT/SIGTERM.
 * With `--demo`, the demo county in its own key space (src/demo.ts), and a chat in the terminal.
 */
import { resolve } from 'node:path';
import { castOf, chat, defaultSpeaker } from '../adapters/console/index.js';
import { jobs } from '../../jobs/index.js';
import { compose, type Bot } from '../compose.js';
import { loadConfig, type Config } from '../config.js';
import { createLogger, fileLogger, type Logger } from '../core/logger.js';
import { countyWindow } from '../core/posts.js';
import { startScheduler } from '../core/scheduler.js';
import { openDemo } from '../demo.js';
import { chatLogFile } from '../paths.js';
import { beijingDate } from '../domain/dates.js';
import { cli } from '../messages/index.js';
import { createApp } from '../server/app.js';
import { createPromMetrics } from '../server/metrics.js';
import { listen } from '../server/listen.js';
import { connectRedis, persistenceProblems } from '../store/connect.js';
import { options, UsageError, type CliIo, type ServeIo } from './common.js';

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

export async function serveCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = options(args, { demo: { type: 'boolean' }, fresh: { type: 'boolean' } });
  if (values.fresh === true && values.demo !== true) throw new UsageError(cli.serve.freshWithoutDemo);
  const config = loadConfig(io.env);
  return serve({ config, ...(values.demo === true ? { demo: { fresh: values.fresh === true } } : {}), io });
}

/** How long in-flight requests may take to finish on shutdown. */
const SHUTDOWN_GRACE_MS = 10_000;

export async function serve({ config, demo, io }: ServeOptions): Promise<number> {
  const interactive = demo !== undefined && (io.interactive ?? ('isTTY' in io.stdin && io.stdin.isTTY === true));
  const dataDir = io.dataDir ?? resolve('data');
  // In the demo chat, log lines would interleave with the conversation: they go to a file.
  const logFile = interactive ? chatLogFile(dataDir, true) : undefined;
  const level = config.logLevel ?? 'info';
  const log = logFile === undefined ? createLogger(level, (line) => { io.stderr.write(`${line}\n`); }) : fileLogger(logFile, level);
  const now = new Date();
  const opened = demo ? await openDemo(config.redisUrl, log, { dataDir, prefix: io.prefix, build: demo.fresh ? 'fresh' : 'new-day', now }) : undefined;
  const redis = opened?.redis ?? (await connectRedis(config.redisUrl, log, dataDir));
  const prefix = opened?.prefix ?? io.prefix;
  log.info('redis connected', { where: redis.where, embedded: redis.embedded });
  for (const problem of await persistenceProblems(redis.redis)) log.warn('redis may lose confirmed reports', { problem });
  if (opened) io.stderr.write(`${opened.outcome === 'built' ? cli.demo.built(beijingDate(now)) : cli.demo.kept}\n`);
  // Counted only where someone may read the counts (METRICS_TOKEN). Redis and the outbox are
  // asked when scraped, which is only once the server below listens.
  const metrics = config.metricsToken === undefined ? undefined : createPromMetrics({ processMetrics: true, redisUp: () => bot.store.ping(), outboxDepth: () => outbox.depth() });
  const bot = await compose(redis.redis, { log, prefix, config, metrics, write: (text) => { io.stdout.write(`${text}\n`); } });
  await warnCalendarGap(bot, log);
  for (const line of [...bot.off, ...bot.inbound.map((i) => i.describe)]) log.info(line);

  const outbox = bot.outbox();
  outbox.start();
  const scheduler = await startScheduler(jobs, { store: bot.store, calendar: bot.calendar, log, outbox, window: countyWindow(bot.store, bot.calendar), metrics }).catch(async (error: unknown) => {
    // The worker and Redis would keep the process alive, half started.
    await bot.close();
    await redis.close();
    throw error;
  });

  const { signIn } = bot;
  if (signIn) log.info(`dashboard at /dashboard: ${signIn.platform} sign-in and 看板 links`);
  const dashboard = { store: bot.store, calendar: bot.calendar, log, publicUrl: config.publicUrl, ...(signIn ? { signIn } : {}) };
  const scrape = metrics && config.metricsToken !== undefined ? { metrics: { token: config.metricsToken, scrape: () => metrics.scrape(), contentType: metrics.contentType } } : {};
  if (metrics) log.info('metrics at /metrics, for the bearer of METRICS_TOKEN');
  const app = createApp({ log, redisUp: () => bot.store.ping(), routes: bot.inbound.flatMap((i) => i.routes), dashboard, ...scrape });
  // Timeouts and a cap on connections (src/server/listen.ts): slow clients cannot hold the server.
  const server = await listen(app, { port: config.port, log }).catch(async (error: unknown) => {
    await Promise.all([scheduler.stop(), bot.close()]);
    await redis.close();
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') throw new ServeError(cli.serve.portTaken(config.port));
    throw error;
  });
  log.info('listening', { port: config.port });
  for (const inbound of bot.inbound) inbound.start();
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
      // No new messages from the platforms' connections; answers still owed (a response_url, a
      // sessionWebhook) go out before Redis closes, since they may still need it.
      await Promise.all([scheduler.stop(), ...bot.inbound.map((i) => i.stop())]);
      // A post being sent finishes; the rest stay queued in Redis for the next start.
      await bot.close();
      await redis.close();
      log.info('stopped');
    })());

  const finished = new Promise<void>((done) => {
    const chatting = new AbortController();
    const onSignal = (): void => {
      chatting.abort();
      void stop().then(done);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // A closed terminal: the demo's private redis-server must not outlive it.
    process.once('SIGHUP', onSignal);
    if (interactive) {
      void defaultSpeaker(bot.store, { platform: 'console' })
        .then(async (speaker) => chat(bot.route, speaker, { input: io.stdin, output: io.stdout, signal: chatting.signal }, await castOf(bot.store)))
        .then(() => stop())
        .then(done);
    }
  });
  await finished;
  return 0;
}

/** Says at start, not only in replies, when open tasks run past the years the calendar knows. */
async function warnCalendarGap(bot: Pick<Bot, 'store' | 'calendar'>, log: Logger): Promise<void> {
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
