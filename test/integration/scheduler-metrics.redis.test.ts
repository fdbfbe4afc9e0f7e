/** What the scheduler tells /metrics, on real Redis: each job's runs by outcome, and the slots it missed. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import { createLogger } from '../../src/core/logger.js';
import { noMetrics, type Metrics } from '../../src/core/metrics.js';
import type { Poster } from '../../src/core/platform.js';
import { runJob, startScheduler } from '../../src/core/scheduler.js';
import type { WorkCalendar } from '../../src/domain/model.js';
import { createOutbox, type Outbox } from '../../src/outbox/index.js';
import { createKeys } from '../../src/store/keys.js';
import { calendarStub } from '../helpers/calendar-stub.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';

let bot: TestBot;
let outbox: Outbox;
const log = createLogger('silent');
beforeEach(async () => {
  bot = await openTestBot(import.meta.url);
  const poster: Poster = { parts: () => 1, pauseMs: 0, sendPart: () => Promise.resolve() };
  outbox = createOutbox({ redis: bot.db.redis, queuePrefix: createKeys(`${bot.db.prefix}:bot`).queuePrefix(), store: bot.store, posters: { console: poster }, log, perMinute: 600 });
});
afterEach(async () => {
  await outbox.close();
  await bot.close();
});

/** Every day a working day the calendar knows, whatever the machine's clock reads. */
const everyDayWorks: WorkCalendar = { ...calendarStub(), covers: () => true, isWorkday: () => true };

/** The scheduler's counts, as lines `job outcome`. */
function recorder(): Metrics & { seen: string[] } {
  const seen: string[] = [];
  return { ...noMetrics, seen, jobRun: (job, outcome) => { seen.push(`${job} ${outcome}`); }, slotMissed: (job, what) => { seen.push(`${job} missed ${what}`); } };
}

function job(name: string, run: Job['run'] = () => Promise.resolve([])): Job {
  return { name, cron: '0 9 * * *', timezone: 'Asia/Shanghai', graceMs: 3 * 24 * 60 * 60 * 1000, run };
}

describe('the scheduler\'s metrics', () => {
  it('count a run on a working day as ran, and one on a rest day as rest-day', async () => {
    const metrics = recorder();
    await runJob(job('reminders'), new Date('2026-11-23T09:00:00+08:00'), { store: bot.store, calendar: bot.calendar, log, outbox, metrics });
    await runJob(job('reminders'), new Date('2026-11-22T09:00:00+08:00'), { store: bot.store, calendar: bot.calendar, log, outbox, metrics });

    expect(metrics.seen).toEqual(['reminders ran', 'reminders rest-day']);
  });

  it('count a slot missed while nothing ran as caught up, and a job that throws as failed', async () => {
    const metrics = recorder();
    const scheduler = await startScheduler([job('broken', () => Promise.reject(new Error('bug')))], { store: bot.store, calendar: everyDayWorks, log, outbox, metrics });
    await scheduler.stop();

    expect(metrics.seen).toEqual(['broken missed caught-up', 'broken failed']);
  });

  it('count a missed slot left to the next when its posts could not go out before then', async () => {
    const metrics = recorder();
    const afterHours = (now: Date) => Promise.resolve({ now: false, next: new Date(now.getTime() + 12 * 60 * 60 * 1000) });
    const scheduler = await startScheduler([job('reminders')], { store: bot.store, calendar: everyDayWorks, log, outbox, metrics, window: afterHours });
    await scheduler.stop();

    expect(metrics.seen).toEqual(['reminders missed left']);
  });
});
