/** Unprompted posts into DingTalk groups, and the app access token behind them, against a fake DingTalk and real Redis. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../src/adapters/credentials.js';
import { createDingtalkSender, type DingtalkSender } from '../../src/adapters/dingtalk/send.js';
import { createLogger } from '../../src/core/logger.js';
import { createKeys } from '../../src/store/keys.js';
import { createSecretStore } from '../../src/store/secrets.js';
import { checkCustomRobotSign } from '../helpers/dingtalk-client.js';
import { startFakeDingtalk, type FakeDingtalk } from '../helpers/fake-dingtalk.js';
import { openTestRedis, type TestRedis } from '../helpers/redis.js';
import { sendFailure } from '../helpers/send-error.js';
import type { Group } from '../../src/domain/model.js';

const CLIENT_ID = 'dingduban0001';
const CLIENT_SECRET = 'duban-test-app-secret';
const ROBOT_SECRET = 'SECduban-custom-robot';

let t: TestRedis;
let n = 0;
/** Each test's own token cache: every fake DingTalk starts again at token-1. */
let store: CredentialStore;
let fake: FakeDingtalk;
let sender: DingtalkSender;
beforeAll(async () => {
  t = await openTestRedis(import.meta.url);
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  n += 1;
  store = createSecretStore(t.redis, createKeys(`${t.prefix}:${String(n)}`));
  fake = await startFakeDingtalk({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  sender = senderWith(CLIENT_SECRET);
});
afterEach(async () => {
  await fake.close();
});

function senderWith(secret: string): DingtalkSender {
  return createDingtalkSender({ clientId: CLIENT_ID, clientSecret: secret, apiBase: fake.base, oapiBase: fake.base, store, log: createLogger('silent') });
}

const group = (extra: Partial<Group> = {}): Group => ({ platform: 'dingtalk', chat: 'cidChengguanGroup==', township: '城关镇', ...extra });
const groupSends = () => fake.received.filter((r) => r.path === '/v1.0/robot/groupMessages/send');

describe('an unprompted post into a DingTalk group', () => {
  it('goes through the OpenAPI group send as the app robot, with a sampleMarkdown msgParam', async () => {
    await sender.send(group(), { title: '11月排名', lines: [['1. 城关镇 85.0分']] });

    const sent = groupSends()[0];
    expect(sent?.headers['x-acs-dingtalk-access-token']).toBe('token-1');
    expect(sent?.body).toMatchObject({ robotCode: CLIENT_ID, openConversationId: 'cidChengguanGroup==', msgKey: 'sampleMarkdown' });
    const param = JSON.parse((sent?.body as { msgParam: string }).msgParam) as { title: string; text: string };
    expect(param.title).toBe('11月排名');
    expect(param.text).toContain('城关镇');
  });

  it('fetches the access token once and reuses it', async () => {
    await sender.send(group(), { lines: [['一']] });
    await sender.send(group(), { lines: [['二']] });

    expect(fake.tokenRequests()).toBe(1);
    expect(groupSends()).toHaveLength(2);
  });

  it('fetches the access token once for two instances sharing the store', async () => {
    await sender.send(group(), { lines: [['一']] });
    await senderWith(CLIENT_SECRET).send(group(), { lines: [['二']] });

    expect(fake.tokenRequests()).toBe(1);
    expect(groupSends().map((r) => r.headers['x-acs-dingtalk-access-token'])).toEqual(['token-1', 'token-1']);
  });

  it('fetches a new token once when DingTalk has revoked the old one', async () => {
    await sender.send(group(), { lines: [['一']] });
    fake.revokeTokens();
    await sender.send(group(), { lines: [['二']] });

    expect(fake.tokenRequests()).toBe(2);
    expect(groupSends().at(-1)?.headers['x-acs-dingtalk-access-token']).toBe('token-2');
  });

  it('goes through the group\'s custom robot, signed, when people must be @-ed', async () => {
    const webhook = fake.customWebhook('robot-cg', ROBOT_SECRET);
    await sender.send(group({ webhook, secret: ROBOT_SECRET }), { lines: [['请尽快上报 T2 进度']], mentions: ['1665000001'] });

    const posted = fake.received.find((r) => r.path === '/robot/send');
    expect(checkCustomRobotSign(ROBOT_SECRET, posted?.query ?? {})).toBe(true);
    expect(posted?.body).toMatchObject({ msgtype: 'markdown', at: { atUserIds: ['1665000001'], isAtAll: false } });
    expect((posted?.body as { markdown: { text: string } }).markdown.text).toContain('@1665000001');
    expect(groupSends()).toEqual([]);
  });

  it('reports 130101 from a custom robot as rate-limited', async () => {
    const webhook = fake.customWebhook('robot-cg', ROBOT_SECRET);
    fake.answerNext('robot-cg', { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    const error = await sendFailure(sender.send(group({ webhook, secret: ROBOT_SECRET }), { lines: [['x']], mentions: ['1665000001'] }));

    expect(error).toMatchObject({ code: '130101', failure: 'rate-limited' });
  });

  it('reports a custom robot that refuses the signature (310000) as permanent', async () => {
    const webhook = fake.customWebhook('robot-cg', ROBOT_SECRET);
    const error = await sendFailure(sender.send(group({ webhook, secret: 'SECwrong' }), { lines: [['x']], mentions: ['1665000001'] }));

    expect(error).toMatchObject({ code: '310000', failure: 'permanent' });
  });

  it('reports a 5xx from the OpenAPI as a failure to retry', async () => {
    fake.answerNext('groupMessages', { status: 503, body: { code: 'ServiceUnavailable', message: 'busy' } });
    const error = await sendFailure(sender.send(group(), { lines: [['x']] }));

    expect(error.failure).toBe('failed');
  });

  it('reports wrong app credentials as permanent', async () => {
    const error = await sendFailure(senderWith('not-the-secret').send(group(), { lines: [['x']] }));

    expect(error).toMatchObject({ code: 'invalidClientIdOrSecret', failure: 'permanent' });
  });

  it('refuses a custom robot webhook outside DINGTALK_OAPI_BASE without a request', async () => {
    const error = await sendFailure(sender.send(group({ webhook: 'https://example.com/robot/send?access_token=secret' }), { lines: [['x']], mentions: ['1'] }));

    expect(error.failure).toBe('permanent');
    expect(error.message).not.toContain('secret');
    expect(fake.received).toEqual([]);
  });
});

describe('a picture for DingTalk', () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('chart')]);
  const image = { base64: png.toString('base64') };

  it('is uploaded as media and sent into the group as sampleImageMsg with the media id', async () => {
    await sender.sendImage(group(), image);

    const upload = fake.received.find((r) => r.path === '/media/upload');
    expect(upload?.query).toMatchObject({ access_token: 'token-1', type: 'image' });
    expect(upload?.file).toEqual(png);
    const sent = groupSends()[0];
    expect(sent?.body).toMatchObject({ robotCode: CLIENT_ID, openConversationId: 'cidChengguanGroup==', msgKey: 'sampleImageMsg' });
    expect(JSON.parse((sent?.body as { msgParam: string }).msgParam)).toEqual({ photoURL: '@media-1' });
  });

  it('is uploaded once for a fan-out to many groups', async () => {
    await sender.sendImage(group(), image);
    await sender.sendImage(group({ chat: 'cidHongxingGroup==' }), image);

    expect(fake.received.filter((r) => r.path === '/media/upload')).toHaveLength(1);
    expect(groupSends().map((r) => JSON.parse((r.body as { msgParam: string }).msgParam) as unknown)).toEqual([{ photoURL: '@media-1' }, { photoURL: '@media-1' }]);
  });

  it('fetches a new token once when the upload says the old one is no good', async () => {
    await sender.send(group(), { lines: [['先取一个 token']] });
    fake.revokeTokens();
    await sender.sendImage(group(), image);

    const uploads = fake.received.filter((r) => r.path === '/media/upload');
    expect(uploads.map((u) => u.query.access_token)).toEqual(['token-1', 'token-2']);
    expect(groupSends().at(-1)?.body).toMatchObject({ msgKey: 'sampleImageMsg' });
  });

  it('goes with a reply through the OpenAPI, and the text through the sessionWebhook', async () => {
    const to = { sessionWebhook: fake.sessionWebhook('s1'), expiresAt: Date.now() + 3_600_000, conversationId: 'cidLeaders==', direct: false, staffId: 'manager01' };
    await sender.reply(to, { title: '排名', lines: [['1. 城关镇']], image });

    const paths = fake.received.map((r) => r.path).filter((p) => p !== '/v1.0/oauth2/accessToken');
    expect(paths).toEqual(['/media/upload', '/v1.0/robot/groupMessages/send', '/robot/sendBySession']);
    expect(groupSends()[0]?.body).toMatchObject({ openConversationId: 'cidLeaders==', msgKey: 'sampleImageMsg' });
  });

  it('lets the reply\'s text go when DingTalk refuses the picture', async () => {
    fake.answerNext('groupMessages', { status: 403, body: { code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', message: 'no permission' } });
    const to = { sessionWebhook: fake.sessionWebhook('s2'), expiresAt: Date.now() + 3_600_000, conversationId: 'cidLeaders==', direct: false, staffId: 'manager01' };
    await sender.reply(to, { lines: [['1. 城关镇']], image });

    const reply = fake.received.find((r) => r.path === '/robot/sendBySession');
    expect(JSON.stringify(reply?.body)).toContain('城关镇');
  });
});
