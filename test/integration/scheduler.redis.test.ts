/**
 * The scheduler and the runner on real Redis: a slot runs once across instances, a slot missed
 * while down is caught up once, rest days post nothing, and posts made outside office hours wait.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, JobContext } from '../../src/core/job.js';
import { createLogger } from '../../src/core/logger.js';
import { jobs } from '../../jobs/index.js';
import { planJob, previousSlot, runJob, runJobs, startScheduler, type Scheduler } from '../../src/core/scheduler.js';
import { renderText } from '../../src/render/plain.js';
import { testCounty } from '../fixtures/county.js';
import { createOutbox, type Outbox } from '../../src/outbox/index.js';
import { type Poster } from '../../src/core/platform.js';
import { createKeys } from '../../src/store/keys.js';
import type { WorkCalendar, Group } from '../../src/domain/model.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { calendarStub } from '../helpers/calendar-stub.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';
import { countyWindow } from '../../src/core/posts.js';

let bot: TestBot;
const closers: Array<() => Promise<void>> = [];
beforeEach(async () => {
  bot = await openTestBot(import.meta.url);
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await bot.close();
});

const log = createLogger('silent');
/**
 * The machine's clock may read a weekend: for tests of timing, every day is a working day — and a
 * known one, in every year, or the scheduler would estimate a day past the calendar's data as
 * Monday to Friday (test:dates runs a year ahead, where that was a Saturday).
 */
const everyDayWorks: WorkCalendar = { ...calendarStub(), covers: () => true, isWorkday: () => true };

/** A job that posts one line to the 城关镇 console group and counts its runs by day. */
function countingJob(cron: string, graceMs = 0): Job & { runs: string[] } {
  const runs: string[] = [];
  return {
    runs,
    name: 'counting',
    cron,
    timezone: 'Asia/Shanghai',
    graceMs,
    async run(ctx: JobContext) {
      runs.push(ctx.now.toISOString());
      const group = await ctx.store.group('console', '城关镇工作群');
      return group ? [{ group, message: { lines: [[`第${String(runs.length)}次`]] } }] : [];
    },
  };
}

function recordingOutbox(): Outbox & { sent: string[] } {
  const sent: string[] = [];
  const poster: Poster = { parts: () => 1, pauseMs: 0, sendPart: (group) => { sent.push(group.chat); return Promise.resolve(); } };
  const outbox = createOutbox({ redis: bot.db.redis, queuePrefix: createKeys(`${bot.db.prefix}:bot`).queuePrefix(), store: bot.store, posters: { console: poster }, log, perMinute: 600 });
  closers.push(() => outbox.close());
  return Object.assign(outbox, { sent });
}

const deps = () => ({ store: bot.store, calendar: bot.calendar, log });

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((done) => setTimeout(done, 50));
};

describe('a scheduled job', () => {
  it('runs each slot once when two instances fire it', async () => {
    const job = countingJob('* * * * * *');
    const outbox = recordingOutbox();
    const schedulers: Scheduler[] = await Promise.all([startScheduler([job], { ...deps(), calendar: everyDayWorks, outbox }), startScheduler([job], { ...deps(), calendar: everyDayWorks, outbox })]);
    closers.push(async () => { for (const s of schedulers) await s.stop(); });
    await new Promise((done) => setTimeout(done, 2600));

    expect(job.runs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(job.runs).size).toBe(job.runs.length);
  });

  it('catches up a slot missed while no instance was up, posting once across two instances', async () => {
    const job = countingJob('0 9 * * *', 3 * 24 * 60 * 60 * 1000);
    const outbox = recordingOutbox();
    outbox.start();
    const schedulers = await Promise.all([startScheduler([job], { ...deps(), calendar: everyDayWorks, outbox }), startScheduler([job], { ...deps(), calendar: everyDayWorks, outbox })]);
    closers.push(async () => { for (const s of schedulers) await s.stop(); });
    await until(() => outbox.sent.length > 0);
    await new Promise((done) => setTimeout(done, 300));

    expect(new Set(job.runs)).toEqual(new Set([previousSlot(job, DEFAULT_SCHEDULE, new Date()).toISOString()]));
    expect(outbox.sent).toEqual(['城关镇工作群']);
  });

  it('leaves a missed slot to the next one when its posts could not go out before then, so a group gets one message that day', async () => {
    const job = countingJob('0 9 * * *', 3 * 24 * 60 * 60 * 1000);
    const outbox = recordingOutbox();
    const afterHours = (now: Date) => Promise.resolve({ now: false, next: new Date(now.getTime() + 12 * 60 * 60 * 1000) });
    const scheduler = await startScheduler([job], { ...deps(), calendar: everyDayWorks, outbox, window: afterHours });
    closers.push(() => scheduler.stop());
    await new Promise((done) => setTimeout(done, 300));

    expect(job.runs).toEqual([]);
    expect(await bot.store.runDone(`counting:${previousSlot(job, DEFAULT_SCHEDULE, new Date()).toISOString()}`)).toBe(false);
  });

  it('runs a slot again at start when the run that took it died before queuing its posts', async () => {
    const job = countingJob('0 9 * * *', 3 * 24 * 60 * 60 * 1000);
    const slot = previousSlot(job, DEFAULT_SCHEDULE, new Date());
    await bot.store.claimRun(`counting:${slot.toISOString()}`, 'an instance that crashed', 60);
    const outbox = recordingOutbox();
    const scheduler = await startScheduler([job], { ...deps(), calendar: everyDayWorks, outbox });
    closers.push(() => scheduler.stop());
    await until(() => job.runs.length > 0);

    expect(job.runs).toEqual([slot.toISOString()]);
  });

  it('leaves a slot alone at start once its run has queued everything', async () => {
    const job = countingJob('0 9 * * *', 3 * 24 * 60 * 60 * 1000);
    const slot = previousSlot(job, DEFAULT_SCHEDULE, new Date());
    await bot.store.markRunDone(`counting:${slot.toISOString()}`, 60);
    const outbox = recordingOutbox();
    const scheduler = await startScheduler([job], { ...deps(), calendar: everyDayWorks, outbox });
    closers.push(() => scheduler.stop());
    await new Promise((done) => setTimeout(done, 300));

    expect(job.runs).toEqual([]);
  });

  it('leaves a slot alone once it is past its grace window', async () => {
    const job = countingJob('0 9 * * *', 0);
    const outbox = recordingOutbox();
    const scheduler = await startScheduler([job], { ...deps(), calendar: everyDayWorks, outbox });
    closers.push(() => scheduler.stop());
    await new Promise((done) => setTimeout(done, 300));

    expect(job.runs).toEqual([]);
  });

  it('posts nothing twice when the same day is run again by hand', async () => {
    const job = countingJob('0 9 * * *');
    const outbox = recordingOutbox();
    outbox.start();
    const at = new Date('2026-11-23T09:00:00+08:00');
    const first = await runJob(job, at, { ...deps(), outbox });
    const again = await runJob(job, at, { ...deps(), outbox });
    await outbox.settled(first.ran ? first.posts.map((p) => p.key) : [], 5000);

    expect(first).toMatchObject({ added: ['counting/2026-11-23/console/城关镇工作群'] });
    expect(again).toMatchObject({ added: [], already: ['counting/2026-11-23/console/城关镇工作群'] });
    expect(outbox.sent).toEqual(['城关镇工作群']);
  });
});

describe('one slot of several jobs', () => {
  /** A job that posts one line, titled by its name, to the 城关镇 console group. */
  const oneLiner = (name: string): Job => ({
    name,
    cron: '0 9 * * *',
    timezone: 'Asia/Shanghai',
    graceMs: 0,
    async run(ctx: JobContext) {
      const group = await ctx.store.group('console', '城关镇工作群');
      return group ? [{ group, message: { title: `${name}标题`, lines: [[`${name}内容`]] } }] : [];
    },
  });

  it('gives a group one message of all its posts of the slot, each after the first under its title, and posts each once after', async () => {
    const outbox = recordingOutbox();
    const at = new Date('2026-11-23T09:00:00+08:00');
    const both = await runJobs([oneLiner('甲'), oneLiner('乙')], at, { ...deps(), outbox });
    const again = await runJobs([oneLiner('乙')], at, { ...deps(), outbox });

    expect(both.ran && both.posts.map((p) => [p.chat, renderText(p.message)])).toEqual([['城关镇工作群', '【甲标题】\n甲内容\n乙标题\n乙内容']]);
    expect(again).toMatchObject({ added: [], already: ['乙/2026-11-23/console/城关镇工作群'] });
  });

  it('gives each township group at most one message a working day through a week with a monthly 通报, and the leaders a digest of at most 15 lines', async () => {
    const townships = Array.from({ length: 60 }, (_, i) => ({ id: `乡镇${String(i + 1)}`, name: `乡镇${String(i + 1)}`, villages: 10 }));
    const groups: Group[] = [...townships.map((t): Group => ({ platform: 'console', chat: `${t.name}群`, township: t.id })), { platform: 'console', chat: '领导群', role: 'leaders' }];
    await bot.store.loadCounty({ ...testCounty, townships, groups, people: [] }, {});
    await bot.store.recordReport({ task: 'T2', township: '乡镇1', amount: 40, value: '40%', note: '', by: { platform: 'console', user: 'u', name: '联络员' }, at: '2026-11-20T10:00:00.000+08:00', source: 'console:week-1' });
    const outbox = recordingOutbox();
    const perDay = new Map<string, Map<string, string[]>>();
    for (const day of ['2026-11-27', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']) {
      const outcome = await runJobs(jobs, new Date(`${day}T09:00:00+08:00`), { ...deps(), outbox });
      const byChat = new Map<string, string[]>();
      for (const post of outcome.ran ? outcome.posts : []) byChat.set(post.chat, [...(byChat.get(post.chat) ?? []), renderText(post.message)]);
      perDay.set(day, byChat);
    }

    for (const byChat of perDay.values()) for (const messages of byChat.values()) expect(messages).toHaveLength(1);
    const firstOfMonth = perDay.get('2026-12-01')?.get('乡镇1群')?.[0] ?? '';
    expect(firstOfMonth).toContain('2026年11月任务完成情况通报');
    expect(firstOfMonth).toContain('乡镇1督办提醒（12月1日）');
    for (const day of ['2026-11-27', '2026-11-30', '2026-12-02', '2026-12-03', '2026-12-04']) {
      const digest = perDay.get(day)?.get('领导群')?.[0] ?? '';
      expect(digest).toContain('预警摘要');
      expect(digest.split('\n').length).toBeLessThanOrEqual(15);
    }
  });
});

describe('the official calendar and office hours', () => {
  it.each([
    ['a public holiday', '2026-10-01T09:00:00+08:00'],
    ['a Sunday', '2026-11-22T09:00:00+08:00'],
  ])('posts nothing on %s', async (_, at) => {
    const job = countingJob('0 9 * * *');
    const plan = await planJob(job, new Date(at), deps());

    expect(plan.ran).toBe(false);
    expect(job.runs).toEqual([]);
  });

  it('runs on a 调休 Saturday, which is a working day', async () => {
    const plan = await planJob(countingJob('0 9 * * *'), new Date('2026-10-10T09:00:00+08:00'), deps());

    expect(plan.ran).toBe(true);
  });

  it('opens the posting window at 08:30, and after hours on the next working day', async () => {
    const window = countyWindow(bot.store, bot.calendar);
    const early = await window(new Date('2026-11-23T07:00:00+08:00'));
    const late = await window(new Date('2026-11-27T19:00:00+08:00'));
    const open = await window(new Date('2026-11-23T10:00:00+08:00'));

    expect(early).toEqual({ now: false, next: new Date('2026-11-23T08:30:00+08:00') });
    expect(late).toEqual({ now: false, next: new Date('2026-11-30T08:30:00+08:00') });
    expect(open.now).toBe(true);
  });

  it('keeps running past the years the holiday calendar knows, counting Monday to Friday', async () => {
    const plan = await planJob(countingJob('0 9 * * *'), new Date('2027-01-04T09:00:00+08:00'), deps());

    expect(plan.ran).toBe(true);
  });
});
