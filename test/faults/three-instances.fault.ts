/**
 * Three `duban serve` processes on one Redis behind nginx running the shipped site
 * (deploy/nginx/duban.conf, TLS with a test certificate), as README "Deploying" sets them up
 * (docs/design.md §7: several stateless instances behind a proxy).
 *
 * - Signed WeCom callbacks through nginx reach all three; a message delivered again to each
 *   instance directly is recorded once.
 * - A dashboard session opened on one instance is good on the others (its signing secret is in Redis).
 * - The monthly ranking (`duban job monthly-ranking`, delivered by the instances' outbox workers)
 *   goes to 96 groups while one instance is SIGKILLed in the middle: every group gets it, in
 *   order. As test/faults/crash-fanout.fault.ts says, a post being sent when its process dies is
 *   sent again once BullMQ's lock on it runs out (at-least-once while in flight), so a group may
 *   see a part twice only if its post was in flight at the kill: at most the killed instance's
 *   outbox concurrency (16, src/outbox/index.ts) of them.
 *
 * The instances run from the build (test/faults/tsconfig.serve-child.json), under this file's
 * key prefix in the test Redis. A forwarder in front of the fake WeCom holds each webhook post
 * for a while, so that the fan-out is still going when the instance is killed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, type Bot } from '../../src/compose.js';
import { createLogger } from '../../src/core/logger.js';
import { beijingDate, monthOf, nextMonth } from '../../src/domain/dates.js';
import { isReportEntry, type County, type Group } from '../../src/domain/model.js';
import { firstWorkingDayOfMonth } from '../../src/domain/schedule.js';
import { text } from '../../src/messages/index.js';
import { taskDueNextYear, testCounty } from '../fixtures/county.js';
import { runCaptured } from '../helpers/cli.js';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import { prepareNginx, startNginx, type Nginx } from '../helpers/nginx.js';
import { openTestRedis, REDIS_URL, type TestRedis } from '../helpers/redis.js';
import { createWecomClient, textMessage, type WecomTextMessage } from '../helpers/wecom-client.js';
import { assertPortFree, closeAll, counts, until } from './helpers/load.js';

const TOKEN = 'threeToken';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const PUBLIC_URL = 'https://duban.example.gov.cn';
/** This file's ports (17500–17599 are the deployment tests'). */
const PORTS = { tls: 17501, plain: 17502 };
const INSTANCES = [17511, 17512, 17513];
/** The instance SIGKILLed in the middle of the fan-out. */
const KILLED = 1;
/** The outbox worker's concurrency in `duban serve` (src/outbox/index.ts): the most posts one instance has in flight. */
const CONCURRENCY = 16;
/** How long the forwarder holds each webhook post: the fan-out takes a few seconds, not milliseconds. */
const HOLD_MS = 1000;
const GROUPS = 96;
/** Bound to 城关镇; the reports come from here. */
const REPORT_GROUP = 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw';
const LEADER = 'wangshuji';

const wecom = createWecomClient({ token: TOKEN, encodingAesKey: AES_KEY });

/** The county: one task that is due nowhere near today (no reminders from the instances' own schedulers), and 96 WeCom groups. */
function countyWith(webhook: (key: string) => string): County {
  const townships = testCounty.townships;
  const groups: Group[] = [
    { platform: 'wecom', chat: REPORT_GROUP, township: '城关镇', webhook: webhook('report-group') },
    ...Array.from({ length: GROUPS }, (_, i): Group => ({ platform: 'wecom', chat: groupChat(i), township: townships[i % townships.length]?.id ?? '城关镇', webhook: webhook(groupKey(i)) })),
  ];
  return {
    ...testCounty,
    groups,
    people: [{ platform: 'wecom', user: LEADER, name: '王书记', roles: ['leader'] }],
    tasks: [taskDueNextYear(new Date())],
  };
}
const groupChat = (i: number): string => `wrkThreeGroup${String(i).padStart(3, '0')}`;
const groupKey = (i: number): string => `three-${String(i).padStart(3, '0')}`;

interface Forwarder {
  base: string;
  close(): Promise<void>;
}

/** Passes every request on to `target`, holding webhook posts for HOLD_MS first. */
async function startForwarder(target: string): Promise<Forwarder> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hold = req.url?.startsWith('/cgi-bin/webhook/send') === true ? HOLD_MS : 0;
      setTimeout(() => {
        fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}) })
          .then(async (answer) => {
            res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
            res.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch(() => {
            res.writeHead(502);
            res.end();
          });
      }, hold);
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    base: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => { done(); }));
    },
  };
}

interface Instance {
  port: number;
  child: ChildProcess;
  log: string;
  exited: Promise<void>;
}

let db: TestRedis;
let prefix = '';
let fake: FakeWecom;
let forwarder: Forwarder;
let nginx: Nginx;
let store: Bot['store'];
let calendar: Bot['calendar'];
const instances: Instance[] = [];
const started: Array<() => unknown> = [];

/** What every instance and `duban job` are given: WeCom on, its hosts at the forwarder. */
const wecomEnv = (): Record<string, string> => ({ WECOM_TOKEN: TOKEN, WECOM_ENCODING_AES_KEY: AES_KEY, WECOM_API_BASE: forwarder.base, PUBLIC_URL });
const redisUrl = (): string => (REDIS_URL.startsWith('/') ? `unix://${REDIS_URL}` : REDIS_URL);

function startInstance(port: number): Instance {
  const child = spawn(process.execPath, ['dist/test/faults/helpers/serve-child.js'], {
    env: { ...process.env, ...wecomEnv(), PORT: String(port), REDIS_URL: redisUrl(), PREFIX: prefix },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const instance: Instance = { port, child, log: '', exited: new Promise((done) => child.once('exit', () => { done(); })) };
  child.stderr.on('data', (chunk: Buffer) => (instance.log += chunk.toString('utf8')));
  return instance;
}

beforeAll(async () => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/faults/tsconfig.serve-child.json'], { stdio: 'inherit' });
  db = await openTestRedis(import.meta.url);
  started.push(() => db.close());
  prefix = `${db.prefix}:three`;
  fake = await startFakeWecom();
  started.push(() => fake.close());
  forwarder = await startForwarder(fake.base);
  started.push(() => forwarder.close());
  // The county loaded before the instances start, as `duban load` would have done. Next year's
  // New Year's Day is its only holiday here: the calendar package may not know that year yet,
  // and the ranking runs as on next month's first working day.
  const next = Number(beijingDate(new Date()).slice(0, 4)) + 1;
  const log = createLogger('silent');
  await (await compose(db.redis, { log, prefix })).store.loadCounty(countyWith((key) => `${forwarder.base}/cgi-bin/webhook/send?key=${key}`), { rest: [`${String(next)}-01-01`], work: [], years: [next] });
  ({ store, calendar } = await compose(db.redis, { log, prefix }));

  for (const port of INSTANCES) {
    await assertPortFree(port);
    const instance = startInstance(port);
    instances.push(instance);
    started.push(async () => {
      if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill('SIGTERM');
      await instance.exited;
    });
  }
  for (const instance of instances) {
    await until(async () => {
      // An instance that could not listen (its port held by a leftover of an interrupted run) must
      // not pass for healthy because the leftover answers there.
      if (instance.child.exitCode !== null) throw new Error(`the instance on ${String(instance.port)} exited: ${instance.log}`);
      return (await fetch(`http://127.0.0.1:${String(instance.port)}/healthz`).catch(() => undefined))?.status === 200;
    }, `the instance on ${String(instance.port)} to answer /healthz`, 60_000);
  }
  const prepared = prepareNginx({ ports: PORTS, upstreams: INSTANCES });
  started.push(() => { prepared.remove(); });
  nginx = await startNginx(prepared, PORTS);
  started.push(() => nginx.stop());
}, 180_000);
afterAll(async () => {
  await closeAll([...started].reverse());
});

/** One signed callback; `via`: through nginx, or straight to an instance's port. */
async function deliver(message: WecomTextMessage, via: 'nginx' | number): Promise<{ status: number; reply?: string }> {
  const callback = wecom.callback(message);
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: callback.body };
  const answer =
    via === 'nginx'
      ? await nginx.fetch(`/wecom/callback?${callback.query}`, init)
      : await fetch(`http://127.0.0.1:${String(via)}/wecom/callback?${callback.query}`, init).then(async (res) => ({ status: res.status, body: await res.text() }));
  if (answer.status !== 200) return { status: answer.status };
  const reply = wecom.openReply(answer.body, { nonce: callback.nonce }) as { stream: { content: string } };
  return { status: 200, reply: reply.stream.content };
}

const report = (msgid: string, percent: number): WecomTextMessage =>
  textMessage({ msgid, chatid: REPORT_GROUP, userid: 'lilianluo', content: `@督办助手 上报 T2 ${String(percent)}%`, responseUrl: fake.responseUrl(msgid) });

/** How many times each message id is in the ledger. */
async function recorded(): Promise<Map<string, number>> {
  return counts((await store.ledger(['T2'])).filter(isReportEntry).map((e) => e.source));
}

const CONFIRMED = /已记录|已更正/;

describe('three instances on one Redis behind nginx', () => {
  it('spread callbacks over all three, and record a report delivered again to each of them once', async () => {
    const sent = Array.from({ length: 12 }, (_, i) => `three-report-${String(i)}`);
    const answers: Array<{ status: number; reply?: string }> = [];
    for (const [i, msgid] of sent.entries()) answers.push(await deliver(report(msgid, 10 + i), 'nginx'));
    expect(answers.filter((a) => a.status !== 200 || !CONFIRMED.test(a.reply ?? '')), 'not confirmed').toEqual([]);

    // The same message again, to every instance directly (a WeCom retry lands wherever the proxy sends it), then at once.
    const again = report('three-report-11', 21);
    const retries = [];
    for (const port of INSTANCES) retries.push(await deliver(again, port));
    retries.push(...(await Promise.all(INSTANCES.map((port) => deliver(again, port)))));
    expect(retries.map((r) => r.status)).toEqual(Array.from({ length: 6 }, () => 200));
    expect(new Set(retries.map((r) => r.reply))).toEqual(new Set([answers.at(-1)?.reply]));

    const ledger = await recorded();
    expect(sent.map((msgid) => ledger.get(`wecom:${msgid}`))).toEqual(sent.map(() => 1));
    // Which instance nginx passed each callback to, from its access log (the shipped `duban` format).
    const upstreams = counts(nginx.accessLines().filter((l) => l.includes('"POST /wecom/callback ')).map((l) => /upstream=(\S+)/.exec(l)?.[1]));
    expect([...upstreams.keys()].sort()).toEqual(INSTANCES.map((p) => `127.0.0.1:${String(p)}`));
  });

  it('keep a dashboard session opened on one instance good on the other two', async () => {
    const answer = await deliver(textMessage({ msgid: 'three-dashboard', userid: LEADER, content: '看板' }), 'nginx');
    const link = /https:\/\/duban\.example\.gov\.cn(\/dashboard\?t=\S+)/.exec(answer.reply ?? '')?.[1];
    expect(link, answer.reply).toBeDefined();
    const [first, ...others] = INSTANCES;
    const opened = await fetch(`http://127.0.0.1:${String(first)}${link ?? ''}`, { headers: { 'x-forwarded-proto': 'https' }, redirect: 'manual' });
    expect(opened.status).toBe(302);
    const cookie = opened.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect(cookie).toMatch(/^duban_session=/);

    for (const port of others) {
      const page = await fetch(`http://127.0.0.1:${String(port)}/dashboard`, { headers: { 'x-forwarded-proto': 'https', cookie }, redirect: 'manual' });
      expect(page.status, `instance ${String(port)}`).toBe(200);
      expect(await page.text()).toContain('王书记');
      expect((await fetch(`http://127.0.0.1:${String(port)}/dashboard`, { redirect: 'manual' })).status, 'without the cookie').toBe(401);
    }
    // And through the proxy, over TLS, whichever instance it picks, three times in a row.
    for (let i = 0; i < INSTANCES.length; i += 1) expect((await nginx.fetch('/dashboard', { headers: { cookie } })).status).toBe(200);
    // The sign-in link's token stays out of the proxy's log.
    const token = new URLSearchParams(link?.split('?')[1]).get('t') ?? '';
    expect(token).not.toBe('');
    expect(nginx.accessLines().filter((l) => l.includes(token) || l.includes('?'))).toEqual([]);
  });

  it('refuse a body over 64 KB and /metrics at the proxy, and send plain HTTP to HTTPS', async () => {
    const large = await nginx.fetch('/wecom/callback?msg_signature=x&timestamp=1&nonce=n', { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(65 * 1024, 'a') });
    expect(large.status).toBe(413);
    expect((await nginx.fetch('/metrics')).status).toBe(404);
    const plain = await fetch(`http://127.0.0.1:${String(PORTS.plain)}/dashboard`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toBe('https://duban.example.gov.cn/dashboard');
    expect((await nginx.fetch('/healthz')).status).toBe(200);
  });

  it('post the monthly ranking to every group, in order, when one of them is SIGKILLed in the middle of the fan-out', async () => {
    // The ranking of this month (the reports above), run as on the next month's first working day.
    const month = monthOf(beijingDate(new Date()));
    const at = `${firstWorkingDayOfMonth(nextMonth(month), calendar)}T09:00`;
    const title = text.jobs.monthlyTitle(month);
    const job = runCaptured(['job', 'monthly-ranking', '--at', at], { env: { REDIS_URL: redisUrl(), ...wecomEnv() }, prefix });

    const webhookPosts = () => fake.received.filter((r) => r.path === '/cgi-bin/webhook/send');
    const reached = () => new Set(webhookPosts().map((r) => r.query.key)).size;
    await until(() => reached() >= GROUPS / 4, 'a quarter of the groups to get a first part', 120_000);
    const killed = instances[KILLED];
    killed?.child.kill('SIGKILL');
    await killed?.exited;
    const partsAtKill = webhookPosts().length;

    // The proxy passes what the dead instance would have had to the others.
    const afterKill = await Promise.all(Array.from({ length: 6 }, (_, i) => deliver(report(`three-after-kill-${String(i)}`, 50 + i), 'nginx')));
    expect(afterKill.filter((a) => a.status !== 200 || !CONFIRMED.test(a.reply ?? '')), 'not confirmed after the kill').toEqual([]);

    const outcome = await job;
    expect(outcome.code, `${outcome.out}${outcome.err}${instances.map((i) => `\n── ${String(i.port)}\n${i.log.slice(-2000)}`).join('')}`).toBe(0);

    // Each group's arrivals: a part is its message type and its body (a picture's md5, a text's words).
    const arrivals = new Map<string, string[]>();
    for (const r of webhookPosts()) {
      const body = r.body as { msgtype: string; image?: { md5: string }; markdown?: { content: string } };
      const part = `${body.msgtype}:${body.image?.md5 ?? body.markdown?.content ?? ''}`;
      arrivals.set(r.query.key ?? '', [...(arrivals.get(r.query.key ?? '') ?? []), part]);
    }
    const keys = ['report-group', ...Array.from({ length: GROUPS }, (_, i) => groupKey(i))];
    expect(keys.filter((key) => !arrivals.has(key)), 'groups that got nothing').toEqual([]);
    // In the middle: some of the posts had arrived, not all.
    expect(partsAtKill).toBeLessThan(keys.length * 2);

    const firstSeen = (parts: readonly string[]): string[] => [...new Set(parts)];
    for (const key of keys) {
      const parts = firstSeen(arrivals.get(key) ?? []);
      // The chart first, then the ranking's text, which starts with the month's title.
      expect(parts.map((p) => p.split(':')[0]), key).toEqual(['image', 'markdown', ...parts.slice(2).map(() => 'markdown')]);
      expect(parts[1], key).toContain(title);
    }
    // Groups of one township got the same post.
    const byTownship = new Map<string, string>();
    for (const [i, key] of keys.entries()) {
      const township = i === 0 ? '城关镇' : testCounty.townships[(i - 1) % testCounty.townships.length]?.id ?? '';
      const parts = firstSeen(arrivals.get(key) ?? []).join('\n');
      expect(byTownship.get(township) ?? parts, key).toBe(parts);
      byTownship.set(township, parts);
    }
    // A part arrived twice only where its post was in flight at the kill: at most CONCURRENCY posts, each part at most twice.
    const repeated = keys.filter((key) => (arrivals.get(key) ?? []).length > firstSeen(arrivals.get(key) ?? []).length);
    expect(repeated.length, `groups with a part twice: ${repeated.join(', ')}`).toBeLessThanOrEqual(CONCURRENCY);
    for (const key of repeated) expect(Math.max(...counts(arrivals.get(key) ?? []).values()), key).toBeLessThanOrEqual(2);

    // The two left are well, and nothing was recorded twice.
    for (const [i, instance] of instances.entries()) if (i !== KILLED) expect((await fetch(`http://127.0.0.1:${String(instance.port)}/healthz`)).status).toBe(200);
    const ledger = await recorded();
    expect([...ledger.values()].filter((n) => n !== 1)).toEqual([]);
  }, 170_000);
});
