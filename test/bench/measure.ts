/**
 * Timing for the benchmarks: a few warm-up runs (JIT, Lua script cache, connection buffers), then
 * `runs` timed ones, summarised as median and p95. Benchmarks print numbers; nothing asserts on them.
 */
import { performance } from 'node:perf_hooks';

export interface Timing {
  runs: number;
  median: number;
  p95: number;
  /** Every run in ms, in the order they ran. */
  samples: number[];
}

export interface MeasureOptions {
  runs: number;
  warmups: number;
  /** Checked between runs, so Ctrl-C stops a long benchmark at the next run. */
  signal?: AbortSignal;
}

/** Nearest-rank percentile of sorted values: with 20 runs, p95 is the 19th. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('no samples');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export function summarise(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { runs: sorted.length, median, p95: percentile(sorted, 95), samples: [...samples] };
}

/**
 * Times `run` after `warmups` untimed runs. `check` sees every result, so a run that computes the
 * wrong thing (or nothing, which the JIT might otherwise be tempted by) fails the benchmark.
 */
export async function measure<T>(run: () => Promise<T> | T, options: MeasureOptions, check: (result: T) => void = () => undefined): Promise<Timing> {
  for (let i = 0; i < options.warmups; i += 1) {
    options.signal?.throwIfAborted();
    check(await run());
  }
  const samples: number[] = [];
  for (let i = 0; i < options.runs; i += 1) {
    options.signal?.throwIfAborted();
    const started = performance.now();
    const result = await run();
    samples.push(performance.now() - started);
    check(result);
  }
  return summarise(samples);
}

/** Milliseconds with three significant digits at most: 0.412, 41.2, 412, 4120. */
export function ms(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

const grouped = new Intl.NumberFormat('en');

/** 600000 → `600,000`. */
export function count(value: number): string {
  return grouped.format(value);
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => width(row[c] ?? ''))));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, c) => {
        const pad = ' '.repeat((widths[c] ?? 0) - width(cell));
        return c === 0 ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Display width: CJK characters take two columns in a terminal. */
function width(text: string): number {
  let columns = 0;
  for (const char of text) columns += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1;
  return columns;
}
