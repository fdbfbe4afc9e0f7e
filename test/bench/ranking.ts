/**
 * DESIGN §8, ranking: "2,000 townships × 300 tasks computed from Redis in well under a second,
 * growing linearly". For each size a synthetic county goes into Redis through the real store
 * (loadCounty, then recordReport for every (task, township)); setup is not timed. Then, timed:
 *
 *   HGETALL alone       the same pipelined HGETALLs straight through ioredis, nothing decoded:
 *                       the floor under (a) as long as progress is a hash per task;
 *   (a) progress()      store.progress(all task ids): the pipelined HGETALLs and their decoding;
 *   (b) buildRanking()  the domain computation on that progress, with the real work calendar;
 *   (c) from Redis      what 排名 does for the current month, with the app's own code
 *                       (core/board.ts loadBoard + currentRanking): townships, tasks, progress
 *                       and last month's stored snapshot read from Redis, then buildRanking.
 */
import { performance } from 'node:perf_hooks';
import { currentRanking, loadBoard } from '../../src/core/board.js';
import { monthEnd, previousMonth } from '../../src/domain/dates.js';
import { createWorkCalendar } from '../../src/domain/calendar.js';
import type { Progress } from '../../src/domain/model.js';
import { buildRanking, type RankingSnapshot } from '../../src/domain/ranking.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import type { Store } from '../../src/store/types.js';
import { syntheticCounty, type SyntheticCounty } from './county.js';
import { count, measure, ms, table, type MeasureOptions, type Timing } from './measure.js';
import type { BenchRedis } from './redis.js';

export interface Size {
  townships: number;
  tasks: number;
}

export const RANKING_SIZES: readonly Size[] = [
  { townships: 500, tasks: 75 },
  { townships: 1000, tasks: 150 },
  { townships: 2000, tasks: 300 },
];

/** Reports in flight while setting up: enough to keep Redis busy, few enough to stay polite on a shared server. */
const SETUP_CONCURRENCY = 256;

interface Result {
  size: Size;
  cells: number;
  fetch: Timing;
  progress: Timing;
  ranking: Timing;
  fromRedis: Timing;
}

/** `BENCH_SIZES=2000x300,500x75`: only these sizes. */
export function sizesFrom(text: string | undefined): readonly Size[] {
  if (text === undefined || text.trim() === '') return RANKING_SIZES;
  return text.split(',').map((one) => {
    const match = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/.exec(one);
    if (!match) throw new RangeError(`BENCH_SIZES: expected townships×tasks such as 2000x300, got "${one}"`);
    const size = { townships: Number(match[1]), tasks: Number(match[2]) };
    if (size.townships < 1 || size.tasks < 1) throw new RangeError(`BENCH_SIZES: ${one} is empty`);
    return size;
  });
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

  const setupStarted = performance.now();
  await store.loadCounty(synthetic.county);
  await recordAll(store, synthetic, options.signal);
  const setupMs = performance.now() - setupStarted;
  options.log(`ranking ${label}: ${count(cells)} reports recorded in ${(setupMs / 1000).toFixed(1)} s; measuring`);

  const calendar = createWorkCalendar();
  const { month, asOf } = synthetic;
  const [townships, tasks] = await Promise.all([store.townships(), store.tasks()]);
  const taskIds = tasks.map((t) => t.id);
  // Last month's ranking, stored as it is once a month is over: 排名 shows rank changes against it.
  const lastMonth = previousMonth(month);
  await rankAndSave(store, taskIds, cells, (progress) => buildRanking({ month: lastMonth, asOf: monthEnd(lastMonth), townships, tasks, progress, calendar }));

  const checkRanking = (ranking: RankingSnapshot): void => {
    if (ranking.rows.length !== size.townships) throw new Error(`ranking has ${ranking.rows.length} rows, expected ${size.townships}`);
  };
  const checkWithPrevious = (ranking: RankingSnapshot): void => {
    checkRanking(ranking);
    if (ranking.rows.some((row) => row.previousRank === undefined)) throw new Error('last month’s ranks are missing');
  };

  const fetchTiming = await measure(
    async () => {
      const pipeline = bench.redis.pipeline();
      for (const id of taskIds) pipeline.hgetall(keys.progress(id));
      return pipeline.exec();
    },
    options,
    (replies) => {
      if (replies?.length !== taskIds.length || replies.some(([error]) => error !== null)) throw new Error('HGETALL failed');
    },
  );
  const progressTiming = await measure(() => store.progress(taskIds), options, (p) => { checkProgress(p, cells); });
  const rankingTiming = await rankingAlone(store, taskIds, (progress) => buildRanking({ month, asOf, townships, tasks, progress, calendar }), options, checkRanking);
  const source = { store, calendar, today: asOf };
  const fromRedisTiming = await measure(async () => currentRanking(source, await loadBoard(source)), options, checkWithPrevious);
  return { size, cells, fetch: fetchTiming, progress: progressTiming, ranking: rankingTiming, fromRedis: fromRedisTiming };
}

/*
 * Decoded progress lives only inside these two helpers: the app holds one copy at a time, and an
 * idle copy of 600,000 values would make every other measurement's garbage collection dearer.
 */

async function rankAndSave(store: Store, taskIds: readonly string[], cells: number, rank: (progress: ReadonlyMap<string, ReadonlyMap<string, Progress>>) => RankingSnapshot): Promise<void> {
  const progress = await store.progress(taskIds);
  checkProgress(progress, cells);
  await store.saveRankingSnapshot(rank(progress));
}

async function rankingAlone(
  store: Store,
  taskIds: readonly string[],
  rank: (progress: ReadonlyMap<string, ReadonlyMap<string, Progress>>) => RankingSnapshot,
  options: MeasureOptions,
  check: (ranking: RankingSnapshot) => void,
): Promise<Timing> {
  const progress = await store.progress(taskIds);
  return measure(() => rank(progress), options, check);
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

function checkProgress(progress: ReadonlyMap<string, ReadonlyMap<string, Progress>>, cells: number): void {
  let found = 0;
  for (const byTownship of progress.values()) found += byTownship.size;
  if (found !== cells) throw new Error(`progress has ${found} values, expected ${cells}`);
}

function report(results: readonly Result[], runs: number): string {
  const cell = (t: Timing): string => `${ms(t.median)} / ${ms(t.p95)}`;
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
      cell(r.ranking),
      cell(r.fromRedis),
      ((r.fromRedis.median * 1e6) / r.cells).toFixed(0),
      growth,
    ];
  });
  const lines = [
    `ranking — median / p95 of ${runs} runs, in ms; ns/cell and growth from the (c) median`,
    table(['townships × tasks', 'cells', 'HGETALL alone', '(a) progress()', '(b) buildRanking()', '(c) from Redis', 'ns/cell', 'growth'], rows),
  ];
  const largest = results.at(-1);
  if (largest) {
    lines.push(
      `goal (DESIGN §8): ${count(largest.size.townships)} × ${count(largest.size.tasks)} from Redis well under 1 s — ` +
        `median ${ms(largest.fromRedis.median)} ms, p95 ${ms(largest.fromRedis.p95)} ms`,
    );
  }
  return lines.join('\n');
}
