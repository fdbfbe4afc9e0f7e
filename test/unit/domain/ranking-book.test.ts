import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beijingDay, instantMs } from '../../../src/domain/dates.js';
import { lightFor, pace } from '../../../src/domain/lights.js';
import type { Reported, Task, Township, Ymd } from '../../../src/domain/model.js';
import { activeInMonth, beginRankingBook, buildRanking, progressTable, rankingBook, type Lookup, type ProgressTable, type RankingBasis } from '../../../src/domain/ranking.js';
import { completion, requiredAmount } from '../../../src/domain/targets.js';
import { taskOf } from '../../fixtures/county.js';
import { calendarStub } from '../../helpers/calendar-stub.js';

const calendar = calendarStub();
const AS_OF: Ymd = '2026-11-20';

/** Few names, so townships tie on the name and fall back to the id. */
const NAMES = ['城关镇', '红星乡', '东风镇'];
/**
 * Few instants, so townships tie on when they last reported; some written in UTC, one the same
 * instant as another, one past a deadline by half an hour in Beijing and not in UTC.
 */
const INSTANTS = ['2026-11-02T09:00:00.000+08:00', '2026-11-10T10:00:00.000+08:00', '2026-11-19T16:30:00.000+08:00', '2026-11-19T08:30:00Z', '2026-11-24T16:30:00.250Z', '2026-11-19T16:30:00+08:00'];
const DAYS: Ymd[] = ['2026-09-01', '2026-11-10', '2026-11-19', '2026-11-25', '2026-12-31'];

const townshipsArb = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => fc.record({ name: fc.constantFrom(...NAMES), villages: fc.integer({ min: 1, max: 12 }) }).map((t): Township => ({ id: `z${i}`, ...t })))),
);

const taskArb = (id: string, townships: readonly Township[]): fc.Arbitrary<Task> =>
  fc
    .record({
      start: fc.constantFrom(...DAYS.slice(0, 3)),
      deadline: fc.constantFrom(...DAYS.slice(1)),
      weight: fc.constantFrom(0, 1, 2, 3),
      target: fc.oneof(
        fc.constant<Task['target']>({ kind: 'percent', percent: 100 }),
        fc.constantFrom<Task['target']>({ kind: 'count', count: 3, per: 'village' }, { kind: 'count', count: 10, per: 'township' }, { kind: 'done' }),
      ),
      townships: fc.oneof(fc.constant<'all'>('all'), fc.subarray(townships.map((t) => t.id))),
      closed: fc.boolean(),
    })
    .map(({ closed, ...fields }) => taskOf(id, { ...fields, ...(closed ? { status: 'closed' as const, closedOn: '2026-11-15' } : {}) }));

const reportedArb: fc.Arbitrary<Reported | undefined> = fc.option(fc.record({ amount: fc.constantFrom(0, 1, 2.5, 30, 99.96, 100, 150), at: fc.constantFrom(...INSTANTS) }), { nil: undefined });

/** A change a store would see: a township's progress on a task set (or undone), or a task's grants replaced. */
type Change = { kind: 'report'; task: number; township: number; reported: Reported | undefined } | { kind: 'grant'; task: number; township: number; deadline: Ymd | undefined };

const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant<'report'>('report'), task: fc.nat(), township: fc.nat(), reported: reportedArb }),
  fc.record({ kind: fc.constant<'grant'>('grant'), task: fc.nat(), township: fc.nat(), deadline: fc.option(fc.constantFrom<Ymd>('2026-11-30', '2026-12-20'), { nil: undefined }) }),
);

const countyArb = townshipsArb.chain((townships) =>
  fc.integer({ min: 1, max: 5 }).chain((m) =>
    fc.record({
      townships: fc.constant(townships),
      tasks: fc.tuple(...Array.from({ length: m }, (_, i) => taskArb(`T${i + 1}`, townships))),
      changes: fc.array(changeArb, { maxLength: 25 }),
    }),
  ),
);

/**
 * A table over maps the test changes in place, made again whenever the book reads a task. Records
 * run in the reverse of the county's order, as slots given before the townships were sorted by name.
 */
function tableOver(townships: readonly Township[], tasks: readonly Task[], progress: Lookup<Lookup<Reported>>): ProgressTable {
  const inRecordOrder = [...townships].reverse();
  const recordOf = new Map(inRecordOrder.map((township, index) => [township.id, index]));
  return { recordOf: (township) => recordOf.get(township), cells: (task) => progressTable(inRecordOrder, tasks, progress).cells(task) };
}

describe('a ranking book kept up to date report by report', () => {
  it('ranks as a ranking computed afresh after every report, undo and granted deadline, and gives each township the rank that ranking gives it', () => {
    fc.assert(
      fc.property(countyArb, ({ townships, tasks, changes }) => {
        const basis: RankingBasis = { month: '2026-11', asOf: AS_OF, townships, tasks, calendar };
        const progress = new Map<string, Map<string, Reported>>(tasks.map((t) => [t.id, new Map()]));
        const deadlines = new Map<string, Map<string, Ymd>>();
        const book = rankingBook(basis, tableOver(townships, tasks, progress), deadlines);

        for (const change of changes) {
          const task = tasks[change.task % tasks.length];
          const township = townships[change.township % townships.length];
          if (!task || !township) throw new Error('the county has a task and a township');
          if (change.kind === 'report') {
            const cells = progress.get(task.id) ?? new Map<string, Reported>();
            if (change.reported) cells.set(township.id, change.reported);
            else cells.delete(township.id);
            book.recount([township.id]);
          } else {
            const grants = new Map(deadlines.get(task.id));
            if (change.deadline) grants.set(township.id, change.deadline);
            else grants.delete(township.id);
            deadlines.set(task.id, grants);
            book.regrant(task.id, grants);
          }

          const fresh = buildRanking({ ...basis, progress, deadlines });
          expect(book.snapshot()).toEqual(fresh);
          for (const z of townships) {
            const row = fresh.rows.find((r) => r.township === z.id);
            expect(book.place(z.id)).toEqual(row && { rank: row.rank, of: fresh.rows.length });
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hands out a snapshot that later reports do not change', () => {
    const townships: Township[] = [
      { id: 'a', name: '城关镇', villages: 5 },
      { id: 'b', name: '红星乡', villages: 5 },
    ];
    const progress = new Map([['T1', new Map<string, Reported>([['a', { amount: 50, at: INSTANTS[0] ?? '' }]])]]);
    const book = rankingBook({ month: '2026-11', asOf: AS_OF, townships, tasks: [taskOf('T1')], calendar }, tableOver(townships, [taskOf('T1')], progress));
    const before = book.snapshot();

    progress.get('T1')?.set('b', { amount: 90, at: INSTANTS[1] ?? '' });
    book.recount(['b']);

    expect(before.rows.map((r) => [r.township, r.rank])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(book.snapshot().rows.map((r) => [r.township, r.rank])).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
  });
});

/**
 * The month's ranking written out rule by rule from docs/design.md §2, township by township, with
 * instants read as text: what the book computed before progress became numbers. Rows as the book's,
 * with `lastAt` as the instant it names.
 */
function referenceRanking(basis: RankingBasis, progress: ReadonlyMap<string, ReadonlyMap<string, Reported>>, deadlines: ReadonlyMap<string, ReadonlyMap<string, Ymd>>): unknown[] {
  const rows = basis.townships.flatMap((township) => {
    const counted = basis.tasks.filter((task) => activeInMonth(task, basis.month) && task.start <= basis.asOf && (task.townships === 'all' || task.townships.includes(township.id)));
    if (counted.length === 0) return [];
    const tally = { tasks: 0, done: 0, doneLate: 0, behind: 0, overdue: 0, weighted: 0, weights: 0, plain: 0 };
    let latest: number | undefined;
    for (const task of counted) {
      const reported = progress.get(task.id)?.get(township.id);
      const share = reported ? completion(reported.amount, requiredAmount(task.target, township)) : 0;
      const granted = deadlines.get(task.id)?.get(township.id);
      const deadline = granted !== undefined && granted > task.deadline ? granted : task.deadline;
      const lit = lightFor(pace({ task: { start: task.start, deadline }, today: basis.asOf, calendar: basis.calendar }), share, share >= 1 && reported ? beijingDay(reported.at) : undefined);
      const light = task.status === 'closed' && share < 1 ? undefined : lit;
      tally.tasks += 1;
      tally.weighted += task.weight * share;
      tally.weights += task.weight;
      tally.plain += share;
      if (light === 'done') tally.done += 1;
      if (light === 'done-late') tally.doneLate += 1;
      if (light === 'behind') tally.behind += 1;
      if (light === 'overdue') tally.overdue += 1;
      if (reported) latest = Math.max(latest ?? Number.NEGATIVE_INFINITY, instantMs(reported.at));
    }
    const mean = tally.weights > 0 ? tally.weighted / tally.weights : tally.plain / tally.tasks;
    const score = mean < 1 && Math.round(1000 * mean) >= 1000 ? 999 : Math.round(1000 * mean);
    return [{ township: township.id, name: township.name, score, tasks: tally.tasks, done: tally.done, doneLate: tally.doneLate, behind: tally.behind, overdue: tally.overdue, lastMs: latest ?? Number.POSITIVE_INFINITY }];
  });
  const byName = new Intl.Collator('zh-CN').compare;
  rows.sort((a, b) => b.score - a.score || a.overdue - b.overdue || (a.lastMs === b.lastMs ? 0 : a.lastMs < b.lastMs ? -1 : 1) || byName(a.name, b.name) || (a.township < b.township ? -1 : 1));
  const same = (a: (typeof rows)[number], b: (typeof rows)[number]): boolean => a.score === b.score && a.overdue === b.overdue && a.lastMs === b.lastMs;
  let rank = 0;
  return rows.map((row, index) => {
    const before = rows[index - 1];
    rank = before && same(before, row) ? rank : index + 1;
    return { ...row, rank, bottom: rows.length > 3 && rank > rows.length - 3 && row.score < 1000 };
  });
}

describe('a ranking computed from numbers', () => {
  it('ranks every county as the rules written out township by township rank it, instants read as text', () => {
    fc.assert(
      fc.property(countyArb, ({ townships, tasks, changes }) => {
        const basis: RankingBasis = { month: '2026-11', asOf: AS_OF, townships, tasks, calendar };
        const { progress, deadlines } = settled(townships, tasks, changes);
        const rows = buildRanking({ ...basis, progress, deadlines }).rows.map(({ lastAt, previousRank: _, ...row }) => ({ ...row, lastMs: lastAt === undefined ? Number.POSITIVE_INFINITY : instantMs(lastAt) }));
        expect(rows).toEqual(referenceRanking(basis, progress, deadlines));
      }),
      { numRuns: 500 },
    );
  });
});

describe('a ranking book counted while its progress arrives', () => {
  it('ranks as a ranking computed afresh, whatever order the tasks arrive in and however many are still on the way when the book is asked for', () => {
    const arrivalArb = countyArb.chain((county) => fc.record({ county: fc.constant(county), arrival: fc.shuffledSubarray(county.tasks.map((task) => task.id)) }));
    fc.assert(
      fc.property(arrivalArb, ({ county: { townships, tasks, changes }, arrival }) => {
        const basis: RankingBasis = { month: '2026-11', asOf: AS_OF, townships, tasks, calendar };
        const { progress, deadlines } = settled(townships, tasks, changes);
        // What has arrived: a task's progress and grants are there only from the moment it is taken.
        const arrived = new Map<string, Map<string, Reported>>();
        const arrivedGrants = new Map<string, Map<string, Ymd>>();
        const bring = (id: string): void => {
          arrived.set(id, progress.get(id) ?? new Map<string, Reported>());
          const grants = deadlines.get(id);
          if (grants) arrivedGrants.set(id, grants);
        };
        const underway = beginRankingBook(basis, tableOver(townships, tasks, arrived), arrivedGrants);
        for (const id of arrival) {
          bring(id);
          underway.taken(id);
        }
        for (const task of tasks) if (!arrived.has(task.id)) bring(task.id);

        const book = underway.book();
        expect(book.snapshot()).toEqual(buildRanking({ ...basis, progress, deadlines }));
        const [first] = townships;
        if (!first) throw new Error('the county has a township');
        for (const reports of progress.values()) reports.delete(first.id);
        book.recount([first.id]);
        expect(book.snapshot()).toEqual(buildRanking({ ...basis, progress, deadlines }));
      }),
      { numRuns: 300 },
    );
  });
});

/** The progress and grants a list of changes leaves, each change's last word standing. */
function settled(townships: readonly Township[], tasks: readonly Task[], changes: readonly Change[]): { progress: Map<string, Map<string, Reported>>; deadlines: Map<string, Map<string, Ymd>> } {
  const progress = new Map<string, Map<string, Reported>>(tasks.map((t) => [t.id, new Map()]));
  const deadlines = new Map<string, Map<string, Ymd>>();
  for (const change of changes) {
    const task = tasks[change.task % tasks.length];
    const township = townships[change.township % townships.length];
    if (!task || !township) throw new Error('the county has a task and a township');
    if (change.kind === 'report' && change.reported) progress.get(task.id)?.set(township.id, change.reported);
    if (change.kind === 'grant' && change.deadline) deadlines.set(task.id, new Map(deadlines.get(task.id)).set(township.id, change.deadline));
  }
  return { progress, deadlines };
}
