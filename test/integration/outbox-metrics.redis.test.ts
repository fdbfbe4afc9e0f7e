/**
 * What the outbox tells /metrics, on real Redis: posts sent, sends failed and retried, lanes
 * paused for being too fast, dead letters, and the posts still queued.
 */
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SendError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import type { Poster } from '../../src/core/platform.js';
import type { Post } from '../../src/core/posts.js';
import { createOutbox, type DepthCount, type Outbox } from '../../src/outbox/index.js';
import { createPromMetrics, type PromMetrics } from '../../src/server/metrics.js';
import type { ChatPlatform } from '../../src/domain/model.js';
import { createKeys } from '../../src/store/keys.js';
import { testCounty } from '../fixtures/county.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';

const county = { ...testCounty, groups: [...testCounty.groups, { platform: 'console' as const, chat: '群0', township: '城关镇' }] };

let bot: TestBot;
let outbox: Outbox;
let metrics: PromMetrics;
/** The outbox's BullMQ queue, as a deploy before this one filled it. */
const QUEUE_NAME = 'outbox';

/** A poster that answers each text's scripted failures first, then sends it. */
function scripted(failures: Record<string, SendError[]>): Poster {
  return {
    parts: () => 1,
    pauseMs: 100,
    sendPart(_group, message) {
      const text = message.lines.flat().map((s) => (typeof s === 'string' ? s : s.text)).join('');
      const failure = failures[text]?.shift();
      return failure ? Promise.reject(failure) : Promise.resolve();
    },
  };
}

beforeEach(async () => {
  bot = await openTestBot(import.meta.url, county);
  metrics = createPromMetrics();
});
afterEach(async () => {
  await outbox.close();
  await bot.close();
});

function open(poster: Poster, others: Partial<Record<ChatPlatform, Poster>> = {}): Outbox {
  outbox = createOutbox({
    redis: bot.db.redis,
    queuePrefix: createKeys(`${bot.db.prefix}:bot`).queuePrefix(),
    store: bot.store,
    posters: { console: poster, ...others },
    log: createLogger('silent'),
    windowMs: 300,
    backoff: { firstMs: 50, maxMs: 100, attempts: 3 },
    metrics,
  });
  return outbox;
}

const post = (n: number): Post => ({ key: `metrics/群0/${String(n)}`, platform: 'console', chat: '群0', message: { lines: [[`群0#${String(n)}`]] } });

/** One sample's value in the exposition, or undefined. */
const valueOf = (text: string, sample: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
};

describe('the outbox\'s metrics', () => {
  it('count a post sent after a pause and a retry, and a post given up, by platform', async () => {
    open(scripted({
      '群0#1': [new SendError('too fast', '45009', 'rate-limited'), new SendError('HTTP 502', 'http-502', 'failed')],
      '群0#2': [new SendError('invalid webhook url', '93000', 'permanent')],
    }));
    outbox.start();
    await outbox.enqueue([post(1), post(2)]);
    const states = await outbox.settled([post(1).key, post(2).key], 10_000);
    const text = await metrics.scrape();

    expect([...states.values()]).toEqual(['sent', 'dead']);
    expect(valueOf(text, 'duban_outbox_sent_total{platform="console"}')).toBe(1);
    expect(valueOf(text, 'duban_outbox_rate_limit_pauses_total{platform="console"}')).toBe(1);
    expect(valueOf(text, 'duban_outbox_failed_total{platform="console"}')).toBe(1);
    expect(valueOf(text, 'duban_outbox_dead_total{platform="console"}')).toBe(1);
  });

  it('give the posts still queued as the depth by platform and state, and 0 for each once delivered', async () => {
    const wecomPost: Post = { key: 'metrics/wecom/1', platform: 'wecom', chat: 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw', message: { lines: [['wecom#1']] } };
    open(scripted({}), { wecom: scripted({}) });
    await outbox.enqueue([post(1), post(2), wecomPost]);
    const queued = await outbox.depth();
    outbox.start();
    await outbox.settled([post(1).key, post(2).key, wecomPost.key], 10_000);
    const after = await outbox.depth();

    expect(sumBy(queued, 'console')).toBe(2);
    expect(sumBy(queued, 'wecom')).toBe(1);
    expect(after.filter((d) => d.count > 0)).toEqual([]);
    expect(new Set(after.map((d) => `${d.platform} ${d.state}`))).toEqual(new Set(['console', 'wecom'].flatMap((p) => ['waiting', 'delayed', 'active', 'prioritized'].map((s) => `${p} ${s}`))));
  });

  it('count a post queued before jobs were named by platform under the platform its data names', async () => {
    open(scripted({}));
    const queue = new Queue(QUEUE_NAME, { connection: bot.db.redis.duplicate(), prefix: createKeys(`${bot.db.prefix}:bot`).queuePrefix() });
    await queue.add('post', { post: { ...post(9), platform: 'wecom' }, robot: 'wecom/群0', base: Date.now() + 60_000, failures: 0 }, { jobId: 'old|9', delay: 60_000 });
    await queue.close();

    expect((await outbox.depth()).filter((d) => d.count > 0)).toEqual([{ platform: 'wecom', state: 'delayed', count: 1 }]);
  });
});

const sumBy = (depth: readonly DepthCount[], platform: string): number => depth.filter((d) => d.platform === platform).reduce((sum, d) => sum + d.count, 0);
