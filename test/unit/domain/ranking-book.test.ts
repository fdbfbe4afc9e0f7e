import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reported, Task, Township, Ymd } from '../../../src/domain/model.js';
import { buildRanking, rankingBook, type RankingBasis } from '../../../src/domain/ranking.js';
import { taskOf } from '../../fixtures/county.js';
import { calendarStub } from '../../helpers/calendar-stub.js';

const calendar = calendarStub();
const AS_OF: Ymd = '2026-11-20';

/** Few names, so townships tie on the name and fall back to the id. */
const NAMES = ['城关镇', '红星乡', '东风镇'];
/** Few instants, so townships tie on when they last reported. */
const INSTANTS = ['2026-11-02T09:00:00.000+08:00', '2026-11-10T10:00:00.000+08:00', '2026-11-19T16:30:00.000+08:00'];
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

describe('a ranking book kept up to date report by report', () => {
  it('ranks as a ranking computed afresh after every report, undo and granted deadline, and gives each township the rank that ranking gives it', () => {
    fc.assert(
      fc.property(countyArb, ({ townships, tasks, changes }) => {
        const basis: RankingBasis = { month: '2026-11', asOf: AS_OF, townships, tasks, calendar };
        const progress = new Map<string, Map<string, Reported>>(tasks.map((t) => [t.id, new Map()]));
        const deadlines = new Map<string, Map<string, Ymd>>();
        const book = rankingBook(basis, progress, deadlines);

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
    const book = rankingBook({ month: '2026-11', asOf: AS_OF, townships, tasks: [taskOf('T1')], calendar }, progress);
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
