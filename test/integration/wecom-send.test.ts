/** Posting into WeCom groups through their 消息推送 webhooks, against a fake WeCom server. */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWecomSender, type WecomSender } from '../../src/adapters/wecom/send.js';
import { createLogger } from '../../src/core/logger.js';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import { sendFailure } from '../helpers/send-error.js';

let fake: FakeWecom;
let sender: WecomSender;
beforeEach(async () => {
  fake = await startFakeWecom();
  sender = createWecomSender({ apiBase: fake.base, log: createLogger('silent') });
});
afterEach(async () => {
  await fake.close();
});

const posts = () => fake.received.filter((r) => r.path === '/cgi-bin/webhook/send');

describe('posting into a WeCom group', () => {
  it('sends a message without mentions as coloured markdown to the group\'s key', async () => {
    await sender.send(fake.webhookUrl('key-chengguan'), { title: '11月排名', lines: [['1. 城关镇 ', { text: '🔴逾期', tone: 'bad' }]] });

    expect(posts()).toHaveLength(1);
    expect(posts()[0]?.query.key).toBe('key-chengguan');
    expect(posts()[0]?.body).toEqual({ msgtype: 'markdown', markdown: { content: expect.stringContaining('<font color="warning">🔴逾期</font>') as unknown } });
  });

  it('sends a message that must notify people as text with mentioned_list', async () => {
    await sender.send(fake.webhookUrl('k'), { lines: [['请尽快上报 T2 进度']], mentions: ['lilianluo'] });

    expect(posts()[0]?.body).toEqual({ msgtype: 'text', text: { content: '请尽快上报 T2 进度', mentioned_list: ['lilianluo'] } });
  });

  it('sends a picture first, as base64 with the md5 of its bytes, then the text', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await sender.send(fake.webhookUrl('k'), { lines: [['排名图']], image: { base64: png.toString('base64') } });

    expect(posts().map((p) => (p.body as { msgtype: string }).msgtype)).toEqual(['image', 'markdown']);
    expect(posts()[0]?.body).toEqual({ msgtype: 'image', image: { base64: png.toString('base64'), md5: createHash('md5').update(png).digest('hex') } });
  });

  it('splits a long message into posts within 4096 bytes each', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => [`${String(i + 1)}. 第${String(i + 1)}个乡镇 完成率 80%`]);
    await sender.send(fake.webhookUrl('k'), { title: '全县排名', lines });

    expect(posts().length).toBeGreaterThan(1);
    for (const p of posts()) expect(Buffer.byteLength((p.body as { markdown: { content: string } }).markdown.content)).toBeLessThanOrEqual(4096);
  });

  it('reports 45009 as rate-limited, to be retried later', async () => {
    fake.answerNext('k', { errcode: 45009, errmsg: 'api freq out of limit' });
    const error = await sendFailure(sender.send(fake.webhookUrl('k'), { lines: [['提醒']] }));

    expect(error).toMatchObject({ code: '45009', failure: 'rate-limited', permanent: false });
  });

  it.each([93000, 93004])('reports %i as permanent: the group\'s robot is gone', async (errcode) => {
    fake.answerNext('k', { errcode, errmsg: 'invalid webhook url' });
    const error = await sendFailure(sender.send(fake.webhookUrl('k'), { lines: [['提醒']] }));

    expect(error).toMatchObject({ code: String(errcode), failure: 'permanent', permanent: true });
  });

  it('reports an HTTP failure or an unknown errcode as failed, to be retried', async () => {
    fake.answerNext('k', { status: 502 }, { errcode: 40001, errmsg: 'other' });

    expect(await sendFailure(sender.send(fake.webhookUrl('k'), { lines: [['提醒']] }))).toMatchObject({ code: 'http-502', failure: 'failed' });
    expect(await sendFailure(sender.send(fake.webhookUrl('k'), { lines: [['提醒']] }))).toMatchObject({ code: '40001', failure: 'failed' });
  });

  it('stops at the first refused part of a message', async () => {
    fake.answerNext('k', { errcode: 93000, errmsg: 'invalid webhook url' });
    await sendFailure(sender.send(fake.webhookUrl('k'), { lines: [['x']], image: { base64: Buffer.from('png').toString('base64') } }));

    expect(posts()).toHaveLength(1);
  });

  it('refuses a webhook outside WECOM_API_BASE without a request, and keeps the key out of the error', async () => {
    const error = await sendFailure(sender.send('https://example.com/cgi-bin/webhook/send?key=secret-key', { lines: [['x']] }));

    expect(error.failure).toBe('permanent');
    expect(error.message).not.toContain('secret-key');
    expect(fake.received).toEqual([]);
  });

  it('reports an unreachable WeCom as failed', async () => {
    await fake.close();
    const error = await sendFailure(sender.send(fake.webhookUrl('k'), { lines: [['x']] }));
    fake = await startFakeWecom();

    expect(error).toMatchObject({ code: 'network', failure: 'failed' });
  });
});
