/**
 * Runs the jobs: at their cron slots (node-cron, Beijing time), once per slot across instances,
 * and at start for a slot missed while no instance was up (DESIGN §7). A run only computes what
 * is due and hands it to the outbox under keys of (job, day, group), so a run repeated by hand,
 * by a catch-up or by a second instance posts nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import cron, { type ScheduledTask } from 'node-cron';
import { estimatingBeyondCoverage } from '../domain/calendar.js';
import { beijingDate } from '../domain/dates.js';
import type { WorkCalendar } from '../domain/model.js';
import { missedSlot, postingWindow, type ScheduleSettings } from '../domain/schedule.js';
import type { Outbox, OutboxPost, PostingWindow } from '../outbox/index.js';
import type { Store } from '../store/types.js';
import { loadBoard } from './board.js';
import type { Job } from './job.js';
import type { Logger } from './logger.js';

/** A run marker outlives every slot's catch-up window (the longest is the monthly ranking's days). */
const RUN_MARKER_SECONDS = 14 * 24 * 60 * 60;

export interface RunDeps {
  store: Store;
  calendar: WorkCalendar;
  log: Logger;
}

export type RunOutcome = { ran: false; reason: 'rest-day'; day: string } | { ran: true; day: string; posts: OutboxPost[] };

/**
 * What `job` has to post for `slot`, keyed. When it may go out (office hours) is the outbox's
 * to decide at delivery, so a post held back, retried or paused never goes out at night either.
 */
export async function planJob(job: Job, slot: Date, deps: RunDeps): Promise<RunOutcome> {
  const day = beijingDate(slot);
  const log = deps.log.child({ job: job.name, day });
  if (!deps.calendar.covers(day)) log.warn('the holiday calendar does not cover this day; working days are estimated Monday to Friday');
  const calendar = estimatingBeyondCoverage(deps.calendar);
  if (!calendar.isWorkday(day)) return { ran: false, reason: 'rest-day', day };
  const settings = await deps.store.scheduleSettings();
  const posts = await job.run({
    jobName: job.name,
    now: slot,
    today: day,
    store: deps.store,
    calendar,
    log,
    settings,
    board: () => loadBoard({ store: deps.store, calendar, today: day }),
  });
  return {
    ran: true,
    day,
    posts: posts.map((p) => ({
      // `part` replaces the day where a job posts on another rhythm (calendar-guard: weekly).
      key: `${job.name}/${p.part ?? day}/${p.group.platform}/${p.group.chat}`,
      platform: p.group.platform,
      chat: p.group.chat,
      message: p.message,
    })),
  };
}

/**
 * The outbox's posting window for the county: working days (estimated past the calendar) and its
 * office hours. `at` fixes the clock, for `duban job --at`: as if it were that moment.
 */
export function countyWindow(store: Store, calendar: WorkCalendar, at?: Date): PostingWindow {
  const lenient = estimatingBeyondCoverage(calendar);
  return async (now) => postingWindow(at ?? now, lenient, (await store.scheduleSettings()).officeHours);
}

/** Plans and enqueues one run; logs what it did. */
export async function runJob(
  job: Job,
  slot: Date,
  deps: RunDeps & { outbox: Outbox },
): Promise<RunOutcome & { added?: string[]; already?: string[]; platformOff?: string[] }> {
  const outcome = await planJob(job, slot, deps);
  if (!outcome.ran) {
    deps.log.info('job skipped: not a working day', { job: job.name, day: outcome.day });
    return outcome;
  }
  const { added, already, platformOff } = await deps.outbox.enqueue(outcome.posts);
  deps.log.info('job ran', { job: job.name, day: outcome.day, added: added.length, already: already.length, platformOff: platformOff.length });
  return { ...outcome, added, already, platformOff };
}

/** The job's cron expression for the county's settings. */
export const cronOf = (job: Job, settings: ScheduleSettings): string => (typeof job.cron === 'string' ? job.cron : job.cron(settings));

/** The job's last slot at or before `now`. */
export function previousSlot(job: Job, settings: ScheduleSettings, now: Date): Date {
  return CronExpressionParser.parse(cronOf(job, settings), { tz: job.timezone, currentDate: new Date(now.getTime() + 1) }).prev().toDate();
}

export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * Schedules the jobs at the county's times as stored when it starts: a changed `schedule:`
 * takes effect at the next start.
 */
export async function startScheduler(jobs: readonly Job[], deps: RunDeps & { outbox: Outbox }): Promise<Scheduler> {
  const settings = await deps.store.scheduleSettings();
  const instance = randomUUID();
  const { log, store } = deps;
  const running = new Set<Promise<void>>();
  const keyOf = (job: Job, slot: Date): string => `${job.name}:${slot.toISOString()}`;

  /** Runs a slot and marks it done once all its posts are queued; a run cut short is run again at the next start. */
  const run = (job: Job, slot: Date): Promise<void> => {
    const work = runJob(job, slot, deps).then(
      () => store.markRunDone(keyOf(job, slot), RUN_MARKER_SECONDS),
      (error: unknown) => { log.error('job failed', { job: job.name, slot: slot.toISOString(), error }); },
    );
    running.add(work);
    void work.finally(() => running.delete(work));
    return work;
  };

  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(cronOf(job, settings), (ctx) => run(job, ctx.date), {
      name: job.name,
      timezone: job.timezone,
      distributed: true,
      // The node-cron key is `name:slotISO`, as keyOf. The marker is never released: an
      // instance that fires late must not win the slot again.
      runCoordinator: { shouldRun: (key) => store.claimRun(key, instance, RUN_MARKER_SECONDS) },
    }),
  );

  // A slot that passed while nothing ran, or whose run died before queuing all its posts, runs
  // now. Two instances starting together may both run it: the posts' keys make that harmless.
  const catchUp = Promise.all(
    jobs.map(async (job) => {
      const now = new Date();
      const slot = previousSlot(job, settings, now);
      if (!missedSlot(slot, now, job.graceMs) || (await store.runDone(keyOf(job, slot)))) return;
      log.info('catching up a missed slot', { job: job.name, slot: slot.toISOString() });
      await run(job, slot);
    }),
  ).catch((error: unknown) => { log.error('catch-up failed', { error }); });

  return {
    async stop() {
      for (const task of tasks) await task.destroy();
      await catchUp;
      await Promise.allSettled([...running]);
    },
  };
}
