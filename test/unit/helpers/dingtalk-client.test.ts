/**
 * Proves the DingTalk test tooling does what the protocol notes (docs/protocols/dingtalk.md) describe, so tests
 * built on it prove something about the bot: the signing against the §1.1 vector, the message
 * builder against §1.2, and the fake server against the behaviour the tests rely on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DINGTALK_SIGN_VECTOR } from '../../fixtures/dingtalk-vectors.js';
import { startFakeDingtalk, type FakeDingtalk, type StreamFrame } from '../../helpers/fake-dingtalk.js';
import { callbackHeaders, checkCustomRobotSign, robotMessage, signature } from '../../helpers/dingtalk-client.js';

const { secret, timestamp, sign, signUrlEncoded } = DINGTALK_SIGN_VECTOR;
const HOUR = 3_600_000;

describe('DingTalk signing against the docs/protocols/dingtalk.md §1.1 vector', () => {
  it('signs the vector to its base64, and URL-encodes it to the custom-robot query value', () => {
    expect(signature(secret, timestamp)).toBe(sign);
    expect(encodeURIComponent(signature(secret, timestamp))).toBe(signUrlEncoded);
    expect(new URLSearchParams({ sign }).toString()).toBe(`sign=${signUrlEncoded}`);
  });

  it('puts the plain base64 sign and the ms timestamp into callback headers', () => {
    expect(callbackHeaders(secret, { timestamp })).toEqual({ 'content-type': 'application/json; charset=utf-8', timestamp, sign });
    const now = Date.now();
    expect(Number(callbackHeaders(secret).timestamp)).toBeGreaterThanOrEqual(now);
  });

  it('checks a custom-robot query: right sign within the hour, encoded or decoded', () => {
    const at = Number(timestamp);
    expect(checkCustomRobotSign(secret, { timestamp, sign }, at)).toBe(true);
    expect(checkCustomRobotSign(secret, { timestamp, sign: signUrlEncoded }, at + HOUR)).toBe(true);
    expect(checkCustomRobotSign(secret, { timestamp, sign }, at + HOUR + 1)).toBe(false);
    expect(checkCustomRobotSign(secret, { timestamp, sign }, at - HOUR - 1)).toBe(false);
    // An unencoded "+" reaches DingTalk as a space.
    expect(checkCustomRobotSign(secret, { timestamp, sign: sign.replaceAll('+', ' ') }, at)).toBe(false);
    expect(checkCustomRobotSign('SECother', { timestamp, sign }, at)).toBe(false);
    expect(checkCustomRobotSign(secret, { sign }, at)).toBe(false);
  });
});

describe('the robot message builder (§1.2)', () => {
  it('builds a group text message with the leading space, the robot in atUsers and a 90-minute webhook', () => {
    const message = robotMessage({ msgId: 'msg1', content: '进度 3号任务 80%', conversationType: '2', senderStaffId: '16650698', senderNick: '张三', sessionWebhook: 'http://127.0.0.1:1/robot/sendBySession?session=s1', createAt: 1690362101894 });
    expect(message).toMatchObject({ msgtype: 'text', text: { content: ' 进度 3号任务 80%' }, conversationType: '2', conversationTitle: '测试工作群', isInAtList: true, isAdmin: false, sessionWebhookExpiredTime: 1690362101894 + 90 * 60_000 });
    expect(message.conversationId).toMatch(/^cid/);
    expect(message.senderId).toMatch(/^\$:LWCP_v1:\$/);
    expect(message.atUsers).toEqual([{ dingtalkId: message.chatbotUserId }]);
  });

  it('gives a direct chat a conversationId but no title, and refuses a title there', () => {
    const opts = { msgId: 'msg2', content: '帮助', conversationType: '1', senderStaffId: 'u1', senderNick: '李四', sessionWebhook: 'http://127.0.0.1:1/x' } as const;
    const message = robotMessage(opts);
    expect(message.conversationId).toMatch(/^cid/);
    expect(message).not.toHaveProperty('conversationTitle');
    expect(() => robotMessage({ ...opts, conversationTitle: '群' })).toThrow(/only for group chats/);
  });
});

const clientId = 'dingappkey0001';
const clientSecret = 'app-secret-0001';

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as unknown) : text };
}

const groupSend = { robotCode: clientId, openConversationId: 'cidGroup==', msgKey: 'sampleText', msgParam: JSON.stringify({ content: '今日进度' }) };

describe('the fake DingTalk server', () => {
  let fake: FakeDingtalk;
  beforeEach(async () => {
    fake = await startFakeDingtalk({ clientId, clientSecret });
  });
  afterEach(async () => {
    await fake.close();
  });

  async function token(): Promise<string> {
    const { json } = await post(`${fake.base}/v1.0/oauth2/accessToken`, { appKey: clientId, appSecret: clientSecret });
    return (json as { accessToken: string }).accessToken;
  }

  it('issues a new token per call, refuses wrong credentials, and answers 401 once tokens are revoked', async () => {
    expect(await post(`${fake.base}/v1.0/oauth2/accessToken`, { appKey: clientId, appSecret: 'wrong' })).toMatchObject({ status: 400, json: { code: 'invalidClientIdOrSecret' } });
    expect(await post(`${fake.base}/v1.0/oauth2/accessToken`, { appKey: clientId, appSecret: clientSecret })).toEqual({ status: 200, json: { accessToken: 'token-1', expireIn: 7200 } });
    const second = await token();
    expect(second).toBe('token-2');
    expect(fake.tokenRequests()).toBe(3);

    const sent = await post(`${fake.base}/v1.0/robot/groupMessages/send`, groupSend, { 'x-acs-dingtalk-access-token': second });
    expect(sent).toEqual({ status: 200, json: { processQueryKey: 'pqk-1' } });
    expect(fake.received.at(-1)).toMatchObject({ path: '/v1.0/robot/groupMessages/send', headers: { 'x-acs-dingtalk-access-token': 'token-2' }, body: groupSend });

    fake.revokeTokens();
    expect(await post(`${fake.base}/v1.0/robot/groupMessages/send`, groupSend, { 'x-acs-dingtalk-access-token': second })).toMatchObject({ status: 401, json: { code: 'InvalidAuthentication' } });
    expect(await post(`${fake.base}/v1.0/robot/oToMessages/batchSend`, { ...groupSend, userIds: ['u1'] })).toMatchObject({ status: 401 });
  });

  it('answers batchSend with the throttle lists and refuses a foreign robotCode or an object msgParam', async () => {
    const headers = { 'x-acs-dingtalk-access-token': await token() };
    const oto = { robotCode: clientId, userIds: ['u1', 'u2'], msgKey: 'sampleText', msgParam: '{"content":"请提交进度"}' };
    expect(await post(`${fake.base}/v1.0/robot/oToMessages/batchSend`, oto, headers)).toEqual({ status: 200, json: { processQueryKey: 'pqk-1', invalidStaffIdList: [], flowControlledStaffIdList: [] } });
    expect(await post(`${fake.base}/v1.0/robot/groupMessages/send`, { ...groupSend, robotCode: 'other' }, headers)).toMatchObject({ status: 400 });
    expect(await post(`${fake.base}/v1.0/robot/groupMessages/send`, { ...groupSend, msgParam: { content: 'x' } }, headers)).toMatchObject({ status: 400 });
  });

  it('checks a custom robot’s 加签: right sign ok, wrong or stale sign 310000, unknown token 300005', async () => {
    const url = fake.customWebhook('robot-token', secret);
    const text = { msgtype: 'text', text: { content: '提醒' } };
    const signed = (ts: string, s: string): string => `${url}&timestamp=${ts}&sign=${s}`;
    const now = String(Date.now());
    expect((await post(signed(now, encodeURIComponent(signature(secret, now))), text)).json).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await post(signed(now, encodeURIComponent(signature('SECwrong', now))), text)).json).toEqual({ errcode: 310000, errmsg: 'sign not match' });
    // The vector's timestamp is from 2019: far outside the hour.
    expect((await post(signed(timestamp, signUrlEncoded), text)).json).toMatchObject({ errcode: 310000 });
    expect((await post(`${fake.base}/robot/send?access_token=nobody`, text)).json).toEqual({ errcode: 300005, errmsg: 'token is not exist' });
    expect((await post(fake.customWebhook('plain-robot'), text)).json).toEqual({ errcode: 0, errmsg: 'ok' });
  });

  it('plays scripted answers in order, then answers normally again', async () => {
    fake.answerNext('s1', { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }, { status: 503 });
    fake.answerNext('groupMessages', { status: 400, body: { code: 'send.too.fast', message: '发送过快' } });
    const url = fake.sessionWebhook('s1');
    const body = { msgtype: 'text', text: { content: '已登记' } };
    expect(await post(url, body)).toEqual({ status: 200, json: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } });
    expect((await post(url, body)).status).toBe(503);
    expect(await post(url, body)).toEqual({ status: 200, json: { errcode: 0, errmsg: 'ok' } });
    const headers = { 'x-acs-dingtalk-access-token': await token() };
    expect(await post(`${fake.base}/v1.0/robot/groupMessages/send`, groupSend, headers)).toEqual({ status: 400, json: { code: 'send.too.fast', message: '发送过快' } });
    expect((await post(`${fake.base}/v1.0/robot/groupMessages/send`, groupSend, headers)).status).toBe(200);
  });

  it('waits for a request still to come, and rejects a pending wait on close', async () => {
    const waiting = fake.waitFor((r) => r.query.session === 's2');
    await post(fake.sessionWebhook('s2'), { msgtype: 'text', text: { content: 'x' } });
    expect((await waiting).body).toEqual({ msgtype: 'text', text: { content: 'x' } });
    const never = fake.waitFor(() => false);
    await fake.close();
    await expect(never).rejects.toThrow(/closed while waiting/);
    fake = await startFakeDingtalk({ clientId, clientSecret });
  });

  describe('Stream gateway', () => {
    const subscriptions = [{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' }];

    async function open(body: object = { clientId, clientSecret, subscriptions, ua: 'duban-test' }): Promise<{ endpoint: string; ticket: string }> {
      const { status, json } = await post(`${fake.base}/v1.0/gateway/connections/open`, body, { accept: 'application/json' });
      expect(status).toBe(200);
      return json as { endpoint: string; ticket: string };
    }

    /** A minimal Stream client: answers pings with an echo, keeps every other frame. */
    function connect({ endpoint, ticket }: { endpoint: string; ticket: string }): Promise<{ socket: WebSocket; next: () => Promise<StreamFrame> }> {
      const socket = new WebSocket(`${endpoint}?ticket=${encodeURIComponent(ticket)}`);
      const inbox: StreamFrame[] = [];
      const wanted: Array<(frame: StreamFrame) => void> = [];
      socket.on('message', (data) => {
        const frame = JSON.parse((data as Buffer).toString('utf8')) as StreamFrame;
        if (frame.type === 'SYSTEM' && frame.headers.topic === 'ping') {
          socket.send(JSON.stringify({ code: 200, headers: frame.headers, message: 'OK', data: frame.data }));
          return;
        }
        const taker = wanted.shift();
        if (taker === undefined) inbox.push(frame);
        else taker(frame);
      });
      const next = (): Promise<StreamFrame> => {
        const frame = inbox.shift();
        return frame === undefined ? new Promise((resolve) => wanted.push(resolve)) : Promise.resolve(frame);
      };
      return new Promise((resolve, reject) => {
        socket.once('open', () => {
          resolve({ socket, next });
        });
        socket.once('error', reject);
      });
    }

    it('refuses an open without Accept: application/json, or with wrong credentials', async () => {
      const noAccept = await post(`${fake.base}/v1.0/gateway/connections/open`, { clientId, clientSecret, subscriptions });
      expect(noAccept.status).toBe(406);
      expect(noAccept.json).toMatch(/^<\?xml/);
      expect(await post(`${fake.base}/v1.0/gateway/connections/open`, { clientId, clientSecret: 'wrong', subscriptions }, { accept: 'application/json' })).toMatchObject({ status: 400, json: { code: 'invalidClientIdOrSecret' } });
      expect(fake.stream.opens()).toBe(2);
    });

    it('opens, connects with the ticket, delivers a callback, takes its ack, answers a ping, and refuses the ticket twice', async () => {
      const grant = await open();
      expect(grant.endpoint).toBe(`${fake.base.replace('http', 'ws')}/connect`);
      expect(fake.received.at(-1)?.body).toMatchObject({ clientId, subscriptions, ua: 'duban-test' });
      const client = await connect(grant);
      await fake.stream.waitForConnection(1);
      expect(fake.stream.connections()).toBe(1);

      const payload = robotMessage({ msgId: 'msg1', content: '帮助', conversationType: '2', senderStaffId: 'u1', senderNick: '张三', sessionWebhook: fake.sessionWebhook('s1'), robotCode: clientId });
      const messageId = fake.stream.callback(payload);
      const frame = await client.next();
      expect(frame).toMatchObject({ specVersion: '1.0', type: 'CALLBACK', headers: { topic: '/v1.0/im/bot/messages/get', messageId, contentType: 'application/json' } });
      expect(JSON.parse(frame.data)).toEqual(payload);

      const ack = { code: 200, headers: { messageId, contentType: 'application/json' }, message: 'OK', data: '{"response":null}' };
      client.socket.send(JSON.stringify(ack));
      expect(await fake.stream.waitForAck(messageId)).toEqual(ack);

      const echo = await fake.stream.ping();
      expect(echo).toMatchObject({ code: 200, headers: { topic: 'ping' } });
      expect(JSON.parse(echo.data)).toHaveProperty('opaque');
      expect(fake.stream.frames).toHaveLength(2);

      await expect(connect(grant)).rejects.toThrow(/401/);
      expect(fake.stream.connections()).toBe(1);
    });

    it('sends a disconnect frame then closes; drops a connection abruptly; refuses callbacks to a client that did not subscribe', async () => {
      const first = await connect(await open());
      const closed = new Promise<number>((resolve) => first.socket.once('close', resolve));
      const disconnecting = fake.stream.disconnect();
      expect(await first.next()).toMatchObject({ type: 'SYSTEM', headers: { topic: 'disconnect' } });
      await disconnecting;
      await closed;
      expect(fake.stream.connections()).toBe(0);

      const second = await connect(await open());
      await fake.stream.waitForConnection(2);
      const dropped = new Promise<number>((resolve) => second.socket.once('close', resolve));
      await fake.stream.drop();
      // 1006: the connection ended without a close frame.
      expect(await dropped).toBe(1006);
      expect(fake.stream.connections()).toBe(0);
      expect(fake.stream.opens()).toBe(2);

      await connect(await open({ clientId, clientSecret, subscriptions: [{ type: 'EVENT', topic: '*' }] }));
      expect(() => fake.stream.callback({ msgId: 'x' })).toThrow(/did not subscribe/);
    });
  });
});
