/**
 * A synthetic county for the benchmarks: `townships` townships and `tasks` tasks, all active in
 * the ranking month, every (task, township) reported once. Seeded, so every run ranks the same
 * data; targets, weights, deadlines (some passed), amounts and report times vary, so the ranking
 * meets every light and tie rule it meets in a real county.
 *
 * Shared by ranking (which ranks it) and inbound (whose large-county row has a bot answer reports
 * on top of it), so both measure the same county, filled the same way: `writeProgressDirectly`
 * writes its reports in the layout record-report.lua leaves, at a fraction of the cost of running
 * every one through the script, when the ledger behind them is not what is measured.
 */
import type { Redis } from 'ioredis';
import { addDays, instantMs } from '../../src/domain/dates.js';
import { TASK_DOMAINS, type Reporter, type Target, type Task, type Township, type Ym, type Ymd, type County } from '../../src/domain/model.js';
import type { Keys } from '../../src/store/keys.js';
import { STANDING_BYTES, writeStanding } from '../../src/store/slots.js';
import type { ReportInput } from '../../src/store/types.js';

/** A county's size: townships × tasks. */
export interface Size {
  townships: number;
  tasks: number;
}

/** `2000x300` (or `2000×300`) as a Size; `name` is the setting it came from, for the error. */
export function sizeFrom(text: string, name: string): Size {
  const match = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/.exec(text);
  if (!match) throw new RangeError(`${name}: expected townships×tasks such as 2000x300, got "${text}"`);
  const size = { townships: Number(match[1]), tasks: Number(match[2]) };
  if (size.townships < 1 || size.tasks < 1) throw new RangeError(`${name}: ${text} is empty`);
  return size;
}

export interface SyntheticCounty {
  county: County;
  /** The ranking month and the day it is computed on. */
  month: Ym;
  asOf: Ymd;
  /** One report per (task, township), generated on demand: 600,000 objects need not sit in memory. */
  reports(): Generator<ReportInput>;
  /** How many `reports()` yields. */
  reportCount: number;
}

const MONTH: Ym = '2026-11';
const AS_OF: Ymd = '2026-11-20';
const YEAR_START: Ymd = '2026-01-05';
const YEAR_END: Ymd = '2026-12-31';

/** Common characters of place names, so names sort under the zh-CN collator as real ones do. */
const NAME_CHARS = '城关红星新华东风长青白沙清河石桥柳林龙泉金山太平双河永安高桥黄土马坪大坝青龙三合'.split('');

/** mulberry32: a small seeded generator; the same seed gives the same county. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function townshipName(index: number): string {
  const n = NAME_CHARS.length;
  const first = NAME_CHARS[index % n] ?? '新';
  const second = NAME_CHARS[Math.floor(index / n) % n] ?? '华';
  // Beyond n² names a number keeps them unique; a county of 2,000 stays below that.
  const serial = index < n * n ? '' : String(Math.floor(index / (n * n)));
  return `${first}${second}${serial}${index % 5 === 0 ? '乡' : '镇'}`;
}

function targetOf(index: number, random: () => number): Target {
  switch (index % 4) {
    case 0:
      return { kind: 'percent', percent: 100 };
    case 1:
      return { kind: 'count', count: 1 + Math.floor(random() * 3), per: 'village' };
    case 2:
      return { kind: 'count', count: 2 + Math.floor(random() * 9), per: 'township' };
    default:
      return { kind: 'done' };
  }
}

/** An amount a township might have reached, in the target's unit, and how it would have been typed. */
function reported(target: Target, township: Township, random: () => number): { amount: number; value: string } {
  switch (target.kind) {
    case 'percent': {
      // Halves too, as 62.5% appears in real reports.
      const amount = Math.round(random() * 200) / 2;
      return { amount, value: `${amount}%` };
    }
    case 'count': {
      const required = target.per === 'village' ? target.count * township.villages : target.count;
      const amount = Math.floor(random() * (required + 1));
      return { amount, value: `${amount}个` };
    }
    case 'done':
      return random() < 0.6 ? { amount: 1, value: '完成' } : { amount: 0, value: '未完成' };
  }
}

/** `2026-11-dd hh:mm` in Beijing time, as the bot writes instants. */
function reportInstant(random: () => number): string {
  const day = 1 + Math.floor(random() * 20);
  const minutes = 8 * 60 + Math.floor(random() * 10 * 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${MONTH}-${pad(day)}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:00.000+08:00`;
}

export function syntheticCounty(size: Size, seed = 20261120): SyntheticCounty {
  const random = seeded(seed);
  const townships: Township[] = Array.from({ length: size.townships }, (_, i) => ({
    id: `Z${String(i + 1).padStart(4, '0')}`,
    name: townshipName(i),
    villages: 5 + Math.floor(random() * 26),
  }));

  const tasks: Task[] = Array.from({ length: size.tasks }, (_, i) => {
    // Starts up to the month before the ranking; deadlines from a month to ten months later,
    // capped at the year's end, so some have passed by `AS_OF` (🔴 when not done).
    const start = addDays(YEAR_START, Math.floor(random() * 290));
    const deadline = [addDays(start, 30 + Math.floor(random() * 270)), YEAR_END].sort()[0] ?? YEAR_END;
    return {
      id: `T${i + 1}`,
      title: `任务${i + 1}`,
      domain: TASK_DOMAINS[i % TASK_DOMAINS.length] ?? '综合',
      start,
      deadline,
      target: targetOf(i, random),
      townships: 'all',
      weight: 1 + Math.floor(random() * 3),
      status: 'open',
    };
  });

  const reporters: Reporter[] = townships.map((t) => ({ platform: 'wecom', user: `clerk-${t.id}`, name: `${t.name}联络员` }));

  function* reports(): Generator<ReportInput> {
    // Its own generator, so the reports are the same however often they are generated.
    const draw = seeded(seed + 1);
    for (const task of tasks) {
      for (const [i, township] of townships.entries()) {
        const { amount, value } = reported(task.target, township, draw);
        yield {
          task: task.id,
          township: township.id,
          amount,
          value,
          note: '',
          by: reporters[i] ?? { platform: 'wecom', user: 'clerk', name: '联络员' },
          at: reportInstant(draw),
          source: `wecom:bench-${task.id}-${township.id}`,
        };
      }
    }
  }

  return {
    county: { name: '基准县', townships, groups: [], people: [], tasks },
    month: MONTH,
    asOf: AS_OF,
    reports,
    reportCount: size.townships * size.tasks,
  };
}

/**
 * Progress and standings as record-report.lua leaves them, written task by task in pipelines: the
 * progress JSON (amount as text, at, entry, by) and the 16-byte standings records by slot. No
 * ledger and no dedupe markers: ranking reads neither, and a report's dedupe is per message. The
 * county must be loaded first (loadCounty gives the townships their slots).
 */
export async function writeProgressDirectly(redis: Redis, keys: Keys, synthetic: SyntheticCounty, signal: AbortSignal | undefined): Promise<void> {
  const slots = new Map(Object.entries(await redis.hgetall(keys.townshipSlots())).map(([id, slot]) => [id, Number(slot)]));
  const width = Math.max(...slots.values()) + 1;
  let task: string | undefined;
  let fields: string[] = [];
  let standings = Buffer.alloc(0);
  const flush = async (): Promise<void> => {
    if (task === undefined) return;
    signal?.throwIfAborted();
    await redis.multi().hset(keys.progress(task), ...fields).set(keys.standings(task), standings).exec();
  };
  let entry = 0;
  for (const report of synthetic.reports()) {
    if (report.task !== task) {
      await flush();
      task = report.task;
      fields = [];
      standings = Buffer.alloc(width * STANDING_BYTES);
    }
    entry += 1;
    const amount = String(report.amount);
    fields.push(report.township, JSON.stringify({ amount, at: report.at, entry: `1-${String(entry)}`, by: report.by }));
    const slot = slots.get(report.township);
    if (slot === undefined) throw new Error(`no slot for ${report.township}`);
    writeStanding(standings, slot, report.amount, instantMs(report.at));
  }
  await flush();
}
