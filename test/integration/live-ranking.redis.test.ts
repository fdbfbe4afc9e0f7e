import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../../src/domain/calendar.js';
import type { County, Reporter, Task, Township, Ymd } from '../../src/domain/model.js';
import { buildRanking, type RankingBasis } from '../../src/domain/ranking.js';
import { createKeys, type Keys } from '../../src/store/keys.js';
import { createRedisStore, type Store } from '../../src/store/redis-store.js';
import type { WrittenReport } from '../../src/store/types.js';
import { taskOf } from '../fixtures/county.js';
import { openTestRedis, type TestRedis } from '../helpers/redis.js';

let t: TestRedis;
let n = 0;

beforeAll(async () => {
  t = await openTestRedis(import.meta.url);
});

afterAll(async () => {
  await t.close();
});

const calendar = createWorkCalendar();
const MONTH = '2026-11';
const AS_OF: Ymd = '2026-11-20';
const clerk: Reporter = { platform: 'wecom', user: 'lisi', name: '李四' };

const TOWNSHIPS: Township[] = [
  { id: '城关镇', name: '城关镇', villages: 12 },
  { id: '红星乡', name: '红星乡', villages: 9 },
  { id: '东风镇', name: '东风镇', villages: 10 },
  { id: '西河乡', name: '西河乡', villages: 8 },
];

function county(tasks: Task[]): County {
  return { name: '示范县', townships: TOWNSHIPS, groups: [], people: [], tasks };
}

/** Two instances of the bot on one Redis and key space, as behind a load balancer. */
async function twoInstances(tasks: Task[] = [taskOf('T1'), taskOf('T2', { weight: 2 })]): Promise<{ first: Store; second: Store; keys: Keys }> {
  n += 1;
  const keys = createKeys(`${t.prefix}:${n}`);
  const first = createRedisStore(t.redis, keys);
  await first.loadCounty(county(tasks));
  return { first, second: createRedisStore(t.redis, keys), keys };
}

async function basisOf(store: Store): Promise<RankingBasis> {
  return { month: MONTH, asOf: AS_OF, townships: await store.townships(), tasks: await store.tasks(), calendar };
}

/** The ranking computed afresh from what Redis holds: what the book must agree with. */
async function afresh(store: Store): Promise<ReturnType<typeof buildRanking>> {
  const basis = await basisOf(store);
  const ids = basis.tasks.map((x) => x.id);
  return buildRanking({ ...basis, progress: await store.progress(ids), deadlines: await store.grantedDeadlines(ids) });
}

let source = 0;
/** A report as a clerk's 上报 records it; what it wrote is what the command hands the book. */
async function report(store: Store, task: string, township: string, amount: number, at = '2026-11-10T09:00:00.000+08:00'): Promise<WrittenReport> {
  source += 1;
  return (await store.recordReport({ task, township, amount, value: `${amount}%`, note: '', by: clerk, at, source: `msg-${source}` })).written;
}

describe('the ranking each instance keeps', () => {
  it('counts a report made on another instance in the next rank it gives', async () => {
    const { first, second } = await twoInstances();
    await report(first, 'T1', '城关镇', 40);
    expect((await first.rankingBook(await basisOf(first))).place('红星乡')).toEqual({ rank: 2, of: 4 });

    await report(second, 'T1', '红星乡', 90);
    await report(second, 'T2', '红星乡', 50);

    expect((await first.rankingBook(await basisOf(first))).place('红星乡')).toEqual({ rank: 1, of: 4 });
    expect((await first.rankingBook(await basisOf(first))).snapshot()).toEqual(await afresh(first));
  });

  it('counts a 撤回 and then a granted 延期 made on another instance, each in the next rank it gives', async () => {
    const { first, second } = await twoInstances([taskOf('T1', { start: '2026-09-01', deadline: '2026-11-10' })]);
    await report(first, 'T1', '城关镇', 40);
    await report(second, 'T1', '红星乡', 60);
    const before = (await first.rankingBook(await basisOf(first))).snapshot();
    expect(before.rows.find((r) => r.township === '红星乡')?.overdue).toBe(1);

    const last = await second.lastReport('wecom', 'lisi');
    if (!last) throw new Error('the clerk has reported');
    expect(await second.reverseReport(last, clerk, '2026-11-11T09:00:00.000+08:00', 'undo-1')).toMatchObject({ ok: true });
    const undone = (await first.rankingBook(await basisOf(first))).snapshot();
    expect(undone).toEqual(await afresh(first));
    expect(undone.rows.find((r) => r.township === '红星乡')?.lastAt).toBeUndefined();

    const asked = await second.openExtension({ task: 'T1', township: '城关镇', from: '2026-11-10', to: '2026-11-30', reason: '雨季', by: clerk, at: '2026-11-09T09:00:00.000+08:00', source: 'ask-1' });
    if (!asked.ok) throw new Error('the request opens');
    expect(await second.decideExtension(asked.request.number, { granted: true, by: clerk, at: '2026-11-09T10:00:00.000+08:00', reason: '' }, 'decide-1')).toMatchObject({ ok: true });

    const after = (await first.rankingBook(await basisOf(first))).snapshot();
    expect(after).toEqual(await afresh(first));
    expect(after.rows.find((r) => r.township === '城关镇')?.overdue).toBe(0);
  });

  it('never ranks a county wiped and loaded again with the reports of the one before', async () => {
    const { first, second, keys } = await twoInstances([taskOf('T1')]);
    await report(first, 'T1', '城关镇', 90);
    expect((await first.rankingBook(await basisOf(first))).place('城关镇')).toEqual({ rank: 1, of: 4 });

    for (const key of await t.redis.keys(`${keys.prefix}:*`)) await t.redis.del(key);
    await second.loadCounty(county([taskOf('T1')]));
    await report(second, 'T1', '西河乡', 10);

    const book = await first.rankingBook(await basisOf(first));
    expect(book.snapshot()).toEqual(await afresh(first));
    expect(book.place('西河乡')).toEqual({ rank: 1, of: 4 });
  });

  it('ranks a task whose standings were never written from its progress on its first answer', async () => {
    const { first, second, keys } = await twoInstances();
    await report(first, 'T1', '城关镇', 40);
    await report(first, 'T2', '红星乡', 70);
    await t.redis.del(keys.standings('T1'));

    expect((await second.rankingBook(await basisOf(second))).snapshot()).toEqual(await afresh(first));
  });

  it('fails a first answer whose tasks cannot be read, and reads every task again for the next', async () => {
    const { first, second, keys } = await twoInstances();
    await report(first, 'T1', '城关镇', 40);
    // Not a hash: every task's HGETALL of its grants fails, the later ones while the first is handled.
    for (const task of ['T1', 'T2']) await t.redis.set(keys.deadlines(task), 'not a hash');
    await expect(second.rankingBook(await basisOf(second))).rejects.toThrow(/WRONGTYPE/);

    for (const task of ['T1', 'T2']) await t.redis.del(keys.deadlines(task));
    expect((await second.rankingBook(await basisOf(second))).snapshot()).toEqual(await afresh(first));
  });

  it('agrees with a ranking computed afresh after any reports and corrections from two instances, each patched in as its answer asks, or asked at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ on: fc.boolean(), ask: fc.boolean(), task: fc.constantFrom('T1', 'T2'), township: fc.constantFrom(...TOWNSHIPS.map((z) => z.id)), amount: fc.constantFrom(0, 10, 55.5, 100), day: fc.integer({ min: 1, max: 19 }) }),
          { maxLength: 12 },
        ),
        async (reports) => {
          const { first, second } = await twoInstances();
          const basis = await basisOf(first);
          await first.rankingBook(basis, []);
          const kept: WrittenReport[] = [];
          for (const r of reports) {
            const written = await report(r.on ? first : second, r.task, r.township, r.amount, `2026-11-${String(r.day).padStart(2, '0')}T09:00:00.000+08:00`);
            if (!r.on) continue;
            if (!r.ask) {
              kept.push(written);
              continue;
            }
            const book = await first.rankingBook(basis, [written]);
            expect(book.snapshot()).toEqual(await afresh(first));
          }

          // Two clerks' reports recorded at once on the first instance, their answers asked at once.
          const [one, two] = await Promise.all([report(first, 'T1', '城关镇', 30, '2026-11-19T10:00:00.000+08:00'), report(first, 'T1', '东风镇', 70, '2026-11-19T10:00:00.000+08:00')]);
          const [a, b, c] = await Promise.all([first.rankingBook(basis, [...kept, two]), first.rankingBook(basis, [one]), first.rankingBook(basis)]);
          const fresh = await afresh(first);
          expect(a.snapshot()).toEqual(fresh);
          expect(b.snapshot()).toEqual(fresh);
          expect(c.snapshot()).toEqual(fresh);
          expect(a.place('东风镇')).toEqual(rankIn(fresh, '东风镇'));
        },
      ),
      { numRuns: 25 },
    );
  });
});

/** A township's place as a ranking computed afresh gives it. */
function rankIn(ranking: ReturnType<typeof buildRanking>, township: string): { rank: number; of: number } | undefined {
  const row = ranking.rows.find((r) => r.township === township);
  return row && { rank: row.rank, of: ranking.rows.length };
}
