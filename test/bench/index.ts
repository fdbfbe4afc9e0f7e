/**
 * `npm run bench` (docs/design.md §8): the performance goals, measured on this machine in one run and
 * printed; never asserted, and never part of `npm test`. `node dist/test/bench/index.js [name…]`
 * runs only the named benchmarks.
 *
 * Environment: REDIS_URL as for the app; BENCH_RUNS (default 20) timed runs and BENCH_WARMUPS
 * (default 2) untimed ones per measurement; BENCH_SIZES (`2000x300,500x75`) to rank only those sizes;
 * BENCH_SECONDS (default 10) per load phase of `inbound`, and BENCH_INBOUND_COUNTY (default 2000x300,
 * `off` for none) for its large-county row (see inbound.ts); BENCH_FANOUT_GROUPS, BENCH_FANOUT_LARGE,
 * BENCH_FANOUT_TOWNSHIPS and BENCH_FANOUT_WORKER for `fanout` (see fanout.ts).
 *
 * Everything goes under `bench:<uuid>` and is deleted at the end, after a failure, and on Ctrl-C
 * (a second Ctrl-C quits without cleaning up).
 */
import { cpus, loadavg } from 'node:os';
import { openBenchRedis, type BenchRedis } from './redis.js';
import { fanoutBench } from './fanout.js';
import { inboundBench } from './inbound.js';
import { parseBench } from './parse.js';
import { rankingBench } from './ranking.js';

/** The reason a Ctrl-C aborts with: the benchmark stops at its next step and cleans up. */
class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

type Bench = (bench: BenchRedis, options: { runs: number; warmups: number; signal: AbortSignal; log: (line: string) => void }) => Promise<string>;

/** The goals of docs/design.md §8, a benchmark each, and parsing's linear growth (issue 12). */
const BENCHES: Readonly<Record<string, Bench>> = {
  ranking: rankingBench,
  inbound: inboundBench,
  fanout: fanoutBench,
  parse: parseBench,
};

function wholeNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number, got ${text}`);
  return value;
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !Object.hasOwn(BENCHES, name));
  if (unknown.length > 0) throw new RangeError(`unknown benchmark ${unknown.join(', ')}; there are: ${Object.keys(BENCHES).join(', ')}`);
  const runs = Math.max(1, wholeNumber('BENCH_RUNS', 20));
  const warmups = wholeNumber('BENCH_WARMUPS', 2);

  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping after this step and cleaning up (Ctrl-C again to quit at once)\n');
    abort.abort(new Interrupted());
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const bench = await openBenchRedis();
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  try {
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    // The load average says how much the numbers may owe to other work on the machine.
    const load = loadavg().map((n) => n.toFixed(2)).join(' ');
    console.log(`duban bench — Node ${process.version}, Redis ${bench.version} at ${bench.where}, ${cpus().length} × ${cpu}, load ${load}`);
    for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
      const run = BENCHES[name];
      if (!run) continue;
      console.log(`\n${await run(bench, { runs, warmups, signal: abort.signal, log })}`);
    }
  } finally {
    await bench.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().catch((error: unknown) => {
  if (error instanceof Interrupted) {
    console.error('interrupted; the benchmark keys are deleted');
    process.exitCode = 130;
    return;
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
