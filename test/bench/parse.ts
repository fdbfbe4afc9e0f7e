/**
 * Issue 12, "no message can stall the bot": `上报 ` and one word of 15,000 characters kept the
 * event loop busy for seconds while the report parser tried a value at every position of the word.
 *
 *   parsers   every parser chat text goes through (test/helpers/hostile-text.ts), on each family of
 *             hostile input at 600, 6,000 and 60,000 characters (the most a 64 KB body holds), in ms
 *             and in ns per character: flat when parsing is linear, tenfold per step if quadratic;
 *   router    the message through the router over Redis (cut at MESSAGE_MAX before any
 *             parsing), then another group's 帮助: what that group waits for.
 *
 * The unit test test/unit/domain/parse.work.test.ts asserts the linear growth by counting work;
 * this prints the time it takes.
 */
import { randomUUID } from 'node:crypto';
import { consoleMessage, type Speaker } from '../../src/adapters/console/index.js';
import { compose } from '../../src/compose.js';
import { createLogger } from '../../src/core/logger.js';
import { MESSAGE_MAX } from '../../src/core/router.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { testCounty } from '../fixtures/county.js';
import { HOSTILE_TEXTS, parseEverything } from '../helpers/hostile-text.js';
import { count, measure, ms, table, type MeasureOptions } from './measure.js';
import type { BenchRedis } from './redis.js';

const LENGTHS = [600, 6_000, 60_000] as const;

const clerk: Speaker = { platform: 'console', chat: '城关镇工作群', user: '联络员' };
const otherGroup: Speaker = { platform: 'console', chat: '红星乡工作群', user: '红星联络员' };

/** Runs before any timing, so the first family's small inputs do not pay for compiling the parsers. */
const JIT_WARMUPS = 200;

async function parsers(options: MeasureOptions): Promise<string> {
  for (let i = 0; i < JIT_WARMUPS; i += 1) for (const make of Object.values(HOSTILE_TEXTS)) parseEverything(make(LENGTHS[0]));
  const rows: string[][] = [];
  for (const [name, make] of Object.entries(HOSTILE_TEXTS)) {
    const medians: number[] = [];
    for (const length of LENGTHS) {
      const text = make(length);
      const timing = await measure(() => parseEverything(text), options, (answers) => {
        if (!Number.isInteger(answers)) throw new Error(`${name}: no answer`);
      });
      medians.push(timing.median);
    }
    // Per character: flat when the work is linear, growing with the length when it is not.
    const perChar = medians.map((median, i) => (median * 1e6) / (LENGTHS[i] ?? 1));
    rows.push([name, ...medians.map(ms), ...perChar.map((ns) => ns.toFixed(0))]);
  }
  return table(['hostile input', ...LENGTHS.map((n) => `${count(n)} ms`), ...LENGTHS.map((n) => `${count(n)} ns/char`)], rows);
}

async function router(bench: BenchRedis, options: MeasureOptions): Promise<string> {
  const prefix = `${bench.prefix}:parse`;
  await createRedisStore(bench.redis, createKeys(prefix)).loadCounty(testCounty, { rest: [], work: [], years: [] });
  const bot = await compose(bench.redis, { log: createLogger('silent'), prefix });
  // Each run a new message id: a redelivery would be answered from the kept reply, unparsed.
  const say = async (speaker: Speaker, text: string): Promise<number> => (await bot.route(consoleMessage(speaker, text, `bench-${randomUUID()}`))).lines.length;
  const huge = `上报 T2 ${'一'.repeat(15_000)}x`;
  const atLimit = `上报 T2 80% ${'很'.repeat(MESSAGE_MAX - 11)}`;
  const nonEmpty = (lines: number): void => {
    if (lines === 0) throw new Error('an empty reply');
  };
  const rows: string[][] = [];
  for (const [what, speaker, text] of [
    ['上报 T2 80% (a usual report)', clerk, '上报 T2 80%'],
    [`a report of ${count(MESSAGE_MAX)} characters, parsed (its note too long)`, clerk, atLimit],
    [`上报 and 15,000 characters (${count(Buffer.byteLength(huge))} bytes), refused unparsed`, clerk, huge],
    ['帮助 from another group', otherGroup, '帮助'],
  ] as const) {
    const timing = await measure(() => say(speaker, text), options, nonEmpty);
    rows.push([what, ms(timing.median), ms(timing.p95)]);
  }
  await bench.cleanup(prefix);
  return table(['message through the router (Redis)', 'median ms', 'p95 ms'], rows);
}

export async function parseBench(bench: BenchRedis, options: MeasureOptions & { log: (line: string) => void }): Promise<string> {
  options.log('parse: the parsers on hostile input');
  const first = await parsers(options);
  options.log('parse: long messages through the router');
  const second = await router(bench, options);
  return `Parsing (issue 12): every parser on one message, median\n${first}\n\n${second}`;
}
