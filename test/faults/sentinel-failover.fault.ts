/**
 * Redis behind Sentinel, its master SIGKILLed under load (docs/design.md §7: a confirmed report
 * survives the master's loss; one scheduler run per slot; outbound delivery is durable).
 *
 * This file starts a master, a replica and three `redis-sentinel` on 127.0.0.1 (ports 17300–17399),
 * and the app as `duban serve` assembles it with REDIS_SENTINELS pointing at them, with the
 * outbox's worker and the scheduler (a job every 2 s) running. Signed WeCom callbacks come in while
 * the master is killed: the bot answers 503 while there is no master, answers again once the
 * sentinels have promoted the replica, and every report it confirmed is in the ledger of the
 * promoted master. The posts queued before the kill, and one per scheduler slot, each reach their
 * group once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { compose, type Bot } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { Job } from '../../src/core/job.js';
import { createLogger } from '../../src/core/logger.js';
import type { Poster } from '../../src/core/platform.js';
import type { Post } from '../../src/core/posts.js';
import { startScheduler, type Scheduler } from '../../src/core/scheduler.js';
import { isReportEntry, type WorkCalendar } from '../../src/domain/model.js';
import { createOutbox, type Outbox } from '../../src/outbox/index.js';
import { renderText } from '../../src/render/plain.js';
import { createApp } from '../../src/server/app.js';
import { connectRedis } from '../../src/store/connect.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { calendarStub } from '../helpers/calendar-stub.js';
import { testCounty } from '../fixtures/county.js';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import { listen, type Listening } from '../helpers/http.js';
import { createWecomClient, textMessage } from '../helpers/wecom-client.js';
import { closeAll, counts, inPool, until } from './helpers/load.js';

const HOST = '127.0.0.1';
const MASTER_PORT = 17301;
const REPLICA_PORT = 17302;
/** A replica of the promoted master, started by the second test. */
const SECOND_REPLICA_PORT = 17303;
const SENTINEL_PORTS = [17311, 17312, 17313] as const;
const MASTER_NAME = 'duban-fault';

const TOKEN = 'faultToken';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
/** Bound to 城关镇 in the test county. */
const WECOM_GROUP = 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw';
const CONFIRMED = /已记录|已更正/;
/** The bound on the failover, as the clerk sees it: answers resume within 30 s of the kill. */
const RESUME_WITHIN_MS = 30_000;
/** The outbox worker's concurrency: the most posts that can be on the wire when the master dies. */
const CONCURRENCY = 4;
/** Console groups of the test county: the outbox's lanes. */
const LANES = ['城关镇工作群', '红星乡工作群', '东城街道工作群'] as const;
const QUEUED_BEFORE = 24;

const wecom = createWecomClient({ token: TOKEN, encodingAesKey: AES_KEY });
/** The bot's last warnings, shown when a test fails: a post that never arrives leaves only them. The 503s are expected. */
const logLines: string[] = [];
const log = createLogger('warn', (line) => {
  if (line.includes('"msg":"request refused"')) return;
  logLines.push(line);
  if (logLines.length > 400) logLines.shift();
});
/** Every day a working day: the slots' posts must go out whatever day the suite runs. */
const everyDayWorks: WorkCalendar = { ...calendarStub(), covers: () => true, isWorkday: () => true };

let dir: string;
const servers = new Map<string, ChildProcess>();
const started: Array<() => unknown> = [];
let fakeWecom: FakeWecom;
let bot: Bot;
let app: Listening;
let outbox: Outbox;
let scheduler: Scheduler | undefined;

/** What the groups received, in order, and whether each arrived before the master was killed. */
const sent: Array<{ text: string; beforeKill: boolean }> = [];
let killed = false;
const recordingPoster: Poster = {
  parts: () => 1,
  pauseMs: 0,
  sendPart: (group, message) => {
    sent.push({ text: `${group.chat}|${renderText(message)}`, beforeKill: !killed });
    return Promise.resolve();
  },
};

/** The slots the job was run for (a slot run again after a failure is one). */
const planned = new Set<string>();
/** A job every 2 s: one post per slot to 城关镇's group, named by the slot. */
const everyTwoSeconds: Job = {
  name: 'tick',
  cron: '*/2 * * * * *',
  timezone: 'Asia/Shanghai',
  graceMs: 0,
  async run(ctx) {
    planned.add(ctx.now.toISOString());
    const group = await ctx.store.group('console', LANES[0]);
    return group ? [{ group, part: ctx.now.toISOString(), message: { lines: [[`slot ${ctx.now.toISOString()}`]] } }] : [];
  },
};

function spawnServer(name: string, args: readonly string[], command = 'redis-server'): void {
  // Nothing of this process's environment: the servers need none of it.
  const child = spawn(command, [...args], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  servers.set(name, child);
}

function probe(port: number): Redis {
  const client = new Redis({ host: HOST, port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  return client;
}

/** Runs `work` on a fresh connection to `port`; undefined when nothing answers there. */
async function ask<T>(port: number, work: (client: Redis) => Promise<T>): Promise<T | undefined> {
  const client = probe(port);
  try {
    await client.connect();
    return await work(client);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

const field = (info: string, name: string): string | undefined => info.split(/\r?\n/).find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim();

/** SENTINEL MASTER's flat list of fields, as a map. */
async function sentinelView(port: number): Promise<Map<string, string> | undefined> {
  const flat = await ask(port, (c) => c.call('SENTINEL', 'MASTER', MASTER_NAME));
  if (!Array.isArray(flat)) return undefined;
  const view = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) view.set(String(flat[i]), String(flat[i + 1]));
  return view;
}

async function masterPortSeenBy(port: number): Promise<number | undefined> {
  const address = await ask(port, (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME));
  return Array.isArray(address) ? Number(address[1]) : undefined;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duban-fault-sentinel-'));
  const data = (name: string): string[] => {
    mkdirSync(join(dir, name));
    // AOF fsynced on every write: what a server acknowledged is on its disk.
    return ['--bind', HOST, '--dir', join(dir, name), '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
  };
  spawnServer('master', ['--port', String(MASTER_PORT), ...data('master')]);
  spawnServer('replica', ['--port', String(REPLICA_PORT), ...data('replica'), '--replicaof', HOST, String(MASTER_PORT)]);
  for (const port of SENTINEL_PORTS) {
    const conf = join(dir, `sentinel-${String(port)}.conf`);
    // A quorum of two of three; the master is down after a second without an answer, and a
    // failover that stalls is tried again after 5 s (https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/).
    writeFileSync(conf, [
      `port ${String(port)}`,
      `bind ${HOST}`,
      `dir ${dir}`,
      `sentinel monitor ${MASTER_NAME} ${HOST} ${String(MASTER_PORT)} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
      `sentinel failover-timeout ${MASTER_NAME} 5000`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
      '',
    ].join('\n'));
    spawnServer(`sentinel-${String(port)}`, [conf], 'redis-sentinel');
  }
  started.push(() => {
    for (const child of servers.values()) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  // The replica in sync, and every sentinel knowing the replica and the two other sentinels.
  await until(async () => field((await ask(REPLICA_PORT, (c) => c.info('replication'))) ?? '', 'master_link_status') === 'up', 'the replica to sync', 30_000);
  await until(async () => {
    const views = await Promise.all(SENTINEL_PORTS.map(sentinelView));
    return views.every((v) => v !== undefined && Number(v.get('num-slaves')) >= 1 && Number(v.get('num-other-sentinels')) === 2);
  }, 'the sentinels to find the replica and each other', 30_000);

  fakeWecom = await startFakeWecom();
  started.push(() => fakeWecom.close());
  const config = loadConfig({
    REDIS_SENTINELS: SENTINEL_PORTS.map((p) => `${HOST}:${String(p)}`).join(','),
    REDIS_MASTER_NAME: MASTER_NAME,
    WECOM_TOKEN: TOKEN,
    WECOM_ENCODING_AES_KEY: AES_KEY,
    WECOM_API_BASE: fakeWecom.base,
  });
  const handle = await connectRedis(config.redisUrl, log);
  started.push(() => handle.close());
  await createRedisStore(handle.redis, createKeys()).loadCounty(testCounty, { rest: [], work: [], years: [] });
  bot = await compose(handle.redis, { log, config });
  started.push(() => bot.close());
  outbox = createOutbox({
    redis: handle.redis,
    queuePrefix: createKeys().queuePrefix(),
    store: bot.store,
    posters: { console: recordingPoster },
    log,
    perMinute: 600,
    concurrency: CONCURRENCY,
    backoff: { firstMs: 200, maxMs: 2_000, attempts: 100 },
  });
  started.push(() => outbox.close());
  outbox.start();
  app = await listen(createApp({ log, redisUp: () => bot.store.ping(), routes: bot.inbound.flatMap((i) => i.routes) }));
  started.push(() => app.close());
}, 120_000);

afterAll(async () => {
  await closeAll([() => scheduler?.stop(), ...started.splice(0).reverse()]);
});

type Outcome = 'confirmed' | 'refused' | 'deferred' | 'other';

/**
 * One WeCom delivery of a report, as WeCom sees the answer. Each message carries its id as the
 * note: two messages of one clerk saying the same thing within two hours are one entry (the
 * 'repeat' of record-report.lua), and the percentages repeat every 101 messages.
 */
async function deliver(msgid: string, percent: number): Promise<Outcome> {
  const callback = wecom.callback(textMessage({ msgid, chatid: WECOM_GROUP, userid: 'lilianluo', content: `@督办助手 上报 T2 ${String(percent)}% ${msgid}`, responseUrl: fakeWecom.responseUrl(msgid) }));
  const res = await fetch(`${app.base}/wecom/callback?${callback.query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: callback.body }).catch(() => undefined);
  if (res === undefined) return 'refused';
  const body = await res.text();
  if (res.status === 503) return 'refused';
  if (res.status !== 200) return 'other';
  const reply = wecom.openReply(body, { nonce: callback.nonce }) as { stream: { content: string } };
  // A slow answer: "working" now, the answer through the response_url (checked at the end).
  return CONFIRMED.test(reply.stream.content) ? 'confirmed' : 'deferred';
}

/** Whether the response_url of `msgid` carried a confirmation. */
const confirmedLater = (msgid: string): boolean => fakeWecom.received.some((r) => r.query.response_code === msgid && CONFIRMED.test(r.raw));

describe('Redis behind Sentinel, its master SIGKILLed under load', () => {
  it('answers 503 while there is no master, confirms again on the promoted replica, loses no confirmed report, and posts each queued post and each slot once', async () => {
    onTestFailed(() => {
      const missing = Array.from({ length: QUEUED_BEFORE }, (_, n) => `queued ${String(n)}`).filter((text) => !sent.some((s) => s.text.endsWith(`|${text}`)));
      console.error(`queued posts that never arrived: ${missing.join(', ') || 'none'}\nthe bot's last log lines:\n${logLines.join('\n')}`);
    });
    scheduler = await startScheduler([everyTwoSeconds], { store: bot.store, calendar: everyDayWorks, log, outbox });
    const posts: Post[] = Array.from({ length: QUEUED_BEFORE }, (_, n) => {
      const chat = LANES[n % LANES.length] ?? LANES[0];
      return { key: `queued/${String(n)}`, platform: 'console', chat, message: { lines: [[`queued ${String(n)}`]] } };
    });
    expect((await outbox.enqueue(posts)).added).toHaveLength(QUEUED_BEFORE);

    // Reports keep coming, a few at a time, until told to stop.
    const outcomes = new Map<string, { outcome: Outcome; afterKill: boolean; percent: number }>();
    let next = 0;
    let loading = true;
    const percentOf = (n: number): number => n % 101;
    const load = inPool(Array.from({ length: 6 }, (_, lane) => lane), 6, async () => {
      while (loading) {
        const n = next++;
        const msgid = `sentinel-${String(n)}`;
        const afterKill = killed;
        outcomes.set(msgid, { outcome: await deliver(msgid, percentOf(n)), afterKill, percent: percentOf(n) });
      }
    });
    const confirmedSoFar = (afterKill: boolean): number => [...outcomes.values()].filter((o) => o.outcome === 'confirmed' && o.afterKill === afterKill).length;
    await until(() => confirmedSoFar(false) >= 40, 'reports confirmed before the kill', 30_000);

    // What was queued is on the replica before the master goes: the offset the replica acknowledged has reached the master's.
    const role = await ask(MASTER_PORT, (c) => c.call('ROLE'));
    const offset = Array.isArray(role) ? Number(role[1]) : Infinity;
    await until(async () => {
      const info = (await ask(REPLICA_PORT, (c) => c.info('replication'))) ?? '';
      return Number(field(info, 'slave_repl_offset')) >= offset;
    }, 'the replica to have what the master had');

    killed = true;
    servers.get('master')?.kill('SIGKILL');
    await until(async () => (await masterPortSeenBy(SENTINEL_PORTS[0])) === REPLICA_PORT, 'the sentinels to promote the replica', RESUME_WITHIN_MS);
    await until(() => confirmedSoFar(true) >= 20, 'reports confirmed on the promoted replica', RESUME_WITHIN_MS);
    loading = false;
    await load;

    const all = [...outcomes];
    expect(all.filter(([, o]) => o.outcome === 'other'), 'answers that neither confirm, refuse nor defer').toEqual([]);
    // The kill fell inside the load: some were refused while there was no master.
    expect(all.filter(([, o]) => o.outcome === 'refused' && o.afterKill).length).toBeGreaterThan(0);

    // Every confirmation, passive or through the response_url, is in the promoted master's ledger.
    const ledger = (await bot.store.ledger(['T2'])).filter(isReportEntry);
    const kept = new Set(ledger.map((e) => e.source));
    const confirmed = all.filter(([id, o]) => o.outcome === 'confirmed' || (o.outcome === 'deferred' && confirmedLater(id))).map(([id]) => `wecom:${id}`);
    expect(confirmed.filter((source) => !kept.has(source)), 'confirmed but not in the ledger').toEqual([]);

    // WeCom delivers the refused ones again: each is confirmed now and recorded once, with its own value.
    for (const [id, o] of all.filter(([, o]) => o.outcome === 'refused')) expect(await deliver(id, o.percent), `redelivery of ${id}`).toBe('confirmed');
    const entries = (await bot.store.ledger(['T2'])).filter(isReportEntry);
    const recorded = counts(entries.map((e) => e.source));
    for (const [id, o] of all) {
      if (o.outcome === 'deferred' && !confirmedLater(id)) expect(recorded.get(`wecom:${id}`) ?? 0, id).toBeLessThanOrEqual(1);
      else expect(recorded.get(`wecom:${id}`), `ledger entries of ${id}`).toBe(1);
    }
    expect(entries.filter((e) => e.value !== `${String(outcomes.get(e.source.slice('wecom:'.length))?.percent)}%`), 'entries with another message\'s value').toEqual([]);

    // The queued posts all arrive; the scheduler goes on past the failover. A post whose completion
    // was lost with the master stays active until its lock (30 s, src/outbox/index.ts) runs out and
    // BullMQ's next stall check (every 30 s) queues it again: with the clients' reconnection, up to
    // about 90 s. A CI run gave up waiting after 60 s.
    const arrived = (prefix: string) => sent.filter((s) => s.text.includes(prefix));
    await until(() => new Set(arrived('|queued ').map((s) => s.text)).size === QUEUED_BEFORE, 'every queued post to arrive', 150_000);
    const slotsAfterKill = () => arrived('|slot ').filter((s) => !s.beforeKill).length;
    await until(() => slotsAfterKill() >= 3, 'the scheduler to post slots after the failover', 60_000);
    await scheduler.stop();
    scheduler = undefined;
    // Every slot a run planned (each queued before its run ended) reaches the group.
    const slotTexts = () => new Set(arrived('|slot ').map((s) => s.text.slice(s.text.indexOf('|slot ') + '|slot '.length)));
    await until(() => [...planned].every((slot) => slotTexts().has(slot)), 'every planned slot to arrive', 60_000);

    // Once each. A post can arrive twice only if it was on the wire when the master died (the
    // outbox is at-least-once for those): first sent before the kill, at most CONCURRENCY of them.
    const times = counts(sent.map((s) => s.text));
    const twice = [...times].filter(([, n]) => n > 1).map(([text]) => text);
    expect(twice.filter((text) => !sent.some((s) => s.text === text && s.beforeKill)), 'posts sent twice though not on the wire at the kill').toEqual([]);
    expect(twice.length).toBeLessThanOrEqual(CONCURRENCY);
    // No slot lost: from the first slot posted to the last, one post every 2 s.
    const slots = [...slotTexts()].map((slot) => Date.parse(slot)).sort((a, b) => a - b);
    const first = slots[0] ?? 0;
    const last = slots.at(-1) ?? 0;
    const everySlot = Array.from({ length: (last - first) / 2_000 + 1 }, (_, i) => first + i * 2_000);
    expect(slots.map((t) => new Date(t).toISOString())).toEqual(everySlot.map((t) => new Date(t).toISOString()));
  }, 240_000);

  it('refuses a report with 503 while the promoted master\'s replica does not acknowledge it, and confirms it once the replica does', async () => {
    mkdirSync(join(dir, 'second'));
    spawnServer('second', ['--port', String(SECOND_REPLICA_PORT), '--bind', HOST, '--dir', join(dir, 'second'), '--appendonly', 'yes', '--save', '', '--replicaof', HOST, String(REPLICA_PORT)]);
    await until(async () => field((await ask(SECOND_REPLICA_PORT, (c) => c.info('replication'))) ?? '', 'master_link_status') === 'up', 'the new replica to sync', 30_000);
    // Stopped, not gone: the master still counts it as connected, and it acknowledges nothing.
    servers.get('second')?.kill('SIGSTOP');
    let n = 0;
    let last = '';
    await until(async () => {
      last = `unacknowledged-${String(n++)}`;
      return (await deliver(last, 42)) === 'refused';
    }, 'a report refused for want of an acknowledgement', 30_000);

    servers.get('second')?.kill('SIGCONT');
    await until(async () => (await deliver(last, 42)) === 'confirmed', 'the report delivered again to be confirmed', 30_000);
    const entries = (await bot.store.ledger(['T2'])).filter(isReportEntry).filter((e) => e.source === `wecom:${last}`);
    expect(entries).toHaveLength(1);
  }, 90_000);
});
