/**
 * The outbox worker's watchdog. BullMQ workers have stopped taking jobs after a Redis outage
 * without an error, still "running", their blocking connection wedged while the queue's other
 * connection works:
 * - https://github.com/taskforcesh/bullmq/issues/4378 (behind Sentinel: the blocking client ends
 *   for good when BullMQ's own timeout disconnects it during master resolution),
 * - https://github.com/taskforcesh/bullmq/issues/4479 (standalone Redis: the blocking client
 *   reconnects, but the worker is never woken for the jobs already due),
 * - https://github.com/taskforcesh/bullmq/issues/4585 (an outage longer than the block timeout
 *   leaves the blocking client "reconnecting" with no retry armed).
 * Each was fixed in its release, and the next one looked the same from outside. So the outbox
 * does not trust the worker's own state: it watches what the worker does. Work that is due at two
 * checks in a row, with nothing taken up or finished in between, means the worker is not working,
 * and a new one takes its place. Recreating a worker that was merely slow costs nothing: a post
 * is sent only while its job's lock is held (index.ts), so the old and the new never both send it.
 */
import type { Logger } from '../core/logger.js';

export interface WatchdogOptions {
  /** Time between checks: 30 s, BullMQ's own stalled-job interval; tests shorten it. */
  everyMs: number;
  /** Jobs that could be taken now: waiting, or delayed past their time. */
  dueWork: () => Promise<number>;
  /** Jobs the worker has taken up or finished so far: a count that only grows. */
  activity: () => number;
  /** Closes the worker and starts another; resolves with their names once the new one is made. */
  recreate: () => Promise<{ closed: string; started: string }>;
  log: Logger;
}

export interface Watchdog {
  stop(): void;
}

export function startWatchdog({ everyMs, dueWork, activity, recreate, log }: WatchdogOptions): Watchdog {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** What the last check saw; the next compares with it. */
  let last: { at: number; due: number; activity: number } | undefined;

  async function check(): Promise<void> {
    let due: number;
    try {
      // While Redis is down this waits for it (the queue's commands are held, not refused): the
      // check after this one, a full interval after Redis is back, is the one that can judge.
      due = await dueWork();
    } catch (error) {
      log.warn('outbox watchdog could not count due work', { error });
      last = undefined;
      return;
    }
    if (stopped) return;
    const now = Date.now();
    const seen = activity();
    if (last !== undefined && last.due > 0 && due > 0 && seen === last.activity) {
      const idleMs = now - last.at;
      const { closed, started } = await recreate();
      log.warn(`outbox worker recreated: due work and nothing completed for ${String(Math.round(idleMs / 1000))} s`, { due, idleMs, closed, started });
      // The new worker gets a full interval before it is judged.
      last = undefined;
      return;
    }
    last = { at: now, due, activity: seen };
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void check()
        .catch((error: unknown) => { log.error('outbox watchdog failed', { error }); })
        .finally(schedule);
    }, everyMs);
    // The watchdog alone must not keep a finished process alive.
    timer.unref();
  }

  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
