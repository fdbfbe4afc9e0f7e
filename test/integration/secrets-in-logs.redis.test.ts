/**
 * No part of a secret reaches a log line or the terminal. The bot is run the way an operator runs
 * it (`duban load`, `duban job`, `duban serve`, `duban say`), holding every credential it can hold
 * — configured, in the setup file, in REDIS_URL, fetched from the platforms, made for a leader —
 * against a platform that echoes every request it gets (URL, headers, body) back in its error
 * message: the worst an errmsg can do. Everything the commands wrote is then searched for each
 * secret and for every 6-character piece of one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { realClockEnv } from '../helpers/real-clock.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli/index.js';
import { DASHBOARD_SECRET } from '../../src/core/access.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { callbackHeaders, robotMessage } from '../helpers/dingtalk-client.js';

/** Letters and digits only, so that no piece of one is a word a log line could hold anyway. */
const random = (length: number): string => {
  let out = '';
  while (out.length < length) out += randomBytes(length).toString('base64').replace(/[^A-Za-z0-9]/g, '');
  return out.slice(0, length);
};

/** The password from the issue: an `@` inside it, where a first-`@` mask cut it in two. */
const REDIS_PASSWORD = 'Pw0rd@Leak9Zq';

const secrets = {
  REDIS_PASSWORD,
  WECOM_TOKEN: random(32),
  WECOM_ENCODING_AES_KEY: random(43),
  WECOM_AGENT_SECRET: random(43),
  DINGTALK_CLIENT_SECRET: random(64),
  wecomWebhookKey: `${random(8)}-${random(4)}-${random(4)}-${random(12)}`,
  dingtalkRobotToken: random(64),
  dingtalkRobotSecret: `SEC${random(61)}`,
  dingtalkSession: random(40),
  /** What the platform hands out: tokens fetched by the bot. */
  wecomAccessToken: random(64),
  dingtalkAccessToken: random(32),
  oauthCode: random(32),
};

const CLERK = 'dingclerk0001';
const LEADER = 'dingleader0001';

/** Whatever each command wrote, stdout and stderr, in order. */
const written: string[] = [];

let dir: string;
let redis: ChildProcess;
let redisPort: number;
let platform: EchoingPlatform;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duban-secrets-'));
  redisPort = await freePort();
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--requirepass', REDIS_PASSWORD, '--save', '', '--appendonly', 'no'], { stdio: 'ignore', env: realClockEnv });
  await redisAnswers(redisPort);
  platform = await startEchoingPlatform();
  const port = await freePort();
  env = {
    PORT: String(port),
    REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:${String(redisPort)}/0`,
    WECOM_TOKEN: secrets.WECOM_TOKEN,
    WECOM_ENCODING_AES_KEY: secrets.WECOM_ENCODING_AES_KEY,
    WECOM_API_BASE: platform.base,
    WECOM_CORP_ID: 'ww0123456789abcdef',
    WECOM_AGENT_ID: '1000002',
    WECOM_AGENT_SECRET: secrets.WECOM_AGENT_SECRET,
    PUBLIC_URL: `http://127.0.0.1:${String(port)}`,
    DINGTALK_CLIENT_ID: 'dingsecretstest01',
    DINGTALK_CLIENT_SECRET: secrets.DINGTALK_CLIENT_SECRET,
    DINGTALK_MODE: 'http',
    DINGTALK_API_BASE: platform.base,
    DINGTALK_OAPI_BASE: platform.base,
  };
  writeFileSync(join(dir, 'county.yaml'), county());
});

afterAll(async () => {
  await platform.close();
  const exited = new Promise((done) => redis.once('exit', done));
  redis.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
});

function county(): string {
  return `county: 密县
townships:
  - { name: 城关镇, villages: 12 }
  - { name: 龙泉镇, villages: 9 }
groups:
  - { platform: wecom, chat: wrkSecretsGroup01, township: 城关镇, webhook: "${platform.base}/cgi-bin/webhook/send?key=${secrets.wecomWebhookKey}" }
  - { platform: dingtalk, chat: "cidSecretsGroup01==", township: 龙泉镇, webhook: "${platform.base}/robot/send?access_token=${secrets.dingtalkRobotToken}", secret: "${secrets.dingtalkRobotSecret}" }
  - { platform: dingtalk, chat: "cidSecretsLeaders01==", role: leaders }
people:
  - { platform: wecom, user: wangfang, name: 王芳, township: 城关镇 }
  - { platform: dingtalk, user: "${CLERK}", name: 李明, township: 龙泉镇 }
  - { platform: dingtalk, user: "${LEADER}", name: 李国强, roles: [leader] }
tasks:
  - { id: T1, title: 农民夜校全覆盖, deadline: 2026-11-26, target: { count: 1 } }
`;
}

/** `duban <argv>` in-process, what it writes kept in `written`; `running` sees it while it runs. */
function duban(argv: string[], running?: (output: () => string) => Promise<void>): Promise<number> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let output = '';
  const keep = (chunk: Buffer): void => { output += chunk.toString(); };
  stdout.on('data', keep);
  stderr.on('data', keep);
  const stdin = new PassThrough();
  stdin.end();
  const io: CliIo = { env, stdout, stderr, stdin, dataDir: dir, prefix: 'secrets', interactive: false };
  const done = runCli(argv, io);
  const watched = running ? running(() => output).then(() => done) : done;
  return watched.finally(() => written.push(output));
}

describe('what the bot writes down while it holds every secret', () => {
  it('holds no secret, whole or in part, after loading, posting, serving a callback and a sign-in, and missing Redis', { timeout: 60_000 }, async () => {
    expect(await duban(['load', join(dir, 'county.yaml')])).toBe(0);
    // 督办提醒 and the leaders' digest go to webhooks and an OpenAPI that refuse them for good,
    // echoing the key, the tokens and the 加签 sign.
    // (It exits 1: the posts failed.)
    await duban(['job', 'all', '--at', '2026-11-23T09:00']);

    const served = await duban(['serve'], async (output) => {
      await until(() => output().includes('督办助手已启动'));
      const base = `http://127.0.0.1:${env.PORT ?? ''}`;
      // A leader asks for the dashboard link in a direct chat; the reply through the sessionWebhook is refused, echoing the link.
      const message = robotMessage({ msgId: 'msgSecrets01', content: '看板', conversationType: '1', senderStaffId: LEADER, senderNick: '李国强', sessionWebhook: `${platform.base}/robot/sendBySession?session=${secrets.dingtalkSession}` });
      const res = await fetch(`${base}/dingtalk/callback`, { method: 'POST', headers: callbackHeaders(secrets.DINGTALK_CLIENT_SECRET), body: JSON.stringify(message) });
      expect(res.status).toBe(200);
      await until(() => output().includes('reply could not be sent'));
      // A sign-in through WeCom's OAuth: a token is fetched, and getuserinfo refuses, echoing the token and the code.
      const inWecom = { 'user-agent': 'Mozilla/5.0 wxwork/4.1.0' };
      const start = await fetch(`${base}/dashboard`, { headers: inWecom, redirect: 'manual' });
      const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
      const back = await fetch(`${base}/dashboard/wecom/oauth?code=${secrets.oauthCode}&state=${state}`, { headers: { ...inWecom, cookie }, redirect: 'manual' });
      expect(back.status).toBe(503);
      await until(() => output().includes('dashboard sign-in failed'));
      process.emit('SIGTERM', 'SIGTERM');
    });
    expect(served).toBe(0);

    // A Redis that cannot be reached is named without its password.
    env.REDIS_URL = `redis://:${REDIS_PASSWORD}@127.0.0.1:${String(await freePort())}/0`;
    expect(await duban(['say', '--platform', 'dingtalk', '--user', CLERK, '任务'])).not.toBe(0);
    expect(written.at(-1)).toContain('redis://127.0.0.1:');

    // Every path that could leak was taken.
    expect(new Set(platform.paths())).toEqual(new Set(['/cgi-bin/webhook/send', '/robot/send', '/v1.0/oauth2/accessToken', '/v1.0/robot/groupMessages/send', '/robot/sendBySession', '/cgi-bin/gettoken', '/cgi-bin/auth/getuserinfo']));
    const all = written.join('\n');
    expect(all).toContain('redis connected');
    for (const [name, value] of Object.entries({ ...secrets, ...(await madeByTheBot()) })) {
      expect(all.includes(value), `${name} is written down whole`).toBe(false);
      for (const piece of pieces(value)) expect(all.includes(piece), `${name} is written down in part: ${piece}`).toBe(false);
    }
  });
});

/** Secrets the bot made for itself: the dashboard's signing key, and the link it signed for the leader. */
async function madeByTheBot(): Promise<Record<string, string>> {
  const client = new Redis({ port: redisPort, host: '127.0.0.1', password: REDIS_PASSWORD, lazyConnect: true });
  await client.connect();
  try {
    const key = await createRedisStore(client, createKeys('secrets')).secret(DASHBOARD_SECRET);
    const link = /[?&]t=([\w.-]+)/.exec(platform.bodies().join('\n'))?.[1];
    expect(link, 'the leader was sent a dashboard link').toBeDefined();
    return { dashboardKeyHex: key.toString('hex'), dashboardKeyBase64: key.toString('base64'), dashboardLinkToken: link ?? '' };
  } finally {
    client.disconnect();
  }
}

/** Every 6-character piece of `value`. */
function pieces(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 6 <= value.length; i++) out.push(value.slice(i, i + 6));
  return out;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((done) => setTimeout(done, 20));
  if (!check()) throw new Error('waited 10 s for something that did not happen');
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => { done(port); });
    });
  });
}

async function redisAnswers(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const client = new Redis({ port, host: '127.0.0.1', password: REDIS_PASSWORD, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    const up = await client.connect().then(() => client.ping()).then(() => true, () => false);
    client.disconnect();
    if (up) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error('the password-protected redis-server did not start');
}

interface EchoingPlatform {
  base: string;
  /** The paths asked, in order. */
  paths(): string[];
  /** The bodies received, in order. */
  bodies(): string[];
  close(): Promise<void>;
}

/**
 * WeCom and DingTalk on one origin, refusing everything for good with the whole request in the
 * error (so no retry holds a command up), except the two token endpoints, which hand out tokens.
 */
async function startEchoingPlatform(): Promise<EchoingPlatform> {
  const seen: { path: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://platform').pathname;
      seen.push({ path, body });
      const echo = `you sent ${req.method ?? ''} ${req.url ?? ''} ${JSON.stringify(req.headers)} ${body}`;
      const [status, answer] = answerTo(path, echo);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    base: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    paths: () => seen.map((s) => s.path),
    bodies: () => seen.map((s) => s.body),
    close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => { done(); }); }),
  };
}

function answerTo(path: string, echo: string): [number, unknown] {
  if (path === '/cgi-bin/gettoken') return [200, { errcode: 0, errmsg: 'ok', access_token: secrets.wecomAccessToken, expires_in: 7200 }];
  if (path === '/v1.0/oauth2/accessToken') return [200, { accessToken: secrets.dingtalkAccessToken, expireIn: 7200 }];
  // 93000 (WeCom webhook gone), 40001 (WeCom app credential), 310000 (DingTalk 加签 refused), 400 (OpenAPI): all for good.
  if (path.startsWith('/cgi-bin/webhook') || path.startsWith('/cgi-bin/aibot')) return [200, { errcode: 93000, errmsg: `invalid webhook url, ${echo}` }];
  if (path.startsWith('/cgi-bin/')) return [200, { errcode: 40001, errmsg: `invalid credential, ${echo}` }];
  if (path.startsWith('/robot/')) return [200, { errcode: 310000, errmsg: `sign not match, ${echo}` }];
  return [400, { code: `Forbidden.${echo}`, message: echo }];
}
