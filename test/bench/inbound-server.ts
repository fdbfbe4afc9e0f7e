/**
 * The server side of the inbound benchmark (inbound.ts), run in a child process so the load
 * generator and the server do not share an event loop, and so the server's memory can be read
 * from /proc on its own. `node dist/test/bench/inbound-server.js MODE`, forked with an IPC channel:
 *
 *   bare      a bare Koa handler: reads the body, answers a fixed JSON — the machine's ceiling
 *             for an HTTP answer, with none of a report's work;
 *   floor     the floor of a WeCom report: the work no correct bot can skip, written compactly
 *             beside the bot as a reference (below) — what the bot's own overhead is measured
 *             against, since "vs bare" mixes that overhead with crypto and Redis every bot pays;
 *   floor-dingtalk  the same for a DingTalk report by HTTP callback, whose reply is a request of
 *             its own to the message's sessionWebhook (startDingtalkFloor);
 *   wecom     the bot's app and server as `duban serve` builds them, with WeCom on;
 *   dingtalk  the same with DingTalk on (HTTP callback mode).
 *
 * The bot's modes take the environment `loadConfig` reads (the parent sets only the platform
 * under test) and BENCH_PREFIX, the Redis key prefix; they load the sample county under that
 * prefix first, as `duban serve --demo` does into an empty store — unless BENCH_COUNTY=loaded,
 * where the parent has put a county there itself (the large-county row: 2,000 townships are
 * written in bulk, which a child would only repeat). The scheduler is not started: it would catch
 * up the sample county's reminders of today, and the inbound path does not use it.
 *
 * The floor, per POST: the body read with the bot's own cap (server/body.ts), the timestamp's
 * freshness and msg_signature checked (constant-time) and the message decrypted with the bot's
 * WeCom crypto, the plaintext parsed and checked with the bot's zod schemas, `上报 T2 80%` read by
 * the domain parser and turned into an amount as commands/report.ts does, then ONE EVALSHA of
 * record-report.lua with the keys and arguments the ledger store passes, and the stream reply
 * `已记录` encrypted and signed as the adapter seals it. It reuses the bot's pure functions so the
 * difference to the bot is work, not a cheaper implementation of the same step. What it skips —
 * each a cost the bot chooses, not one the protocol imposes: reading the county from Redis per
 * message (here it is read once at start: groups, people, tasks, slots), keeping the reply for
 * redeliveries (the script's dedupe marker already makes a redelivery record nothing), the 撤回
 * marker (another key slot, so another command), and the board and ranking that the bot's reply
 * shows. It runs the same Koa as `bare`, without the bot's listen limits, so floor − bare is the
 * report's work alone.
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
import type { Redis } from 'ioredis';
import Koa from 'koa';
import { z } from 'zod';
import type { Logger } from '../../src/core/logger.js';
import type { IncomingMessage } from '../../src/core/types.js';
import type { ChatPlatform, County } from '../../src/domain/model.js';

export const SERVER_MODES = ['bare', 'floor', 'floor-dingtalk', 'wecom', 'dingtalk'] as const;
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

/**
 * A server as the parent runs it: `drain` waits for what it still owes; `close` stops taking
 * requests, drains, then lets go of what the server used (`release`, in order).
 */
function asRunning(server: Server, drain: () => Promise<void>, ...release: (() => Promise<void>)[]): Running {
  return {
    server,
    drain,
    async close() {
      await closeServer(server);
      await drain();
      for (const letGo of release) await letGo();
    },
  };
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

/**
 * The sample county, loaded under `prefix` as `duban serve --demo` loads it; returned for the
 * floor, which keeps it in memory. The modules are loaded only here, so the bare handler's memory
 * is Koa's, not the bot's.
 */
async function loadSampleCounty(redis: Redis, prefix: string): Promise<County> {
  const [{ SAMPLE_COUNTY }, { parseSetup }, { createKeys }, { createRedisStore }] = await Promise.all([
    import('../../src/paths.js'),
    import('../../src/setup/index.js'),
    import('../../src/store/keys.js'),
    import('../../src/store/redis-store.js'),
  ]);
  const file = SAMPLE_COUNTY();
  const setup = parseSetup(readFileSync(file, 'utf8'), file);
  if (!setup.ok) throw new Error(`the sample county does not parse: ${setup.errors.join('; ')}`);
  await createRedisStore(redis, createKeys(prefix)).loadCounty(setup.county, setup.calendar, setup.schedule);
  return setup.county;
}

function benchPrefix(): string {
  const prefix = process.env.BENCH_PREFIX;
  if (prefix === undefined || prefix === '') throw new Error('BENCH_PREFIX is not set');
  return prefix;
}

async function startBot(): Promise<Running> {
  const [{ compose }, { loadConfig }, { createLogger }, { createApp }, { listen: listenWithLimits }, { connectRedis }] = await Promise.all([
    import('../../src/compose.js'),
    import('../../src/config.js'),
    import('../../src/core/logger.js'),
    import('../../src/server/app.js'),
    import('../../src/server/listen.js'),
    import('../../src/store/connect.js'),
  ]);
  // One JSON line per event on stderr, as `duban serve` logs; the parent counts and shows them.
  const log = createLogger('info', (line) => process.stderr.write(`${line}\n`));
  const prefix = benchPrefix();
  const config = loadConfig(process.env);
  const redis = await connectRedis(config.redisUrl, log);
  try {
    // Before the bot is built: it reads the county's calendar overrides once, at creation.
    if (process.env.BENCH_COUNTY !== 'loaded') await loadSampleCounty(redis.redis, prefix);

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
    return asRunning(server, drain, () => outbox.close(), () => redis.close());
  } catch (error) {
    await redis.close();
    throw error;
  }
}

/** What a floor reads from its environment (the parent sets it), checked at the edge like the bot's config. */
const FloorEnvSchema = z.object({ REDIS_URL: z.string().min(1), BENCH_PREFIX: z.string().min(1) });
const WecomFloorEnvSchema = FloorEnvSchema.extend({ WECOM_TOKEN: z.string().min(1), WECOM_ENCODING_AES_KEY: z.string().length(43) });
const DingtalkFloorEnvSchema = FloorEnvSchema.extend({ DINGTALK_CLIENT_SECRET: z.string().min(1), DINGTALK_OAPI_BASE: z.url() });

/** The paths the platforms post to, as the bot's adapters mount them (src/adapters/{wecom,dingtalk}/). */
const WECOM_PATH = '/wecom/callback';
const DINGTALK_PATH = '/dingtalk/callback';
/** The reply's whole content: the one fact a clerk must be told. */
const FLOOR_ANSWER = '已记录';

/** What both floors share: the county in memory, and a clerk's `上报` recorded with one EVALSHA. */
interface FloorCore {
  log: Logger;
  /** Records the message's report of a task by id in its township's group; DecodeError for any other message. */
  record(message: IncomingMessage, now: number): Promise<void>;
  close(): Promise<void>;
}

async function floorCore(env: z.infer<typeof FloorEnvSchema>, platform: ChatPlatform): Promise<FloorCore> {
  const [
    { createLogger },
    { DecodeError },
    { beijingInstant },
    { parseReport, splitCommand },
    { amountFromValue, assignedTo },
    { amountText, RecordReplySchema },
    { Redis },
    { createKeys },
    { REPEAT_MS, SEEN_SECONDS },
    { defineScripts },
  ] = await Promise.all([
    import('../../src/core/logger.js'),
    import('../../src/core/errors.js'),
    import('../../src/domain/dates.js'),
    import('../../src/domain/parse/index.js'),
    import('../../src/domain/targets.js'),
    import('../../src/store/codec.js'),
    import('ioredis'),
    import('../../src/store/keys.js'),
    import('../../src/store/ledger.js'),
    import('../../src/store/scripts.js'),
  ]);
  const log = createLogger('info', (line) => process.stderr.write(`${line}\n`));
  const keys = createKeys(env.BENCH_PREFIX);
  // Its own client, not connectRedis's: a message here sends one command, which the bot's batching
  // of a tick's writes (src/store/connect.ts) can only delay — side by side, a floor with it
  // answered 9–13 % fewer reports. The floor takes what is fastest for it.
  const redis = new Redis(env.REDIS_URL.startsWith('unix://') ? env.REDIS_URL.slice('unix://'.length) : env.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const county = await loadSampleCounty(redis, env.BENCH_PREFIX);
    const groups = new Map(county.groups.filter((g) => g.platform === platform).map((g) => [g.chat, g]));
    const people = new Map(county.people.filter((p) => p.platform === platform).map((p) => [p.user, p]));
    const townships = new Map(county.townships.map((t) => [t.id, t]));
    const tasks = new Map(county.tasks.map((t) => [t.id, t]));
    const slots = new Map(Object.entries(await redis.hgetall(keys.townshipSlots())).map(([id, slot]) => [id, Number(slot)]));
    // The bot's own script and its arguments (src/store/scripts.ts): one EVALSHA, as the bot sends it.
    const scripts = defineScripts(redis);
    return {
      log,
      async record(message, now) {
        const group = groups.get(message.chat.id);
        const township = group?.township === undefined ? undefined : townships.get(group.township);
        if (!township) throw new DecodeError('not a township group of the county');
        const said = splitCommand(message.text, ['上报']);
        const args = said === undefined ? undefined : parseReport(said.rest);
        if (!args?.ok || args.value.task.kind !== 'id') throw new DecodeError('not a 上报 of a task by id');
        const task = tasks.get(args.value.task.id);
        if (task?.status !== 'open' || !assignedTo(task, township.id)) throw new DecodeError('no open task of that id for this township');
        const amount = amountFromValue(args.value.value, task.target, township, args.value.valueText);
        if (!amount.ok) throw new DecodeError('a value the task does not take');
        const slot = slots.get(township.id);
        if (slot === undefined) throw new Error(`no standings slot for ${township.id}`);

        const source = `${platform}:${message.messageId}`;
        const reply = await scripts.recordReport(
          { progress: keys.progress(task.id), ledger: keys.ledger(task.id), seen: keys.seen(task.id, source), standings: keys.standings(task.id), deadlines: keys.deadlines(task.id), reviews: keys.reviews(task.id) },
          {
            township: township.id,
            amount: amountText(amount.value),
            value: args.value.valueText,
            note: args.value.note,
            platform,
            user: message.sender.id,
            name: people.get(message.sender.id)?.name ?? message.sender.id,
            at: beijingInstant(new Date(now)),
            source,
            seenSeconds: SEEN_SECONDS,
            slot,
            repeatSince: beijingInstant(new Date(now - REPEAT_MS)),
            atMs: now,
          },
        );
        // Recorded, a redelivery or a repeat: each is the same answer to the clerk (a closed cell is
        // not among the bench's reports).
        RecordReplySchema.parse(reply);
      },
      close: async () => { await redis.quit(); },
    };
  } catch (error) {
    await redis.quit();
    throw error;
  }
}

/**
 * A floor's Koa: `answer` for each POST to `path`, the bot's refusals (src/server/app.ts) for a
 * wrong one, so a wrong request costs the same here as there. Same Koa as `bare`.
 */
async function floorApp(path: string, log: Logger, answer: (ctx: Koa.Context, body: string) => Promise<string>): Promise<Server> {
  const [{ DecodeError, VerifyError }, { PayloadTooLargeError, readBody }] = await Promise.all([import('../../src/core/errors.js'), import('../../src/server/body.js')]);
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== path) {
      ctx.status = 404;
      return;
    }
    try {
      const body = await answer(ctx, await readBody(ctx));
      ctx.type = 'application/json';
      ctx.body = body;
    } catch (error) {
      const status = error instanceof VerifyError ? 401 : error instanceof DecodeError || error instanceof z.ZodError ? 400 : error instanceof PayloadTooLargeError ? 413 : undefined;
      if (status === undefined) throw error;
      log.warn('request refused', { status, reason: error instanceof Error ? error.message : String(error) });
      ctx.status = status;
    }
  });
  return listen(app);
}

/** The floor of a WeCom report (see the top of this file): the bot's pure parts, one Redis command. */
async function startFloor(): Promise<Running> {
  const [{ DecodeError, jsonOr400, VerifyError }, { createWecomCrypto }, { checkFreshness, streamIdOf, streamReply }, { normalize }, { CallbackQuerySchema, EnvelopeSchema, parsePayload }] = await Promise.all([
    import('../../src/core/errors.js'),
    import('../../src/adapters/wecom/crypto.js'),
    import('../../src/adapters/wecom/inbound.js'),
    import('../../src/adapters/wecom/normalize.js'),
    import('../../src/adapters/wecom/schema.js'),
  ]);
  const env = WecomFloorEnvSchema.parse(process.env);
  const core = await floorCore(env, 'wecom');
  try {
    const crypto = createWecomCrypto({ token: env.WECOM_TOKEN, encodingAesKey: env.WECOM_ENCODING_AES_KEY });
    const server = await floorApp(WECOM_PATH, core.log, async (ctx, body) => {
      const query = CallbackQuerySchema.safeParse(ctx.query);
      if (!query.success) throw new VerifyError('callback without msg_signature, timestamp and nonce');
      const { msg_signature: signature, timestamp, nonce } = query.data;
      const now = Date.now();
      checkFreshness(timestamp, now);
      const envelope = EnvelopeSchema.safeParse(jsonOr400(body, 'body'));
      if (!envelope.success) throw new DecodeError('body is not {"encrypt": …}');
      if (!crypto.verify(signature, timestamp, nonce, envelope.data.encrypt)) throw new VerifyError('bad msg_signature');
      const inbound = normalize(parsePayload(jsonOr400(crypto.decrypt(envelope.data.encrypt), 'plaintext')));
      if (inbound.kind !== 'message') throw new DecodeError(`the floor takes text messages, got ${inbound.kind}`);
      await core.record(inbound.message, now);
      const streamId = streamIdOf(inbound.message.messageId);
      const encrypt = crypto.encrypt(streamReply(streamId, FLOOR_ANSWER), crypto.randomFor(`${streamId}\n${timestamp}\n${nonce}`));
      return JSON.stringify({ encrypt, msgsignature: crypto.sign(timestamp, nonce, encrypt), timestamp: Number(timestamp), nonce });
    });
    return asRunning(server, () => Promise.resolve(), () => core.close());
  } catch (error) {
    await core.close();
    throw error;
  }
}

/**
 * The floor of a DingTalk report (HTTP callback): the body read with the bot's cap, the
 * `timestamp`/`sign` headers checked (HMAC, constant-time), the robot message checked with the
 * bot's zod schema, the report recorded as the WeCom floor records it (the script's dedupe marker
 * keyed by msgId is what makes a redelivery record nothing), DingTalk answered
 * `{"msgtype":"empty"}`, and `已记录` posted to the message's sessionWebhook with the bot's HTTP
 * client, the URL checked against the configured origin first (docs/design.md §7) and the answer's
 * errcode read. DingTalk's protocol has no reply inside the callback's answer that this project
 * relies on (docs/protocols/dingtalk.md §1.3), so that request is a DingTalk report's own work.
 */
async function startDingtalkFloor(): Promise<Running> {
  const [{ DecodeError, jsonOr400, SendError }, { EMPTY_ANSWER }, { verifyCallbackSign }, { RobotMessageSchema, WebhookAnswerSchema }, { normalize }, { postJson, urlOn }] = await Promise.all([
    import('../../src/core/errors.js'),
    import('../../src/adapters/dingtalk/callback.js'),
    import('../../src/adapters/dingtalk/sign.js'),
    import('../../src/adapters/dingtalk/schema.js'),
    import('../../src/adapters/dingtalk/normalize.js'),
    import('../../src/adapters/http.js'),
  ]);
  const env = DingtalkFloorEnvSchema.parse(process.env);
  const core = await floorCore(env, 'dingtalk');
  const oapiOrigin = new URL(env.DINGTALK_OAPI_BASE).origin;
  const owed = new Set<Promise<void>>();
  const reply = async (sessionWebhook: string): Promise<void> => {
    const url = urlOn(sessionWebhook, oapiOrigin, 'sessionWebhook', 'DINGTALK_OAPI_BASE', core.log);
    const { status, json } = await postJson(url, { msgtype: 'text', text: { content: FLOOR_ANSWER } });
    const answer = WebhookAnswerSchema.safeParse(json);
    const errcode = answer.data?.errcode ?? 0;
    if (status !== 200 || !answer.success || errcode !== 0) throw new SendError(`sessionWebhook answered HTTP ${String(status)}, errcode ${String(errcode)}`, 'refused', 'failed');
  };
  try {
    const server = await floorApp(DINGTALK_PATH, core.log, async (ctx, body) => {
      const now = Date.now();
      verifyCallbackSign({ timestamp: ctx.get('timestamp') || undefined, sign: ctx.get('sign') || undefined }, env.DINGTALK_CLIENT_SECRET, now);
      const inbound = normalize(RobotMessageSchema.parse(jsonOr400(body, 'body')));
      if (inbound.kind !== 'message') throw new DecodeError(`the floor takes text messages, got ${inbound.kind}`);
      await core.record(inbound.message, now);
      const sent = reply(inbound.replyTo.sessionWebhook).catch((error: unknown) => { core.log.error('reply could not be sent', { error }); });
      owed.add(sent);
      void sent.finally(() => owed.delete(sent));
      return EMPTY_ANSWER;
    });
    const drain = async (): Promise<void> => {
      await Promise.all(owed);
    };
    return asRunning(server, drain, () => core.close());
  } catch (error) {
    await core.close();
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
      ? asRunning(await listen(bareApp()), () => Promise.resolve())
      : mode === 'floor'
        ? await startFloor()
        : mode === 'floor-dingtalk'
          ? await startDingtalkFloor()
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
