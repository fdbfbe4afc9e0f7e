/**
 * The server side of the inbound benchmark (inbound.ts), run in a child process so the load
 * generator and the server do not share an event loop, and so the server's memory can be read
 * from /proc on its own. `node dist/test/bench/inbound-server.js MODE`, forked with an IPC channel:
 *
 *   bare      a bare Koa handler: reads the body, answers a fixed JSON — the machine's ceiling;
 *   wecom     the bot's app and server as `duban serve` builds them, with WeCom on;
 *   dingtalk  the same with DingTalk on (HTTP callback mode).
 *
 * The bot's modes take the environment `loadConfig` reads (the parent sets only the platform
 * under test) and BENCH_PREFIX, the Redis key prefix; they load the sample county under that
 * prefix first, as `duban serve --demo` does into an empty store. The scheduler is not started:
 * it would catch up the sample county's reminders of today, and the inbound path does not use it.
 *
 * IPC: the child says `ready` (with its port) once listening; the parent asks for `drain` (wait
 * for answers still owed: DingTalk's sessionWebhook replies, WeCom's response_url ones) and
 * `stop`. A lost parent (IPC disconnect) or SIGTERM stops it too. SIGINT is ignored: a Ctrl-C
 * reaches the whole process group, and the parent decides when its child stops.
 */
import { readFileSync, realpathSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import Koa from 'koa';
import { z } from 'zod';

export const SERVER_MODES = ['bare', 'wecom', 'dingtalk'] as const;
export type ServerMode = (typeof SERVER_MODES)[number];

/** What the child tells the parent. */
export const ChildMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), port: z.number().int().positive() }),
  z.object({ type: z.literal('drained') }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type ChildMessage = z.infer<typeof ChildMessageSchema>;

/** What the parent asks of the child. */
export const ParentMessageSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('drain') }), z.object({ type: z.literal('stop') })]);
export type ParentMessage = z.infer<typeof ParentMessageSchema>;

interface Running {
  server: Server;
  drain(): Promise<void>;
  close(): Promise<void>;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** The bare handler: the body is read (the bot must read it too), the answer is all but constant. */
function bareApp(): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    let bytes = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) bytes += chunk.length;
    ctx.type = 'application/json';
    ctx.body = `{"ok":true,"bytes":${String(bytes)}}`;
  });
  return app;
}

async function listen(app: Koa): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
    server.once('error', reject);
  });
}

/** The app's modules are loaded only here, so the bare handler's memory is Koa's, not the bot's. */
async function startBot(): Promise<Running> {
  const [{ compose }, { loadConfig }, { createLogger }, { SAMPLE_COUNTY }, { createApp }, { listen: listenWithLimits }, { parseSetup }, { connectRedis }, { createKeys }, { createRedisStore }] =
    await Promise.all([
      import('../../src/compose.js'),
      import('../../src/config.js'),
      import('../../src/core/logger.js'),
      import('../../src/paths.js'),
      import('../../src/server/app.js'),
      import('../../src/server/listen.js'),
      import('../../src/setup/index.js'),
      import('../../src/store/connect.js'),
      import('../../src/store/keys.js'),
      import('../../src/store/redis-store.js'),
    ]);
  // One JSON line per event on stderr, as `duban serve` logs; the parent counts and shows them.
  const log = createLogger('info', (line) => process.stderr.write(`${line}\n`));
  const prefix = process.env.BENCH_PREFIX;
  if (prefix === undefined || prefix === '') throw new Error('BENCH_PREFIX is not set');
  const config = loadConfig(process.env);
  const redis = await connectRedis(config.redisUrl, log);
  try {
    const file = SAMPLE_COUNTY();
    const setup = parseSetup(readFileSync(file, 'utf8'), file);
    if (!setup.ok) throw new Error(`the sample county does not parse: ${setup.errors.join('; ')}`);
    // Before the bot is built: it reads the county's calendar overrides once, at creation.
    await createRedisStore(redis.redis, createKeys(prefix)).loadCounty(setup.county, setup.calendar, setup.schedule);

    // As `duban serve`: the composed bot, its outbox's worker started.
    const bot = await compose(redis.redis, { log, prefix, config });
    const outbox = bot.outbox();
    outbox.start();
    const dashboard = { store: bot.store, calendar: bot.calendar, log, publicUrl: config.publicUrl };
    const app = createApp({ log, redisUp: () => bot.store.ping(), routes: bot.inbound.flatMap((i) => i.routes), dashboard });
    // The server `duban serve` runs, with its timeouts and connection limits.
    const server = await listenWithLimits(app, { port: 0, host: '127.0.0.1', log });
    const drain = async (): Promise<void> => {
      await Promise.all(bot.inbound.map((i) => i.stop()));
    };
    return {
      server,
      drain,
      async close() {
        await closeServer(server);
        await drain();
        await outbox.close();
        await redis.close();
      },
    };
  } catch (error) {
    await redis.close();
    throw error;
  }
}

async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => { done(); }));
  // autocannon's keep-alive sockets would hold close() open; every request has been answered by now.
  server.closeAllConnections();
  await closed;
}

async function main(): Promise<void> {
  const mode = SERVER_MODES.find((m) => m === process.argv[2]);
  if (mode === undefined) throw new Error(`mode must be one of ${SERVER_MODES.join(', ')}; got ${String(process.argv[2])}`);
  if (process.send === undefined) throw new Error('inbound-server runs as a child of the inbound benchmark (child_process.fork)');

  process.on('SIGINT', () => undefined);
  const running: Running =
    mode === 'bare'
      ? await listen(bareApp()).then((server) => ({ server, drain: () => Promise.resolve(), close: () => closeServer(server) }))
      : await startBot();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= running.close().then(
      () => { process.exit(0); },
      (error: unknown) => {
        process.stderr.write(`inbound-server: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    ));

  process.on('message', (raw: unknown) => {
    const message = ParentMessageSchema.safeParse(raw);
    if (!message.success) return;
    if (message.data.type === 'stop') void stop();
    else void running.drain().then(() => { send({ type: 'drained' }); });
  });
  // The parent is gone (crashed, killed): nobody will ask this server to stop.
  process.on('disconnect', () => { void stop(); });
  process.on('SIGTERM', () => { void stop(); });

  send({ type: 'ready', port: (running.server.address() as AddressInfo).port });
}

// Only as the forked entry point: inbound.ts imports the message schemas above from this file.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    send({ type: 'failed', message });
    process.stderr.write(`inbound-server: ${error instanceof Error ? (error.stack ?? message) : message}\n`);
    process.exitCode = 1;
    // The IPC channel would keep the process alive.
    if (process.connected) process.disconnect();
  });
}
