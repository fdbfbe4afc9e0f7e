/**
 * `duban serve`: config → Redis → bot → HTTP server; stops cleanly on SIGINT/SIGTERM.
 * With `--demo`, an empty store gets the sample county and the terminal becomes a chat.
 */
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { chat, defaultSpeaker } from './adapters/console/index.js';
import { createWecomApp } from './adapters/wecom/app.js';
import { jobs } from '../jobs/index.js';
import { createBot } from './bot.js';
import type { Config } from './config.js';
import type { Enqueue } from './core/command.js';
import { createLogger } from './core/logger.js';
import { startScheduler } from './core/scheduler.js';
import { SAMPLE_COUNTY } from './paths.js';
import type { Outbox } from './outbox/index.js';
import { createPlatforms, openOutbox } from './platforms.js';
import { createApp } from './server/app.js';
import { parseSetup } from './setup.js';
import { connectRedis, persistenceProblems } from './store/connect.js';
import { createKeys } from './store/keys.js';
import { createRedisStore } from './store/redis-store.js';
import type { Store } from './store/types.js';

export interface ServeIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** Redis key prefix; tests give each run its own. */
  prefix?: string;
}

/** How long in-flight requests may take to finish on shutdown. */
const SHUTDOWN_GRACE_MS = 10_000;

export async function serve({ config, demo, io }: { config: Config; demo: boolean; io: ServeIo }): Promise<number> {
  const interactive = demo && 'isTTY' in io.stdin && io.stdin.isTTY === true;
  // In the demo chat, routine log lines would interleave with the conversation.
  const log = createLogger(interactive ? 'warn' : 'info', (line) => { io.stderr.write(`${line}\n`); });
  const redis = await connectRedis(config.redisUrl, log);
  log.info('redis connected', { where: redis.where, embedded: redis.embedded });
  for (const problem of await persistenceProblems(redis.redis)) log.warn('redis may lose confirmed reports', { problem });

  if (demo) await loadSampleIfEmpty(createRedisStore(redis.redis, createKeys(io.prefix)), io);
  // The outbox needs the bot's store, and its posters need the bot's router: it is made after
  // the bot, and before the server takes a message that could use it.
  const late: { outbox?: Outbox } = {};
  const enqueue: Enqueue = (posts) => {
    if (!late.outbox) throw new Error('the outbox is not open yet');
    return late.outbox.enqueue(posts);
  };
  const bot = await createBot(redis.redis, { log, prefix: io.prefix, enqueue, publicUrl: config.publicUrl });
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

  const outbox = (late.outbox = openOutbox(redis.redis, bot, platforms, log, { prefix: io.prefix }));
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
  const server = await new Promise<Server>((ready) => {
    const s = app.listen(config.port, () => { ready(s); });
  });
  log.info('listening', { port: config.port });
  dingtalk?.stream?.start();
  io.stderr.write(`督办助手已启动：http://127.0.0.1:${String(config.port)}/healthz（Redis：${redis.where}）\n`);
  io.stderr.write(`挂图作战看板：${config.publicUrl}/dashboard（领导或管理员私聊督办助手发送「看板」获取登录链接）\n`);

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
    if (interactive) {
      void defaultSpeaker(bot.store, { platform: 'console' })
        .then((speaker) => chat(bot.route, speaker, { input: io.stdin, output: io.stdout }))
        .then(() => stop())
        .then(done);
    }
  });
  await finished;
  return 0;
}

/** Before the bot is built: the bot reads the county's calendar overrides once, at creation. */
async function loadSampleIfEmpty(store: Store, io: ServeIo): Promise<void> {
  if ((await store.countyName()) !== undefined) return;
  const file = SAMPLE_COUNTY();
  const result = parseSetup(readFileSync(file, 'utf8'), file);
  if (!result.ok) throw new Error(`the sample county does not parse: ${result.errors.join('; ')}`);
  await store.loadCounty(result.county, result.calendar, result.schedule);
  io.stderr.write(`还没有县的数据，已载入示范县（${file}）。用 duban load 载入你们县的设置文件即可替换。\n`);
}

/** Says at start, not only in replies, when open tasks run past the years the calendar knows. */
async function warnCalendarGap(bot: Awaited<ReturnType<typeof createBot>>, log: ReturnType<typeof createLogger>): Promise<void> {
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
