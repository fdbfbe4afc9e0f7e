/** AB角: whom a township's posts @ on a day, and reading 请假 and 设置AB角. Every day is an argument. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coveringOn, dutyOn, keepCoverSetInChat, mentionsOnDuty, onLeave, planCover, type Leave } from '../../../src/domain/cover.js';
import type { Group, Person, Township } from '../../../src/domain/model.js';
import { parseCover, parseLeave } from '../../../src/domain/parse/index.js';

const chengguan: Township = { id: '城关镇', name: '城关镇', villages: 12 };
const hongxing: Township = { id: '红星乡', name: '红星乡', villages: 9 };
const wecomGroup: Group = { platform: 'wecom', chat: 'wrk-chengguan', township: '城关镇' };
const dingtalkGroup: Group = { platform: 'dingtalk', chat: 'cid-chengguan', township: '城关镇' };

const person = (user: string, name: string, fields: Partial<Person> = {}): Person => ({ platform: 'wecom', user, name, roles: [], township: '城关镇', ...fields });

const lisi = person('lisi', '李四', { cover: 'A' });
const wangwu = person('wangwu', '王五', { cover: 'B' });
const zhaoliu = person('zhaoliu', '赵六');
const people = [lisi, wangwu, zhaoliu, person('zhou', '周联络', { township: '红星乡' })];

/** 李四's leave, said on 1 December, to 10 December. */
const leave = (fields: Partial<Leave> = {}): Leave => ({
  township: '城关镇',
  by: { platform: 'wecom', user: 'lisi', name: '李四' },
  from: '2026-12-01',
  until: '2026-12-10',
  at: '2026-12-01T09:00:00.000+08:00',
  ...fields,
});

describe('whom a township’s posts @', () => {
  it('@-s everyone of a township without an A, as before AB角', () => {
    const unmarked = people.map((p) => ({ ...p, cover: undefined }));
    expect(mentionsOnDuty(unmarked, chengguan, wecomGroup, undefined, '2026-12-01')).toEqual(['lisi', 'wangwu', 'zhaoliu']);
    expect(dutyOn(unmarked, '城关镇', undefined, '2026-12-01').kind).toBe('everyone');
  });

  it('@-s only the A once one is marked', () => {
    expect(mentionsOnDuty(people, chengguan, wecomGroup, undefined, '2026-12-01')).toEqual(['lisi']);
  });

  it('@-s the B while the A is on leave, up to and including its last day', () => {
    expect(mentionsOnDuty(people, chengguan, wecomGroup, leave(), '2026-12-01')).toEqual(['wangwu']);
    expect(mentionsOnDuty(people, chengguan, wecomGroup, leave(), '2026-12-10')).toEqual(['wangwu']);
  });

  it('@-s the A again the day after the leave’s last day, with nothing to end it', () => {
    expect(mentionsOnDuty(people, chengguan, wecomGroup, leave(), '2026-12-11')).toEqual(['lisi']);
  });

  it('@-s the A again from the day 销假 ended the leave', () => {
    expect(mentionsOnDuty(people, chengguan, wecomGroup, leave({ endedOn: '2026-12-03' }), '2026-12-03')).toEqual(['lisi']);
  });

  it('@-s nobody while the A is on leave and the township has no B', () => {
    const noB = people.filter((p) => p !== wangwu);
    expect(mentionsOnDuty(noB, chengguan, wecomGroup, leave(), '2026-12-02')).toEqual([]);
    expect(dutyOn(noB, '城关镇', leave(), '2026-12-02').kind).toBe('nobody');
  });

  it('ignores a leave taken by someone who is no longer the A', () => {
    const replaced = [{ ...lisi, cover: undefined }, wangwu, { ...zhaoliu, cover: 'A' as const }];
    expect(onLeave(leave(), replaced, '2026-12-02')).toBe(false);
    expect(mentionsOnDuty(replaced, chengguan, wecomGroup, leave(), '2026-12-02')).toEqual(['zhaoliu']);
  });

  it('@-s the A on every platform they have an account on, and in a group where they have none, the township’s people there', () => {
    const onDingtalk = [...people, person('lisi-dd', '李四', { platform: 'dingtalk', cover: 'A' }), person('sun-dd', '孙七', { platform: 'dingtalk' })];
    expect(mentionsOnDuty(onDingtalk, chengguan, dingtalkGroup, undefined, '2026-12-01')).toEqual(['lisi-dd']);
    // The B has no DingTalk account: the township's people there, never the A on leave.
    expect(mentionsOnDuty(onDingtalk, chengguan, dingtalkGroup, leave(), '2026-12-02')).toEqual(['sun-dd']);
  });

  it('leaves other townships alone', () => {
    expect(mentionsOnDuty(people, hongxing, { platform: 'wecom', chat: 'wrk-hongxing', township: '红星乡' }, leave(), '2026-12-02')).toEqual(['zhou']);
  });
});

describe('who is covering, for the digest and the dashboard', () => {
  it('names each township whose A is away today, until when, and its B', () => {
    expect(coveringOn(people, [chengguan, hongxing], [leave()], '2026-12-05')).toEqual([{ township: chengguan, away: '李四', until: '2026-12-10', cover: '王五' }]);
  });

  it('names no one once the leave is over or ended', () => {
    expect(coveringOn(people, [chengguan], [leave()], '2026-12-11')).toEqual([]);
    expect(coveringOn(people, [chengguan], [leave({ endedOn: '2026-12-04' })], '2026-12-05')).toEqual([]);
  });

  it('says no one covers when there is no B', () => {
    expect(coveringOn([lisi, zhaoliu], [chengguan], [leave()], '2026-12-05')).toEqual([{ township: chengguan, away: '李四', until: '2026-12-10' }]);
  });
});

describe('the last day of a leave', () => {
  it('reads 至12月10日, 12月10日 and 2026-12-10 as that day', () => {
    for (const said of ['至12月10日', '12月10日', '到2026-12-10', '12月10日前']) expect(parseLeave(said, '2026-12-01')).toEqual({ ok: true, value: '2026-12-10' });
  });

  it('reads a January day said at the end of December as next January', () => {
    expect(parseLeave('至1月3日', '2026-12-28')).toEqual({ ok: true, value: '2027-01-03' });
  });

  it('keeps a day just past as it is, for the command to refuse, rather than a leave of a year', () => {
    expect(parseLeave('至11月20日', '2026-11-23')).toEqual({ ok: true, value: '2026-11-20' });
  });

  it('counts today as a leave of one day', () => {
    expect(parseLeave('至今天', '2026-11-23')).toEqual({ ok: true, value: '2026-11-23' });
  });

  it('says what it could not read', () => {
    expect(parseLeave('下周', '2026-11-23')).toEqual({ ok: false, problem: { code: 'date-unknown', text: '下周' } });
    expect(parseLeave('', '2026-11-23')).toEqual({ ok: false, problem: { code: 'empty' } });
  });
});

describe('设置AB角’s arguments', () => {
  it('reads the township, the A and the B in the forms a clerk types', () => {
    const set = { ok: true, value: { township: '城关镇', kind: 'set', a: '李四', b: '王五' } };
    expect(parseCover('城关镇 A 李四 B 王五')).toEqual(set);
    expect(parseCover('城关镇 A角李四 B角王五')).toEqual(set);
    expect(parseCover('城关镇 a:李四 b：王五')).toEqual(set);
    expect(parseCover('城关镇 B 王五 A 李四')).toEqual(set);
  });

  it('reads a township left out (its own group), no B, taking AB角 away, and looking', () => {
    expect(parseCover('A 李四')).toEqual({ ok: true, value: { kind: 'set', a: '李四' } });
    expect(parseCover('城关镇 A 李四 B 无')).toEqual({ ok: true, value: { township: '城关镇', kind: 'set', a: '李四' } });
    expect(parseCover('城关镇 取消')).toEqual({ ok: true, value: { township: '城关镇', kind: 'clear' } });
    expect(parseCover('城关镇')).toEqual({ ok: true, value: { township: '城关镇', kind: 'show' } });
    expect(parseCover('')).toEqual({ ok: true, value: { kind: 'show' } });
  });

  it('names what is wrong', () => {
    expect(parseCover('城关镇 A B 王五')).toEqual({ ok: false, problem: { code: 'name-missing', role: 'A' } });
    expect(parseCover('城关镇 B 王五')).toEqual({ ok: false, problem: { code: 'b-without-a' } });
    expect(parseCover('城关镇 A 李四 A 王五')).toEqual({ ok: false, problem: { code: 'role-twice', role: 'A' } });
    expect(parseCover('城关镇 红星乡 A 李四')).toEqual({ ok: false, problem: { code: 'stray', text: '红星乡' } });
  });
});

describe('the marks 设置AB角 plans', () => {
  it('marks every account of the A and the B, and no one else of the township', () => {
    const plan = planCover([...people, person('lisi-dd', '李四', { platform: 'dingtalk' })], '城关镇', { kind: 'set', a: '赵六', b: '李四' });
    if (!plan.ok) throw new Error('planned nothing');
    expect([lisi, wangwu, zhaoliu].map(plan.roleOf)).toEqual(['B', undefined, 'A']);
  });

  it('refuses a name no one of the township goes by, and one person as both', () => {
    expect(planCover(people, '城关镇', { kind: 'set', a: '李四', b: '周联络' })).toEqual({ ok: false, why: 'unknown', names: ['周联络'] });
    expect(planCover(people, '城关镇', { kind: 'set', a: '李四', b: '李四' })).toEqual({ ok: false, why: 'same', name: '李四' });
  });
});

describe('a setup file loaded again', () => {
  const file = [{ ...lisi, cover: undefined }, { ...wangwu, cover: undefined }, { ...zhaoliu, cover: undefined }];

  it('keeps the marks chat set in a township the file marks no one in', () => {
    const kept = keepCoverSetInChat(file, [lisi, wangwu, zhaoliu], new Set(['城关镇']));
    expect(kept.people.map((p) => p.cover)).toEqual(['A', 'B', undefined]);
    expect(kept.setInChat).toEqual(['城关镇']);
  });

  it('takes the file’s marks where it marks anyone, and forgets chat’s there', () => {
    const kept = keepCoverSetInChat([file[0]!, file[1]!, { ...zhaoliu, cover: 'A' }], [lisi, wangwu, zhaoliu], new Set(['城关镇']));
    expect(kept.people.map((p) => p.cover)).toEqual([undefined, undefined, 'A']);
    expect(kept.setInChat).toEqual([]);
  });

  it('takes the file as it is where chat never set AB角', () => {
    expect(keepCoverSetInChat(file, [lisi, wangwu, zhaoliu], new Set()).people.map((p) => p.cover)).toEqual([undefined, undefined, undefined]);
  });
});

describe('请假 and 设置AB角 on any input', () => {
  it('answer a day or a problem, and never throw', () => {
    const today = fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2098-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const said = fc.oneof(fc.string(), fc.array(fc.constantFrom('至', '12月', '1月', '10日', '底', 'A', 'B', '角', '：', ' ', '李四', '城关镇', '取消', '无', 'a'), { maxLength: 10 }).map((p) => p.join('')));
    fc.assert(
      fc.property(said, today, (s, day) => {
        const leaveDay = parseLeave(s, day);
        if (leaveDay.ok) expect(leaveDay.value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        const args = parseCover(s);
        if (args.ok && args.value.kind === 'set') expect(args.value.a).not.toBe('');
      }),
      { numRuns: 2000 },
    );
  });
});
