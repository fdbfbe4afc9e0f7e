import { describe, expect, it } from 'vitest';
import type { Instant, Progress, Task, Township, Ym, Ymd } from '../../../src/domain/model.js';
import { activeInMonth, buildRanking, rankChange, type RankingRow, type RankingSnapshot } from '../../../src/domain/ranking.js';
import { taskOf } from '../../fixtures/county.js';
import { calendarStub } from '../../helpers/calendar-stub.js';

const calendar = calendarStub();
const MONTH: Ym = '2026-11';
const AS_OF: Ymd = '2026-11-20';

const chengguan: Township = { id: 'cg', name: '城关镇', villages: 12 };
const hongxing: Township = { id: 'hx', name: '红星乡', villages: 9 };
const dongfeng: Township = { id: 'df', name: '东风镇', villages: 10 };
const xihe: Township = { id: 'xh', name: '西河乡', villages: 8 };
const nanshan: Township = { id: 'ns', name: '南山镇', villages: 11 };

const task = taskOf;

/** [task, township, amount, at] → the progress map the store hands over. */
const progressOf = (reports: readonly (readonly [string, string, number, Instant?])[]): Map<string, Map<string, Progress>> => {
  const map = new Map<string, Map<string, Progress>>();
  for (const [taskId, township, amount, at = '2026-11-10T10:00:00+08:00'] of reports) {
    const byTownship = map.get(taskId) ?? new Map<string, Progress>();
    byTownship.set(township, { amount, at, entry: `${taskId}-${township}`, by: { platform: 'wecom', user: 'u', name: '联络员' } });
    map.set(taskId, byTownship);
  }
  return map;
};

const rank = (
  townships: Township[],
  tasks: Task[],
  reports: readonly (readonly [string, string, number, Instant?])[],
  extra: { asOf?: Ymd; month?: Ym; previous?: RankingSnapshot } = {},
): RankingSnapshot =>
  buildRanking({
    month: extra.month ?? MONTH,
    asOf: extra.asOf ?? AS_OF,
    townships,
    tasks,
    progress: progressOf(reports),
    calendar,
    ...(extra.previous ? { previous: extra.previous } : {}),
  });

const names = (snapshot: RankingSnapshot): string[] => snapshot.rows.map((row) => row.name);
const row = (snapshot: RankingSnapshot, township: Township): RankingRow | undefined => snapshot.rows.find((r) => r.township === township.id);

describe('activeInMonth', () => {
  it.each<[string, Partial<Task>, Ym, boolean]>([
    ['does not count a task in the months before it starts', { start: '2026-12-01' }, '2026-11', false],
    ['counts a task in the month it starts, even on its last day', { start: '2026-11-30' }, '2026-11', true],
    ['counts a task in the month of its deadline', { deadline: '2026-11-01' }, '2026-11', true],
    ['keeps counting an overdue task while it is open', { deadline: '2026-09-30' }, '2026-11', true],
    ['counts a closed task in the month it was closed', { deadline: '2026-09-30', status: 'closed', closedOn: '2026-11-05' }, '2026-11', true],
    ['stops counting a closed task after the month it was closed', { deadline: '2026-09-30', status: 'closed', closedOn: '2026-10-28' }, '2026-11', false],
    ['stops counting a task closed early, before its deadline comes', { deadline: '2026-12-31', status: 'closed', closedOn: '2026-10-28' }, '2026-11', false],
    ['counts a closed task without a closing day up to its deadline', { deadline: '2026-11-15', status: 'closed' }, '2026-11', true],
  ])('%s', (_name, fields, month, expected) => {
    expect(activeInMonth(task('T1', fields), month)).toBe(expected);
  });
});

describe('buildRanking', () => {
  it('scores each township by its weighted mean completion, per mille', () => {
    const tasks = [task('T1', { weight: 2 }), task('T2')];
    const snapshot = rank([chengguan], tasks, [
      ['T1', 'cg', 100],
      ['T2', 'cg', 40],
    ]);
    expect(row(snapshot, chengguan)?.score).toBe(800);
  });

  it('counts 每村3名 against each township’s own number of villages', () => {
    const reserve = task('T5', { target: { kind: 'count', count: 3, per: 'village' } });
    const snapshot = rank([chengguan, hongxing], [reserve], [
      ['T5', 'cg', 18],
      ['T5', 'hx', 27],
    ]);
    expect(snapshot.rows.map((r) => [r.name, r.score])).toEqual([
      ['红星乡', 1000],
      ['城关镇', 500],
    ]);
  });

  it('gives a township that never reported a score of 0 rather than leaving it out', () => {
    const snapshot = rank([chengguan, hongxing], [task('T1')], [['T1', 'hx', 50]]);
    expect(row(snapshot, chengguan)).toMatchObject({ score: 0, tasks: 1 });
    expect(row(snapshot, chengguan)?.lastAt).toBeUndefined();
  });

  it('leaves out a township that has no task this month', () => {
    const snapshot = rank([chengguan, hongxing], [task('T1', { townships: ['hx'] })], [['T1', 'hx', 50]]);
    expect(names(snapshot)).toEqual(['红星乡']);
  });

  it('does not count a task that starts later this month, before it has begun', () => {
    const later = task('T9', { start: '2026-11-25' });
    const snapshot = rank([chengguan], [task('T1'), later], [['T1', 'cg', 100]]);
    expect(row(snapshot, chengguan)).toMatchObject({ score: 1000, tasks: 1 });
  });

  it('keeps counting an overdue task in the months after its deadline until it is closed', () => {
    const late = task('T2', { deadline: '2026-10-30' });
    const snapshot = rank([chengguan], [task('T1'), late], [
      ['T1', 'cg', 100],
      ['T2', 'cg', 60],
    ]);
    expect(row(snapshot, chengguan)).toMatchObject({ score: 800, tasks: 2, done: 1, overdue: 1 });
    const closed = { ...late, status: 'closed' as const, closedOn: '2026-10-31' };
    expect(row(rank([chengguan], [task('T1'), closed], [['T1', 'cg', 100]]), chengguan)).toMatchObject({ score: 1000, tasks: 1 });
  });

  it('counts done, behind and overdue tasks with the lights of the day', () => {
    const tasks = [
      task('T1'),
      // Due the Monday after AS_OF: two working days left.
      task('T2', { deadline: '2026-11-23' }),
      task('T3', { deadline: '2026-11-13' }),
      task('T4'),
    ];
    const snapshot = rank([chengguan], tasks, [
      ['T1', 'cg', 100],
      ['T2', 'cg', 90],
      ['T3', 'cg', 90],
      ['T4', 'cg', 60],
    ]);
    expect(row(snapshot, chengguan)).toMatchObject({ tasks: 4, done: 1, behind: 1, overdue: 1 });
  });

  it('does not round a nearly finished township up to a full 1000', () => {
    const big = task('T1', { target: { kind: 'count', count: 10_000, per: 'township' } });
    expect(row(rank([chengguan], [big], [['T1', 'cg', 9_996]]), chengguan)?.score).toBe(999);
  });

  it('puts a township with fewer overdue tasks first when scores are equal', () => {
    const tasks = [task('T1', { deadline: '2026-11-13' }), task('T2')];
    // 红星乡 reported first, which alone would put it ahead.
    const snapshot = rank([hongxing, chengguan], tasks, [
      ['T1', 'cg', 100, '2026-11-12T10:00:00+08:00'],
      ['T2', 'hx', 100, '2026-11-02T10:00:00+08:00'],
    ]);
    expect(snapshot.rows.map((r) => [r.name, r.score, r.overdue, r.rank])).toEqual([
      ['城关镇', 500, 0, 1],
      ['红星乡', 500, 1, 2],
    ]);
  });

  it('puts the township that got there earlier first when scores and overdue tasks are equal', () => {
    const snapshot = rank([chengguan, hongxing], [task('T1')], [
      ['T1', 'cg', 100, '2026-11-18T10:00:00+08:00'],
      // 09:00 on the 18th in UTC is 17:00 in Beijing: later, though the string sorts first.
      ['T1', 'hx', 100, '2026-11-18T09:00:00Z'],
    ]);
    expect(names(snapshot)).toEqual(['城关镇', '红星乡']);
    expect(snapshot.rows.map((r) => r.rank)).toEqual([1, 2]);
  });

  it('puts a township that reported nothing after one that reported no progress', () => {
    const snapshot = rank([chengguan, hongxing], [task('T1')], [['T1', 'hx', 0]]);
    expect(names(snapshot)).toEqual(['红星乡', '城关镇']);
  });

  it('lists townships tied on every rule in pinyin order with the same rank', () => {
    const snapshot = rank([xihe, hongxing, chengguan], [task('T1')], []);
    expect(names(snapshot)).toEqual(['城关镇', '红星乡', '西河乡']);
    expect(snapshot.rows.map((r) => r.rank)).toEqual([1, 1, 1]);
  });

  it('gives tied townships the same rank and skips the places they take (1, 2, 2, 4)', () => {
    const at = '2026-11-10T10:00:00+08:00';
    const snapshot = rank([chengguan, hongxing, dongfeng, xihe], [task('T1')], [
      ['T1', 'cg', 90, at],
      ['T1', 'hx', 50, at],
      ['T1', 'df', 50, at],
      ['T1', 'xh', 10, at],
    ]);
    expect(snapshot.rows.map((r) => [r.name, r.rank])).toEqual([
      ['城关镇', 1],
      ['东风镇', 2],
      ['红星乡', 2],
      ['西河乡', 4],
    ]);
  });

  describe('bottom three', () => {
    const five = [chengguan, hongxing, dongfeng, xihe, nanshan];
    const bottom = (snapshot: RankingSnapshot): string[] => snapshot.rows.filter((r) => r.bottom).map((r) => r.name);

    it('marks the last three townships for leaders', () => {
      const snapshot = rank(five, [task('T1')], [
        ['T1', 'cg', 90],
        ['T1', 'hx', 70],
        ['T1', 'df', 50],
        ['T1', 'xh', 30],
        ['T1', 'ns', 10],
      ]);
      expect(bottom(snapshot)).toEqual(['东风镇', '西河乡', '南山镇']);
    });

    it('does not mark bottom three when the county has only three townships', () => {
      const snapshot = rank([chengguan, hongxing, dongfeng], [task('T1')], [
        ['T1', 'cg', 90],
        ['T1', 'hx', 50],
        ['T1', 'df', 10],
      ]);
      expect(bottom(snapshot)).toEqual([]);
    });

    it('never marks a township that completed everything, even among the last three', () => {
      const snapshot = rank(five, [task('T1')], [
        ['T1', 'cg', 100, '2026-11-02T10:00:00+08:00'],
        ['T1', 'hx', 100, '2026-11-03T10:00:00+08:00'],
        ['T1', 'df', 100, '2026-11-04T10:00:00+08:00'],
        ['T1', 'xh', 100, '2026-11-05T10:00:00+08:00'],
        ['T1', 'ns', 40],
      ]);
      expect(bottom(snapshot)).toEqual(['南山镇']);
    });

    it('leaves a tie that straddles the last three unmarked, so at most three are marked', () => {
      const snapshot = rank(five, [task('T1')], [
        ['T1', 'cg', 90],
        ['T1', 'hx', 70],
        ['T1', 'df', 70],
        ['T1', 'xh', 30],
        ['T1', 'ns', 10],
      ]);
      expect(bottom(snapshot)).toEqual(['西河乡', '南山镇']);
    });
  });

  it('shows how many places a township moved since last month', () => {
    const october = rank([chengguan, hongxing, dongfeng], [task('T1')], [
      ['T1', 'cg', 30],
      ['T1', 'hx', 20],
      ['T1', 'df', 10],
    ], { month: '2026-10', asOf: '2026-10-31' });
    const november = rank([chengguan, hongxing, dongfeng, xihe], [task('T1')], [
      ['T1', 'cg', 40],
      ['T1', 'hx', 20],
      ['T1', 'df', 90],
      ['T1', 'xh', 10],
    ], { previous: october });
    const changes = november.rows.map((r) => [r.name, r.previousRank, rankChange(r)]);
    expect(changes).toEqual([
      ['东风镇', 3, 2],
      ['城关镇', 1, -1],
      ['红星乡', 2, -1],
      ['西河乡', undefined, undefined],
    ]);
  });

  it('asks the calendar about each task once, not once per township, for a county of 2,000 townships and 300 tasks', () => {
    const counting = calendarStub();
    const townships = Array.from({ length: 2_000 }, (_, i): Township => ({ id: `z${i}`, name: `乡镇${i}`, villages: 1 + (i % 20) }));
    const tasks = Array.from({ length: 300 }, (_, i) =>
      task(`T${i + 1}`, i % 3 === 0 ? { townships: townships.filter((_, j) => j % 2 === 0).map((t) => t.id) } : {}),
    );
    const progress = new Map<string, Map<string, Progress>>();
    for (const [i, t] of tasks.entries()) {
      if (i % 10 !== 0) continue;
      progress.set(t.id, new Map(townships.map((z, j) => [z.id, { amount: j % 101, at: '2026-11-10T10:00:00+08:00', entry: `${i}-${j}`, by: { platform: 'wecom', user: 'u', name: 'n' } }])));
    }
    const snapshot = buildRanking({ month: MONTH, asOf: AS_OF, townships, tasks, progress, calendar: counting });
    expect(snapshot.rows).toHaveLength(2_000);
    expect(counting.workdaysCalls).toBeLessThanOrEqual(4 * tasks.length);
  });
});
