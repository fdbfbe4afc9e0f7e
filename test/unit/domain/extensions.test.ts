import { describe, expect, it } from 'vitest';
import { deadlineOf, grantsAsOf, lastDayToAsk, openRequests, requestProblem, workdaysWaiting, type ExtensionRequest } from '../../../src/domain/extensions.js';
import { lightFor, pace } from '../../../src/domain/lights.js';
import type { ExtensionEntry, LedgerEntry, Reporter } from '../../../src/domain/model.js';
import { parseDecision, parseExtension } from '../../../src/domain/parse/index.js';
import { buildRanking } from '../../../src/domain/ranking.js';
import { taskOf } from '../../fixtures/county.js';
import { calendarStub } from '../../helpers/calendar-stub.js';

/** Monday to Friday; 1–3 October off, 10 October (a Saturday) worked. */
const calendar = calendarStub({ holidays: ['2026-10-01', '2026-10-02'], makeUpWorkdays: ['2026-10-10'] });
const li: Reporter = { platform: 'console', user: 'li', name: '李联络' };

const granted = (task: string, township: string, to: string, at: string): ExtensionEntry => ({
  id: `${String(Date.parse(at))}-0`,
  task,
  kind: 'extension-granted',
  township,
  request: 1,
  from: '2026-11-30',
  to,
  reason: '',
  by: li,
  at,
  source: `console:${at}`,
});

describe('a township’s deadline', () => {
  const task = taskOf('T2', { deadline: '2026-11-30' });

  it('is the task’s own, unless a grant moved it later for that township alone', () => {
    const grants = new Map([['T2', new Map([['cg', '2026-12-31']])]]);
    expect(deadlineOf(task, 'cg', grants)).toEqual({ deadline: '2026-12-31', extendedFrom: '2026-11-30' });
    expect(deadlineOf(task, 'hx', grants)).toEqual({ deadline: '2026-11-30' });
  });

  it('follows the task when the county moves the task’s own deadline past the grant', () => {
    const grants = new Map([['T2', new Map([['cg', '2026-12-15']])]]);
    expect(deadlineOf({ ...task, deadline: '2026-12-20' }, 'cg', grants)).toEqual({ deadline: '2026-12-20' });
  });

  it('in a past month is the one granted by then: a later grant changes nothing in it', () => {
    const entries: LedgerEntry[] = [granted('T2', 'cg', '2026-12-31', '2026-11-20T10:00:00+08:00'), granted('T2', 'hx', '2026-12-20', '2026-12-01T10:00:00+08:00')];
    expect(grantsAsOf(entries, '2026-11-30T23:59:59.999+08:00')).toEqual(new Map([['T2', new Map([['cg', '2026-12-31']])]]));
    expect(grantsAsOf(entries).get('T2')?.get('hx')).toBe('2026-12-20');
  });
});

describe('when a township may ask', () => {
  it('is up to its deadline day, for a date after it', () => {
    const ask = (today: string, to: string) => requestProblem({ deadline: '2026-11-30', to, today, graceWorkdays: 0, calendar });
    expect(ask('2026-11-30', '2026-12-31')).toBeUndefined();
    expect(ask('2026-11-20', '2026-11-30')).toEqual({ code: 'not-later', deadline: '2026-11-30' });
    expect(ask('2026-12-01', '2026-12-31')).toEqual({ code: 'window-closed', deadline: '2026-11-30', lastDay: '2026-11-30' });
  });

  it('is for the county’s working days of grace after it, counted by the official calendar', () => {
    // Friday 2 October is a holiday, Saturday 10 October a make-up working day.
    expect(lastDayToAsk('2026-09-30', 2, calendar)).toBe('2026-10-06');
    expect(lastDayToAsk('2026-10-08', 2, calendar)).toBe('2026-10-10');
    expect(lastDayToAsk('2026-11-27', 1, calendar)).toBe('2026-11-30');
  });
});

describe('a request waiting for the leaders', () => {
  it('counts working days, not the day it was made', () => {
    expect(workdaysWaiting('2026-11-27', '2026-11-27', calendar)).toBe(0);
    expect(workdaysWaiting('2026-11-27', '2026-11-30', calendar)).toBe(1);
    expect(workdaysWaiting('2026-11-23', '2026-11-25', calendar)).toBe(2);
  });

  it('is open until decided, oldest first', () => {
    const request = (number: number, decided: boolean): ExtensionRequest => ({
      number,
      task: 'T2',
      township: 'cg',
      from: '2026-11-30',
      to: '2026-12-31',
      reason: '换届',
      by: li,
      at: '2026-11-23T09:00:00+08:00',
      ...(decided ? { decision: { granted: true, by: li, at: '2026-11-24T09:00:00+08:00', reason: '' } } : {}),
    });
    expect(openRequests([request(3, false), request(1, true), request(2, false)]).map((r) => r.number)).toEqual([2, 3]);
  });
});

describe('a completion after the deadline', () => {
  const task = taskOf('T2', { start: '2026-11-02', deadline: '2026-11-30' });
  const onDay = pace({ task, today: '2026-12-02', calendar });

  it('is ✅逾期完成, and one reported by the deadline ✅', () => {
    expect(lightFor(onDay, 1, '2026-12-01')).toBe('done-late');
    expect(lightFor(onDay, 1, '2026-11-30')).toBe('done');
    expect(lightFor(onDay, 0.5, '2026-12-01')).toBe('overdue');
  });

  it('counts apart in the ranking, and a granted deadline makes it on time', () => {
    const townships = [
      { id: 'cg', name: '城关镇', villages: 12 },
      { id: 'hx', name: '红星乡', villages: 9 },
    ];
    const done = { amount: 100, at: '2026-12-01T10:00:00+08:00' };
    const progress = new Map([['T2', new Map([['cg', done], ['hx', done]])]]);
    const deadlines = new Map([['T2', new Map([['cg', '2026-12-31']])]]);
    const ranking = buildRanking({ month: '2026-12', asOf: '2026-12-02', townships, tasks: [{ ...task, target: { kind: 'percent', percent: 100 } }], progress, deadlines, calendar });
    const row = (id: string) => ranking.rows.find((r) => r.township === id);
    expect([row('cg')?.done, row('cg')?.doneLate]).toEqual([1, 0]);
    expect([row('hx')?.done, row('hx')?.doneLate]).toEqual([0, 1]);
    expect(row('cg')?.score).toBe(row('hx')?.score);
  });

  it('uses the granted deadline for a township’s light in the ranking', () => {
    const townships = [
      { id: 'cg', name: '城关镇', villages: 12 },
      { id: 'hx', name: '红星乡', villages: 9 },
    ];
    const half = { amount: 50, at: '2026-11-20T10:00:00+08:00' };
    const progress = new Map([['T2', new Map([['cg', half], ['hx', half]])]]);
    const deadlines = new Map([['T2', new Map([['cg', '2026-12-31']])]]);
    const ranking = buildRanking({ month: '2026-12', asOf: '2026-12-02', townships, tasks: [{ ...task, target: { kind: 'percent', percent: 100 } }], progress, deadlines, calendar });
    expect(ranking.rows.map((r) => [r.name, r.overdue])).toEqual([
      ['城关镇', 0],
      ['红星乡', 1],
    ]);
  });
});

describe('the words of 申请延期 and of the leaders’ answer', () => {
  const today = '2026-11-23';

  it('read a task, a date and a reason however they are joined', () => {
    const read = { task: { kind: 'id', id: 'T3' }, to: '2026-12-31', reason: '村两委换届推迟' };
    expect(parseExtension('T3 12月31日 村两委换届推迟', today)).toEqual({ ok: true, value: read });
    expect(parseExtension('T3 12月31日村两委换届推迟', today)).toEqual({ ok: true, value: read });
    expect(parseExtension('3 至2026-12-31，村两委换届推迟', today)).toEqual({ ok: true, value: read });
    expect(parseExtension('T3 12月底 村两委 换届推迟', today)).toEqual({ ok: true, value: { ...read, reason: '村两委 换届推迟' } });
  });

  it('say what is missing', () => {
    expect(parseExtension('T3', today)).toEqual({ ok: false, problem: { code: 'date-missing' } });
    expect(parseExtension('T3 12月31日', today)).toEqual({ ok: false, problem: { code: 'reason-missing' } });
    expect(parseExtension('T3 下周 忙', today)).toEqual({ ok: false, problem: { code: 'date-unknown', text: '下周' } });
  });

  it('read a request number with or without a reason, which only 不同意 needs', () => {
    expect(parseDecision('7', false)).toEqual({ ok: true, value: { number: 7, reason: '' } });
    expect(parseDecision('#7号', false)).toEqual({ ok: true, value: { number: 7, reason: '' } });
    expect(parseDecision('7 请按原定时间完成', true)).toEqual({ ok: true, value: { number: 7, reason: '请按原定时间完成' } });
    expect(parseDecision('7，请按原定时间完成', true)).toEqual({ ok: true, value: { number: 7, reason: '请按原定时间完成' } });
    expect(parseDecision('7', true)).toEqual({ ok: false, problem: { code: 'reason-missing' } });
    expect(parseDecision('七', false)).toEqual({ ok: false, problem: { code: 'request-number', text: '七' } });
  });
});
