/**
 * `duban doctor` run in-process, as an admin runs it, against real Redis and fakes on 127.0.0.1:
 * the WeCom API (gettoken), the long-connection server, DingTalk, and a server answering
 * /healthz. Whatever a run finds, it posts nothing: every test ends by checking that no fake got
 * anything but the checks' own requests.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { County, Group } from '../../src/domain/model.js';
import { createHealthStore } from '../../src/store/health.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore, type Store } from '../../src/store/redis-store.js';
import { taskOf } from '../fixtures/county.js';
import { runCaptured, type Outcome } from '../helpers/cli.js';
import { startFakeDingtalk, type FakeDingtalk } from '../helpers/fake-dingtalk.js';
import { startFakeWecomApp, type FakeWecomApp } from '../helpers/fake-wecom-app.js';
import { startFakeWecomWs, type FakeWecomWs } from '../helpers/fake-wecom-ws.js';
import { openTestRedis, REDIS_URL, type TestRedis } from '../helpers/redis.js';

const BOT_ID = 'aibDoctor01';
const BOT_SECRET = 'botSecret0123456789';
const AGENT_ID = '1000002';
const DING_ID = 'dingdoctor';
const DING_SECRET = 'dingdoctorsecret';
const SIGN_SECRET = 'SECdoctor0123456789';
const LEAKY_KEY = 'leaky-webhook-key-0001';

let db: TestRedis;
let app: FakeWecomApp;
let ws: FakeWecomWs;
let ding: FakeDingtalk;
let health: { url: string; requests: string[]; server: Server };
const dataDir = mkdtempSync(join(tmpdir(), 'duban-doctor-'));
const redisUrl = REDIS_URL.startsWith('/') ? `unix://${REDIS_URL}` : REDIS_URL;

/** A server that answers /healthz as `duban serve` does, recording what it is asked. */
async function startHealthz(): Promise<typeof health> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/healthz' ? { status: 'ok', redis: 'up' } : {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, requests, server };
}

/** A small county whose groups post through the fakes: WeCom webhooks on the fake API's origin, a DingTalk custom robot with 加签. */
function countyOf(): County {
  return {
    name: '体检县',
    townships: [
      { id: '城关镇', name: '城关镇', villages: 3 },
      { id: '红星乡', name: '红星乡', villages: 2 },
    ],
    groups: [
      { platform: 'wecom', chat: 'wrkDoctorA', township: '城关镇', name: '城关镇工作群', webhook: `${app.base}/cgi-bin/webhook/send?key=doctor-key-a` },
      { platform: 'wecom', chat: 'wrkDoctorL', role: 'leaders', name: '领导群', webhook: `${app.base}/cgi-bin/webhook/send?key=doctor-key-l` },
      { platform: 'dingtalk', chat: 'cidDoctorB', township: '红星乡', name: '红星乡钉钉群', webhook: ding.customWebhook('doctor-robot-b', SIGN_SECRET), secret: SIGN_SECRET },
    ],
    people: [],
    tasks: [taskOf('T1'), taskOf('T2', { deadline: '2099-12-31' })],
  };
}

/** Everything on: WeCom over the long connection with its 自建应用, DingTalk in Stream mode, all pointed at the fakes. */
function envOf(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    REDIS_URL: redisUrl,
    WECOM_MODE: 'websocket',
    WECOM_BOT_ID: BOT_ID,
    WECOM_BOT_SECRET: BOT_SECRET,
    WECOM_WS_URL: ws.url,
    WECOM_API_BASE: app.base,
    WECOM_CORP_ID: app.corpId,
    WECOM_AGENT_ID: AGENT_ID,
    WECOM_AGENT_SECRET: app.secret,
    DINGTALK_CLIENT_ID: DING_ID,
    DINGTALK_CLIENT_SECRET: DING_SECRET,
    DINGTALK_MODE: 'stream',
    DINGTALK_API_BASE: ding.base,
    DINGTALK_OAPI_BASE: ding.base,
    PUBLIC_URL: health.url,
    ...overrides,
  };
}

/** Each county in a key space of its own under the file's prefix. */
const inOrder = () => `${db.prefix}:in-order`;
const storeOf = (prefix: string): Store => createRedisStore(db.redis, createKeys(prefix));

const doctor = (env: NodeJS.ProcessEnv = envOf(), prefix = inOrder()): Promise<Outcome> => runCaptured(['doctor'], { env, prefix, dataDir });

/** No fake got a message: only gettoken, the token, /healthz and subscribes were ever asked. */
function expectNothingPosted(): void {
  expect(app.requests().filter((r) => r !== 'GET /cgi-bin/gettoken')).toEqual([]);
  expect(ding.received.filter((r) => r.path !== '/v1.0/oauth2/accessToken').map((r) => `${r.method} ${r.path}`)).toEqual([]);
  expect(ws.frames.filter((f) => f.frame.cmd !== 'aibot_subscribe').map((f) => f.frame.cmd)).toEqual([]);
  expect(ws.pushes()).toEqual([]);
  expect(ws.responds()).toEqual([]);
  expect(health.requests.filter((r) => r !== 'GET /healthz')).toEqual([]);
}

beforeAll(async () => {
  db = await openTestRedis(import.meta.url);
  [app, ws, ding, health] = await Promise.all([
    startFakeWecomApp(),
    startFakeWecomWs({ bots: { [BOT_ID]: BOT_SECRET } }),
    startFakeDingtalk({ clientId: DING_ID, clientSecret: DING_SECRET }),
    startHealthz(),
  ]);
  await storeOf(inOrder()).loadCounty(countyOf());
});

afterAll(async () => {
  await Promise.all([app.close(), ws.close(), ding.close(), new Promise((done) => health.server.close(done))]);
  await db.close();
});

describe('duban doctor', () => {
  it('a county in order: every platform answers, the long connection subscribes once and is closed, exit 0', async () => {
    const subscribes = ws.subscribes(BOT_ID);
    const { code, out, err } = await doctor();
    expect(err).toBe('');
    expect(out.split('\n')[0]).toBe('督办助手 体检（只检查配置，不发任何消息）');
    expect(out).toContain(`✅ 长连接：${ws.url} 订阅成功`);
    expect(out).toContain(`✅ 自建应用：取到了 access token（企业ID ${app.corpId}，AgentId ${AGENT_ID}）`);
    expect(out).toContain(`✅ 应用凭据有效：取到了 access token（Client ID ${DING_ID}）`);
    expect(out).toContain('✅ 企业微信 2 个群能发消息');
    expect(out).toContain('✅ 钉钉 1 个群能发消息');
    expect(out).toContain(`✅ ${health.url}/healthz 有应答`);
    expect(out).toMatch(/⚠️ 2099 年的节假日安排还没有收录：T2 的工作日按周一到周五估算/);
    expect(out).toMatch(/\d+ 项正常，\d+ 项提醒，0 项有问题。/);
    expect(out).not.toContain('❌');
    expect(code).toBe(0);
    expect(ws.subscribes(BOT_ID)).toBe(subscribes + 1);
    await ws.waitFor(() => ws.live(BOT_ID) === 0);
    expectNothingPosted();
  });

  it('a subscribe WeCom refuses is ❌ naming the bot\'s id and secret, and exits 1', async () => {
    ws.refuseAuth(true);
    try {
      const { code, out } = await doctor();
      expect(out).toContain('❌ 长连接：企业微信拒绝了订阅（errcode 40001');
      expect(out).toContain('请核对 WECOM_BOT_ID 和 WECOM_BOT_SECRET');
      expect(code).toBe(1);
    } finally {
      ws.refuseAuth(false);
    }
    expectNothingPosted();
  });

  it('with the lease held by a running instance, it says so and sends no subscribe at all', async () => {
    const store = storeOf(inOrder());
    const lease = `wecom-ws/${BOT_ID}`;
    expect(await store.holdLease(lease, 'instance-running-elsewhere', 60_000)).toBe(true);
    const [connections, frames, subscribes] = [ws.connections(), ws.frames.length, ws.subscribes()];
    try {
      const { code, out } = await doctor();
      expect(out).toContain('✅ 长连接：由正在运行的实例保持连接（为了不把它挤下线，没有另外测试订阅）');
      expect(code).toBe(0);
    } finally {
      await store.releaseLease(lease, 'instance-running-elsewhere');
    }
    expect(ws.connections()).toBe(connections);
    expect(ws.frames.length).toBe(frames);
    expect(ws.subscribes()).toBe(subscribes);
    expectNothingPosted();
  });

  it('gettoken refused for a wrong corp id is ❌ pointing at WECOM_CORP_ID, and exits 1', async () => {
    const { code, out } = await doctor(envOf({ WECOM_CORP_ID: 'wwWrongCorp0000000' }));
    expect(out).toContain('❌ 自建应用：企业ID 不对（40013 invalid corpid）');
    expect(code).toBe(1);
    expectNothingPosted();
  });

  it('gettoken refused for this machine\'s IP (60020) is ❌ pointing at 企业可信IP', async () => {
    app.answerNext('gettoken', { errcode: 60020, errmsg: 'not allow to access from your ip, from ip: 10.1.2.3' });
    const { code, out } = await doctor();
    expect(out).toContain('❌ 自建应用：本服务器的出口 IP 不在应用的「企业可信IP」里（60020 not allow to access from your ip, from ip: 10.1.2.3）');
    expect(code).toBe(1);
    expectNothingPosted();
  });

  it('DingTalk refusing the app\'s credentials is ❌ with DingTalk\'s code, and exits 1', async () => {
    const { code, out } = await doctor(envOf({ DINGTALK_CLIENT_SECRET: 'not-the-secret' }));
    expect(out).toContain('❌ 应用凭据不对：钉钉拒绝了取 access token（invalidClientIdOrSecret 无效的clientId或者clientSecret）');
    expect(out).not.toContain('not-the-secret');
    expect(code).toBe(1);
    expectNothingPosted();
  });

  it('a group with a malformed webhook is ❌ naming the group, without its key, and exits 1', async () => {
    const prefix = `${db.prefix}:malformed`;
    const store = storeOf(prefix);
    await store.loadCounty(countyOf());
    const bad: Group = { platform: 'wecom', chat: 'wrkDoctorBad', township: '红星乡', name: '红星乡工作群', webhook: `${app.base}/cgi-bin/webhok/send?key=${LEAKY_KEY}` };
    await store.saveGroup(bad);
    const { code, out } = await doctor(envOf(), prefix);
    expect(out).toContain(`❌ 「红星乡工作群」（wrkDoctorBad）的 webhook 格式不对（${app.base}/cgi-bin/webhok/send）：应为 ${app.base}/cgi-bin/webhook/send?key=…`);
    expect(out).not.toContain(LEAKY_KEY);
    expect(code).toBe(1);
    expectNothingPosted();
  });

  it('without a Redis it is ❌, and the long connection is not probed: nobody can tell whether a running bot holds it', async () => {
    const connections = ws.connections();
    const { code, out } = await doctor(envOf({ REDIS_URL: 'redis://127.0.0.1:1' }));
    expect(out).toContain('❌ 连不上 REDIS_URL 指定的 Redis（redis://127.0.0.1:1）');
    expect(out).toContain('⚠️ 长连接：没有测试');
    expect(code).toBe(1);
    expect(ws.connections()).toBe(connections);
    expectNothingPosted();
  });

  it('with Sentinels that nobody answers it is ❌ naming them, within seconds rather than asking them again for ever', async () => {
    const env = envOf({ REDIS_SENTINELS: '127.0.0.1:1,127.0.0.1:2', REDIS_MASTER_NAME: 'duban' });
    delete env.REDIS_URL;
    const { code, out } = await doctor(env);
    expect(out).toContain('❌ 连不上哨兵（redis+sentinel://127.0.0.1:1,127.0.0.1:2/duban）');
    expect(out).not.toContain('REDIS_URL');
    expect(code).toBe(1);
    expectNothingPosted();
  });

  it('an environment that does not parse lists its problems as ❌ and exits 1, asking nothing of anyone', async () => {
    const asked = app.requests().length + ding.received.length + ws.connections();
    const { code, out } = await doctor(envOf({ WECOM_MODE: 'socket' }));
    expect(out).toMatch(/^ {2}❌ WECOM_MODE: 应为 callback/m);
    expect(out).toContain('请对照 .env.example');
    expect(code).toBe(1);
    expect(app.requests().length + ding.received.length + ws.connections()).toBe(asked);
  });

  it('takes no argument', async () => {
    const { code, err } = await runCaptured(['doctor', 'now'], { env: envOf(), prefix: inOrder(), dataDir });
    expect(code).toBe(2);
    expect(err).toContain('duban doctor 不带参数，多了「now」');
  });
});

describe('the store\'s read of Redis\'s settings', () => {
  it('reports AOF, snapshots and the eviction policy as CONFIG GET says them', async () => {
    const durability = await createHealthStore(db.redis).durability();
    const setting = async (name: string) => (await db.redis.config('GET', name))[1];
    expect(durability).toEqual({ aof: (await setting('appendonly')) === 'yes', save: await setting('save'), maxmemoryPolicy: await setting('maxmemory-policy'), configRefused: false });
  });
});
