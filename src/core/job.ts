/**
 * A scheduled job (docs/design.md §4): a name, a cron expression in Beijing time, how late a missed slot
 * may still be caught up, and `run`, which only computes what is due at `ctx.now` and returns it
 * as posts. The runner keys each post by (job, day, group) and hands it to the outbox, so running
 * a job twice for one day posts nothing twice.
 */
import type { Board, BoardStore } from './board.js';
import type { Logger } from './logger.js';
import type { OutgoingMessage } from './types.js';
import type { WorkCalendar, Ymd, Group } from '../domain/model.js';
import type { ScheduleSettings } from '../domain/schedule.js';
import type { RequestStore } from '../store/requests.js';
import type { CountyStore } from '../store/county.js';
import type { CoverStore } from '../store/cover.js';
import type { SignOffStore } from '../store/sign-off.js';

/** What jobs read: the board's sources, the groups they post to, the people they @ (the A, or the B while the A is on leave), the requests waiting for the leaders, and who has not signed (签收). */
export type JobStore = BoardStore & Pick<CountyStore, 'group' | 'groups' | 'people'> & Pick<RequestStore, 'requests'> & Pick<CoverStore, 'leaves'> & Pick<SignOffStore, 'signOffs'>;

export interface JobContext {
  jobName: string;
  /** The slot the job runs for (or `--at`). */
  now: Date;
  /** `now`'s day in Beijing. */
  today: Ymd;
  store: JobStore;
  calendar: WorkCalendar;
  log: Logger;
  /** The county's schedule settings (setup file `schedule:`; defaults otherwise). */
  settings: ScheduleSettings;
  /** The county at `now`, read once. */
  board(): Promise<Board>;
}

/** One message for one group. */
export interface JobPost {
  group: Group;
  message: OutgoingMessage;
  /**
   * Replaces the day in the post's key, for a job that posts on another rhythm (calendar-guard:
   * `week-<Monday>`, once a week). Default: one post per group per day.
   */
  part?: string;
}

export interface Job {
  name: string;
  /** node-cron syntax, read in Asia/Shanghai; a function of the settings for a job at the county's daily time. */
  cron: string | ((settings: ScheduleSettings) => string);
  timezone: 'Asia/Shanghai';
  /** A slot missed while no instance was up is still run this long after it (docs/design.md §7). */
  graceMs: number;
  /** What is due at `ctx.now`; may be nothing. Runs only on working days. */
  run(ctx: JobContext): Promise<JobPost[]>;
}

export const defineJob = (job: Job): Job => job;
