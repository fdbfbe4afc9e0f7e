/**
 * The demo county planned around the day it starts: whatever the date, the clerk's township shows
 * a county in mid-stride, and last month's ranking differs from this month's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWorkCalendar, estimatingBeyondCoverage } from '../../../src/domain/calendar.js';
import { beijingDate, endOfBeijingDay, monthEnd, monthOf, previousMonth } from '../../../src/domain/dates.js';
import { planDemo, type DemoPlan } from '../../../src/domain/demo.js';
import { replayLedger } from '../../../src/domain/ledger.js';
import { standing } from '../../../src/domain/lights.js';
import type { LedgerEntry, Light, Reporter, Township } from '../../../src/domain/model.js';
import { buildRanking } from '../../../src/domain/ranking.js';
import { assignedTo, completion, requiredAmount } from '../../../src/domain/targets.js';
import { SAMPLE_COUNTY } from '../../../src/paths.js';
import { parseSetup } from '../../../src/setup/index.js';

const sample = parseSetup(readFileSync(SAMPLE_COUNTY(), 'utf8'), 'sample-county.yaml');
if (!sample.ok) throw new Error(sample.errors.join('\n'));
const { county } = sample;
const calendar = estimatingBeyondCoverage(createWorkCalendar());

function plan(iso: string): DemoPlan & { now: Date; today: string } {
  const now = new Date(iso);
  const today = beijingDate(now);
  const reporterOf = (t: Township): Reporter => ({ platform: 'wecom', user: `clerk-${t.id}`, name: `${t.name}联络员` });
  return { now, today, ...planDemo({ townships: county.townships, tasks: county.tasks, reporterOf, featured: '城关镇', now, today, calendar }) };
}

/** The lights a township shows on the plan's day, once every planned report is in. */
function lightsOf(p: ReturnType<typeof plan>, townshipName: string): Light[] {
  const township = county.townships.find((t) => t.name === townshipName);
  if (!township) throw new Error(townshipName);
  const progress = replayLedger(entriesOf(p));
  return p.tasks
    .filter((task) => assignedTo(task, township.id))
    .map((task) => {
      const amount = progress.get(task.id)?.get(township.id)?.amount ?? 0;
      return standing({ task, completion: completion(amount, requiredAmount(task.target, township)), today: p.today, calendar }).light;
    });
}

const entriesOf = (p: DemoPlan): LedgerEntry[] =>
  p.reports.map((r, i) => ({ id: `${String(i)}-0`, kind: 'report', source: `demo:${String(i)}`, ...r }));

const count = (lights: readonly Light[], light: Light): number => lights.filter((l) => l === light).length;

/** Days the demo might be started: today's kind of day, a year on, a month's last evening, a leap day, a New Year. */
const STARTS = ['2026-12-02T09:00:00+08:00', '2027-12-31T23:59:00+08:00', '2028-02-29T10:00:00+08:00', '2027-01-01T00:30:00+08:00', '2027-06-15T15:00:00+08:00'];

describe.each(STARTS)('the demo county started at %s', (start) => {
  const p = plan(start);

  it('shows 城关镇’s clerk mostly green tasks, with some done, a few behind and one or two overdue', () => {
    const lights = lightsOf(p, '城关镇');
    expect(count(lights, 'done')).toBeGreaterThanOrEqual(1);
    expect(count(lights, 'behind')).toBeGreaterThanOrEqual(1);
    expect(count(lights, 'overdue')).toBeGreaterThanOrEqual(1);
    expect(count(lights, 'overdue')).toBeLessThanOrEqual(2);
    for (const other of ['done', 'behind', 'overdue'] as const) expect(count(lights, 'on-pace')).toBeGreaterThan(count(lights, other));
  });

  it('is mostly green across the county, with more green than red', () => {
    const lights = county.townships.flatMap((t) => lightsOf(p, t.name));
    expect(count(lights, 'on-pace')).toBeGreaterThan(count(lights, 'overdue') * 3);
    expect(count(lights, 'on-pace')).toBeGreaterThan(count(lights, 'behind'));
  });

  it('records nothing after the moment it starts, nor before a task starts, nor outside office hours, and each report higher than the one before', () => {
    const seen = new Map<string, number>();
    for (const r of p.reports) {
      expect(Date.parse(r.at)).toBeLessThan(p.now.getTime());
      expect(r.at.slice(11, 16) >= '09:00' && r.at.slice(11, 16) < '17:00').toBe(true);
      const task = p.tasks.find((t) => t.id === r.task);
      expect(r.at.slice(0, 10) >= (task?.start ?? '')).toBe(true);
      const key = `${r.task}/${r.township}`;
      expect(r.amount).toBeGreaterThan(seen.get(key) ?? 0);
      seen.set(key, r.amount);
    }
  });

  it('ranks last month differently from the month before, and this month from last once the month is under way, so rank changes show', () => {
    const thisMonth = monthOf(p.today);
    const last = previousMonth(thisMonth);
    const entries = entriesOf(p);
    const before = buildRanking({ month: previousMonth(last), asOf: monthEnd(previousMonth(last)), townships: county.townships, tasks: p.tasks, progress: replayLedger(entries, endOfBeijingDay(monthEnd(previousMonth(last)))), calendar });
    const lastRanking = buildRanking({ month: last, asOf: monthEnd(last), townships: county.townships, tasks: p.tasks, progress: replayLedger(entries, endOfBeijingDay(monthEnd(last))), calendar, previous: before });
    const now = buildRanking({ month: thisMonth, asOf: p.today, townships: county.townships, tasks: p.tasks, progress: replayLedger(entries), calendar, previous: lastRanking });
    expect(lastRanking.rows.length).toBe(county.townships.length);
    // In the first hours of a month nothing has been reported in it yet: it ranks as last month ended.
    if (p.now.getTime() - Date.parse(`${thisMonth}-01T00:00:00+08:00`) > 86_400_000) {
      expect(now.rows.filter((row) => row.previousRank !== undefined && row.previousRank !== row.rank).length).toBeGreaterThanOrEqual(3);
    }
    expect(lastRanking.rows.filter((row) => row.previousRank !== undefined && row.previousRank !== row.rank).length).toBeGreaterThanOrEqual(3);
    expect(now.rows.filter((row) => row.bottom)).toHaveLength(3);
  });
});

describe('the demo county', () => {
  it('is the same county when planned twice for the same moment', () => {
    expect(plan(STARTS[0] ?? '')).toEqual(plan(STARTS[0] ?? ''));
  });

  it('keeps the sample county’s townships, task ids, titles and targets, all open', () => {
    const p = plan(STARTS[0] ?? '');
    expect(p.tasks.map((t) => [t.id, t.title, t.target])).toEqual(county.tasks.map((t) => [t.id, t.title, t.target]));
    expect(p.tasks.every((t) => t.status === 'open')).toBe(true);
  });
});
