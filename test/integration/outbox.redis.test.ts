/**
 * The outbox on real Redis: posts go out once, in order, spaced per robot, through pauses,
 * retries and dead letters, also with two outboxes on one Redis and after a crash mid-fan-out.
 * The pacing window is shortened to 600 ms (the real one is a minute).
 */
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWecom } from '../../src/adapters/wecom/index.js';
import { SendError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import type { OutgoingMessage } from '../../src/core/types.js';
import { createOutbox, jobIdOf, type Outbox } from '../../src/outbox/index.js';
import { type Poster } from '../../src/core/platform.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { testCounty } from '../fixtures/county.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';
import { startFakeWecom, type FakeWecom } from '../helpers/fake-wecom.js';
import type { County, Group } from '../../src/domain/model.js';
import { tellLeaders, type Post, type WindowAt } from '../../src/core/posts.js';

const WINDOW_MS = 600;
const PER_WINDOW = 3;
const groups: Group[] = Array.from({ length: 4 }, (_, i) => ({ platform: 'console', chat: `群${String(i)}`, township: '城关镇' }));
const county: County = { ...testCounty, groups: [...testCounty.groups, ...groups] };

interface Sent {
  chat: string;
  text: string;
  at: number;
}

let bot: TestBot;
const outboxes: Outbox[] = [];

beforeEach(async () => {
  bot = await openTestBot(import.meta.url, county);
});
afterEach(async () => {
  for (const outbox of outboxes.splice(0)) await outbox.close();
  await bot.close();
});

/** A poster that records what it sends and answers with the scripted failures first. */
function recorder(failures: SendError[] = []): Poster & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    parts: () => 1,
    pauseMs: 300,
    sendPart(group, message) {
      const failure = failures.shift();
      if (failure) return Promise.reject(failure);
      sent.push({ chat: group.chat, text: message.lines.flat().map((s) => (typeof s === 'string' ? s : s.text)).join(''), at: Date.now() });
      return Promise.resolve();
    },
  };
}

function outboxWith(posters: Parameters<typeof createOutbox>[0]['posters'], window?: WindowAt): Outbox {
  const outbox = createOutbox({
    window,
    onDeadLetter: tellLeaders(bot.store),
    redis: bot.db.redis,
    queuePrefix: createKeys(`${bot.db.prefix}:bot`).queuePrefix(),
    store: bot.store,
    posters,
    log: createLogger('silent'),
    perMinute: PER_WINDOW,
    windowMs: WINDOW_MS,
    backoff: { firstMs: 100, maxMs: 400, attempts: 3 },
  });
  outboxes.push(outbox);
  return outbox;
}

const message = (line: string): OutgoingMessage => ({ lines: [[line]] });
const post = (chat: string, n: number): Post => ({ key: `test/${chat}/${String(n)}`, platform: 'console', chat, message: message(`${chat}#${String(n)}`) });

describe('the outbox', () => {
  it('stores a picture sent to many groups once and gives every group its bytes', async () => {
    const picture = Buffer.from('a chart, as PNG bytes would be');
    const images: Buffer[] = [];
    const poster: Poster = {
      parts: (m) => (m.image ? 2 : 1),
      pauseMs: 300,
      sendPart(_group, m, index) {
        if (index === 0 && m.image) images.push(Buffer.from(m.image.base64, 'base64'));
        return Promise.resolve();
      },
    };
    const outbox = outboxWith({ console: poster });
    outbox.start();
    const chart: OutgoingMessage = { lines: [['排名']], image: { base64: picture.toString('base64') } };
    const keys = groups.map((g) => `chart/${g.chat}`);
    await outbox.enqueue(groups.map((g, i) => ({ key: keys[i] ?? '', platform: 'console', chat: g.chat, message: chart })));
    await outbox.settled(keys, 8000);

    expect(images).toEqual(groups.map(() => picture));
    expect(await bot.db.redis.keys(`${bot.db.prefix}:bot:image:*`)).toHaveLength(1);
  });

  it('posts the text when its picture has expired before the post went out', async () => {
    const poster = recorder();
    const outbox = outboxWith({ console: poster });
    await outbox.enqueue([{ ...post('群1', 1), message: { ...message('群1#1'), image: { base64: Buffer.from('gone').toString('base64') } } }]);
    for (const key of await bot.db.redis.keys(`${bot.db.prefix}:bot:image:*`)) await bot.db.redis.del(key);
    outbox.start();
    await outbox.settled(['test/群1/1'], 5000);

    expect(poster.sent.map((s) => s.text)).toEqual(['群1#1']);
  });

  it('posts the whole text when the picture expired after it went out and before the text could', async () => {
    const sent: string[] = [];
    let failText = true;
    const poster: Poster = {
      parts: (m) => (m.image ? 2 : 1),
      pauseMs: 300,
      async sendPart(_group, m, index) {
        if (m.image && index === 0) {
          sent.push('picture');
          // Gone before the retry of the text: its key expired, or Redis lost it.
          for (const key of await bot.db.redis.keys(`${bot.db.prefix}:bot:image:*`)) await bot.db.redis.del(key);
          return;
        }
        if (failText) {
          failText = false;
          throw new SendError('HTTP 502', 'http-502', 'failed');
        }
        sent.push(m.lines.flat().map((x) => (typeof x === 'string' ? x : x.text)).join(''));
      },
    };
    const outbox = outboxWith({ console: poster });
    outbox.start();
    await outbox.enqueue([{ ...post('群2', 1), message: { ...message('群2#1'), image: { base64: Buffer.from('chart').toString('base64') } } }]);
    const states = await outbox.settled(['test/群2/1'], 8000);

    expect(states.get('test/群2/1')).toBe('sent');
    expect(sent).toEqual(['picture', '群2#1']);
  });

  it('posts a key once however often it is enqueued', async () => {
    const poster = recorder();
    const outbox = outboxWith({ console: poster });
    outbox.start();
    const first = await outbox.enqueue([post('群0', 1)]);
    const again = await outbox.enqueue([post('群0', 1)]);
    await outbox.settled(['test/群0/1'], 5000);

    expect(first.added).toEqual(['test/群0/1']);
    expect(again.already).toEqual(['test/群0/1']);
    expect(poster.sent).toHaveLength(1);
  });

  it('queues a key once when it comes twice in one fan-out, and each post of a fan-out larger than a batch once', async () => {
    const poster = recorder();
    const outbox = outboxWith({ console: poster });
    // Over one batch of enqueue (500): the later part must find the earlier.
    const posts = Array.from({ length: 620 }, (_, n) => post(`群${String(n % 4)}`, Math.floor(n / 4)));
    const first = await outbox.enqueue([...posts, posts[0]!, posts[619]!]);
    expect(first.added).toHaveLength(620);
    expect(first.already).toEqual([posts[0]?.key, posts[619]?.key]);
    expect((await outbox.enqueue(posts.slice(500))).already).toHaveLength(120);
  });

  it('posts each robot\'s messages in order and never more than its limit in any window', async () => {
    const poster = recorder();
    const outbox = outboxWith({ console: poster });
    outbox.start();
    const posts = [0, 1].flatMap((g) => Array.from({ length: 7 }, (_, n) => post(`群${String(g)}`, n)));
    await outbox.enqueue(posts);
    await outbox.settled(posts.map((p) => p.key), 15_000);

    for (const chat of ['群0', '群1']) {
      const mine = poster.sent.filter((s) => s.chat === chat);
      expect(mine.map((s) => s.text)).toEqual(Array.from({ length: 7 }, (_, n) => `${chat}#${String(n)}`));
      for (const [i, s] of mine.entries()) {
        expect(mine.filter((o) => o.at > s.at - WINDOW_MS && o.at <= s.at).length, `${chat} around post ${String(i)}`).toBeLessThanOrEqual(PER_WINDOW);
      }
    }
  });

  it('pauses a robot the platform calls too fast and posts everything later, in order, without a failure', async () => {
    const poster = recorder([new SendError('too fast', '45009', 'rate-limited')]);
    const outbox = outboxWith({ console: poster });
    outbox.start();
    const posts = [post('群0', 1), post('群0', 2)];
    await outbox.enqueue(posts);
    const states = await outbox.settled(posts.map((p) => p.key), 5000);

    expect([...states.values()]).toEqual(['sent', 'sent']);
    expect(poster.sent.map((s) => s.text)).toEqual(['群0#1', '群0#2']);
    expect(await bot.store.deadLetters()).toEqual([]);
  });

  it('keeps a group\'s order when a slow first post fails after the next one was due', async () => {
    const sent: string[] = [];
    let first = true;
    const slow: Poster = {
      parts: () => 1,
      pauseMs: 100,
      async sendPart(_, message) {
        const line = message.lines.flat().map((x) => (typeof x === 'string' ? x : x.text)).join('');
        if (line === '群0#1' && first) {
          first = false;
          await new Promise((done) => setTimeout(done, 500));
          throw new SendError('timeout', 'network', 'failed');
        }
        sent.push(line);
      },
    };
    const outbox = outboxWith({ console: slow });
    outbox.start();
    const posts = [post('群0', 1), post('群0', 2), post('群0', 3)];
    await outbox.enqueue(posts);
    await outbox.settled(posts.map((p) => p.key), 8000);

    expect(sent).toEqual(['群0#1', '群0#2', '群0#3']);
  });

  it('goes on from the part that failed, without sending the earlier parts again', async () => {
    const sent: number[] = [];
    let failedOnce = false;
    const twoParts: Poster = {
      parts: () => 2,
      pauseMs: 100,
      sendPart(_, __, index) {
        if (index === 1 && !failedOnce) {
          failedOnce = true;
          return Promise.reject(new SendError('busy', 'http-502', 'failed'));
        }
        sent.push(index);
        return Promise.resolve();
      },
    };
    const outbox = outboxWith({ console: twoParts });
    outbox.start();
    await outbox.enqueue([post('群0', 1)]);

    expect((await outbox.settled(['test/群0/1'], 5000)).get('test/群0/1')).toBe('sent');
    expect(sent).toEqual([0, 1]);
  });

  it('sends no further part of a post once another worker holds its job, and leaves the job to it', async () => {
    const sent: number[] = [];
    const lines: string[] = [];
    const queuePrefix = createKeys(`${bot.db.prefix}:bot`).queuePrefix();
    const twoParts: Poster = {
      parts: () => 2,
      pauseMs: 100,
      async sendPart(_, __, index) {
        sent.push(index);
        // While the first part is on its way, the job's lock passes to another worker, as when
        // this one was cut off from Redis past the lock's time (BullMQ's key for it).
        if (index === 0) await bot.db.redis.set(`${queuePrefix}:outbox:${jobIdOf('test/群0/1')}:lock`, 'another-worker', 'PX', 60_000);
      },
    };
    const outbox = createOutbox({
      redis: bot.db.redis,
      queuePrefix,
      store: bot.store,
      posters: { console: twoParts },
      log: createLogger('warn', (line) => { lines.push(line); }),
      perMinute: PER_WINDOW,
      windowMs: WINDOW_MS,
    });
    outboxes.push(outbox);
    outbox.start();
    await outbox.enqueue([post('群0', 1)]);

    await until(() => lines.some((line) => line.includes('post left to the worker that holds it now')));
    const states = await outbox.settled(['test/群0/1'], 0);

    expect(sent).toEqual([0]);
    expect(states.get('test/群0/1')).toBe('pending');
  });

  it('holds posts outside the posting window and sends them, in order, once it opens', async () => {
    const poster = recorder();
    const opensAt = Date.now() + 700;
    const window: WindowAt = (now) => Promise.resolve({ now: now.getTime() >= opensAt, next: new Date(opensAt) });
    const outbox = outboxWith({ console: poster }, window);
    outbox.start();
    const posts = [post('群0', 1), post('群0', 2)];
    await outbox.enqueue(posts);
    await outbox.settled(posts.map((p) => p.key), 5000);

    expect(poster.sent.map((s) => s.text)).toEqual(['群0#1', '群0#2']);
    expect(poster.sent.every((s) => s.at >= opensAt)).toBe(true);
  });

  it('sends posts whose sender found the window open at once, from a worker whose clock says the window is shut', async () => {
    // A server at 19:50 delivering the posts of `duban job --at …T09:00`: its window never opens here.
    const shut: WindowAt = () => Promise.resolve({ now: false, next: new Date(Date.now() + 60 * 60_000) });
    const poster = recorder();
    const server = outboxWith({ console: poster }, shut);
    server.start();
    const decided = [post('群0', 1), post('群1', 1)];
    const held = post('群2', 1);
    await server.enqueue(decided, { windowDecided: true });
    await server.enqueue([held]);
    const states = await server.settled(decided.map((p) => p.key), 5000);

    expect([...states.values()]).toEqual(['sent', 'sent']);
    expect(poster.sent.map((s) => s.text).sort()).toEqual(['群0#1', '群1#1']);
    expect((await server.settled([held.key], 0)).get(held.key)).toBe('pending');
  });

  it('tries again after network errors and 5xx answers', async () => {
    const poster = recorder([new SendError('502', 'http-502', 'failed'), new SendError('down', 'network', 'failed')]);
    const outbox = outboxWith({ console: poster });
    outbox.start();
    await outbox.enqueue([post('群0', 1)]);
    const states = await outbox.settled(['test/群0/1'], 5000);

    expect(states.get('test/群0/1')).toBe('sent');
    expect(poster.sent).toHaveLength(1);
  });

  it('keeps a post refused for good as a dead letter and tells the leaders\' group once', async () => {
    const poster = recorder([new SendError('invalid webhook url', '93000', 'permanent')]);
    const outbox = outboxWith({ console: poster });
    outbox.start();
    await outbox.enqueue([post('群0', 1)]);
    const states = await outbox.settled(['test/群0/1'], 5000);
    await new Promise((done) => setTimeout(done, 300));

    expect(states.get('test/群0/1')).toBe('dead');
    expect(await bot.store.deadLetters()).toMatchObject([{ key: 'test/群0/1', platform: 'console', chat: '群0', code: '93000' }]);
    const notices = poster.sent.filter((s) => s.chat === '领导群');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain('错误码 93000');
  });

  it('gives up after the last attempt and keeps the post as a dead letter', async () => {
    const failures = Array.from({ length: 3 }, () => new SendError('busy', 'http-503', 'failed'));
    const poster = recorder(failures);
    const outbox = outboxWith({ console: poster });
    outbox.start();
    await outbox.enqueue([post('群0', 1)]);

    expect((await outbox.settled(['test/群0/1'], 8000)).get('test/群0/1')).toBe('dead');
    expect((await bot.store.deadLetters())[0]?.code).toBe('http-503');
  });

  it('waits out a store whose Redis connection is cut off, then posts once, with none of the post\'s tries spent', async () => {
    // The store's connection as `duban serve` makes it: no offline queue, so it refuses while cut off.
    const cut = bot.db.redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    await cut.connect();
    const keys = createKeys(`${bot.db.prefix}:bot`);
    const lines: string[] = [];
    const poster = recorder();
    const outbox = createOutbox({
      redis: bot.db.redis,
      queuePrefix: keys.queuePrefix(),
      store: createRedisStore(cut, keys),
      posters: { console: poster },
      log: createLogger('warn', (line) => lines.push(line)),
      perMinute: PER_WINDOW,
      windowMs: WINDOW_MS,
    });
    outboxes.push(outbox);
    await outbox.enqueue([post('群0', 1)]);
    cut.disconnect();
    outbox.start();
    await until(() => lines.some((line) => line.includes('redis away; posts wait for it')));
    await cut.connect();

    expect((await outbox.settled(['test/群0/1'], 8000)).get('test/群0/1')).toBe('sent');
    expect(poster.sent.map((s) => s.text)).toEqual(['群0#1']);
    const queue = new Queue('outbox', { connection: bot.db.redis, prefix: keys.queuePrefix() });
    try {
      // BullMQ counts the try that finished the job; none before it.
      expect((await queue.getJob(jobIdOf('test/群0/1')))?.attemptsMade).toBe(1);
    } finally {
      await queue.close();
      cut.disconnect();
    }
  });

  it('posts each key once when two outboxes on one Redis enqueue and deliver the same posts', async () => {
    const poster = recorder();
    const [a, b] = [outboxWith({ console: poster }), outboxWith({ console: poster })];
    a.start();
    b.start();
    const posts = groups.map((g) => post(g.chat, 1));
    await Promise.all([a.enqueue(posts), b.enqueue(posts)]);
    await a.settled(posts.map((p) => p.key), 5000);
    await new Promise((done) => setTimeout(done, 300));

    expect(poster.sent.map((s) => s.chat).sort()).toEqual(groups.map((g) => g.chat).sort());
  });

  it('delivers every post once after a crash in the middle of a fan-out', async () => {
    const poster = recorder();
    const posts = groups.map((g) => post(g.chat, 1));
    const crashed = outboxWith({ console: poster });
    await crashed.enqueue(posts.slice(0, 2));
    await crashed.close();
    outboxes.splice(outboxes.indexOf(crashed), 1);

    const restarted = outboxWith({ console: poster });
    restarted.start();
    const again = await restarted.enqueue(posts);
    await restarted.settled(posts.map((p) => p.key), 5000);

    expect(again.already).toEqual(posts.slice(0, 2).map((p) => p.key));
    expect(poster.sent.map((s) => s.chat).sort()).toEqual(groups.map((g) => g.chat).sort());
  });
});

describe('the outbox with WeCom', () => {
  let fake: FakeWecom;
  beforeEach(async () => {
    fake = await startFakeWecom();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('retries after 45009 and buries 93000, through the group\'s webhook', async () => {
    const wecomGroups: Group[] = [
      { platform: 'wecom', chat: 'wrkLive', township: '城关镇', webhook: fake.webhookUrl('live') },
      { platform: 'wecom', chat: 'wrkGone', township: '红星乡', webhook: fake.webhookUrl('gone') },
    ];
    for (const g of wecomGroups) await bot.store.saveGroup(g);
    fake.answerNext('live', { errcode: 45009, errmsg: 'api freq out of limit' });
    fake.answerNext('gone', { errcode: 93000, errmsg: 'invalid webhook url' });
    const { poster } = createWecom({ token: 'tok', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', apiBase: fake.base }, { store: bot.store, log: createLogger('silent') });
    const outbox = outboxWith({ wecom: { ...poster, pauseMs: 200 }, console: recorder() });
    outbox.start();
    const posts: Post[] = wecomGroups.map((g) => ({ key: `test/${g.chat}`, platform: 'wecom', chat: g.chat, message: message('12月31日截止：T1') }));
    await outbox.enqueue(posts);
    const states = await outbox.settled(posts.map((p) => p.key), 5000);

    expect(states.get('test/wrkLive')).toBe('sent');
    expect(states.get('test/wrkGone')).toBe('dead');
    expect(fake.received.filter((r) => r.query.key === 'live')).toHaveLength(2);
    expect(fake.received.filter((r) => r.query.key === 'gone')).toHaveLength(1);
  });
});

/** Resolves once `done()` holds, polling. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}
