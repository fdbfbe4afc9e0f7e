/**
 * `duban serve` under `ulimit -n 1024`, a common service limit, against 1,100 clients that each
 * announce a 60 KB callback body and never finish it (issue 12: before the server's limits, real
 * callbacks then failed with ECONNRESET, and such a body was still held after 70 s). The real
 * serve() runs in a child process, as an operator starts it, with its own limits
 * (src/server/listen.ts); a signed DingTalk callback sent while the slow clients are there must
 * be answered, and every slow client must be let go by the server's timeouts — this waits for
 * each connection to close, and measures no time.
 * The child runs from the build, so this file builds it first (test/faults/tsconfig.serve-child.json).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../src/compose.js';
import { createLogger } from '../../src/core/logger.js';
import { testCounty } from '../fixtures/county.js';
import { callbackHeaders, robotMessage } from '../helpers/dingtalk-client.js';
import { startFakeDingtalk, type FakeDingtalk } from '../helpers/fake-dingtalk.js';
import { openTestRedis, REDIS_URL, type TestRedis } from '../helpers/redis.js';
import { closeAll, freePort, inPool, until } from './helpers/load.js';
import type { County } from '../../src/domain/model.js';

const CLIENT_ID = 'dingslow0001';
const CLIENT_SECRET = 'duban-slow-app-secret';
const CHENGGUAN = 'cidSlowChengguan==';
const CLERK = '1665000001';
const county: County = {
  ...testCounty,
  groups: [...testCounty.groups, { platform: 'dingtalk', chat: CHENGGUAN, township: '城关镇' }],
  people: [...testCounty.people, { platform: 'dingtalk', user: CLERK, name: '钱联络', roles: [], township: '城关镇' }],
};
const DESCRIPTORS = 1024;
const SLOW_CLIENTS = 1100;

let db: TestRedis;
let fake: FakeDingtalk;
let child: ChildProcess | undefined;
let base = '';
let childLog = '';
const slow: Socket[] = [];
const started: Array<() => unknown> = [];

/** The "Max open files" soft limit of a running process, from /proc. */
function openFilesLimit(pid: number): number {
  const line = readFileSync(`/proc/${String(pid)}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s{2,}/)[1]);
}

beforeAll(async () => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/faults/tsconfig.serve-child.json'], { stdio: 'inherit' });
  db = await openTestRedis(import.meta.url);
  started.push(() => db.close());
  const prefix = `${db.prefix}:serve`;
  await (await compose(db.redis, { log: createLogger('silent'), prefix })).store.loadCounty(county, { rest: [], work: [], years: [] });
  fake = await startFakeDingtalk({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  started.push(() => fake.close());

  const port = await freePort();
  base = `http://127.0.0.1:${String(port)}`;
  // `ulimit -n` in bash sets the hard limit too: Node cannot raise it, as it raises a soft one.
  const spawned = spawn('bash', ['-c', `ulimit -n ${String(DESCRIPTORS)} && exec "$0" dist/test/faults/helpers/serve-child.js`, process.execPath], {
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL: REDIS_URL.startsWith('/') ? `unix://${REDIS_URL}` : REDIS_URL,
      PREFIX: prefix,
      DINGTALK_CLIENT_ID: CLIENT_ID,
      DINGTALK_CLIENT_SECRET: CLIENT_SECRET,
      DINGTALK_MODE: 'http',
      DINGTALK_API_BASE: fake.base,
      DINGTALK_OAPI_BASE: fake.base,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child = spawned;
  spawned.stderr.on('data', (chunk: Buffer) => (childLog += chunk.toString('utf8')));
  started.push(async () => {
    if (spawned.exitCode !== null || spawned.signalCode !== null) return;
    const exited = new Promise((done) => spawned.once('exit', done));
    spawned.kill('SIGTERM');
    await exited;
  });
  await until(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200, 'duban serve to answer /healthz', 60_000);
}, 180_000);
afterAll(async () => {
  for (const socket of slow) socket.destroy();
  await closeAll([...started.reverse()]);
});

/** A client that announces a 60 KB callback body, sends its first bytes and nothing more; resolves once connected. */
async function slowClient(port: string): Promise<{ closed: Promise<void>; isClosed(): boolean }> {
  const socket = connect(Number(port), '127.0.0.1');
  slow.push(socket);
  socket.on('error', () => undefined);
  // Read what the server says (a 408), or the end of the connection would never be seen.
  socket.resume();
  let over = false;
  const closed = new Promise<void>((done) => socket.once('close', () => {
    over = true;
    done();
  }));
  await new Promise<void>((ready) => socket.once('connect', ready).once('close', ready));
  socket.write(`POST /dingtalk/callback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${String(60 * 1024)}\r\n\r\n{"msgId":`);
  return { closed, isClosed: () => over };
}

describe(`duban serve under ulimit -n ${String(DESCRIPTORS)}`, () => {
  it(`answers a signed callback while ${String(SLOW_CLIENTS)} clients hold slow 60 KB bodies, and lets every one of them go`, async () => {
    expect(child?.pid).toBeDefined();
    expect(openFilesLimit(child?.pid ?? 0)).toBe(DESCRIPTORS);
    const port = new URL(base).port;
    const clients: Array<{ closed: Promise<void>; isClosed(): boolean }> = [];
    await inPool(Array.from({ length: SLOW_CLIENTS }, (_, i) => i), 50, async () => {
      clients.push(await slowClient(port));
    });

    const message = robotMessage({ msgId: 'slow-real-1', content: '任务', conversationType: '2', conversationId: CHENGGUAN, senderStaffId: CLERK, senderNick: '钱联络', sessionWebhook: fake.sessionWebhook('s-real-1'), robotCode: CLIENT_ID });
    const res = await fetch(`${base}/dingtalk/callback`, { method: 'POST', headers: callbackHeaders(CLIENT_SECRET), body: JSON.stringify(message) });
    expect({ status: res.status, body: await res.text() }).toEqual({ status: 200, body: '{"msgtype":"empty"}' });
    // Answered while slow clients still held their places, not after their timeouts had let them all go.
    expect(clients.filter((c) => !c.isClosed()).length).toBeGreaterThan(0);
    await fake.waitFor((r) => r.path === '/robot/sendBySession' && r.query.session === 's-real-1', 20_000);

    // Cut to make room, or answered 408 once their body is overdue: none is held.
    await Promise.all(clients.map((c) => c.closed));
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(childLog).toContain('too many connections at once');
    expect(childLog).not.toMatch(/EMFILE|ECONNRESET|request failed/);
  }, 120_000);
});
