/**
 * Where each township stands on each task: its current progress (what the last report set), the
 * compact standings ranking reads, and the rankings of finished months, kept once computed.
 */
import type { Redis } from 'ioredis';
import type { Progress, Ym } from '../domain/model.js';
import type { ProgressTable, RankingBasis, RankingBook, RankingSnapshot } from '../domain/ranking.js';
import { decodeJson, decodeJsonHash, deepFreeze, encodeJson, GrantSchema, ProgressSchema, RankingSnapshotSchema, ReviewRecordSchema } from './codec.js';
import type { Keys } from './keys.js';
import { getJson, readInBatches, run } from './redis-io.js';
import { createLiveStandings } from './live-standings.js';
import type { RankingClock } from './ranking-clock.js';
import { cellsOf, createSlots, rebuiltCells, standingsPerRead } from './slots.js';
import type { CellFacts, WrittenReport } from './types.js';

/** A cell's facts from its three fields as Redis holds them (null: none). */
export function decodeCellFacts(keys: Keys, taskId: string, township: string, progress: string | null, granted: string | null, review: string | null): CellFacts {
  const field = (key: string): string => `${key} ${township}`;
  return {
    ...(progress !== null ? { progress: decodeJson(ProgressSchema, progress, field(keys.progress(taskId))) } : {}),
    ...(granted !== null ? { granted: decodeJson(GrantSchema, granted, field(keys.deadlines(taskId))).deadline } : {}),
    ...(review !== null ? { review: decodeJson(ReviewRecordSchema, review, field(keys.reviews(taskId))) } : {}),
  };
}

export interface StandingsStore {
  /**
   * One (task, township)'s facts in one round trip: what a report's answer shows, read without the
   * other townships' (a task of a 2,000-township county holds 2,000 of each).
   */
  cell(taskId: string, township: string): Promise<CellFacts>;
  /** Current progress of every (task, township) for the given tasks, in one round trip. */
  progress(taskIds: readonly string[]): Promise<Map<string, Map<string, Progress>>>;
  /**
   * The amount and time of every (task, township)'s progress, for ranking: the same as
   * `progress` says, read from each task's compact standings (a 20,000-township county ranks in
   * a fraction of the time).
   */
  standings(taskIds: readonly string[]): Promise<ProgressTable>;
  /**
   * This month's ranking as a book kept in the process, counting every change written before the
   * call, by any instance (live-standings.ts): a rank is then a lookup, not a ranking. `written`:
   * reports the caller has just recorded (patched in, or their tasks read at once).
   */
  rankingBook(basis: RankingBasis, written?: readonly WrittenReport[]): Promise<RankingBook>;
  rankingSnapshot(month: Ym): Promise<RankingSnapshot | undefined>;
  saveRankingSnapshot(snapshot: RankingSnapshot): Promise<void>;
}

/** How many finished months' rankings a process keeps decoded. */
const KEPT_MONTHS = 2;

export function createStandingsStore(redis: Redis, keys: Keys, clock: RankingClock): StandingsStore {
  const slots = createSlots(redis, keys);
  const live = createLiveStandings(redis, keys, slots, clock);
  /**
   * Finished months' rankings as read, decoded: every 排名 shows the change against last month's,
   * and reading and decoding it each time made 排名 in a running process of a 20,000-township
   * county take 127–212 ms instead of 36–75 (a scratch measurement, the two builds in turn).
   * A finished month's ranking does not change once stored — instances that compute it at once
   * compute it from the same ledger, and a restore runs with every instance stopped
   * (docs/backup.md) — so what was read stays true. A month not stored yet is read again each time.
   */
  const finished = new Map<Ym, RankingSnapshot>();
  return {
    rankingBook: (basis, written) => live.book(basis, written),

    async cell(taskId, township) {
      // Three reads, not a MULTI: sent together, they share one round trip.
      // A write landing between them is one the caller races anyway: it reads before it writes.
      const [progress, granted, review] = await Promise.all([redis.hget(keys.progress(taskId), township), redis.hget(keys.deadlines(taskId), township), redis.hget(keys.reviews(taskId), township)]);
      return decodeCellFacts(keys, taskId, township, progress, granted, review);
    },

    async progress(taskIds) {
      const out = new Map<string, Map<string, Progress>>();
      if (taskIds.length === 0) return out;
      const pipeline = redis.pipeline();
      for (const id of taskIds) pipeline.hgetall(keys.progress(id));
      const replies = await run(pipeline);
      taskIds.forEach((id, i) => {
        const key = keys.progress(id);
        out.set(id, decodeJsonHash(ProgressSchema, replies[i], key));
      });
      return out;
    },

    async standings(taskIds) {
      const slotOf = await slots.read();
      const cells = new Map<string, Float64Array>();
      await readInBatches(redis, taskIds, standingsPerRead(slotOf.size), (pipeline, id) => pipeline.getBuffer(keys.standings(id)), async (replies, batch) => {
        for (const [i, id] of batch.entries()) {
          const reply = replies[i];
          // Written before this layout existed, or reported on while the string was missing.
          cells.set(id, Buffer.isBuffer(reply) ? cellsOf(reply) : await rebuiltCells(redis, keys, id, slotOf));
        }
      });
      return { recordOf: (township) => slotOf.get(township), cells: (task) => cells.get(task) };
    },

    async rankingSnapshot(month) {
      const kept = finished.get(month);
      if (kept) return kept;
      const stored = await getJson(redis, RankingSnapshotSchema, keys.ranking(month));
      if (stored === undefined) return undefined;
      finished.set(month, deepFreeze(stored));
      // The months 排名 and the monthly 通报 read: the last finished one, and the one before it.
      for (const old of finished.keys()) if (finished.size > KEPT_MONTHS) finished.delete(old);
      return stored;
    },

    async saveRankingSnapshot(snapshot: RankingSnapshot) {
      await redis.set(keys.ranking(snapshot.month), encodeJson(RankingSnapshotSchema, snapshot, `ranking ${snapshot.month}`));
    },
  };
}
