/**
 * docs/design.md §8, ranking: "20,000 townships × 300 tasks computed from Redis in under a second,
 * growing linearly". For each size a synthetic county goes into Redis; setup is not timed. Up to
 * a million cells every report goes through the real store (loadCounty, then recordReport: the
 * Lua script writes progress, ledger and standings); above that (20,000 × 300) progress and
 * standings are written directly in the layout the script writes (county.ts writeProgressDirectly,
 * which inbound's large-county row uses too), since six million reports through the ledger would
 * take the better part of an hour and gigabytes of Redis. Then, timed:
 *
 *   HGETALL alone       the pipelined HGETALLs of every task's progress hash, nothing decoded:
 *                       what ranking cost before the standings (skipped above a million cells);
 *   progress()          store.progress: the full progress, decoded (what the board reads);
 *   (a) standings()     store.standings: what ranking reads — one compact string per task;
 *   (b) ranking         the domain computation on them (rankingBook, then its snapshot), with the real work calendar;
 *   (c) from Redis      what a process's first 排名 does for the current month, with the app's own
 *                       code (core/board.ts currentRanking) on a store made for the run: townships,
 *                       tasks, every task's standings and last month's stored snapshot read from
 *                       Redis, the month's ranking book built (src/store/live-standings.ts);
 *   (d) kept            排名 again in the same process: the ledgers' lengths say nothing changed,
 *                       and the book it keeps is sorted — what a running server pays.
 */
import { performance } from 'node:perf_hooks';
import { currentRanking } from '../../src/core/board.js';
import { monthEnd, previousMonth } from '../../src/domain/dates.js';
import { createWorkCalendar } from '../../src/domain/calendar.js';
import { rankingBook, type ProgressTable, type RankingSnapshot } from '../../src/domain/ranking.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore, type Store } from '../../src/store/redis-store.js';
import { sizeFrom, syntheticCounty, writeProgressDirectly, type Size, type SyntheticCounty } from './county.js';
import { count, measure, ms, table, type MeasureOptions, type Timing } from './measure.js';
import type { BenchRedis } from './redis.js';

export type { Size } from './county.js';

export const RANKING_SIZES: readonly Size[] = [
  { townships: 200, tasks: 300 },
  { townships: 2000, tasks: 300 },
  { townships: 20000, tasks: 300 },
];

/** Above this many cells the county is written directly, and the old full-progress reads are not timed. */
const BULK_ABOVE = 1_000_000;
/** The largest size takes seconds a run: fewer runs keep the whole benchmark within minutes. */
const BULK_RUNS = 5;

/** Reports in flight while setting up: enough to keep Redis busy, few enough to stay polite on a shared server. */
const SETUP_CONCURRENCY = 256;

interface Result {
  size: Size;
  cells: number;
  fetch?: Timing;
  progress?: Timing;
  standings: Timing;
  ranking: Timing;
  fromRedis: Timing;
  kept: Timing;
}

/** `BENCH_SIZES=2000x300,500x75`: only these sizes. */
export function sizesFrom(text: string | undefined): readonly Size[] {
  if (text === undefined || text.trim() === '') return RANKING_SIZES;
  return text.split(',').map((one) => sizeFrom(one, 'BENCH_SIZES'));
}

export interface RankingBenchOptions extends MeasureOptions {
  sizes?: readonly Size[];
  /** Progress lines while it runs (setup, which size); the table is returned. */
  log: (line: string) => void;
}

export async function rankingBench(bench: BenchRedis, options: RankingBenchOptions): Promise<string> {
  const results: Result[] = [];
  for (const size of options.sizes ?? sizesFrom(process.env.BENCH_SIZES)) {
    const prefix = `${bench.prefix}:ranking-${size.townships}x${size.tasks}`;
    try {
      results.push(await benchSize(bench, prefix, size, options));
    } finally {
      // One size at a time in Redis: the largest holds 600,000 reports, ledger entries and markers.
      await bench.cleanup(prefix);
    }
  }
  return report(results, options.runs);
}

async function benchSize(bench: BenchRedis, prefix: string, size: Size, options: RankingBenchOptions): Promise<Result> {
  const label = `${count(size.townships)} × ${count(size.tasks)}`;
  const keys = createKeys(prefix);
  const store = createRedisStore(bench.redis, keys);
  const synthetic = syntheticCounty(size);
  const cells = synthetic.reportCount;
  const bulk = cells > BULK_ABOVE;
  const timed: MeasureOptions = bulk ? { ...options, runs: Math.min(options.runs, BULK_RUNS), warmups: Math.min(options.warmups, 1) } : options;

  const setupStarted = performance.now();
  await store.loadCounty(synthetic.county);
  if (bulk) await writeProgressDirectly(bench.redis, keys, synthetic, options.signal);
  else await recordAll(store, synthetic, options.signal);
  const setupMs = performance.now() - setupStarted;
  options.log(`ranking ${label}: ${count(cells)} reports ${bulk ? 'written' : 'recorded'} in ${(setupMs / 1000).toFixed(1)} s; measuring`);

  const calendar = createWorkCalendar();
  const { month, asOf } = synthetic;
  const [townships, tasks] = await Promise.all([store.townships(), store.tasks()]);
  const taskIds = tasks.map((t) => t.id);
  // Last month's ranking, stored as it is once a month is over: 排名 shows rank changes against it.
  const lastMonth = previousMonth(month);
  await rankAndSave(store, taskIds, cells, (progress) => rankingBook({ month: lastMonth, asOf: monthEnd(lastMonth), townships, tasks, calendar }, progress).snapshot());

  const checkRanking = (ranking: RankingSnapshot): void => {
    if (ranking.rows.length !== size.townships) throw new Error(`ranking has ${ranking.rows.length} rows, expected ${size.townships}`);
  };
  const checkWithPrevious = (ranking: RankingSnapshot): void => {
    checkRanking(ranking);
    if (ranking.rows.some((row) => row.previousRank === undefined)) throw new Error('last month’s ranks are missing');
  };

  const fetchTiming = bulk
    ? undefined
    : await measure(
        async () => {
          const pipeline = bench.redis.pipeline();
          for (const id of taskIds) pipeline.hgetall(keys.progress(id));
          return pipeline.exec();
        },
        timed,
        (replies) => {
          if (replies?.length !== taskIds.length || replies.some(([error]) => error !== null)) throw new Error('HGETALL failed');
        },
      );
  const progressTiming = bulk ? undefined : await measure(() => store.progress(taskIds), timed, (p) => { checkCells(p, cells); });
  const standingsTiming = await measure(() => store.standings(taskIds), timed, (p) => { checkTable(p, taskIds, cells); });
  const rankingTiming = await rankingAlone(store, taskIds, (progress) => rankingBook({ month, asOf, townships, tasks, calendar }, progress).snapshot(), timed, checkRanking);
  const source = { store, calendar, today: asOf };
  const fromRedisTiming = await measure(() => currentRanking({ ...source, store: createRedisStore(bench.redis, keys) }), timed, checkWithPrevious);
  const keptTiming = await measure(() => currentRanking(source), timed, checkWithPrevious);
  return { size, cells, fetch: fetchTiming, progress: progressTiming, standings: standingsTiming, ranking: rankingTiming, fromRedis: fromRedisTiming, kept: keptTiming };
}

/*
 * Decoded standings live only inside these two helpers: the app holds one copy at a time, and an
 * idle copy of millions of values would make every other measurement's garbage collection dearer.
 */

async function rankAndSave(store: Store, taskIds: readonly string[], cells: number, rank: (progress: ProgressTable) => RankingSnapshot): Promise<void> {
  const standings = await store.standings(taskIds);
  checkTable(standings, taskIds, cells);
  await store.saveRankingSnapshot(rank(standings));
}

async function rankingAlone(
  store: Store,
  taskIds: readonly string[],
  rank: (progress: ProgressTable) => RankingSnapshot,
  options: MeasureOptions,
  check: (ranking: RankingSnapshot) => void,
): Promise<Timing> {
  const standings = await store.standings(taskIds);
  return measure(() => rank(standings), options, check);
}

/** Every report through the real store.recordReport (the Lua script, the ledger, the 撤回 marker), a bounded number at a time. */
async function recordAll(store: Store, synthetic: SyntheticCounty, signal: AbortSignal | undefined): Promise<void> {
  const reports = synthetic.reports();
  let failed = false;
  const worker = async (): Promise<void> => {
    try {
      for (let next = reports.next(); !next.done && !failed; next = reports.next()) {
        signal?.throwIfAborted();
        const result = await store.recordReport(next.value);
        if (result.duplicate) throw new Error(`report ${next.value.source} was taken for a duplicate`);
      }
    } catch (error) {
      // The other workers stop at their next report rather than fill Redis for nothing.
      failed = true;
      throw error;
    }
  };
  await Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker));
}

function checkCells(progress: ReadonlyMap<string, ReadonlyMap<string, unknown>>, cells: number): void {
  let found = 0;
  for (const byTownship of progress.values()) found += byTownship.size;
  if (found !== cells) throw new Error(`progress has ${found} values, expected ${cells}`);
}

/** Every record with a time is a reported cell (src/store/slots.ts). */
function checkTable(progress: ProgressTable, taskIds: readonly string[], cells: number): void {
  let found = 0;
  for (const id of taskIds) {
    const column = progress.cells(id) ?? new Float64Array(0);
    for (let i = 1; i < column.length; i += 2) if (column[i] !== 0) found += 1;
  }
  if (found !== cells) throw new Error(`standings have ${found} records, expected ${cells}`);
}

function report(results: readonly Result[], runs: number): string {
  const cell = (t: Timing | undefined): string => (t ? `${ms(t.median)} / ${ms(t.p95)}` : '—');
  const rows = results.map((r, i) => {
    const before = results[i - 1];
    const growth = before
      ? `×${(r.cells / before.cells).toFixed(1)} cells, ×${(r.fromRedis.median / before.fromRedis.median).toFixed(1)} time`
      : '';
    return [
      `${count(r.size.townships)} × ${count(r.size.tasks)}`,
      count(r.cells),
      cell(r.fetch),
      cell(r.progress),
      cell(r.standings),
      cell(r.ranking),
      cell(r.fromRedis),
      cell(r.kept),
      ((r.fromRedis.median * 1e6) / r.cells).toFixed(0),
      growth,
    ];
  });
  const lines = [
    `ranking — median / p95 of ${runs} runs (${BULK_RUNS} above ${count(BULK_ABOVE)} cells), in ms; ns/cell and growth from the (c) median; — not timed`,
    table(['townships × tasks', 'cells', 'HGETALL alone', 'progress()', '(a) standings()', '(b) ranking', '(c) from Redis', '(d) kept', 'ns/cell', 'growth'], rows),
  ];
  const goal = results.find((r) => r.size.townships === 20_000 && r.size.tasks === 300) ?? results.at(-1);
  if (goal) {
    const met = goal.fromRedis.p95 < 1000 ? 'met' : 'NOT met';
    lines.push(
      `goal (docs/design.md §8): ${count(goal.size.townships)} × ${count(goal.size.tasks)} from Redis under 1 s — ` +
        `median ${ms(goal.fromRedis.median)} ms, p95 ${ms(goal.fromRedis.p95)} ms: ${met}; kept by a running process: median ${ms(goal.kept.median)} ms`,
    );
  }
  return lines.join('\n');
}
