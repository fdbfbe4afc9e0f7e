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
import type { Outbox, OutboxPost } from '../outbox/index.js';
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

export type RunOutcome =
  | { ran: false; reason: 'rest-day'; day: string }
  | { ran: true; day: string; posts: OutboxPost[]; notBefore?: Date };

/**
 * What `job` has to post for `slot`, keyed, and when it may go: at once inside office hours, else
 * at the next window (`now` is the real clock; a caught-up slot is posted now, not at its time).
 */
export async function planJob(job: Job, slot: Date, deps: RunDeps, now: Date = slot): Promise<RunOutcome> {
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
  const window = postingWindow(now, calendar, settings.officeHours);
  const notBefore = window.now ? undefined : window.next;
  return {
    ran: true,
    day,
    notBefore,
    posts: posts.map((p) => ({
      // `part` replaces the day where a job posts on another rhythm (calendar-guard: weekly).
      key: `${job.name}/${p.part ?? day}/${p.group.platform}/${p.group.chat}`,
      platform: p.group.platform,
      chat: p.group.chat,
      message: p.message,
      ...(notBefore === undefined ? {} : { notBefore: notBefore.getTime() }),
    })),
  };
}

/** Plans and enqueues one run; logs what it did. */
export async function runJob(
  job: Job,
  slot: Date,
  deps: RunDeps & { outbox: Outbox },
  now = new Date(),
): Promise<RunOutcome & { added?: string[]; already?: string[]; platformOff?: string[] }> {
  const outcome = await planJob(job, slot, deps, now);
  if (!outcome.ran) {
    deps.log.info('job skipped: not a working day', { job: job.name, day: outcome.day });
    return outcome;
  }
  const { added, already, platformOff } = await deps.outbox.enqueue(outcome.posts);
  deps.log.info('job ran', { job: job.name, day: outcome.day, added: added.length, already: already.length, platformOff: platformOff.length, notBefore: outcome.notBefore?.toISOString() });
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
  const { log } = deps;
  // The marker is never released: an instance that fires late must not win the slot again.
  const claim = (key: string): Promise<boolean> => deps.store.claimRun(key, instance, RUN_MARKER_SECONDS);
  const run = (job: Job, slot: Date): Promise<void> =>
    runJob(job, slot, deps).then(
      () => undefined,
      (error: unknown) => { log.error('job failed', { job: job.name, slot: slot.toISOString(), error }); },
    );

  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(cronOf(job, settings), (ctx) => run(job, ctx.date), {
      name: job.name,
      timezone: job.timezone,
      distributed: true,
      runCoordinator: { shouldRun: (key) => claim(key) },
    }),
  );

  // The same key node-cron gives the coordinator (`name:slotISO`), so a tick and a catch-up of
  // one slot run once between them.
  const catchUp = Promise.all(
    jobs.map(async (job) => {
      const now = new Date();
      const slot = previousSlot(job, settings, now);
      if (!missedSlot(slot, now, job.graceMs)) return;
      if (!(await claim(`${job.name}:${slot.toISOString()}`))) return;
      log.info('catching up a missed slot', { job: job.name, slot: slot.toISOString() });
      await run(job, slot);
    }),
  ).catch((error: unknown) => { log.error('catch-up failed', { error }); });

  return {
    async stop() {
      for (const task of tasks) await task.destroy();
      await catchUp;
    },
  };
}
