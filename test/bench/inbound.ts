/**
 * docs/design.md §8, inbound: "the full WeCom callback path (verify, decrypt, parse, dedupe, Redis write,
 * encrypted reply) against a bare Koa handler on the same machine — goal ≥ 50 % of its
 * requests/second, p99 under 50 ms at 500 requests/second"; and the same for DingTalk's HTTP
 * callback (sign check, JSON, msgId claim, `{"msgtype":"empty"}`, the reply through the
 * sessionWebhook afterwards).
 *
 * Each server runs in a child process (inbound-server.ts) built as `duban serve` builds it;
 * autocannon runs here. Per server: a warm-up (JIT, connections, Lua script cache) that also
 * estimates its pace, then the maximum rate (10 connections, as fast as answered), then a fixed
 * 500 requests/second. Every request to the bot is a distinct message, signed and encrypted
 * beforehand with the test clients (test/helpers), which share no code with the server: a clerk's
 * `上报 T2 80%` in a township group, its note the message's id — the same report again with the same
 * note would be taken for a resend and recorded once — so every one writes the ledger. Runs are counted in requests
 * (autocannon `amount`), not seconds, so every request sent is answered or counted as an error,
 * and the ledger can be held to the answers exactly.
 *
 * BENCH_SECONDS (default 10) sets the length of the maximum-rate and fixed-rate phases;
 * BENCH_SERVER_ARGS gives the servers Node flags (`--cpu-prof --cpu-prof-dir=DIR` to profile them).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Redis } from 'ioredis';
import { envSchema } from '../../src/config.js';
import { beijingDate, monthOf, previousMonth } from '../../src/domain/dates.js';
import { SAMPLE_COUNTY } from '../../src/paths.js';
import { parseSetup } from '../../src/setup/index.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { callbackHeaders, robotMessage } from '../helpers/dingtalk-client.js';
import { createWecomClient, textMessage, type WecomClient } from '../helpers/wecom-client.js';
import { ChildMessageSchema, type ChildMessage, type ParentMessage, type ServerMode } from './inbound-server.js';
import { count, ms, percentile, table } from './measure.js';
import type { BenchRedis } from './redis.js';
import type { County } from '../../src/domain/model.js';

const CONNECTIONS = 10;
const FIXED_RATE = 500;
const DEFAULT_SECONDS = 10;
/** Enough for the JIT and the connections to settle, and to estimate how many requests fill the maximum-rate phase. */
const WARMUP_REQUESTS = 2000;
/** The bare handler stores nothing: its requests may repeat, so a few thousand are generated, not one per request. */
const BARE_POOL = 5000;
/** Every so many answers, a WeCom reply is opened and read like WeCom would (decrypting costs the load generator time). */
const CHECK_EVERY = 50;
const START_TIMEOUT_MS = 30_000;
const DRAIN_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;
/** Server log lines shown as they come, per server; the rest are only counted. */
const SHOWN_LOG_LINES = 5;

const TASK = 'T2';
const REPORT = `上报 ${TASK} 80%`;
const EMPTY_ANSWER = '{"msgtype":"empty"}';

const SERVER_FILE = fileURLToPath(new URL('./inbound-server.js', import.meta.url));

export interface InboundBenchOptions {
  signal: AbortSignal;
  log: (line: string) => void;
}

/** `BENCH_SECONDS=5`: the length of the maximum-rate and fixed-rate phases. */
export function secondsFrom(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) throw new RangeError(`BENCH_SECONDS must be a number of seconds (0–600), got ${text}`);
  return seconds;
}

// ─── load ────────────────────────────────────────────────────────────────────────────────────────

/** What autocannon sends: its Request type, with the nonce a WeCom reply must echo. */
interface Prepared {
  path: string;
  headers: Record<string, string>;
  body: string;
  nonce?: string;
}

/** autocannon's per-connection context: the request just sent (pipelining is 1). */
interface SentContext {
  nonce?: string;
}

interface Feed {
  next(): Prepared;
  /** Requests taken beyond the distinct ones generated (always 0 unless the bench is wrong). */
  overrun: number;
}

function distinctFeed(requests: readonly Prepared[]): Feed {
  let index = 0;
  const feed: Feed = {
    overrun: 0,
    next() {
      const request = requests[index] ?? requests.at(-1);
      if (request === undefined) throw new Error('no requests generated');
      if (index >= requests.length) feed.overrun += 1;
      index += 1;
      return request;
    },
  };
  return feed;
}

function cyclicFeed(requests: readonly Prepared[]): Feed {
  let index = 0;
  return {
    overrun: 0,
    next() {
      const request = requests[index % requests.length];
      if (request === undefined) throw new Error('no requests generated');
      index += 1;
      return request;
    },
  };
}

/** Reads what the server answered, for the checks that need the body. */
type AnswerCheck = (status: number, body: string, context: SentContext) => void;

interface LoadResult {
  /** Requests the run was to make. */
  amount: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** From the first request to the last answer, in seconds. */
  seconds: number;
  /** 2xx answers per second. */
  rps: number;
  p50: number;
  p99: number;
  /** The run hit its time limit and was stopped: some requests may be neither answered nor counted. */
  cutShort: boolean;
}

async function load(port: number, feed: Feed, options: { amount: number; rate?: number; check?: AnswerCheck; limitMs: number }, signal: AbortSignal): Promise<LoadResult> {
  signal.throwIfAborted();
  const latencies: number[] = [];
  const started = performance.now();
  let last = started;
  let cutShort = false;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    // Both run only later, once `instance` is set (autocannon calls back synchronously only to refuse its options).
    const onAbort = (): void => { instance.stop(); };
    const timer = setTimeout(() => {
      cutShort = true;
      instance.stop();
    }, options.limitMs);
    signal.addEventListener('abort', onAbort, { once: true });
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${String(port)}`,
        connections: CONNECTIONS,
        amount: options.amount,
        ...(options.rate === undefined ? {} : { overallRate: options.rate }),
        // The run ends at the first sample tick after the last answer: tick often.
        sampleInt: 100,
        requests: [
          {
            method: 'POST',
            setupRequest(request, context) {
              const next = feed.next();
              (context as SentContext).nonce = next.nonce;
              return { ...request, path: next.path, headers: next.headers, body: next.body };
            },
            ...(options.check === undefined
              ? {}
              : { onResponse: (status: number, body: string, context: object) => { options.check?.(status, body, context); } }),
          },
        ],
      },
      (error: unknown, done: autocannon.Result) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error !== null && error !== undefined) reject(error instanceof Error ? error : new Error('autocannon failed'));
        else resolve(done);
      },
    );
    // Latencies are taken here, raw and in fractions of a millisecond: autocannon's own histogram
    // keeps whole milliseconds and, at a fixed rate, "corrects" each time as if a request were due
    // every ceil(1 / per-connection rate) ms = 1 ms, smearing it down to 1 ms.
    instance.on('response', (_client, status, _bytes, time) => {
      last = performance.now();
      if (status >= 200 && status < 300) latencies.push(time);
    });
  });
  signal.throwIfAborted();
  const seconds = (last - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ok = result['2xx'];
  return {
    amount: options.amount,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    rps: seconds > 0 ? ok / seconds : 0,
    p50: latencies.length > 0 ? percentile(latencies, 50) : Number.NaN,
    p99: latencies.length > 0 ? percentile(latencies, 99) : Number.NaN,
    cutShort,
  };
}

// ─── the child server ────────────────────────────────────────────────────────────────────────────

interface ServerLog {
  info: number;
  warn: number;
  error: number;
  /** Lines that are not the logger's JSON (a crash's stack trace). */
  other: number;
}

interface Child {
  pid: number;
  port: number;
  log: ServerLog;
  /** Resolves once the server has sent every answer it still owed. */
  drain(): Promise<void>;
  /** Kilobytes from /proc/<pid>/status: resident now, and the peak (VmHWM); undefined off Linux. */
  memory(): { rssKb: number; peakKb: number } | undefined;
  /** Stops the server (politely, then SIGTERM, then SIGKILL); safe to call twice. */
  stop(): Promise<void>;
}

/** The environment without any of the app's own variables: the parent's `.env` must not switch a platform on in the child. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const ours = new Set(Object.keys(envSchema.shape));
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !ours.has(name))), ...extra };
}

/** A URL for the benchmark's own Redis (which may be a throwaway server this process started), for the child to connect to. */
function redisUrlOf(redis: Redis): string {
  const o = redis.options;
  // connectRedis takes `unix://` for a socket (database 0, as it connects to sockets).
  if (o.path !== undefined && o.path !== '') return `unix://${o.path}`;
  const auth = o.password ? `${encodeURIComponent(o.username ?? '')}:${encodeURIComponent(o.password)}@` : '';
  const host = o.host ?? '127.0.0.1';
  return `${o.tls ? 'rediss' : 'redis'}://${auth}${host.includes(':') ? `[${host}]` : host}:${String(o.port ?? 6379)}/${String(o.db ?? 0)}`;
}

function procStatus(pid: number): { rssKb: number; peakKb: number } | undefined {
  const file = `/proc/${String(pid)}/status`;
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
}

/** Waits for a message of the child that `pick` takes; fails on its `failed` message, its exit, the timeout or the abort. */
function awaitChild<T>(child: ChildProcess, label: string, what: string, pick: (message: ChildMessage) => T | undefined, timeoutMs: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      signal.removeEventListener('abort', onAbort);
    };
    const onMessage = (raw: unknown): void => {
      const message = ChildMessageSchema.safeParse(raw);
      if (!message.success) return;
      if (message.data.type === 'failed') {
        done();
        reject(new Error(`${label}: ${message.data.message}`));
        return;
      }
      const value = pick(message.data);
      if (value === undefined) return;
      done();
      resolve(value);
    };
    const onExit = (code: number | null, signalName: NodeJS.Signals | null): void => {
      done();
      reject(new Error(`${label} exited (${String(code ?? signalName)}) before ${what}`));
    };
    const onAbort = (): void => {
      done();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${label}: no ${what} within ${String(timeoutMs / 1000)} s`));
    }, timeoutMs);
    if (signal.aborted) {
      onAbort();
      return;
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function startChild(mode: ServerMode, label: string, env: NodeJS.ProcessEnv, signal: AbortSignal, log: (line: string) => void): Promise<Child> {
  signal.throwIfAborted();
  // stdout is where the console poster would write: nothing of the benchmark's.
  // BENCH_SERVER_ARGS: Node flags for the servers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where their time goes.
  const execArgv = (process.env.BENCH_SERVER_ARGS ?? '').split(/\s+/).filter((arg) => arg !== '');
  const child = fork(SERVER_FILE, [mode], { env, execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  // A failed spawn or IPC send is an 'error' event: unheard, it would end this process.
  child.on('error', (error) => { log(`  ${label}: ${error.message}`); });
  const serverLog: ServerLog = { info: 0, warn: 0, error: 0, other: 0 };
  let shown = 0;
  const lines = child.stderr ? createInterface({ input: child.stderr, crlfDelay: Infinity }) : undefined;
  lines?.on('line', (line) => {
    const level = /^\{"time":"[^"]*","level":"(\w+)"/.exec(line)?.[1];
    if (level === 'info' || level === 'debug') serverLog.info += 1;
    else if (level === 'warn') serverLog.warn += 1;
    else if (level === 'error') serverLog.error += 1;
    else serverLog.other += 1;
    if (level !== 'info' && level !== 'debug' && shown < SHOWN_LOG_LINES) {
      shown += 1;
      log(`  ${label} says: ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`);
    }
  });
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => { done(); });
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const tell = (message: ParentMessage): void => {
    if (child.connected) child.send(message);
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const within = (ms: number): Promise<boolean> =>
        Promise.race([exited.then(() => true), new Promise<boolean>((done) => setTimeout(() => { done(false); }, ms).unref())]);
      if (running()) {
        tell({ type: 'stop' });
        if (!(await within(STOP_TIMEOUT_MS)) && running()) {
          child.kill('SIGTERM');
          if (!(await within(5000)) && running()) child.kill('SIGKILL');
        }
      }
      await exited;
      lines?.close();
    })());

  try {
    const port = await awaitChild(child, label, 'port', (m) => (m.type === 'ready' ? m.port : undefined), START_TIMEOUT_MS, signal);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${label}: no pid`);
    return {
      pid,
      port,
      log: serverLog,
      async drain() {
        const answered = awaitChild(child, label, 'drained', (m) => (m.type === 'drained' ? true : undefined), DRAIN_TIMEOUT_MS, signal);
        tell({ type: 'drain' });
        await answered;
      },
      memory: () => procStatus(pid),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ─── DingTalk's sessionWebhook ───────────────────────────────────────────────────────────────────

interface FakeSessions {
  base: string;
  /** Replies per session (one session per message). */
  replies: Map<string, number>;
  /** Requests to anything but the sessionWebhook (the OpenAPI, a picture): none expected. */
  unexpected: number;
  close(): Promise<void>;
}

const SESSION_PATH = '/robot/sendBySession';

/**
 * The sessionWebhook replies go to: answers ok at once and counts per session. Lean on purpose
 * (no JSON parsing, nothing kept but counts): it shares this process with autocannon.
 */
async function startFakeSessions(): Promise<FakeSessions> {
  const replies = new Map<string, number>();
  const fake = { unexpected: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const session = url.searchParams.get('session');
    const ours = req.method === 'POST' && url.pathname === SESSION_PATH && session !== null;
    if (ours) replies.set(session, (replies.get(session) ?? 0) + 1);
    else fake.unexpected += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(ours ? 200 : 404, { 'content-type': 'application/json' });
      res.end(ours ? '{"errcode":0,"errmsg":"ok"}' : '{"errcode":404,"errmsg":"fake: not a sessionWebhook"}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${String(port)}`,
    replies,
    get unexpected() {
      return fake.unexpected;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => { done(); }));
    },
  };
}

// ─── requests ────────────────────────────────────────────────────────────────────────────────────

/** Where the clerks report: a WeCom and a DingTalk township group of the sample county whose township has T2. */
interface Scene {
  county: County;
  /** `township` is the name, `townshipId` the id the ledger keeps. */
  wecom: { chat: string; user: string; township: string; townshipId: string };
  dingtalk: { chat: string; title: string; township: string; townshipId: string };
}

function sampleScene(): Scene {
  const file = SAMPLE_COUNTY();
  const setup = parseSetup(readFileSync(file, 'utf8'), file);
  if (!setup.ok) throw new Error(`the sample county does not parse: ${setup.errors.join('; ')}`);
  const { county } = setup;
  const task = county.tasks.find((t) => t.id === TASK);
  if (!task || task.status !== 'open') throw new Error(`the sample county has no open task ${TASK}`);
  const assigned = (township: string | undefined): boolean => township !== undefined && (task.townships === 'all' || task.townships.includes(township));
  const wecomGroup = county.groups.find((g) => g.platform === 'wecom' && assigned(g.township));
  const dingtalkGroup = county.groups.find((g) => g.platform === 'dingtalk' && assigned(g.township));
  const clerk = county.people.find((p) => p.platform === 'wecom' && p.township === wecomGroup?.township);
  if (!wecomGroup?.township || !dingtalkGroup?.township || !clerk) throw new Error(`the sample county lacks a WeCom and a DingTalk township group (and a WeCom clerk) for ${TASK}`);
  const name = (id: string): string => county.townships.find((t) => t.id === id)?.name ?? id;
  return {
    county,
    wecom: { chat: wecomGroup.chat, user: clerk.user, township: name(wecomGroup.township), townshipId: wecomGroup.township },
    dingtalk: { chat: dingtalkGroup.chat, title: dingtalkGroup.name ?? '工作群', township: name(dingtalkGroup.township), townshipId: dingtalkGroup.township },
  };
}

/** Message ids unique across the run: a run id and a serial. */
function serials(): () => string {
  const run = randomUUID().slice(0, 8);
  let n = 0;
  return () => `bench${run}${String(++n).padStart(7, '0')}`;
}

function wecomRequests(client: WecomClient, scene: Scene, apiBase: string, nextId: () => string, n: number): Prepared[] {
  return Array.from({ length: n }, () => {
    const msgid = nextId();
    // In a group WeCom delivers the text with the @mention in front.
    const payload = textMessage({ msgid, chatid: scene.wecom.chat, userid: scene.wecom.user, content: `@督办助手 ${REPORT} ${msgid}`, responseUrl: `${apiBase}/cgi-bin/aibot/response?response_code=${msgid}` });
    const signed = client.callback(payload);
    return { path: `/wecom/callback?${signed.query}`, headers: { 'content-type': 'application/json' }, body: signed.body, nonce: signed.nonce };
  });
}

function dingtalkRequests(appSecret: string, scene: Scene, sessions: FakeSessions, nextId: () => string, n: number): Prepared[] {
  return Array.from({ length: n }, () => {
    const msgId = nextId();
    const payload = robotMessage({
      msgId,
      content: `${REPORT} ${msgId}`,
      conversationType: '2',
      conversationId: scene.dingtalk.chat,
      conversationTitle: scene.dingtalk.title,
      senderStaffId: 'bench-clerk',
      senderNick: `${scene.dingtalk.township}联络员`,
      // One session per message: the fake can tell each message got exactly one reply.
      sessionWebhook: `${sessions.base}${SESSION_PATH}?session=${msgId}`,
    });
    return { path: '/dingtalk/callback', headers: callbackHeaders(appSecret), body: JSON.stringify(payload) };
  });
}

// ─── one server ──────────────────────────────────────────────────────────────────────────────────

interface Target {
  label: string;
  mode: ServerMode;
  env: NodeJS.ProcessEnv;
  /** Redis prefix of the bot (none for the bare handler). */
  prefix?: string;
  /** The township id the bot's reports are for. */
  township?: string;
  /** `n` requests: distinct for the bot, a cycle of a few for the bare handler. */
  feed(n: number): Feed;
  check?: AnswerCheck;
}

interface ServerResult {
  label: string;
  mode: ServerMode;
  /** The warm-up and the probe that sizes the maximum-rate phase. */
  warm: LoadResult[];
  max: LoadResult;
  fixed: LoadResult;
  /** After the maximum-rate phase: how long until every message was handled (DingTalk handles after answering). */
  maxDrainMs: number;
  idleKb?: number;
  peakKb?: number;
  log: ServerLog;
  overrun: number;
  /** For the bot: ledger entries added by the run, and how many distinct source messages they came from. */
  ledger?: { entries: number; distinct: number };
}

async function runServer(target: Target, bench: BenchRedis, seconds: number, options: InboundBenchOptions): Promise<ServerResult> {
  const { signal, log } = options;
  const child = await startChild(target.mode, target.label, target.env, signal, log);
  try {
    const before = target.prefix === undefined ? undefined : await seedLastMonth(bench.redis, target.prefix, target.township ?? '');
    const idle = child.memory();
    log(`inbound ${target.label}: listening (pid ${String(child.pid)}), idle RSS ${mb(idle?.rssKb)}; warming up`);
    const limitMs = (amount: number, perSecond: number): number => Math.max(30_000, (amount / Math.max(perSecond, 1)) * 4000 + 20_000);
    let overrun = 0;
    const phase = async (amount: number, rate: number | undefined, expectedRps: number): Promise<LoadResult> => {
      const feed = target.feed(amount + CONNECTIONS);
      const result = await load(child.port, feed, { amount, rate, check: target.check, limitMs: limitMs(amount, expectedRps) }, signal);
      overrun += feed.overrun;
      return result;
    };

    const warm = await phase(WARMUP_REQUESTS, undefined, 100);
    await child.drain();
    // The warm-up's pace is the cold one; about a second more, warm, tells how many requests fill the phase.
    const probe = await phase(Math.max(1000, Math.round(warm.rps)), undefined, warm.rps);
    await child.drain();
    const amount = Math.max(CONNECTIONS * 100, Math.round(probe.rps * seconds));
    log(`inbound ${target.label}: warm-up ${count(warm.ok)} answers at ${count(Math.round(warm.rps))}/s, then ${count(Math.round(probe.rps))}/s; maximum rate with ${count(amount)} requests`);
    const max = await phase(amount, undefined, probe.rps);
    const drainStarted = performance.now();
    await child.drain();
    const maxDrainMs = performance.now() - drainStarted;

    const fixedAmount = Math.max(CONNECTIONS, Math.round(FIXED_RATE * seconds));
    log(`inbound ${target.label}: ${count(Math.round(max.rps))}/s at most; now ${String(FIXED_RATE)}/s for ${count(fixedAmount)} requests`);
    const fixed = await phase(fixedAmount, FIXED_RATE, FIXED_RATE);
    await child.drain();
    const peak = child.memory();

    const after = target.prefix === undefined ? undefined : await ledgerOf(bench.redis, target.prefix);
    const ledger = after && before ? { entries: after.entries - before.entries, distinct: after.distinct - before.distinct } : undefined;
    return { label: target.label, mode: target.mode, warm: [warm, probe], max, fixed, maxDrainMs, idleKb: idle?.rssKb, peakKb: peak?.peakKb, log: child.log, overrun, ledger };
  } finally {
    await child.stop();
  }
}

/**
 * One report of last month, as a county past its first month has: the first 上报 then stores last
 * month's ranking, and later ones read it. Without it, every 上报 would read the whole ledger
 * (core/board.ts pastRanking finds no record of last month, stores nothing, and tries again next
 * time), and the run would measure that instead of the callback path. Returns the ledger as it
 * stands before the run.
 */
async function seedLastMonth(redis: Redis, prefix: string, township: string): Promise<{ entries: number; distinct: number }> {
  const month = previousMonth(monthOf(beijingDate(new Date())));
  await createRedisStore(redis, createKeys(prefix)).recordReport({
    task: TASK,
    township,
    amount: 50,
    value: '50%',
    note: '',
    by: { platform: 'console', user: 'bench', name: '基准' },
    at: `${month}-15T10:00:00.000+08:00`,
    source: `console:bench-seed-${month}`,
  });
  return ledgerOf(redis, prefix);
}

/** The T2 ledger's length and its distinct source messages, read in pages. */
async function ledgerOf(redis: Redis, prefix: string): Promise<{ entries: number; distinct: number }> {
  const key = createKeys(prefix).ledger(TASK);
  const entries = await redis.xlen(key);
  const sources = new Set<string>();
  let start = '-';
  for (;;) {
    const page = await redis.xrange(key, start, '+', 'COUNT', 5000);
    for (const [, fields] of page) {
      const at = fields.indexOf('source');
      const source = at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
      if (source !== undefined) sources.add(source);
    }
    const last = page.at(-1);
    if (!last || page.length < 5000) break;
    start = `(${last[0]}`;
  }
  return { entries, distinct: sources.size };
}

// ─── the benchmark ───────────────────────────────────────────────────────────────────────────────

export async function inboundBench(bench: BenchRedis, options: InboundBenchOptions): Promise<string> {
  const seconds = secondsFrom(process.env.BENCH_SECONDS);
  const scene = sampleScene();
  const redisUrl = redisUrlOf(bench.redis);
  const nextId = serials();

  // WeCom: fresh credentials per run; the test client encrypts and signs as WeCom does.
  const token = randomBytes(16).toString('hex');
  const encodingAesKey = randomBytes(22).toString('hex').slice(0, 43);
  const client = createWecomClient({ token, encodingAesKey });
  // A refused local port: a slow answer would go to response_url there, never to WeCom.
  const wecomApiBase = 'http://127.0.0.1:1';
  const wecomCheck = { opened: 0, failed: 0, firstFailure: '' };
  let answers = 0;
  const checkWecom: AnswerCheck = (status, body, context) => {
    if (status < 200 || status >= 300 || ++answers % CHECK_EVERY !== 0 || context.nonce === undefined) return;
    try {
      const reply = client.openReply(body, { nonce: context.nonce }) as { msgtype?: unknown; stream?: { finish?: unknown; content?: unknown } };
      const content = typeof reply.stream?.content === 'string' ? reply.stream.content : '';
      if (reply.msgtype !== 'stream' || reply.stream?.finish !== true || !content.includes('已记录')) throw new Error(`unexpected reply: ${content.slice(0, 120)}`);
      wecomCheck.opened += 1;
    } catch (error) {
      wecomCheck.failed += 1;
      wecomCheck.firstFailure ||= error instanceof Error ? error.message : String(error);
    }
  };

  const dingtalkSecret = randomBytes(24).toString('base64url');
  const dingtalkCheck = { answers: 0, notEmpty: 0 };
  const checkDingtalk: AnswerCheck = (status, body) => {
    if (status < 200 || status >= 300) return;
    dingtalkCheck.answers += 1;
    if (body !== EMPTY_ANSWER) dingtalkCheck.notEmpty += 1;
  };

  const sessions = await startFakeSessions();
  const prefixes = { wecom: `${bench.prefix}:inbound-wecom`, dingtalk: `${bench.prefix}:inbound-dingtalk` };
  try {
    const bareRequests = wecomRequests(client, scene, wecomApiBase, nextId, BARE_POOL);
    const targets: Target[] = [
      { label: 'bare Koa', mode: 'bare', env: childEnv({}), feed: () => cyclicFeed(bareRequests) },
      {
        label: 'WeCom',
        mode: 'wecom',
        prefix: prefixes.wecom,
        township: scene.wecom.townshipId,
        env: childEnv({ REDIS_URL: redisUrl, BENCH_PREFIX: prefixes.wecom, WECOM_TOKEN: token, WECOM_ENCODING_AES_KEY: encodingAesKey, WECOM_API_BASE: wecomApiBase }),
        feed: (n) => distinctFeed(wecomRequests(client, scene, wecomApiBase, nextId, n)),
        check: checkWecom,
      },
      {
        label: 'DingTalk',
        mode: 'dingtalk',
        prefix: prefixes.dingtalk,
        township: scene.dingtalk.townshipId,
        env: childEnv({
          REDIS_URL: redisUrl,
          BENCH_PREFIX: prefixes.dingtalk,
          DINGTALK_CLIENT_ID: 'dingbenchclient',
          DINGTALK_CLIENT_SECRET: dingtalkSecret,
          DINGTALK_MODE: 'http',
          DINGTALK_API_BASE: sessions.base,
          DINGTALK_OAPI_BASE: sessions.base,
        }),
        feed: (n) => distinctFeed(dingtalkRequests(dingtalkSecret, scene, sessions, nextId, n)),
        check: checkDingtalk,
      },
    ];
    const results: ServerResult[] = [];
    for (const target of targets) {
      try {
        results.push(await runServer(target, bench, seconds, options));
      } finally {
        if (target.prefix !== undefined) await bench.cleanup(target.prefix);
      }
    }
    return report(results, { seconds, scene, wecomCheck, dingtalkCheck, sessions });
  } finally {
    await sessions.close();
  }
}

// ─── the report ──────────────────────────────────────────────────────────────────────────────────

function mb(kb: number | undefined): string {
  return kb === undefined || Number.isNaN(kb) ? 'n/a' : `${(kb / 1024).toFixed(0)} MB`;
}

const mark = (met: boolean): string => (met ? '✓ met' : '✗ not met');

const answered = (r: LoadResult): number => r.ok + r.non2xx;

function report(
  results: readonly ServerResult[],
  context: {
    seconds: number;
    scene: Scene;
    wecomCheck: { opened: number; failed: number; firstFailure: string };
    dingtalkCheck: { answers: number; notEmpty: number };
    sessions: FakeSessions;
  },
): string {
  const bare = results.find((r) => r.mode === 'bare');
  const rows = results.map((r) => {
    const all = [...r.warm, r.max, r.fixed];
    const sum = (pick: (l: LoadResult) => number): number => all.reduce((s, l) => s + pick(l), 0);
    return [
      r.label,
      count(Math.round(r.max.rps)),
      bare ? `${((100 * r.max.rps) / bare.max.rps).toFixed(0)} %` : '',
      ms(r.fixed.p50),
      ms(r.fixed.p99),
      mb(r.idleKb),
      mb(r.peakKb),
      `${count(sum((l) => l.ok))} / ${count(sum((l) => l.non2xx))} / ${count(sum((l) => l.errors))}`,
    ];
  });
  const lines = [
    `inbound — each server in a child process, autocannon (${String(CONNECTIONS)} connections) in this one; ` +
      `maximum rate over ~${String(context.seconds)} s, then a fixed ${String(FIXED_RATE)} req/s for ${String(context.seconds)} s; latencies of 2xx answers in ms`,
    table(['server', 'max req/s', 'vs bare', `p50 at ${String(FIXED_RATE)}/s`, `p99 at ${String(FIXED_RATE)}/s`, 'idle RSS', 'peak RSS', '2xx / non-2xx / errors'], rows),
  ];

  for (const r of results) {
    const all = [...r.warm, r.max, r.fixed];
    const ok = all.reduce((s, l) => s + l.ok, 0);
    const troubles: string[] = [];
    const timeouts = all.reduce((s, l) => s + l.timeouts, 0);
    if (timeouts > 0) troubles.push(`${count(timeouts)} timed out`);
    if (all.some((l) => l.cutShort)) troubles.push('a phase hit its time limit and was stopped');
    if (r.overrun > 0) troubles.push(`${count(r.overrun)} requests repeated (too few generated)`);
    const missing = all.reduce((s, l) => s + Math.max(0, l.amount - answered(l) - l.errors), 0);
    if (missing > 0) troubles.push(`${count(missing)} requests neither answered nor failed`);
    const logLine = `server log ${String(r.log.warn)} warn, ${String(r.log.error)} error, ${String(r.log.other)} other lines`;
    const phases = `max ${count(answered(r.max))} answers in ${r.max.seconds.toFixed(1)} s, ${String(FIXED_RATE)}/s ${count(answered(r.fixed))} in ${r.fixed.seconds.toFixed(1)} s`;
    let checks: string;
    if (r.mode === 'bare') {
      checks = 'reads the body, answers a constant (the WeCom requests, a few thousand in turn)';
    } else {
      const ledger = r.ledger ?? { entries: Number.NaN, distinct: Number.NaN };
      const exact = ledger.entries === ok && ledger.distinct === ok;
      checks = `${count(ok)} messages answered 2xx; ledger of ${TASK} grew by ${count(ledger.entries)} from ${count(ledger.distinct)} distinct messages ${exact ? '✓ nothing lost, nothing twice' : '✗ MISMATCH'}`;
      if (r.mode === 'wecom') {
        const c = context.wecomCheck;
        checks += `; ${count(c.opened)} replies decrypted and read (已记录, finish) ${c.failed === 0 ? '✓' : `✗ ${String(c.failed)} wrong: ${c.firstFailure}`}`;
      } else {
        const replies = [...context.sessions.replies.values()];
        const twice = replies.filter((n) => n > 1).length;
        const one = replies.length === ok && twice === 0;
        const c = context.dingtalkCheck;
        checks +=
          `; sessionWebhook replies for ${count(replies.length)} messages, ${String(twice)} twice ${one ? '✓' : '✗'}` +
          `; answers ${c.notEmpty === 0 ? `all ${EMPTY_ANSWER} ✓` : `${String(c.notEmpty)} not ${EMPTY_ANSWER} ✗`}` +
          (context.sessions.unexpected > 0 ? `; ✗ ${String(context.sessions.unexpected)} requests to the fake that were not sessionWebhook replies` : '') +
          `; replies still owed after the maximum-rate phase went out within ${(r.maxDrainMs / 1000).toFixed(1)} s`;
      }
    }
    lines.push(`  ${r.label}: ${phases}; ${checks}; ${logLine}${troubles.length > 0 ? `; ✗ ${troubles.join(', ')}` : ''}`);
  }

  const wecom = results.find((r) => r.mode === 'wecom');
  const dingtalk = results.find((r) => r.mode === 'dingtalk');
  const goals = (r: ServerResult | undefined, what: string): string | undefined => {
    if (!r || !bare) return undefined;
    const share = r.max.rps / bare.max.rps;
    return (
      `${what}: ≥ 50 % of the bare handler's req/s — ${(share * 100).toFixed(0)} % ${mark(share >= 0.5)}; ` +
      `p99 < 50 ms at ${String(FIXED_RATE)} req/s — ${ms(r.fixed.p99)} ms ${mark(r.fixed.p99 < 50)}`
    );
  };
  const goalLines = [goals(wecom, 'goal (docs/design.md §8), WeCom'), goals(dingtalk, 'same goals, DingTalk')].filter((l): l is string => l !== undefined);
  lines.push(...goalLines);
  if (bare) {
    const ratio = (r: ServerResult | undefined, name: string): string => (r ? `${name} / bare = ${(r.max.rps / bare.max.rps).toFixed(2)}` : '');
    lines.push(`ratio (max req/s, this run): ${[ratio(wecom, 'WeCom'), ratio(dingtalk, 'DingTalk')].filter((s) => s !== '').join(', ')}`);
  }
  lines.push(
    `notes: ${String(cpus().length)} CPUs shared by autocannon and the fake sessionWebhook (this process), the server (a child) and Redis; ` +
      `each message is a clerk's "${REPORT}" in ${context.scene.wecom.township}'s WeCom group / ${context.scene.dingtalk.township}'s DingTalk group of the sample county; ` +
      `autocannon paces ${String(FIXED_RATE)}/s per connection per second, so each second starts with a burst of ${String(CONNECTIONS)} connections sending back to back; ` +
      `DingTalk answers before it handles, so its req/s counts claimed messages, and the replies follow (drained between phases); ` +
      `the ledger holds one report of last month beforehand, so last month's ranking is stored as in a county past its first month; ` +
      `peak RSS is VmHWM of the server process over its life.`,
  );
  return lines.join('\n');
}
