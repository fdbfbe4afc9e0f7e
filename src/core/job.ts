/**
 * A scheduled job (DESIGN §4): name, cron expression, time zone and an idempotent `run`.
 * The scheduler and the outbox that jobs post through come with the jobs issue.
 */
import type { Logger } from './logger.js';

export interface JobContext {
  jobName: string;
  now: Date;
  log: Logger;
}

export interface Job {
  name: string;
  cron: string;
  timezone: 'Asia/Shanghai';
  run(ctx: JobContext): Promise<void>;
}

export const defineJob = (job: Job): Job => job;
