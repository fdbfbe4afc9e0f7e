/**
 * /dashboard over HTTP on real Redis: who gets in (a 看板 link, WeCom's OAuth sign-in, a session
 * cookie) and who does not, the pages and the chart behind them, and the JS-SDK signatures,
 * with a fake WeCom on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWecomApp, jsApiSignature } from '../../src/adapters/wecom/app.js';
import { wecomSignIn } from '../../src/adapters/wecom/dashboard.js';
import { SESSION_TTL_MS } from '../../src/core/access.js';
import { createLogger } from '../../src/core/logger.js';
import { createApp } from '../../src/server/app.js';
import { testCounty } from '../fixtures/county.js';
import { leader, leaderDirect, openTestBot, type TestBot } from '../helpers/bot.js';
import { startFakeWecomApp, type FakeWecomApp } from '../helpers/fake-wecom-app.js';
import { listen, type Listening } from '../helpers/http.js';
import type { County } from '../../src/domain/model.js';

const county: County = {
  ...testCounty,
  people: [
    ...testCounty.people,
    { platform: 'wecom', user: 'lisi', name: '李书记', roles: ['leader'] },
    { platform: 'wecom', user: 'clerk01', name: '钱联络', roles: [], township: '城关镇' },
  ],
};
const WXWORK_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.30 MicroMessenger/7.0.1 Language/zh';

let bot: TestBot;
let fake: FakeWecomApp;
let server: Listening;
/** The origin the dashboard believes it is reached at; the test server listens elsewhere, which does not matter to it. */
const PUBLIC = 'https://duban.example.gov.cn';

beforeEach(async () => {
  bot = await openTestBot(import.meta.url, county, undefined, { publicUrl: PUBLIC });
  fake = await startFakeWecomApp();
  const log = createLogger('silent');
  const signIn = wecomSignIn(createWecomApp({ corpId: fake.corpId, agentId: '1000002', secret: fake.secret, apiBase: fake.base, store: bot.store, log }));
  const app = createApp({ log, redisUp: () => bot.store.ping(), dashboard: { store: bot.store, calendar: bot.calendar, log, publicUrl: PUBLIC, signIn, now: () => bot.clock.now } });
  server = await listen(app);
});
afterEach(async () => {
  await server.close();
  await fake.close();
  await bot.close();
});

/** As through the HTTPS proxy in front of the bot at PUBLIC. */
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.base}${path}`, { headers: { 'x-forwarded-proto': 'https', ...headers }, redirect: 'manual' });

/** The cookie a response sets, as a request's Cookie header. */
const cookieOf = (res: Response): string => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

/** The link 看板 gives the leader in a direct chat, as a path on the test server. */
async function linkPath(): Promise<string> {
  const reply = await bot.say(leaderDirect, '看板');
  const url = /https?:\/\/\S+/.exec(reply)?.[0];
  if (url === undefined) throw new Error(`no link in: ${reply}`);
  const { pathname, search } = new URL(url);
  return `${pathname}${search}`;
}

async function signedIn(): Promise<string> {
  const res = await get(await linkPath());
  return cookieOf(res);
}

describe('the 看板 command', () => {
  it('gives a leader a link in a direct chat, and only points to the direct chat in a group', async () => {
    expect(await linkPath()).toMatch(/^\/dashboard\?t=[0-9a-f]+\.[0-9a-f]{32}$/);
    expect(await bot.say(leader, '看板')).toContain('私聊');
  });

  it('refuses a township clerk', async () => {
    expect(await bot.say({ platform: 'console', user: '联络员' }, '看板')).toContain('只有领导和管理员');
  });
});

describe('a 看板 link', () => {
  it('starts a session and sends the leader on to the dashboard without the token in the address', async () => {
    const res = await get(await linkPath());

    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/dashboard');
    const cookie = res.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^duban_session=[0-9a-f]+\.[0-9a-f]{32}; Max-Age=\d+; Path=\/dashboard; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('gives the session cookie a working day counted by the browser from when it gets it, with no date in it for any clock to disagree with', async () => {
    const cookie = (await get(await linkPath())).headers.getSetCookie()[0] ?? '';

    expect(/Max-Age=(\d+)/.exec(cookie)?.[1]).toBe(String(SESSION_TTL_MS / 1000));
    expect(cookie).not.toMatch(/expires=/i);
  });

  it('sends every page with no caching, no framing, no sniffing and scripts from this server only', async () => {
    const res = await get('/dashboard', { cookie: await signedIn() });
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    // No JS-SDK outside WeCom's browser: it would only be loaded for nothing.
    expect(await res.text()).not.toContain('jssdk.js');
  });

  it('opens the overview, the township, task and cell pages for the session', async () => {
    const cookie = await signedIn();
    await bot.say({ platform: 'console', chat: '城关镇工作群', user: '联络员' }, '上报 T2 60% 已完成6个村');

    const pages = await Promise.all(['/dashboard', '/dashboard/township/城关镇', '/dashboard/task/T2', '/dashboard/cell/T2/城关镇'].map((p) => get(encodeURI(p), { cookie })));
    const html = await Promise.all(pages.map((p) => p.text()));

    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200]);
    expect(html.map((h) => /data-page="(\w+)"/.exec(h)?.[1])).toEqual(['overview', 'township', 'task', 'cell']);
    expect(html[0]).toContain('王书记');
    expect(html[3]).toContain('已完成6个村');
    expect(pages[0]?.headers.get('cache-control')).toBe('private, no-store');
  });

  it('shows a task’s 销号 and 恢复 in the ledger of each of its townships', async () => {
    const cookie = await signedIn();
    await bot.say({ platform: 'console', chat: '城关镇工作群', user: '管理员' }, '销号 T2');
    await bot.say({ platform: 'console', chat: '城关镇工作群', user: '管理员' }, '恢复 T2');

    for (const township of ['城关镇', '红星乡']) {
      const html = await (await get(encodeURI(`/dashboard/cell/T2/${township}`), { cookie })).text();
      expect(html).toContain('data-kind="closed"');
      expect(html).toContain('data-kind="reopened"');
    }
  });

  it('serves the ranking chart as a PNG to the session', async () => {
    const cookie = await signedIn();
    await bot.say({ platform: 'console', chat: '城关镇工作群', user: '联络员' }, '上报 T2 60%');
    const res = await get('/dashboard/chart.png', { cookie });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('is refused once it has expired, with a page that says how to get a new one', async () => {
    const path = await linkPath();
    bot.clock.set('2026-11-23T09:16:00+08:00');
    const res = await get(path);

    expect(res.status).toBe(401);
    expect(await res.text()).toContain('看板');
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('is refused when altered or cut short, with how to get a new one, and starts no session', async () => {
    const path = await linkPath();
    for (const broken of [path.replace(/.(?=\.)/, (c) => (c === '0' ? '1' : '0')), path.slice(0, -10)]) {
      const res = await get(broken);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('链接不完整');
      expect(res.headers.getSetCookie()).toEqual([]);
    }
  });

  it('stops working for a person whose leader role was taken away', async () => {
    const cookie = await signedIn();
    await bot.store.loadCounty({ ...county, people: county.people.map((p) => (p.user === '书记' ? { ...p, roles: [] } : p)) });
    expect((await get('/dashboard', { cookie })).status).toBe(403);
  });
});

describe('a visitor without a session', () => {
  it('is refused every page and the chart, and told how to get a link', async () => {
    const paths = ['/dashboard', '/dashboard/township/城关镇', '/dashboard/task/T2', '/dashboard/cell/T2/城关镇', '/dashboard/chart.png'];
    const statuses = await Promise.all(paths.map(async (p) => (await get(encodeURI(p))).status));
    expect(statuses).toEqual(paths.map(() => 401));
    expect(await (await get('/dashboard')).text()).toContain('私聊督办助手发送「看板」');
  });

  it('is refused with a forged session cookie', async () => {
    const res = await get('/dashboard', { cookie: 'duban_session=7b7d.00000000000000000000000000000000' });
    expect(res.status).toBe(403);
  });
});

describe('signing in inside WeCom', () => {
  async function authorize(): Promise<{ state: string; redirect: URL; cookie: string }> {
    const res = await get('/dashboard', { 'user-agent': WXWORK_UA });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    return { state: location.searchParams.get('state') ?? '', redirect: location, cookie: cookieOf(res) };
  }

  it('sends WeCom\'s browser to OAuth with snsapi_base, the app and our redirect', async () => {
    const { redirect, state } = await authorize();

    expect(`${redirect.origin}${redirect.pathname}`).toBe('https://open.weixin.qq.com/connect/oauth2/authorize');
    expect(Object.fromEntries(redirect.searchParams)).toEqual({
      appid: fake.corpId,
      redirect_uri: `${PUBLIC}/dashboard/wecom/oauth`,
      response_type: 'code',
      scope: 'snsapi_base',
      state,
      agentid: '1000002',
    });
    expect(redirect.hash).toBe('#wechat_redirect');
    expect(state).toMatch(/^[0-9a-f]{32}$/);
  });

  it('lets a leader in after WeCom names them, back on the page they asked for, with the JS-SDK on it', async () => {
    const first = await get(encodeURI('/dashboard/task/T2'), { 'user-agent': WXWORK_UA });
    const state = new URL(first.headers.get('location') ?? '').searchParams.get('state') ?? '';
    fake.registerCode('code-lisi', 'lisi');
    const back = await get(`/dashboard/wecom/oauth?code=code-lisi&state=${state}`, { cookie: cookieOf(first) });

    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/dashboard/task/T2');
    const page = await get('/dashboard', { cookie: cookieOf(back), 'user-agent': WXWORK_UA });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('李书记');
    expect(html).toContain('src="/dashboard/jssdk.js"');
    expect(html).toContain(`data-corp-id="${fake.corpId}"`);
  });

  it('loads a private deployment\'s own JS-SDK when WECOM_JSSDK_URL names one, and lets the page run it', async () => {
    const log = createLogger('silent');
    const jssdk = 'https://zwwx.example.gov.cn/static/jssdk/wecom.js';
    const signIn = wecomSignIn(createWecomApp({ corpId: fake.corpId, agentId: '1000002', secret: fake.secret, apiBase: fake.base, store: bot.store, log }), jssdk);
    const own = await listen(createApp({ log, redisUp: () => bot.store.ping(), dashboard: { store: bot.store, calendar: bot.calendar, log, publicUrl: PUBLIC, signIn, now: () => bot.clock.now } }));
    try {
      const first = await fetch(`${own.base}/dashboard`, { headers: { 'x-forwarded-proto': 'https', 'user-agent': WXWORK_UA }, redirect: 'manual' });
      const state = new URL(first.headers.get('location') ?? '').searchParams.get('state') ?? '';
      fake.registerCode('code-lisi', 'lisi');
      const back = await fetch(`${own.base}/dashboard/wecom/oauth?code=code-lisi&state=${state}`, { headers: { 'x-forwarded-proto': 'https', cookie: cookieOf(first) }, redirect: 'manual' });
      const page = await fetch(`${own.base}/dashboard`, { headers: { 'x-forwarded-proto': 'https', cookie: cookieOf(back), 'user-agent': WXWORK_UA }, redirect: 'manual' });
      expect(await page.text()).toContain(`src="${jssdk}"`);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self' https://zwwx.example.gov.cn;");
      expect((await fetch(`${own.base}/dashboard/jssdk.js`)).status).toBe(404);
    } finally {
      await own.close();
    }
  });

  it('signs in from a page whose path a cookie could not hold as it is, and comes back to it', async () => {
    const first = await get('/dashboard/task/a;b', { 'user-agent': WXWORK_UA });
    const state = new URL(first.headers.get('location') ?? '').searchParams.get('state') ?? '';
    fake.registerCode('code-lisi', 'lisi');
    const back = await get(`/dashboard/wecom/oauth?code=code-lisi&state=${state}`, { cookie: cookieOf(first) });

    expect(first.status).toBe(302);
    expect(back.headers.get('location')).toBe('/dashboard/task/a;b');
  });

  it('says WeCom cannot be reached, on a page, when it fails to name the person', async () => {
    const { state, cookie } = await authorize();
    fake.answerNext('auth/getuserinfo', { errcode: -1, errmsg: 'system busy' });
    const back = await get(`/dashboard/wecom/oauth?code=code-lisi&state=${state}`, { cookie });

    expect(back.status).toBe(503);
    expect(await back.text()).toContain('data-status="unavailable"');
  });

  it('refuses a member who is not a leader or admin', async () => {
    const { state, cookie } = await authorize();
    fake.registerCode('code-clerk', 'clerk01');
    const back = await get(`/dashboard/wecom/oauth?code=code-clerk&state=${state}`, { cookie });

    expect(back.status).toBe(403);
    expect(back.headers.getSetCookie().some((c) => c.startsWith('duban_session='))).toBe(false);
  });

  it('refuses an answer whose state is not the one this browser was sent with', async () => {
    const { cookie } = await authorize();
    fake.registerCode('code-lisi', 'lisi');
    const back = await get('/dashboard/wecom/oauth?code=code-lisi&state=0123456789abcdef0123456789abcdef', { cookie });
    expect(back.status).toBe(403);
  });
});

describe('the JS-SDK signature', () => {
  it('signs our own page with the corp ticket, as DOC 96909 says', async () => {
    const cookie = await signedIn();
    const url = `${PUBLIC}/dashboard/task/T2?x=1`;
    const res = await get(`/dashboard/jssdk/sign?kind=corp&url=${encodeURIComponent(`${url}#top`)}`, { cookie });
    const body = (await res.json()) as { timestamp: number; nonceStr: string; signature: string };

    expect(res.status).toBe(200);
    expect(body.signature).toBe(jsApiSignature({ ticket: fake.ticket('corp') ?? '', nonceStr: body.nonceStr, timestamp: body.timestamp, url }));
  });

  it('refuses to sign for a session whose person is no longer a leader', async () => {
    const cookie = await signedIn();
    await bot.store.loadCounty({ ...county, people: county.people.map((p) => (p.user === '书记' ? { ...p, roles: [] } : p)) });
    const res = await get(`/dashboard/jssdk/sign?kind=corp&url=${encodeURIComponent(`${PUBLIC}/dashboard`)}`, { cookie });
    expect(res.status).toBe(403);
  });

  it('refuses to sign a page that is not ours, or for a visitor without a session', async () => {
    const cookie = await signedIn();
    const foreign = await get(`/dashboard/jssdk/sign?kind=corp&url=${encodeURIComponent('https://evil.example.com/dashboard')}`, { cookie });
    const anonymous = await get(`/dashboard/jssdk/sign?kind=corp&url=${encodeURIComponent(`${PUBLIC}/dashboard`)}`);
    expect([foreign.status, anonymous.status]).toEqual([403, 403]);
    expect(fake.calls('get_jsapi_ticket')).toBe(0);
  });
});
