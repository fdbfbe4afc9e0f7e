/**
 * The scheduler through a Redis failover (docs/design.md §7): a slot whose claim or run fails
 * because Redis refuses while a replica is promoted is tried again, not lost until the next start;
 * a mistake is not. The failover itself is in test/faults/sentinel-failover.fault.ts; here the
 * refusals are what a demoted master answers (READONLY), on the real store otherwise.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import { createLogger } from '../../src/core/logger.js';
import type { Post, SlotPosts } from '../../src/core/posts.js';
import { startScheduler, type Scheduler } from '../../src/core/scheduler.js';
import type { WorkCalendar } from '../../src/domain/model.js';
import { calendarStub } from '../helpers/calendar-stub.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';

let bot: TestBot;
let scheduler: Scheduler | undefined;
beforeEach(async () => {
  bot = await openTestBot(import.meta.url);
});
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  await bot.close();
});

const log = createLogger('silent');
const everyDayWorks: WorkCalendar = { ...calendarStub(), covers: () => true, isWorkday: () => true };
const readonly = (): Error => Object.assign(new Error("READONLY You can't write against a read only replica."), { name: 'ReplyError' });

/** A job every second that posts its slot to 城关镇's console group. */
const everySecond: Job = {
  name: 'tick',
  cron: '* * * * * *',
  timezone: 'Asia/Shanghai',
  graceMs: 0,
  async run(ctx) {
    const group = await ctx.store.group('console', '城关镇工作群');
    return group ? [{ group, part: ctx.now.toISOString(), message: { lines: [['tick']] } }] : [];
  },
};

/** An outbox that keeps what it is given, refusing the first `refusals` enqueues as a demoted master would. */
function flakyOutbox(refusals: number): SlotPosts & { queued: string[]; refused: string[] } {
  const queued: string[] = [];
  const refused: string[] = [];
  return {
    queued,
    refused,
    posted: (keys) => Promise.resolve(new Set(keys.filter((key) => queued.includes(key)))),
    enqueue: (posts: readonly Post[]) => {
      if (refused.length < refusals) {
        refused.push(...posts.map((p) => p.key));
        return Promise.reject(readonly());
      }
      const added = posts.map((p) => p.key).filter((key) => !queued.includes(key));
      queued.push(...added);
      return Promise.resolve({ added, already: [], platformOff: [] });
    },
  };
}

const slotOf = (text: string): string => /\d{4}-\d\d-\d\dT[\d:.]+Z/.exec(text)?.[0] ?? text;

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((done) => setTimeout(done, 50));
};

describe('a scheduled slot while Redis fails over', () => {
  it('is claimed again when the claim is refused, and its post is queued once', async () => {
    const refusedClaims: string[] = [];
    const store = {
      ...bot.store,
      claimRun: (run: string, owner: string, seconds: number) => {
        if (refusedClaims.length === 0) {
          refusedClaims.push(run);
          return Promise.reject(readonly());
        }
        return bot.store.claimRun(run, owner, seconds);
      },
    };
    const outbox = flakyOutbox(0);
    scheduler = await startScheduler([everySecond], { store, calendar: everyDayWorks, log, outbox });
    const refusedSlot = (): string => slotOf(refusedClaims[0] ?? 'none');
    await until(() => outbox.queued.some((key) => slotOf(key) === refusedSlot()));
    const slots = outbox.queued.map(slotOf);
    expect(slots).toContain(refusedSlot());
    expect(new Set(slots).size).toBe(slots.length);
  });

  it('is run again when its posts could not be queued, and its post is queued once', async () => {
    const outbox = flakyOutbox(1);
    scheduler = await startScheduler([everySecond], { store: bot.store, calendar: everyDayWorks, log, outbox });
    await until(() => outbox.refused.length > 0 && outbox.queued.includes(outbox.refused[0] ?? ''));
    expect(outbox.refused).toHaveLength(1);
    expect(outbox.queued).toContain(outbox.refused[0]);
    expect(new Set(outbox.queued).size).toBe(outbox.queued.length);
  });
});
