import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReportEntry, type County, type EntryOrigin, type Reporter, type Task } from '../../src/domain/model.js';
import type { RankingSnapshot } from '../../src/domain/ranking.js';
import { beijingInstant } from '../../src/domain/dates.js';
import { DEFAULT_SCHEDULE, type ScheduleSettings } from '../../src/domain/schedule.js';
import { StoreDataError } from '../../src/store/codec.js';
import { createKeys, type Keys } from '../../src/store/keys.js';
import { readInBatches } from '../../src/store/redis-io.js';
import { createRedisStore, type Store } from '../../src/store/redis-store.js';
import type { ReportInput } from '../../src/store/types.js';
import { openTestRedis, type TestRedis } from '../helpers/redis.js';

let t: TestRedis;
let n = 0;

beforeAll(async () => {
  t = await openTestRedis(import.meta.url);
});

afterAll(async () => {
  await t.close();
});

/** Each test gets its own county under the file's prefix, so tests cannot see each other's keys. */
function fresh(): { store: Store; keys: Keys } {
  n += 1;
  const keys = createKeys(`${t.prefix}:${n}`);
  return { store: createRedisStore(t.redis, keys), keys };
}

const zhang: Reporter = { platform: 'wecom', user: 'zhangsan', name: '张三' };
const li: Reporter = { platform: 'wecom', user: 'lisi', name: '李四' };

/** A task as 新建任务 hands it to the store: without an id. */
function draft(overrides: Partial<Omit<Task, 'id'>> = {}): Omit<Task, 'id'> {
  return {
    title: '新任务',
    domain: '农村',
    start: '2026-03-01',
    deadline: '2026-12-31',
    target: { kind: 'percent', percent: 100 },
    townships: 'all',
    weight: 1,
    status: 'open',
    ...overrides,
  };
}

function task(id: string, overrides: Partial<Omit<Task, 'id'>> = {}): Task {
  return { id, ...draft({ title: `任务${id}`, ...overrides }) };
}

function county(tasks: Task[] = [task('T1'), task('T2')]): County {
  return {
    name: '示范县',
    townships: [
      { id: '城关镇', name: '城关镇', villages: 12 },
      { id: '红星乡', name: '红星乡', villages: 9 },
    ],
    groups: [
      { platform: 'wecom', chat: 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw', township: '城关镇', webhook: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1' },
      { platform: 'dingtalk', chat: 'cidAsXSBLnA==', role: 'leaders', webhook: 'https://oapi.dingtalk.com/robot/send?access_token=a', secret: 'SECx' },
    ],
    people: [{ platform: 'wecom', user: 'zhangsan', name: '张三', roles: ['admin'] }],
    tasks,
  };
}

let sourceSeq = 0;
function report(overrides: Partial<ReportInput> = {}): ReportInput {
  sourceSeq += 1;
  return {
    task: 'T1',
    township: '城关镇',
    amount: 80,
    value: '80%',
    note: '',
    by: zhang,
    at: '2026-11-02T09:00:00.000+08:00',
    source: `msg-${sourceSeq}`,
    ...overrides,
  };
}

describe('recording reports', () => {
  it('a report writes one ledger entry and sets the township’s progress', async () => {
    const { store, keys } = fresh();
    const result = await store.recordReport(report({ amount: 80, value: '80%', note: '已完成8个村' }));

    expect(result.duplicate).toBe(false);
    expect(result.before).toBeUndefined();
    expect(result.entry).toMatchObject({ task: 'T1', township: '城关镇', kind: 'report', amount: 80, value: '80%', note: '已完成8个村', by: zhang });
    expect(result.after).toEqual({ amount: 80, at: '2026-11-02T09:00:00.000+08:00', entry: result.entry.id, by: zhang });

    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(1);
    const raw = await t.redis.hget(keys.progress('T1'), '城关镇');
    expect(raw).not.toBeNull();
    expect(JSON.parse(raw ?? '')).toMatchObject({ amount: '80', entry: result.entry.id });
    expect(await t.redis.get(keys.seen('T1', result.entry.source))).toBe(result.entry.id);
    expect(await t.redis.ttl(keys.seen('T1', result.entry.source))).toBeGreaterThan(6 * 86_400);

    const progress = await store.progress(['T1', 'T2']);
    expect(progress.get('T1')?.get('城关镇')).toEqual(result.after);
    expect(progress.get('T2')?.size).toBe(0);
  });

  it('is recorded by a Redis that has forgotten the scripts, as after a restart or a failover', async () => {
    const { store, keys } = fresh();
    await store.recordReport(report({ amount: 50, value: '50%' }));
    await t.redis.script('FLUSH');

    const result = await store.recordReport(report({ amount: 80, value: '80%' }));

    expect(result.duplicate).toBe(false);
    expect(result.before?.amount).toBe(50);
    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(2);
  });

  it('the same source message twice is recorded once and gets the same answer', async () => {
    const { store, keys } = fresh();
    const first = await store.recordReport(report({ source: 'wecom-msg-1' }));
    const again = await store.recordReport(report({ source: 'wecom-msg-1', amount: 90 }));

    expect(again.duplicate).toBe(true);
    expect(again.entry).toEqual(first.entry);
    expect(again.after).toEqual(first.after);
    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(1);
    expect((await store.progress(['T1'])).get('T1')?.get('城关镇')?.amount).toBe(80);
  });

  it('two deliveries of one message racing on two connections record one entry', async () => {
    const { keys } = fresh();
    const [a, b] = [createRedisStore(await t.connect(), keys), createRedisStore(await t.connect(), keys)];
    const input = report({ source: 'raced' });
    const results = await Promise.all([a.recordReport(input), b.recordReport(input)]);

    expect(results.map((r) => r.duplicate).sort()).toEqual([false, true]);
    expect(results[0].entry.id).toBe(results[1].entry.id);
    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(1);
  });

  it('a lower value is recorded as a correction and the earlier entry stays in the ledger', async () => {
    const { store, keys } = fresh();
    const first = await store.recordReport(report({ amount: 80 }));
    const lower = await store.recordReport(report({ amount: 60, value: '60%', at: '2026-11-02T10:00:00.000+08:00' }));

    expect(lower.entry.kind).toBe('correction');
    expect(lower.before).toEqual(first.after);
    expect(lower.after.amount).toBe(60);
    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(2);
    const ledger = (await store.ledger(['T1'])).filter(isReportEntry);
    expect(ledger.map((e) => [e.kind, e.amount])).toEqual([
      ['report', 80],
      ['correction', 60],
    ]);
  });

  it('an equal or higher value is an ordinary report', async () => {
    const { store } = fresh();
    await store.recordReport(report({ amount: 60 }));
    expect((await store.recordReport(report({ amount: 60, at: '2026-11-03T09:00:00.000+08:00' }))).entry.kind).toBe('report');
    expect((await store.recordReport(report({ amount: 61 }))).entry.kind).toBe('report');
  });

  it('the same report sent again from another message within two hours is kept once, and that message is marked seen', async () => {
    const { store, keys } = fresh();
    const first = await store.recordReport(report({ amount: 80, value: '80%', note: '已完成8个村', source: 'ding-1' }));
    const resent = await store.recordReport(report({ amount: 80, value: '80%', note: '已完成8个村', source: 'ding-2', at: '2026-11-02T10:59:00.000+08:00' }));

    expect(resent).toMatchObject({ duplicate: false, repeated: true, entry: first.entry, after: first.after });
    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(1);
    expect(await t.redis.get(keys.seen('T1', 'ding-2'))).toBe(first.entry.id);
    expect((await store.recordReport(report({ amount: 80, value: '80%', note: '已完成8个村', source: 'ding-2' }))).duplicate).toBe(true);
  });

  it('is a new report when anything differs: the reporter, the value as typed, the note, or two hours passed', async () => {
    const { store, keys } = fresh();
    await store.recordReport(report({ amount: 80, value: '80%' }));
    const differing: Array<Partial<ReportInput>> = [
      { by: li },
      { value: '八成' },
      { note: '又查了一遍' },
      { at: '2026-11-02T13:00:00.000+08:00' },
    ];
    for (const change of differing) {
      const result = await store.recordReport(report({ amount: 80, value: '80%', ...change }));
      expect(result.repeated, JSON.stringify(change)).toBe(false);
    }
    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(1 + differing.length);
  });

  it('is a new report when another report came in between, even with the same words', async () => {
    const { store } = fresh();
    await store.recordReport(report({ amount: 80, value: '80%' }));
    await store.recordReport(report({ amount: 90, value: '90%' }));
    const back = await store.recordReport(report({ amount: 80, value: '80%' }));

    expect(back.repeated).toBe(false);
    expect(back.entry.kind).toBe('correction');
  });

  it('points 撤回 at a resent report only when its marker was lost, never over a later report of another task', async () => {
    const { store, keys } = fresh();
    const first = await store.recordReport(report({ task: 'T1' }));
    const other = await store.recordReport(report({ task: 'T2', at: '2026-11-02T09:10:00.000+08:00' }));
    await store.recordReport(report({ task: 'T1', at: '2026-11-02T09:20:00.000+08:00' }));
    expect((await store.lastReport('wecom', 'zhangsan'))?.entry).toBe(other.entry.id);

    await t.redis.del(keys.lastReport('wecom', 'zhangsan'));
    await store.recordReport(report({ task: 'T1', at: '2026-11-02T09:30:00.000+08:00' }));
    expect(await store.lastReport('wecom', 'zhangsan')).toMatchObject({ task: 'T1', entry: first.entry.id, at: first.entry.at });
  });

  it('amounts with many digits come back exactly as reported', async () => {
    const { store } = fresh();
    const third = 100 / 3;
    await store.recordReport(report({ amount: third }));
    const slightlyLess = await store.recordReport(report({ amount: 33.33333333333333 }));

    expect(slightlyLess.entry.kind).toBe('correction');
    expect(slightlyLess.before?.amount).toBe(third);
    expect((await store.ledger(['T1'])).filter(isReportEntry)[0]?.amount).toBe(third);
  });

  it('a report without a source message id is refused before anything is written', async () => {
    const { store, keys } = fresh();
    await expect(store.recordReport(report({ source: '' }))).rejects.toThrow(RangeError);
    expect(await t.redis.exists(keys.ledger('T1'))).toBe(0);
  });

  it('remembers each reporter’s newest report for 撤回', async () => {
    const { store } = fresh();
    await store.recordReport(report({ task: 'T1' }));
    const newest = await store.recordReport(report({ task: 'T2', township: '红星乡', at: '2026-11-02T11:00:00.000+08:00' }));

    expect(await store.lastReport('wecom', 'zhangsan')).toEqual({ task: 'T2', township: '红星乡', entry: newest.entry.id, at: '2026-11-02T11:00:00.000+08:00', amount: 80 });
    expect(await store.lastReport('wecom', 'lisi')).toBeUndefined();
  });
});

describe('reversing a report (撤回)', () => {
  const at = '2026-11-02T09:10:00.000+08:00';

  it('restores the previous value and appends a reversal entry', async () => {
    const { store, keys } = fresh();
    const earlier = await store.recordReport(report({ amount: 50 }));
    const later = await store.recordReport(report({ amount: 80 }));
    const last = await store.lastReport('wecom', 'zhangsan');
    expect(last?.entry).toBe(later.entry.id);
    if (!last) return;

    const result = await store.reverseReport(last, zhang, at, 'undo-1');

    expect(result).toMatchObject({ ok: true, restored: earlier.after });
    expect(result.ok && result.entry).toMatchObject({ kind: 'reversal', reverses: later.entry.id, amount: 50, value: '', note: '', by: zhang, at });
    expect((await store.progress(['T1'])).get('T1')?.get('城关镇')).toEqual(earlier.after);
    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(3);
    expect((await store.ledger(['T1'])).map((e) => e.kind)).toEqual(['report', 'report', 'reversal']);
  });

  it('leaves nothing for a second 撤回 to undo, and remembers that the last report was undone', async () => {
    const { store } = fresh();
    await store.recordReport(report({ amount: 50 }));
    await store.recordReport(report({ amount: 80 }));
    const last = await store.lastReport('wecom', 'zhangsan');
    if (!last) throw new Error('no last report');
    await store.reverseReport(last, zhang, at, 'undo-1');

    expect(await store.lastReport('wecom', 'zhangsan')).toEqual({ ...last, undone: true });
    expect(await store.reverseReport(last, zhang, at, 'undo-2')).toEqual({ ok: false, reason: 'superseded' });
    expect((await store.progress(['T1'])).get('T1')?.get('城关镇')?.amount).toBe(50);
  });

  it('is refused as superseded after someone else’s later report', async () => {
    const { store, keys } = fresh();
    await store.recordReport(report({ amount: 50, by: zhang }));
    const mine = await store.lastReport('wecom', 'zhangsan');
    const theirs = await store.recordReport(report({ amount: 70, by: li }));
    if (!mine) throw new Error('no last report');

    expect(await store.reverseReport(mine, zhang, at, 'undo-1')).toEqual({ ok: false, reason: 'superseded' });
    expect((await store.progress(['T1'])).get('T1')?.get('城关镇')).toEqual(theirs.after);
    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(2);
  });

  it('of a first report removes the township’s progress', async () => {
    const { store, keys } = fresh();
    const only = await store.recordReport(report({ amount: 30 }));
    const result = await store.reverseReport({ task: 'T1', township: '城关镇', entry: only.entry.id, at: only.entry.at }, zhang, at, 'undo-1');

    expect(result).toMatchObject({ ok: true, entry: { kind: 'reversal', amount: null, reverses: only.entry.id } });
    expect(result.ok && result.restored).toBeUndefined();
    expect(await t.redis.hexists(keys.progress('T1'), '城关镇')).toBe(0);
    expect((await store.progress(['T1'])).get('T1')?.has('城关镇')).toBe(false);
  });

  it('the same 撤回 message twice reverses once', async () => {
    const { store, keys } = fresh();
    const earlier = await store.recordReport(report({ amount: 50 }));
    const later = await store.recordReport(report({ amount: 80 }));
    const last = { task: 'T1', township: '城关镇', entry: later.entry.id, at: later.entry.at };

    const first = await store.reverseReport(last, zhang, at, 'undo-1');
    const again = await store.reverseReport(last, zhang, at, 'undo-1');

    expect(again).toEqual(first);
    expect(again).toMatchObject({ ok: true, restored: earlier.after });
    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(3);
  });

  it('of an entry the ledger does not hold is not-found', async () => {
    const { store } = fresh();
    await store.recordReport(report());
    const result = await store.reverseReport({ task: 'T1', township: '城关镇', entry: '1-1', at }, zhang, at, 'undo-1');
    expect(result).toEqual({ ok: false, reason: 'not-found' });
  });
});

describe('the ledger', () => {
  it('merges tasks oldest first and leaves out entries after `until`', async () => {
    const { store } = fresh();
    await store.recordReport(report({ task: 'T2', at: '2026-10-31T23:59:59.000+08:00', amount: 40 }));
    await store.recordReport(report({ task: 'T1', at: '2026-10-15T09:00:00.000+08:00', amount: 20 }));
    await store.recordReport(report({ task: 'T1', at: '2026-11-01T00:00:00.000+08:00', amount: 90 }));

    const october = (await store.ledger(['T1', 'T2'], '2026-10-31T15:59:59.000Z')).filter(isReportEntry);
    expect(october.map((e) => [e.task, e.amount])).toEqual([
      ['T1', 20],
      ['T2', 40],
    ]);
    expect(await store.ledger(['T1', 'T2'])).toHaveLength(3);
    expect(await store.ledger(['T9'])).toEqual([]);
  });
});

describe('tasks and the setup file', () => {
  it('createTask after loading T1..T12 gives T13, then T14', async () => {
    const { store } = fresh();
    await store.loadCounty(county(Array.from({ length: 12 }, (_, i) => task(`T${i + 1}`))));
    const rest = draft({ title: '阵地建设' });

    const created = await store.createTask(rest);
    expect(created.id).toBe('T13');
    expect(await store.task('T13')).toEqual(created);
    expect((await store.createTask(rest)).id).toBe('T14');
  });

  it('createTask never takes an id the setup file uses, even when the counter is behind', async () => {
    const { store, keys } = fresh();
    await store.loadCounty(county([task('T1'), task('T2')]));
    await t.redis.del(keys.taskSeq());
    const rest = draft();

    expect((await store.createTask(rest)).id).toBe('T3');
    expect((await store.task('T1'))?.title).toBe('任务T1');
  });

  it('loading the county twice gives the same state and keeps progress and chat-created tasks', async () => {
    const { store, keys } = fresh();
    const dump = async (): Promise<unknown> =>
      Promise.all([keys.county(), keys.townships(), keys.groups(), keys.people(), keys.tasks()].map((k) => t.redis.hgetall(k)));

    await store.loadCounty(county());
    const once = await dump();
    const reported = await store.recordReport(report());
    const rest = draft();
    const created = await store.createTask(rest);

    await store.loadCounty(county());
    expect(await store.task(created.id)).toEqual(created);
    await t.redis.hdel(keys.tasks(), created.id);
    expect(await dump()).toEqual(once);
    expect((await store.progress(['T1'])).get('T1')?.get('城关镇')).toEqual(reported.after);
    expect(await t.redis.xlen(keys.ledger('T1'))).toBe(1);
  });

  it('a reloaded file replaces townships and people, and updates groups and tasks without dropping chat-made ones', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    const smaller = county([task('T1', { title: '改名后的任务' })]);
    smaller.townships = smaller.townships.slice(0, 1);
    smaller.groups = smaller.groups.slice(1);
    await store.loadCounty(smaller);

    expect((await store.townships()).map((x) => x.id)).toEqual(['城关镇']);
    expect(await store.group('wecom', 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw')).toMatchObject({ township: '城关镇' });
    expect(await store.group('dingtalk', 'cidAsXSBLnA==')).toMatchObject({ role: 'leaders', secret: 'SECx' });
    expect((await store.tasks()).map((x) => [x.id, x.title])).toEqual([
      ['T1', '改名后的任务'],
      ['T2', '任务T2'],
    ]);
    expect(await store.countyName()).toBe('示范县');
    expect(await store.person('wecom', 'zhangsan')).toMatchObject({ name: '张三', roles: ['admin'] });
  });

  it('a setup file with an unreadable task writes nothing at all', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    const broken = county([task('T1', { title: '改名' }), task('T2', { deadline: '12月底' })]);
    broken.name = '别的县';

    await expect(store.loadCounty(broken)).rejects.toThrow(/task T2/);
    expect(await store.countyName()).toBe('示范县');
    expect((await store.task('T1'))?.title).toBe('任务T1');
  });

  it('keeps the setup file’s calendar overrides, and drops them when a later file has none', async () => {
    const { store } = fresh();
    expect(await store.calendarOverrides()).toEqual({});
    const calendar = { rest: ['2027-01-01'], work: ['2027-02-07'], years: [2027] };
    await store.loadCounty(county(), calendar);
    expect(await store.calendarOverrides()).toEqual(calendar);

    await store.loadCounty(county());
    expect(await store.calendarOverrides()).toEqual({});
  });

  it('keeps the setup file’s schedule settings, and goes back to the defaults when a later file has none', async () => {
    const { store } = fresh();
    expect(await store.scheduleSettings()).toEqual(DEFAULT_SCHEDULE);
    const schedule: ScheduleSettings = {
      time: '08:45',
      ladder: [10, 2, 0],
      officeHours: { start: '08:00', end: '17:30' },
      bottomMarksInTownshipGroups: true,
      overdueRepeatDays: 14,
      extensionGraceDays: 2,
      review: true,
      signOff: false,
    };
    await store.loadCounty(county(), {}, schedule);
    expect(await store.scheduleSettings()).toEqual(schedule);

    await store.loadCounty(county());
    expect(await store.scheduleSettings()).toEqual(DEFAULT_SCHEDULE);
  });

  it('refuses schedule settings the jobs could not use, and then writes nothing at all', async () => {
    const { store } = fresh();
    const schedule: ScheduleSettings = { ...DEFAULT_SCHEDULE, time: '10:00' };
    await store.loadCounty(county(), {}, schedule);
    const broken = county();
    broken.name = '别的县';

    const backwards: ScheduleSettings = { ...DEFAULT_SCHEDULE, officeHours: { start: '18:00', end: '08:30' } };
    await expect(store.loadCounty(broken, {}, backwards)).rejects.toThrow(/schedule settings/);
    await expect(store.loadCounty(broken, {}, { ...DEFAULT_SCHEDULE, ladder: [3, 3] })).rejects.toThrow(/schedule settings/);
    expect(await store.countyName()).toBe('示范县');
    expect(await store.scheduleSettings()).toEqual(schedule);
  });

  it('a stored schedule that does not parse is reported, not passed on', async () => {
    const { store, keys } = fresh();
    await store.loadCounty(county());
    await t.redis.hset(keys.county(), 'schedule', JSON.stringify({ time: '9点', ladder: [5] }));

    await expect(store.scheduleSettings()).rejects.toThrow(StoreDataError);
    await expect(store.scheduleSettings()).rejects.toThrow(/county\} schedule/);
  });

  it('lists tasks in id order, T2 before T10', async () => {
    const { store } = fresh();
    await store.loadCounty(county([task('T10'), task('T2'), task('T1')]));
    expect((await store.tasks()).map((x) => x.id)).toEqual(['T1', 'T2', 'T10']);
  });

  it('saveGroup binds a chat and saveTask closes a task', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    await store.saveGroup({ platform: 'console', chat: 'local', township: '红星乡' });
    await store.saveTask(task('T2', { status: 'closed', closedOn: '2026-11-20' }));

    expect(await store.group('console', 'local')).toEqual({ platform: 'console', chat: 'local', township: '红星乡' });
    expect(await store.groups()).toHaveLength(3);
    expect(await store.task('T2')).toMatchObject({ status: 'closed', closedOn: '2026-11-20' });
  });

  it('a value in Redis that does not parse is reported, not passed on', async () => {
    const { store, keys } = fresh();
    await store.loadCounty(county());
    await t.redis.hset(keys.tasks(), 'T9', JSON.stringify({ id: 'T9', title: 'broken' }));

    await expect(store.tasks()).rejects.toThrow(StoreDataError);
    await expect(store.task('T9')).rejects.toThrow(/tasks T9/);
  });
});

describe('the county as each instance keeps it', () => {
  /** A second instance of the bot on the same Redis and key space. */
  const other = (keys: Keys): Store => createRedisStore(t.redis, keys);

  it('sees at its next read what another instance changed in chat: a bound group, a new task, a 销号', async () => {
    const { store, keys } = fresh();
    await store.loadCounty(county());
    expect(await store.tasks()).toHaveLength(2);
    expect(await store.group('console', 'local')).toBeUndefined();

    const second = other(keys);
    await second.saveGroup({ platform: 'console', chat: 'local', township: '红星乡' });
    const created = await second.createTask(draft({ title: '秸秆禁烧' }));
    await second.recordTaskEvent({ task: 'T1', kind: 'closed', on: '2026-11-20', by: zhang, at: '2026-11-20T10:00:00.000+08:00', source: 'close-1' });

    expect(await store.group('console', 'local')).toEqual({ platform: 'console', chat: 'local', township: '红星乡' });
    expect((await store.tasks()).map((x) => x.id)).toEqual(['T1', 'T2', created.id]);
    expect(await store.task('T1')).toMatchObject({ status: 'closed', closedOn: '2026-11-20' });
  });

  it('sees a 设置AB角 made by another instance', async () => {
    const { store, keys } = fresh();
    await store.loadCounty({ ...county(), people: [{ platform: 'wecom', user: 'lisi', name: '李四', roles: [], township: '红星乡' }] });
    expect(await store.person('wecom', 'lisi')).not.toHaveProperty('cover');

    expect(await other(keys).setCover('红星乡', () => 'B')).toBe('set');

    expect(await store.person('wecom', 'lisi')).toMatchObject({ cover: 'B' });
  });

  it('never serves a county wiped and loaded again from the copy of the one before', async () => {
    const { store, keys } = fresh();
    await store.loadCounty(county([task('T1'), task('T2'), task('T3')]));
    expect(await store.tasks()).toHaveLength(3);

    for (const key of await t.redis.keys(`${keys.prefix}:*`)) await t.redis.del(key);
    await other(keys).loadCounty({ ...county([task('T1', { title: '新的一年' })]), name: '另一县' });

    expect(await store.countyName()).toBe('另一县');
    expect(await store.tasks()).toEqual([task('T1', { title: '新的一年' })]);
  });

  it('reads afresh every time a county that has no version, as one written by hand', async () => {
    const { store, keys } = fresh();
    await store.loadCounty(county());
    await t.redis.del(keys.countyVersion());
    expect(await store.tasks()).toHaveLength(2);

    await t.redis.hset(keys.tasks(), 'T3', JSON.stringify(task('T3')));

    expect((await store.tasks()).map((x) => x.id)).toEqual(['T1', 'T2', 'T3']);
  });

  it('hands out values no caller can change for the others', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    const [first] = await store.tasks();

    expect(() => Object.assign(first ?? {}, { title: '改了' })).toThrow(TypeError);
    expect((await store.task('T1'))?.title).toBe('任务T1');
  });
});

describe('standings (what ranking reads)', () => {
  /** What ranking needs of progress, as the full progress says it. */
  /** The standings as progress says them: amount and time, by task and every township given a slot. */
  async function standingsOf(store: Store, keys: Keys, taskIds: string[]): Promise<Map<string, Map<string, { amount: number; at: string }>>> {
    const [table, slots] = await Promise.all([store.standings(taskIds), t.redis.hkeys(keys.townshipSlots())]);
    return new Map(
      taskIds.map((task) => {
        const cells = table.cells(task) ?? new Float64Array(0);
        const byTownship = new Map<string, { amount: number; at: string }>();
        for (const id of slots) {
          const record = table.recordOf(id);
          const at = record === undefined ? 0 : (cells[2 * record + 1] ?? 0);
          if (record !== undefined && at !== 0) byTownship.set(id, { amount: cells[2 * record] ?? Number.NaN, at: beijingInstant(new Date(at)) });
        }
        return [task, byTownship];
      }),
    );
  }

  async function projected(store: Store, taskIds: string[]): Promise<Map<string, Map<string, { amount: number; at: string }>>> {
    const full = await store.progress(taskIds);
    return new Map([...full].map(([task, byTownship]) => [task, new Map([...byTownship].map(([t, p]) => [t, { amount: p.amount, at: p.at }]))]));
  }

  it('say what progress says after reports, corrections and reversals, down to no progress at all', async () => {
    const { store, keys } = fresh();
    await store.loadCounty(county());
    await store.recordReport(report({ township: '城关镇', amount: 80 }));
    await store.recordReport(report({ township: '红星乡', amount: 30, at: '2026-11-03T10:00:00.000+08:00' }));
    await store.recordReport(report({ township: '城关镇', amount: 60, by: li, at: '2026-11-04T10:00:00.000+08:00' }));
    const last = await store.lastReport('wecom', 'lisi');
    if (!last) throw new Error('no last report');
    await store.reverseReport(last, li, '2026-11-04T10:05:00.000+08:00', 'undo-1');
    const hongxing = await store.recordReport(report({ task: 'T2', township: '红星乡', amount: 10, by: li, at: '2026-11-05T10:00:00.000+08:00' }));
    await store.reverseReport({ task: 'T2', township: '红星乡', entry: hongxing.entry.id, at: hongxing.entry.at }, li, '2026-11-05T10:01:00.000+08:00', 'undo-2');

    const standings = await standingsOf(store, keys, ['T1', 'T2']);
    expect(standings).toEqual(await projected(store, ['T1', 'T2']));
    expect(standings.get('T1')?.get('城关镇')).toEqual({ amount: 80, at: '2026-11-02T09:00:00.000+08:00' });
    expect(standings.get('T2')?.size).toBe(0);
  });

  it('are made from progress for a task recorded before they existed, and kept whole after', async () => {
    const { store, keys } = fresh();
    await store.loadCounty(county());
    await store.recordReport(report({ township: '城关镇', amount: 80 }));
    await store.recordReport(report({ township: '红星乡', amount: 40 }));
    await t.redis.del(keys.standings('T1'));
    // A report while the string is missing must not leave a string with only its own township.
    await store.recordReport(report({ township: '红星乡', amount: 50 }));

    expect(await t.redis.exists(keys.standings('T1'))).toBe(0);
    expect(await standingsOf(store, keys, ['T1'])).toEqual(await projected(store, ['T1']));
    await store.recordReport(report({ township: '城关镇', amount: 90 }));
    expect(await standingsOf(store, keys, ['T1'])).toEqual(await projected(store, ['T1']));
  });

  it('keep every township in its place when townships come and go', async () => {
    const { store, keys } = fresh();
    const base = county();
    await store.loadCounty(base);
    await store.recordReport(report({ township: '红星乡', amount: 40 }));
    await store.loadCounty({ ...base, townships: [{ id: '青山镇', name: '青山镇', villages: 10 }, ...base.townships] });
    await store.recordReport(report({ township: '青山镇', amount: 70 }));
    await store.loadCounty({ ...base, townships: base.townships.filter((x) => x.id !== '城关镇') });

    expect(await standingsOf(store, keys, ['T1'])).toEqual(
      new Map([['T1', new Map([['红星乡', { amount: 40, at: '2026-11-02T09:00:00.000+08:00' }], ['青山镇', { amount: 70, at: '2026-11-02T09:00:00.000+08:00' }]])]]),
    );
  });

  it('agree with progress after any sequence of reports and reversals', async () => {
    const townships = ['城关镇', '红星乡'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ township: fc.constantFrom(...townships), amount: fc.integer({ min: 0, max: 100 }), undo: fc.boolean(), day: fc.integer({ min: 1, max: 28 }) }), { maxLength: 12 }),
        async (steps) => {
          const { store, keys } = fresh();
          await store.loadCounty(county());
          for (const [i, step] of steps.entries()) {
            const at = `2026-11-${String(step.day).padStart(2, '0')}T09:00:00.000+08:00`;
            await store.recordReport(report({ township: step.township, amount: step.amount, at, by: li }));
            const last = await store.lastReport('wecom', 'lisi');
            if (step.undo && last) await store.reverseReport(last, li, at, `undo-${String(i)}`);
          }
          expect(await standingsOf(store, keys, ['T1'])).toEqual(await projected(store, ['T1']));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('kept replies', () => {
  it('keep the text a week and the picture an hour, and give back the picture while it lasts', async () => {
    const { store, keys } = fresh();
    const reply = { title: '排名', lines: [['1. 城关镇']], image: { base64: 'iVBORw0KGgo=' } };
    await store.saveReply('wecom:m1', reply, 7 * 24 * 3600, 3600);

    expect(await store.reply('wecom:m1')).toEqual(reply);
    expect(await t.redis.ttl(keys.reply('wecom:m1'))).toBeGreaterThan(6 * 24 * 3600);
    expect(await t.redis.ttl(keys.replyPicture('wecom:m1'))).toBeLessThanOrEqual(3600);
    await t.redis.del(keys.replyPicture('wecom:m1'));
    expect(await store.reply('wecom:m1')).toEqual({ title: '排名', lines: [['1. 城关镇']] });
  });
});

describe('the earliest report', () => {
  it('is the first ledger entry\'s time across the tasks, and none before any report', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    expect(await store.earliestReport(['T1', 'T2'])).toBeUndefined();
    await store.recordReport(report({ task: 'T2', at: '2026-11-03T09:00:00.000+08:00' }));
    await store.recordReport(report({ task: 'T1', at: '2026-11-02T09:00:00.000+08:00' }));
    await store.recordReport(report({ task: 'T1', at: '2026-11-01T09:00:00.000+08:00' }));
    // The first entry of each ledger, not the earliest time written into it later.
    expect(await store.earliestReport(['T1', 'T2'])).toBe('2026-11-02T09:00:00.000+08:00');
  });

  it('passes over 销号 and 恢复 written before any report', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    // More than one page of events.
    for (let i = 0; i < 12; i += 1) {
      const at = `2026-10-${String(i + 1).padStart(2, '0')}T09:00:00.000+08:00`;
      await store.recordTaskEvent({ task: 'T1', kind: i % 2 === 0 ? 'closed' : 'reopened', on: at.slice(0, 10), by: zhang, at, source: `event-${String(i)}` });
    }
    expect(await store.earliestReport(['T1'])).toBeUndefined();
    await store.recordReport(report({ task: 'T1', at: '2026-11-05T09:00:00.000+08:00' }));
    expect(await store.earliestReport(['T1', 'T2'])).toBe('2026-11-05T09:00:00.000+08:00');
  });
});

describe('closing and reopening a task (销号, 恢复)', () => {
  const closing = (kind: 'closed' | 'reopened', on: string, source: string) =>
    ({ task: 'T2', kind, on, by: zhang, at: `${on}T10:00:00.000+08:00`, source }) as const;

  it('closes the task and appends a closed event, with no township and no amount, to its ledger', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    await store.recordReport(report({ task: 'T2' }));

    const result = await store.recordTaskEvent(closing('closed', '2026-11-20', 'close-1'));

    expect(result).toMatchObject({ ok: true, task: { id: 'T2', status: 'closed', closedOn: '2026-11-20' } });
    expect(await store.task('T2')).toMatchObject({ status: 'closed', closedOn: '2026-11-20' });
    const ledger = await store.ledger(['T2']);
    expect(ledger.map((e) => e.kind)).toEqual(['report', 'closed']);
    expect(ledger[1]).toEqual({ id: expect.any(String) as string, task: 'T2', kind: 'closed', by: zhang, at: '2026-11-20T10:00:00.000+08:00', source: 'close-1' });
  });

  it('reopens it, remembering the closing day it undid, and the open task has no closing day', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    await store.recordTaskEvent(closing('closed', '2026-11-20', 'close-1'));

    const result = await store.recordTaskEvent(closing('reopened', '2026-11-23', 'reopen-1'));

    expect(result.ok && result.entry).toMatchObject({ kind: 'reopened', closedOn: '2026-11-20', source: 'reopen-1' });
    expect(await store.task('T2')).toEqual(task('T2'));
  });

  it('writes nothing when the task already has that status', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    expect(await store.recordTaskEvent(closing('reopened', '2026-11-20', 'reopen-1'))).toEqual({ ok: false, reason: 'unchanged', task: task('T2') });
    await store.recordTaskEvent(closing('closed', '2026-11-20', 'close-1'));
    expect(await store.recordTaskEvent(closing('closed', '2026-11-21', 'close-2'))).toMatchObject({ ok: false, reason: 'unchanged' });
    expect((await store.ledger(['T2'])).map((e) => e.kind)).toEqual(['closed']);
    expect(await store.task('T2')).toMatchObject({ closedOn: '2026-11-20' });
  });

  it('closes once when two admins close at the same moment', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    const results = await Promise.all([store.recordTaskEvent(closing('closed', '2026-11-20', 'a')), store.recordTaskEvent(closing('closed', '2026-11-20', 'b'))]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await store.ledger(['T2'])).toHaveLength(1);
  });

  it('says not-found for a task the county does not have', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    expect(await store.recordTaskEvent({ ...closing('closed', '2026-11-20', 'c'), task: 'T9' })).toEqual({ ok: false, reason: 'not-found' });
  });
});

describe('reloading a setup file after 销号 and 恢复 in chat', () => {
  it('keeps a task closed in chat closed while the file says open', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    await store.recordTaskEvent({ task: 'T2', kind: 'closed', on: '2026-11-20', by: zhang, at: '2026-11-20T10:00:00.000+08:00', source: 'c' });
    await store.loadCounty(county());
    expect(await store.task('T2')).toMatchObject({ status: 'closed', closedOn: '2026-11-20' });
  });

  it('keeps a task the file closed open once it was reopened in chat, as long as the file says closed as before', async () => {
    const { store } = fresh();
    const closedInFile = county([task('T1'), task('T2', { status: 'closed' })]);
    await store.loadCounty(closedInFile);
    await store.recordTaskEvent({ task: 'T2', kind: 'reopened', on: '2026-11-23', by: zhang, at: '2026-11-23T10:00:00.000+08:00', source: 'r' });

    await store.loadCounty(closedInFile);

    expect(await store.task('T2')).toMatchObject({ status: 'open' });
  });

  it('closes a task when the file newly says closed, even one reopened in chat before', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    await store.recordTaskEvent({ task: 'T2', kind: 'closed', on: '2026-11-20', by: zhang, at: '2026-11-20T10:00:00.000+08:00', source: 'c' });
    await store.recordTaskEvent({ task: 'T2', kind: 'reopened', on: '2026-11-21', by: zhang, at: '2026-11-21T10:00:00.000+08:00', source: 'r' });

    await store.loadCounty(county([task('T1'), task('T2', { status: 'closed' })]));

    expect(await store.task('T2')).toMatchObject({ status: 'closed' });
  });

  it('dates such a closing and writes it into the ledger when told who loads the file', async () => {
    const { store } = fresh();
    await store.loadCounty(county());
    const loadedBy: EntryOrigin = { by: { platform: 'console', user: 'duban-load', name: '设置文件' }, at: '2026-11-25T08:00:00.000+08:00', source: 'setup:county.yaml' };

    await store.loadCounty(county([task('T1'), task('T2', { status: 'closed' })]), undefined, undefined, loadedBy);
    await store.loadCounty(county([task('T1'), task('T2', { status: 'closed' })]), undefined, undefined, loadedBy);

    expect(await store.task('T2')).toMatchObject({ status: 'closed', closedOn: '2026-11-25' });
    expect(await store.ledger(['T1', 'T2'])).toEqual([{ id: expect.any(String) as string, task: 'T2', kind: 'closed', ...loadedBy }]);
  });
});

describe('a batch of tasks (duban import)', () => {
  it('updates tasks by id and gives new ones the next free ids, skipping ids already taken', async () => {
    const { store } = fresh();
    await store.loadCounty(county([task('T1'), task('T2'), task('T4')]));
    const created = await store.importTasks([task('T1', { title: '改过的任务' }), task('T3', { title: '表里编号的任务' })], [draft({ title: '甲' }), draft({ title: '乙' })]);

    expect(created.map((c) => c.id)).toEqual(['T5', 'T6']);
    expect((await store.tasks()).map((x) => `${x.id}:${x.title}`)).toEqual(['T1:改过的任务', 'T2:任务T2', 'T3:表里编号的任务', 'T4:任务T4', 'T5:甲', 'T6:乙']);
  });
});

describe('pictures, secrets and credentials', () => {
  it('stores the same picture once under its hash and never shortens its life', async () => {
    const { store, keys } = fresh();
    const bytes = Buffer.from('PNG bytes');
    const id = await store.putImage(bytes, 1000);
    const again = await store.putImage(bytes, 10);

    expect(again).toBe(id);
    expect(await store.image(id)).toEqual(bytes);
    expect(await t.redis.ttl(keys.image(id))).toBeGreaterThan(900);
    expect(await store.image('0'.repeat(64))).toBeUndefined();
  });

  it('makes a secret once, the same for every instance, and keeps it', async () => {
    const { store, keys } = fresh();
    const other = createRedisStore(t.redis, keys);
    const [a, b] = await Promise.all([store.secret('dashboard'), other.secret('dashboard')]);

    expect(a).toHaveLength(32);
    expect(b).toEqual(a);
    expect(await createRedisStore(t.redis, keys).secret('dashboard')).toEqual(a);
  });

  it('keeps a credential until it expires or is dropped', async () => {
    const { store } = fresh();
    await store.saveCredential('wecom-app:token', 'tok', 60);
    expect(await store.credential('wecom-app:token')).toBe('tok');
    await store.dropCredential('wecom-app:token');
    expect(await store.credential('wecom-app:token')).toBeUndefined();
  });
});

describe('ranking snapshots and health', () => {
  it('a ranking snapshot round-trips', async () => {
    const { store } = fresh();
    const snapshot: RankingSnapshot = {
      month: '2026-10',
      asOf: '2026-10-31',
      rows: [
        { township: '城关镇', name: '城关镇', score: 875, rank: 1, previousRank: 2, tasks: 4, done: 3, doneLate: 0, behind: 1, overdue: 0, lastAt: '2026-10-30T10:00:00.000+08:00', bottom: false },
        { township: '红星乡', name: '红星乡', score: 500, rank: 2, tasks: 4, done: 1, doneLate: 0, behind: 2, overdue: 1, bottom: true },
      ],
    };
    await store.saveRankingSnapshot(snapshot);

    expect(await store.rankingSnapshot('2026-10')).toEqual(snapshot);
    expect(await store.rankingSnapshot('2026-09')).toBeUndefined();
  });

  it('ping answers true while Redis is connected', async () => {
    expect(await fresh().store.ping()).toBe(true);
  });
});

describe('keys', () => {
  it('keys written together share a hash tag, so scripts and MULTIs stay within one cluster slot', () => {
    const keys = createKeys('duban');
    const tagged = [keys.progress('T3'), keys.ledger('T3'), keys.seen('T3', 'msg:1{x}')];
    expect(tagged.map((k) => /\{([^}]*)\}/.exec(k)?.[1])).toEqual(['t:T3', 't:T3', 't:T3']);
    expect(keys.progress('T3')).toBe('duban:{t:T3}:progress');
    const setup = [keys.county(), keys.townships(), keys.groups(), keys.people(), keys.tasks(), keys.taskSeq()];
    expect(new Set(setup.map((k) => /\{([^}]*)\}/.exec(k)?.[1]))).toEqual(new Set(['county']));
    expect(() => createKeys('a{b}')).toThrow();
  });
});

describe('a read made in batches', () => {
  it('hands over every batch in order, and fails on the first that fails without leaving the later failures unhandled', async () => {
    const { keys } = fresh();
    const names = ['a', 'b', 'c', 'd', 'e'].map((name) => `${keys.prefix}:batch:${name}`);
    for (const [i, key] of names.entries()) await t.redis.set(key, String(i));
    const taken: string[][] = [];
    await readInBatches(t.redis, names, 2, (pipeline, key) => pipeline.get(key), (replies) => {
      taken.push(replies.map(String));
    });
    expect(taken).toEqual([['0', '1'], ['2', '3'], ['4']]);

    // Not a hash: HGETALL fails for every batch from the second on, the later ones while the second's failure is handled.
    const hashes = names.slice(0, 2);
    const strings = names.slice(2);
    await Promise.all(hashes.map((key) => t.redis.del(key).then(() => t.redis.hset(key, 'f', '1'))));
    const seen: number[] = [];
    const read = readInBatches(t.redis, [...hashes, ...strings], 2, (pipeline, key) => pipeline.hgetall(key), (replies) => {
      seen.push(replies.length);
    });
    await expect(read).rejects.toThrow(/WRONGTYPE/);
    expect(seen).toEqual([2]);
  });
});
