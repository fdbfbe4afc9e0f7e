/**
 * No outbound request leaves the named hosts by way of a redirect (docs/design.md §7). Each platform
 * call is pointed at a host that answers 307 to a canary on another port: the call fails with a
 * SendError that names the redirect, and the canary hears nothing — neither the message nor the
 * credential that travelled with it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../src/adapters/credentials.js';
import { createDingtalkSender } from '../../src/adapters/dingtalk/send.js';
import { createStreamClient } from '../../src/adapters/dingtalk/stream.js';
import { createWecomApp } from '../../src/adapters/wecom/app.js';
import { createWecomSender } from '../../src/adapters/wecom/send.js';
import { createLogger } from '../../src/core/logger.js';
import { startRedirectingPlatform, type RedirectingPlatform } from '../helpers/redirecting-platform.js';
import { sendFailure } from '../helpers/send-error.js';

const NOW = Date.parse('2026-11-20T09:00:00+08:00');
const APP_SECRET = 'dingtalk-app-secret-do-not-follow';
const WEBHOOK_KEY = 'wecom-webhook-key-do-not-follow';
const SESSION = 'dingtalk-session-do-not-follow';

const platforms: RedirectingPlatform[] = [];
afterEach(async () => {
  for (const platform of platforms.splice(0)) await platform.close();
});

/** A credential cache in this process only: what is tested here needs no Redis. */
function memory(): CredentialStore {
  const kept = new Map<string, string>();
  return {
    credential: (name) => Promise.resolve(kept.get(name)),
    saveCredential: (name, value) => Promise.resolve(void kept.set(name, value)),
    dropCredential: (name) => Promise.resolve(void kept.delete(name)),
  };
}

async function redirecting(options: Parameters<typeof startRedirectingPlatform>[0] = {}): Promise<RedirectingPlatform> {
  const platform = await startRedirectingPlatform(options);
  platforms.push(platform);
  return platform;
}

const silent = createLogger('silent');

/** What a redirected call must end with: a SendError naming the redirect, with nothing secret in it, and a silent canary. */
async function expectRefusedRedirect(platform: RedirectingPlatform, work: Promise<unknown>, secrets: string[]): Promise<void> {
  const error = await sendFailure(work.then(() => undefined));
  expect(error.code).toMatch(/^redirect-3\d\d$/);
  expect(error.message).toContain('not followed');
  for (const secret of secrets) expect(error.message).not.toContain(secret);
  expect(platform.redirects()).toBeGreaterThan(0);
  expect(platform.canary).toEqual([]);
}

describe('a WeCom call answered with a redirect', () => {
  it('does not follow it with a response_url reply', async () => {
    const platform = await redirecting();
    const sender = createWecomSender({ apiBase: platform.base, log: silent });

    await expectRefusedRedirect(platform, sender.respond(`${platform.base}/cgi-bin/aibot/response?response_code=code-do-not-follow`, '已收到'), ['code-do-not-follow']);
  });

  it('does not follow it with a post into a group through its webhook', async () => {
    const platform = await redirecting();
    const sender = createWecomSender({ apiBase: platform.base, log: silent });

    await expectRefusedRedirect(platform, sender.send(`${platform.base}/cgi-bin/webhook/send?key=${WEBHOOK_KEY}`, { lines: [['提醒']] }), [WEBHOOK_KEY]);
  });

  it.each([301, 302, 303, 308] as const)('does not follow a %i either', async (status) => {
    const platform = await redirecting({ status });
    const sender = createWecomSender({ apiBase: platform.base, log: silent });

    await expectRefusedRedirect(platform, sender.send(`${platform.base}/cgi-bin/webhook/send?key=${WEBHOOK_KEY}`, { lines: [['提醒']] }), [WEBHOOK_KEY]);
  });

  describe('of the dashboard\'s 自建应用', () => {
    const secret = 'wecom-app-secret-0123456789-do-not-follow';
    const app = (platform: RedirectingPlatform) =>
      createWecomApp({ corpId: 'ww0123456789abcdef', agentId: '1000002', secret, apiBase: platform.base, store: memory(), log: silent, now: () => NOW });

    it('does not follow it when fetching the access token', async () => {
      const platform = await redirecting();

      await expectRefusedRedirect(platform, app(platform).signature('corp', 'https://duban.example.gov.cn/dashboard'), [secret]);
    });

    it('does not follow it when fetching a jsapi ticket', async () => {
      const platform = await redirecting({ answers: { '/cgi-bin/gettoken': { errcode: 0, access_token: 'app-token-do-not-follow', expires_in: 7200 } } });

      await expectRefusedRedirect(platform, app(platform).signature('agent', 'https://duban.example.gov.cn/dashboard'), [secret, 'app-token-do-not-follow']);
    });

    it('does not follow it when asking who an OAuth code belongs to', async () => {
      const platform = await redirecting({ answers: { '/cgi-bin/gettoken': { errcode: 0, access_token: 'app-token-do-not-follow', expires_in: 7200 } } });

      await expectRefusedRedirect(platform, app(platform).userIdForCode('oauth-code'), [secret, 'app-token-do-not-follow']);
    });
  });
});

describe('a DingTalk call answered with a redirect', () => {
  const sender = (platform: RedirectingPlatform) =>
    createDingtalkSender({ clientId: 'dingduban0001', clientSecret: APP_SECRET, apiBase: platform.base, oapiBase: platform.base, store: memory(), log: silent, now: () => NOW });
  const TOKEN = { '/v1.0/oauth2/accessToken': { accessToken: 'dingtalk-token-do-not-follow', expireIn: 7200 } };
  const group = { platform: 'dingtalk' as const, chat: 'cidChengguanGroup==', township: '城关镇' };

  it('does not follow it with a reply through the sessionWebhook', async () => {
    const platform = await redirecting();
    const to = { sessionWebhook: `${platform.base}/robot/sendBySession?session=${SESSION}`, expiresAt: NOW + 60 * 60_000, conversationId: 'cid==', direct: false, staffId: 'manager01' };

    await expectRefusedRedirect(platform, sender(platform).reply(to, { lines: [['已记录']] }), [SESSION]);
  });

  it('does not follow it with a post through a custom robot webhook', async () => {
    const platform = await redirecting();
    const webhook = `${platform.base}/robot/send?access_token=robot-token-do-not-follow`;

    await expectRefusedRedirect(platform, sender(platform).send({ ...group, webhook, secret: 'SECrobot-secret-do-not-follow' }, { lines: [['请上报']], mentions: ['manager01'] }), ['robot-token-do-not-follow']);
  });

  it('does not follow it when fetching the app access token', async () => {
    const platform = await redirecting();

    await expectRefusedRedirect(platform, sender(platform).send(group, { lines: [['排名']] }), [APP_SECRET]);
  });

  it('does not follow it with an OpenAPI group send', async () => {
    const platform = await redirecting({ answers: TOKEN });

    await expectRefusedRedirect(platform, sender(platform).send(group, { lines: [['排名']] }), ['dingtalk-token-do-not-follow']);
  });

  it('does not follow it with a picture upload', async () => {
    const platform = await redirecting({ answers: TOKEN });

    await expectRefusedRedirect(platform, sender(platform).sendImage(group, { base64: Buffer.from('png').toString('base64') }), ['dingtalk-token-do-not-follow']);
  });

  describe('in Stream mode', () => {
    /** Runs a Stream client until the platform has redirected `times` requests, and returns its log. */
    async function streamAgainst(platform: RedirectingPlatform, times: number): Promise<string[]> {
      const lines: string[] = [];
      const stream = createStreamClient({
        clientId: 'dingduban0001',
        clientSecret: APP_SECRET,
        apiBase: platform.base,
        log: createLogger('info', (line) => lines.push(line)),
        onRobotMessage: () => Promise.resolve(),
        backoff: { firstMs: 10, maxMs: 20 },
      });
      stream.start();
      for (let i = 0; i < 500 && platform.redirects() < times; i++) await new Promise((done) => setTimeout(done, 10));
      await stream.stop();
      return lines;
    }

    it('does not follow it when registering for a connection', async () => {
      const platform = await redirecting();
      const log = (await streamAgainst(platform, 2)).join('\n');

      expect(platform.canary).toEqual([]);
      expect(log).toContain('not followed');
      expect(log).not.toContain(APP_SECRET);
    });

    it('does not follow it when opening the socket the gateway named', async () => {
      // The gateway names a socket on its own host (allowed), and that socket answers the upgrade
      // with a redirect. Its address is known only once it listens: the answer is filled in then.
      const answers: Record<string, unknown> = {};
      const platform = await redirecting({ answers });
      answers['/v1.0/gateway/connections/open'] = { endpoint: `${platform.base.replace(/^http/, 'ws')}/connect`, ticket: 'ticket-do-not-follow' };
      const log = (await streamAgainst(platform, 2)).join('\n');

      expect(platform.canary).toEqual([]);
      expect(log).toContain('stream socket error');
      expect(log).not.toContain('ticket-do-not-follow');
    });
  });
});
