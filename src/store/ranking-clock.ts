/**
 * The ranking clock: a county-wide counter that every write of what the ranking reads — a task's
 * standings or its granted deadlines (a report, a 撤回 or 退回, a 延期 decided) — bumps right
 * behind the write, on the same connection in the same tick, so Redis runs the bump after it.
 * A process whose ranking book has seen the clock at some value therefore knows that no task
 * changed since, unless the clock has moved; and when every tick since was one of its own
 * changes, it knows which tasks changed, and for its reports how (live-standings.ts). Before the
 * clock, each answer asked every task's ledger for its length: 300 commands a report in a county
 * of 300 tasks.
 *
 * The bump is a key of its own, not part of the task's script: a script may only touch the keys
 * of its task's hash tag (docs/design.md §4, Redis Cluster). Both go out in one write; should the
 * bump still be lost (the connection cut between them), the other processes read every task at
 * the next tick they did not make, and every process reads every task at least once a minute.
 */
import type { Redis } from 'ioredis';
import { CounterSchema, decode } from './codec.js';
import type { Keys } from './keys.js';
import type { WrittenReport } from './types.js';

/** Own ticks kept for the book at most: past this many unclaimed, the book reads every task. */
const OWN_KEPT = 10_000;

/** A change this process made: its task, and the report when it is one the book can patch in. */
export interface OwnChange {
  task: string;
  report?: WrittenReport;
}

export interface RankingClock {
  /**
   * Bumps the clock after a write of `task`'s standings or grants; call it in the same tick as
   * the write. The tick is noted as this process's change of the task as soon as Redis answers.
   */
  bump(task: string): Promise<number>;
  /** The clock's value from a GET reply (no key: 0, a store that never had a change). */
  decode(reply: unknown): number;
  key: string;
  /** The report written at `tick` (its bump's): the book patches it in rather than read its task. */
  wrote(tick: number, report: WrittenReport): void;
  /**
   * This process's changes at the ticks in (`after`, `upTo`], and forgets those at or before
   * `upTo`; undefined when a tick there is not this process's.
   */
  ownBetween(after: number, upTo: number): OwnChange[] | undefined;
}

export function createRankingClock(redis: Redis, keys: Keys): RankingClock {
  const key = keys.rankingClock();
  const own = new Map<number, OwnChange>();
  /** Ticks up to here were handed to the book: a report noted late for one is not kept. */
  let handedUpTo = 0;
  const note = (tick: number, change: OwnChange): void => {
    if (tick <= handedUpTo) return;
    own.set(tick, change);
    if (own.size > OWN_KEPT) {
      const oldest = own.keys().next();
      if (!oldest.done) own.delete(oldest.value);
    }
  };
  return {
    key,
    bump: (task) =>
      redis.incr(key).then((tick) => {
        // Noted at once: an answer that reads the clock past this tick before the write's caller
        // has the report reads the task rather than every task.
        if (!own.has(tick)) note(tick, { task });
        return tick;
      }),
    decode: (reply) => (reply === null ? 0 : decode(CounterSchema, reply, key)),
    wrote(tick, report) {
      note(tick, { task: report.task, report });
    },
    ownBetween(after, upTo) {
      const changes: OwnChange[] = [];
      for (let tick = after + 1; tick <= upTo; tick += 1) {
        const change = own.get(tick);
        if (!change) break;
        changes.push(change);
      }
      for (const tick of own.keys()) if (tick <= upTo) own.delete(tick);
      handedUpTo = Math.max(handedUpTo, upTo);
      return changes.length === upTo - after ? changes : undefined;
    },
  };
}
