/**
 * GET /metrics end to end: a report through the WeCom callback (signed and encrypted by the
 * protocol's client, not the bot's crypto) into the real Koa app on real Redis, then a scrape
 * that shows it, in a Prometheus exposition every line of which parses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWecom } from '../../src/adapters/wecom/index.js';
import { compose, type Bot } from '../../src/compose.js';
import { createLogger } from '../../src/core/logger.js';
import { createApp } from '../../src/server/app.js';
import { createPromMetrics, type PromMetrics } from '../../src/server/metrics.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { testCounty } from '../fixtures/county.js';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import { listen, type Listening } from '../helpers/http.js';
import { openTestRedis, type TestRedis } from '../helpers/redis.js';
import { createWecomClient, textMessage } from '../helpers/wecom-client.js';

const TOKEN = 'dubanTestToken';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const CHENGGUAN = 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw';
const METRICS_TOKEN = 'metrics-token-of-the-test-0123456789';

const wecom = createWecomClient({ token: TOKEN, encodingAesKey: AES_KEY });
const log = createLogger('silent');

let db: TestRedis;
let bot: Bot;
let fake: FakeWecom;
let metrics: PromMetrics;
let server: Listening;

beforeAll(async () => {
  db = await openTestRedis(import.meta.url);
  fake = await startFakeWecom();
  const prefix = `${db.prefix}:bot`;
  await createRedisStore(db.redis, createKeys(prefix)).loadCounty(testCounty, { rest: [], work: [], years: [] });
  metrics = createPromMetrics({ redisUp: () => bot.store.ping(), outboxDepth: () => bot.outbox().depth() });
  bot = await compose(db.redis, { log, prefix, now: () => new Date('2026-11-23T09:00:00+08:00'), metrics });
  // The callback waits for the router however busy the machine: the scrape comes after the answer.
  const inbound = createWecom({ token: TOKEN, encodingAesKey: AES_KEY, apiBase: fake.base }, { store: bot.store, log, metrics, replyWithinMs: 60_000 }).receive(bot.route);
  server = await listen(createApp({ log, redisUp: () => bot.store.ping(), routes: inbound.routes, metrics: { token: METRICS_TOKEN, scrape: () => metrics.scrape(), contentType: metrics.contentType } }));
});
afterAll(async () => {
  await server.close();
  await fake.close();
  await bot.close();
  await db.close();
});

async function deliver(msgid: string, content: string): Promise<number> {
  const callback = wecom.callback(textMessage({ msgid, chatid: CHENGGUAN, userid: 'lilianluo', content, responseUrl: fake.responseUrl(msgid) }));
  const res = await fetch(`${server.base}/wecom/callback?${callback.query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: callback.body });
  await res.arrayBuffer();
  return res.status;
}

const scrape = (authorization?: string): Promise<Response> => fetch(`${server.base}/metrics`, authorization === undefined ? {} : { headers: { authorization } });

/** Each sample of a Prometheus text exposition (format 0.0.4), by its name and labels as written; throws on a line that is not one. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][\w:]*) (.+)$/.exec(line);
    if (comment) {
      if (comment[1] === 'TYPE') typed.add(comment[2] ?? '');
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const [, name = '', labels = '', value = ''] = sample;
    // A histogram's _bucket, _sum and _count belong to the family its TYPE line names.
    if (![name, name.replace(/_(bucket|sum|count)$/, '')].some((family) => typed.has(family))) throw new Error(`no TYPE for ${name}`);
    out.set(`${name}${labels}`, Number(value));
  }
  return out;
}

describe('GET /metrics', () => {
  it('counts a report sent through the WeCom callback, and a message without a command word, for the bearer of the token', async () => {
    expect(await deliver('msg-metrics-report', '@督办助手 上报 T2 80%')).toBe(200);
    expect(await deliver('msg-metrics-chatter', '@督办助手 今天天气不错')).toBe(200);

    const res = await scrape(`Bearer ${METRICS_TOKEN}`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const seen = samples(await res.text());
    expect(seen.get('duban_reports_recorded_total{platform="wecom"}')).toBe(1);
    expect(seen.get('duban_messages_total{platform="wecom",outcome="replied"}')).toBe(1);
    expect(seen.get('duban_messages_total{platform="wecom",outcome="refused"}')).toBe(1);
    expect(seen.get('duban_reply_seconds_count{platform="wecom"}')).toBe(2);
    expect(seen.get('duban_reply_seconds_bucket{le="+Inf",platform="wecom"}')).toBe(2);
    expect(seen.get('duban_redis_up')).toBe(1);
    expect(seen.get('duban_outbox_depth{platform="console",state="waiting"}')).toBe(0);
  });

  it('counts WeCom delivering a message again as a duplicate, and the report in it once', async () => {
    expect(await deliver('msg-metrics-twice', '@督办助手 上报 T3 2个')).toBe(200);
    expect(await deliver('msg-metrics-twice', '@督办助手 上报 T3 2个')).toBe(200);

    const seen = samples(await (await scrape(`Bearer ${METRICS_TOKEN}`)).text());

    expect(seen.get('duban_messages_total{platform="wecom",outcome="replied"}')).toBe(2);
    expect(seen.get('duban_messages_total{platform="wecom",outcome="duplicate"}')).toBe(1);
    expect(seen.get('duban_reports_recorded_total{platform="wecom"}')).toBe(2);
  });

  it('refuses a scrape without the token, or with another, and says which scheme it takes', async () => {
    for (const authorization of [undefined, 'Bearer not-the-token-at-all-0000', `Basic ${METRICS_TOKEN}`, 'Bearer ']) {
      const res = await scrape(authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect(await res.text()).not.toContain('duban_');
    }
  });

  it('is not there at all when no token is set', async () => {
    const bare = await listen(createApp({ log, redisUp: () => bot.store.ping() }));
    try {
      const res = await fetch(`${bare.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
