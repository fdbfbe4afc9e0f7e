/**
 * Proves the WeCom test tooling is faithful to WeCom, so integration tests built on it prove
 * something about the bot: the client against WeCom's official vectors, the fake server against
 * the behaviour the tests rely on.
 */
import { createDecipheriv } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WECOM_GET_VECTOR, WECOM_OFFICIAL_CONFIG, WECOM_POST_VECTOR } from '../../fixtures/wecom-vectors.js';
import { startFakeWecom, type FakeWecom } from '../../helpers/fake-wecom.js';
import { createWecomClient, mixedMessage, textMessage } from '../../helpers/wecom-client.js';

const official = createWecomClient(WECOM_OFFICIAL_CONFIG);
/** The AI bot's configuration: same algorithm, receive id "". */
const aibot = createWecomClient({ token: WECOM_OFFICIAL_CONFIG.token, encodingAesKey: WECOM_OFFICIAL_CONFIG.encodingAesKey });

/** Flips bits of one ciphertext byte; in CBC that flips the same bits 16 bytes later in the plaintext. */
function flip(encrypted: string, index: number, mask: number): string {
  const data = Buffer.from(encrypted, 'base64');
  data[index] = (data[index] ?? 0) ^ mask;
  return data.toString('base64');
}

describe('the WeCom client against the official vectors (WeCom page 91144)', () => {
  it('signs the POST vector to its official msg_signature', () => {
    const { timestamp, nonce, encrypt, msgSignature } = WECOM_POST_VECTOR;
    expect(official.sign(timestamp, nonce, encrypt)).toBe(msgSignature);
  });

  it('decrypts the POST vector to the official “hello” XML and receive id', () => {
    const { message, receiveId } = official.decrypt(WECOM_POST_VECTOR.encrypt);
    expect(message).toContain('<Content><![CDATA[hello]]></Content>');
    expect(message).toContain('<MsgId>4561255354251345929</MsgId>');
    expect(Buffer.byteLength(message)).toBe(284);
    expect(receiveId).toBe('wx5823bf96d3bd56c7');
  });

  it('reproduces the official POST ciphertext byte for byte from the same random prefix', () => {
    const { message, random } = official.decrypt(WECOM_POST_VECTOR.encrypt);
    expect(official.encrypt(message, { random })).toBe(WECOM_POST_VECTOR.encrypt);
  });

  it('signs the GET vector and decrypts its echostr with the official receive id', () => {
    const { timestamp, nonce, echostr, msgSignature } = WECOM_GET_VECTOR;
    expect(official.sign(timestamp, nonce, echostr)).toBe(msgSignature);
    const { message, receiveId } = official.decrypt(echostr);
    expect(message).not.toBe('');
    expect(receiveId).toBe('wx5823bf96d3bd56c7');
  });
});

describe('the WeCom client’s own encryption, with the AI bot receive id ""', () => {
  it('round-trips Chinese text and reports the empty receive id', () => {
    const text = '{"content":"@督办助手 进度 城关镇 完成80%"}';
    expect(aibot.decrypt(aibot.encrypt(text))).toMatchObject({ message: text, receiveId: '' });
  });

  it('pads every length to a multiple of 32 bytes, adding a whole block when already aligned', () => {
    for (let n = 0; n <= 70; n++) {
      const text = 'x'.repeat(n);
      const bytes = Buffer.from(aibot.encrypt(text), 'base64').length;
      // 16 random + 4 length + n, then 1..32 bytes of padding.
      expect(bytes).toBe(Math.floor((20 + n) / 32 + 1) * 32);
      expect(aibot.decrypt(aibot.encrypt(text)).message).toBe(text);
    }
  });

  it('writes the length as 4 big-endian bytes counting UTF-8 bytes, not characters', () => {
    // Opened with bare node:crypto, so this does not rely on the client's own decrypt.
    const key = Buffer.from(`${WECOM_OFFICIAL_CONFIG.encodingAesKey}=`, 'base64');
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(Buffer.from(aibot.encrypt('督办'), 'base64')), decipher.final()]);
    expect(plain.readUInt32BE(16)).toBe(6);
    expect(plain.subarray(20, 26).toString('utf8')).toBe('督办');
    expect(plain[plain.length - 1]).toBe(32 - 26);
  });

  it('refuses a ciphertext whose last pad byte was tampered with', () => {
    // 16 + 4 + 5 bytes of "hello" leave 7 bytes of padding; make the last one read 64.
    const encrypted = aibot.encrypt('hello');
    expect(() => aibot.decrypt(flip(encrypted, 15, 7 ^ 64))).toThrow(/bad padding: last byte is 64/);
  });

  it('refuses pad bytes that disagree with each other', () => {
    const encrypted = aibot.encrypt('hello');
    expect(() => aibot.decrypt(flip(encrypted, 12, 1))).toThrow(/bad padding: the last 7 bytes/);
  });

  it('refuses base64 whose "+" became a space on the way through a query string', () => {
    let encrypted = aibot.encrypt('hello');
    while (!encrypted.includes('+')) encrypted = aibot.encrypt('hello');
    expect(() => aibot.decrypt(encrypted.replaceAll('+', ' '))).toThrow(/not standard base64/);
  });
});

describe('signed requests as WeCom sends them', () => {
  it('builds a POST callback whose signature covers the encrypt field and whose plaintext is the JSON payload', () => {
    const payload = textMessage({ msgid: 'm1', chatid: 'wrkChat', userid: 'zhangsan', content: '@督办助手 帮助' });
    const call = aibot.callback(payload, { timestamp: '1700000000', nonce: '42' });
    const query = new URLSearchParams(call.query);
    const { encrypt } = JSON.parse(call.body) as { encrypt: string };
    expect([query.get('timestamp'), query.get('nonce'), call.timestamp, call.nonce]).toEqual(['1700000000', '42', '1700000000', '42']);
    expect(query.get('msg_signature')).toBe(aibot.sign('1700000000', '42', encrypt));
    const { message, receiveId } = aibot.decrypt(encrypt);
    expect(JSON.parse(message)).toEqual(payload);
    expect(receiveId).toBe('');
  });

  it('can encrypt a callback for the wrong receive id, for tests the bot must refuse', () => {
    const call = aibot.callback({ msgtype: 'text' }, { receiveId: 'wx5823bf96d3bd56c7' });
    const { encrypt } = JSON.parse(call.body) as { encrypt: string };
    expect(aibot.decrypt(encrypt).receiveId).toBe('wx5823bf96d3bd56c7');
  });

  it('builds a URL check whose echostr survives URL decoding and decrypts to the echo text', () => {
    for (let i = 0; i < 20; i++) {
      const check = aibot.urlCheck('echo-1616140317555161061');
      const query = new URLSearchParams(check.query);
      const echostr = query.get('echostr') ?? '';
      expect(query.get('msg_signature')).toBe(aibot.sign(check.timestamp, check.nonce, echostr));
      expect(aibot.decrypt(echostr)).toMatchObject({ message: 'echo-1616140317555161061', receiveId: '' });
    }
  });
});

describe('opening the bot’s passive reply', () => {
  const reply = { msgtype: 'stream', stream: { id: 's1', finish: true, content: '**已记录**' } };
  function envelope(timestamp: string | number, nonce: string, client = aibot): string {
    const encrypt = client.encrypt(JSON.stringify(reply));
    return JSON.stringify({ encrypt, msgsignature: aibot.sign(String(timestamp), nonce, encrypt), timestamp, nonce });
  }

  it('returns the plaintext reply whether the timestamp is a string or a number', () => {
    expect(aibot.openReply(envelope('1700000000', '42'), { nonce: '42' })).toEqual(reply);
    expect(aibot.openReply(envelope(1700000000, '42'), { nonce: '42' })).toEqual(reply);
  });

  it('refuses a reply that does not echo the callback’s nonce', () => {
    expect(() => aibot.openReply(envelope('1700000000', '43'), { nonce: '42' })).toThrow(/nonce "43" is not the callback's "42"/);
  });

  it('refuses a reply whose msgsignature does not match', () => {
    const body = JSON.parse(envelope('1700000000', '42')) as Record<string, unknown>;
    const forged = JSON.stringify({ ...body, timestamp: '1700000001' });
    expect(() => aibot.openReply(forged, { nonce: '42' })).toThrow(/msgsignature .* does not match/);
  });

  it('refuses a reply encrypted for a receive id other than ""', () => {
    expect(() => aibot.openReply(envelope('1700000000', '42', official), { nonce: '42' })).toThrow(/receive id "wx5823bf96d3bd56c7"/);
  });

  it('refuses an empty body, which means the bot chose not to reply', () => {
    expect(() => aibot.openReply('', { nonce: '42' })).toThrow(/empty/);
  });
});

describe('the decrypted message builders', () => {
  it('builds a group text message with chatid, aibotid and response_url', () => {
    const message = textMessage({ msgid: 'm1', chatid: 'wrkChat', userid: 'zhangsan', content: '@督办助手 帮助', responseUrl: 'http://x/r' });
    expect(message).toEqual({
      msgid: 'm1',
      aibotid: 'AIBOTID',
      chatid: 'wrkChat',
      chattype: 'group',
      from: { userid: 'zhangsan' },
      response_url: 'http://x/r',
      msgtype: 'text',
      text: { content: '@督办助手 帮助' },
    });
  });

  it('leaves chatid out of a single-chat message and refuses a group without one', () => {
    const message = textMessage({ msgid: 'm2', userid: 'zhangsan', content: '帮助' });
    expect(message.chattype).toBe('single');
    expect('chatid' in message).toBe(false);
    expect(message.response_url).toMatch(/^http:\/\/127\.0\.0\.1:1\//);
    expect(() => textMessage({ msgid: 'm3', chattype: 'group', userid: 'zhangsan', content: '帮助' })).toThrow(/chatid/);
  });

  it('builds a mixed message with a text item and an image item', () => {
    const message = mixedMessage({ msgid: 'm4', chatid: 'wrkChat', userid: 'zhangsan', content: '@督办助手 问题 路灯坏了', imageUrl: 'http://x/img' });
    expect(message.msgtype).toBe('mixed');
    expect(message.mixed.msg_item).toEqual([
      { msgtype: 'text', text: { content: '@督办助手 问题 路灯坏了' } },
      { msgtype: 'image', image: { url: 'http://x/img' } },
    ]);
  });
});

describe('the fake WeCom server', () => {
  let fake: FakeWecom | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as unknown) : text };
  }

  it('records a webhook post and answers the scripted 45009, then ok', async () => {
    fake = await startFakeWecom();
    fake.answerNext('k1', { errcode: 45009, errmsg: 'api freq out of limit' });
    const message = { msgtype: 'text', text: { content: '提醒', mentioned_list: ['zhangsan'] } };
    expect(await post(fake.webhookUrl('k1'), message)).toEqual({ status: 200, json: { errcode: 45009, errmsg: 'api freq out of limit' } });
    expect(await post(fake.webhookUrl('k1'), message)).toEqual({ status: 200, json: { errcode: 0, errmsg: 'ok' } });
    expect(fake.received).toHaveLength(2);
    expect(fake.received[0]).toMatchObject({ method: 'POST', path: '/cgi-bin/webhook/send', query: { key: 'k1' }, body: message, contentType: 'application/json' });
  });

  it('answers a scripted HTTP failure and 404 for unknown paths, recording both', async () => {
    fake = await startFakeWecom();
    fake.answerNext('k2', { status: 502 });
    expect((await post(fake.webhookUrl('k2'), { msgtype: 'text' })).status).toBe(502);
    expect((await post(`${fake.base}/cgi-bin/nothing`, {})).status).toBe(404);
    expect(fake.received.map((r) => r.path)).toEqual(['/cgi-bin/webhook/send', '/cgi-bin/nothing']);
  });

  it('accepts one post per response_url, refuses the second, and records both', async () => {
    fake = await startFakeWecom();
    const markdown = { msgtype: 'markdown', markdown: { content: '已完成' } };
    expect((await post(fake.responseUrl('rc1'), markdown)).json).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await post(fake.responseUrl('rc1'), markdown)).json).toEqual({ errcode: -1, errmsg: 'response_url used' });
    expect(fake.received.filter((r) => r.query.response_code === 'rc1')).toHaveLength(2);
  });

  it('waits for a request that arrives later, and times out naming what did arrive', async () => {
    fake = await startFakeWecom();
    const later = fake.waitFor((r) => r.query.response_code === 'rc2');
    await post(fake.responseUrl('rc2'), { msgtype: 'markdown', markdown: { content: '好' } });
    expect((await later).body).toEqual({ msgtype: 'markdown', markdown: { content: '好' } });
    await expect(fake.waitFor((r) => r.path === '/never', 50)).rejects.toThrow(/POST \/cgi-bin\/aibot\/response/);
  });
});
