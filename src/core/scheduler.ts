/**
 * Runs the jobs: at their cron slots (node-cron, Beijing time), once per slot across instances,
 * and at start for a slot missed while no instance was up (docs/design.md §7). A run only computes what
 * is due and hands it to the outbox under keys of (job, day, group), so a run repeated by hand,
 * by a catch-up or by a second instance posts nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import cron, { type ScheduledTask } from 'node-cron';
import { estimatingBeyondCoverage } from '../domain/calendar.js';
import { beijingDate } from '../domain/dates.js';
import type { WorkCalendar, Ymd } from '../domain/model.js';
import { missedSlot, type ScheduleSettings } from '../domain/schedule.js';
import type { CountyStore } from '../store/county.js';
import { isRedisAway, type DurableStore } from '../store/durable.js';
import type { HealthStore } from '../store/health.js';
import type { RunStore } from '../store/runs.js';
import { loadBoard } from './board.js';
import type { Job, JobStore } from './job.js';
import type { Line, OutgoingMessage } from './types.js';
import type { Logger } from './logger.js';
import { noMetrics, type Metrics } from './metrics.js';
import { laneOf, postKey, type Post, type SlotPosts, type WindowAt } from './posts.js';

/** A run marker outlives every slot's catch-up window (the longest is the monthly ranking's days). */
const RUN_MARKER_SECONDS = 14 * 24 * 60 * 60;

/**
 * While Redis is away (a Sentinel failover takes the sentinels' down-after-milliseconds, then an
 * election: seconds), a slot's claim and run are tried again this often, for this long, rather
 * than the slot being lost until the next start.
 */
const OUTAGE_RETRY_MS = 2_000;
const OUTAGE_GIVE_UP_MS = 60_000;

export interface RunDeps {
  /** What jobs read, and the county's schedule settings. */
  store: JobStore & Pick<CountyStore, 'scheduleSettings'>;
  calendar: WorkCalendar;
  log: Logger;
  /** Where runs and missed slots are counted; nowhere by default. */
  metrics?: Metrics;
}

export type RunOutcome = { ran: false; reason: 'rest-day'; day: string } | { ran: true; day: string; posts: Post[] };

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
      key: postKey.job(job.name, p.part ?? day, p.group),
      platform: p.group.platform,
      chat: p.group.chat,
      message: p.message,
    })),
  };
}

/**
 * One message per group and slot: a group's posts of jobs that share a slot (the 09:00 reminders,
 * the monthly 通报, the digest…) go out together, the one with a picture first, each after the
 * first headed by its title. The bundle covers their keys, so each is posted once as before.
 */
export function bundlePosts(posts: readonly Post[], day: Ymd): Post[] {
  const byGroup = new Map<string, Post[]>();
  for (const post of posts) {
    const group = laneOf(post);
    byGroup.set(group, [...(byGroup.get(group) ?? []), post]);
  }
  return [...byGroup.values()].map((group) => {
    const [only, ...more] = group;
    if (!only || more.length === 0) return only;
    // Stable: the jobs' own order, but a post with a picture leads, as the picture is shown first.
    const ordered = [...group].sort((a, b) => Number(b.message.image !== undefined) - Number(a.message.image !== undefined));
    const [lead = only, ...rest] = ordered;
    const keys = ordered.map((p) => p.key);
    const mentions = [...new Set(ordered.flatMap((p) => p.message.mentions ?? []))];
    const message: OutgoingMessage = {
      ...lead.message,
      lines: [...lead.message.lines, ...rest.flatMap((p): Line[] => [...(p.message.title === undefined ? [] : [[{ text: p.message.title, tone: 'strong' as const }]]), ...p.message.lines])],
      ...(mentions.length > 0 ? { mentions } : {}),
    };
    const key = postKey.bundle(day, lead, keys);
    return { key, platform: lead.platform, chat: lead.chat, message, covers: keys };
  }).filter((post): post is Post => post !== undefined);
}

export type SlotOutcome = RunOutcome & { added?: string[]; already?: string[]; platformOff?: string[] };

/**
 * What the jobs have to post for one slot, as the outbox will take it: what was posted before
 * (also inside a bundle) left out, and each group's posts bundled into one.
 */
export async function planSlot(jobs: readonly Job[], slot: Date, deps: RunDeps, posted: (keys: readonly string[]) => Promise<Set<string>>): Promise<RunOutcome & { already: string[] }> {
  const plans = await Promise.all(jobs.map((job) => planJob(job, slot, deps)));
  const ran = plans.filter((p) => p.ran);
  const day = beijingDate(slot);
  if (ran.length === 0) return { ran: false, reason: 'rest-day', day, already: [] };
  const all = ran.flatMap((p) => p.posts);
  const before = await posted(all.map((p) => p.key));
  return { ran: true, day, posts: bundlePosts(all.filter((p) => !before.has(p.key)), day), already: [...before] };
}

/** Plans and enqueues one slot of these jobs; logs what it did. */
export async function runJobs(jobs: readonly Job[], slot: Date, deps: RunDeps & { outbox: SlotPosts }): Promise<SlotOutcome> {
  const names = jobs.map((j) => j.name).join('+');
  const outcome = await planSlot(jobs, slot, deps, (keys) => deps.outbox.posted(keys));
  if (!outcome.ran) {
    deps.log.info('job skipped: not a working day', { job: names, day: outcome.day });
    for (const job of jobs) deps.metrics?.jobRun(job.name, 'rest-day');
    return outcome;
  }
  const { added, already, platformOff } = await deps.outbox.enqueue(outcome.posts);
  deps.log.info('job ran', { job: names, day: outcome.day, added: added.length, already: already.length + outcome.already.length, platformOff: platformOff.length });
  for (const job of jobs) deps.metrics?.jobRun(job.name, 'ran');
  return { ...outcome, added, already: [...outcome.already, ...already], platformOff };
}

/** Plans and enqueues one run of one job. */
export const runJob = (job: Job, slot: Date, deps: RunDeps & { outbox: SlotPosts }): Promise<SlotOutcome> => runJobs([job], slot, deps);

/** The job's cron expression for the county's settings. */
export const cronOf = (job: Job, settings: ScheduleSettings): string => (typeof job.cron === 'string' ? job.cron : job.cron(settings));

/** The last slot of a cron expression (Beijing time) at or before `now`. */
function slotBefore(expression: string, now: Date): Date {
  return CronExpressionParser.parse(expression, { tz: 'Asia/Shanghai', currentDate: new Date(now.getTime() + 1) }).prev().toDate();
}

/** The job's last slot at or before `now`. */
export const previousSlot = (job: Job, settings: ScheduleSettings, now: Date): Date => slotBefore(cronOf(job, settings), now);

export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * Schedules the jobs at the county's times as stored when it starts: a changed `schedule:`
 * takes effect at the next start. Jobs with the same cron expression run as one slot, so a group
 * gets one message from them (`bundlePosts`).
 */
export async function startScheduler(jobs: readonly Job[], deps: RunDeps & { store: RunStore & HealthStore & DurableStore; outbox: SlotPosts; window?: WindowAt }): Promise<Scheduler> {
  const settings = await deps.store.scheduleSettings();
  const instance = randomUUID();
  const { log, store } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const running = new Set<Promise<void>>();
  const keyOf = (job: Job, slot: Date): string => `${job.name}:${slot.toISOString()}`;

  let stopped = false;
  /** Pauses under way, ended early by `stop`. */
  const pauses = new Set<() => void>();
  const pause = (ms: number): Promise<void> =>
    new Promise((done) => {
      const end = (): void => {
        clearTimeout(timer);
        pauses.delete(end);
        done();
      };
      const timer = setTimeout(end, ms);
      pauses.add(end);
    });
  /** `work`, tried again while Redis is away (not for any other failure), up to OUTAGE_GIVE_UP_MS. */
  const throughOutage = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const deadline = Date.now() + OUTAGE_GIVE_UP_MS;
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if (!(await isRedisAway(error, store)) || stopped || Date.now() >= deadline) throw error;
        log.warn('redis unavailable; trying the slot again', { slot: what, error });
        await pause(OUTAGE_RETRY_MS);
      }
    }
  };

  const slots = new Map<string, Job[]>();
  for (const job of jobs) slots.set(cronOf(job, settings), [...(slots.get(cronOf(job, settings)) ?? []), job]);

  /** Runs a slot and marks each job's run done once all its posts are queued; a run cut short is run again at the next start. */
  const run = (due: readonly Job[], slot: Date): Promise<void> => {
    // Never rejects: a failure is logged here, and the run is done again at the next start.
    // Done is marked after the posts are queued and waited on with them: WAIT covers every write
    // the master took before the marker, so a run marked done has its posts on a replica too.
    const work = throughOutage(`${due.map((j) => j.name).join('+')}:${slot.toISOString()}`, async () => {
      await runJobs(due, slot, deps);
      for (const job of due) await store.markRunDone(keyOf(job, slot), RUN_MARKER_SECONDS);
      await store.keptOnReplica();
    }).catch((error: unknown) => {
      log.error('job failed', { job: due.map((j) => j.name).join('+'), slot: slot.toISOString(), error });
      for (const job of due) metrics.jobRun(job.name, 'failed');
    });
    running.add(work);
    void work.finally(() => running.delete(work));
    return work;
  };

  const tasks: ScheduledTask[] = [...slots].map(([expression, due]) =>
    cron.schedule(expression, (ctx) => run(due, ctx.date), {
      name: due.map((j) => j.name).join('+'),
      timezone: 'Asia/Shanghai',
      distributed: true,
      // The node-cron key is `name:slotISO`. The marker is never released: an instance that fires
      // late must not win the slot again.
      runCoordinator: { shouldRun: (key) => throughOutage(key, () => store.claimRun(key, instance, RUN_MARKER_SECONDS)) },
    }),
  );

  // A slot that passed while nothing ran, or whose run died before queuing all its posts, runs
  // now: the jobs of the slot still within their grace. Two instances starting together may both
  // run it: the posts' keys make that harmless. Not while posts cannot go out (after office
  // hours, a rest day): they would wait for the next window, and reach a group beside the next
  // slot's own message that day. That slot says what is due then, and the monthly 通报 goes
  // with it (it runs for a week from the month's first working day).
  const catchUp = Promise.all(
    [...slots].map(async ([expression, due]) => {
      const now = new Date();
      const slot = slotBefore(expression, now);
      const late = [];
      for (const job of due) if (missedSlot(slot, now, job.graceMs) && !(await store.runDone(keyOf(job, slot)))) late.push(job);
      if (late.length === 0) return;
      if (deps.window && !(await deps.window(now)).now) {
        log.info('missed slot left to the next: its posts could not go out before then', { job: late.map((j) => j.name).join('+'), slot: slot.toISOString() });
        for (const job of late) metrics.slotMissed(job.name, 'left');
        return;
      }
      log.info('catching up a missed slot', { job: late.map((j) => j.name).join('+'), slot: slot.toISOString() });
      for (const job of late) metrics.slotMissed(job.name, 'caught-up');
      await run(late, slot);
    }),
  ).catch((error: unknown) => { log.error('catch-up failed', { error }); });

  return {
    async stop() {
      stopped = true;
      for (const end of [...pauses]) end();
      for (const task of tasks) await task.destroy();
      await catchUp;
      await Promise.allSettled([...running]);
    },
  };
}
