import { describe, expect, it } from 'vitest';
import { replayLedger, tasksAsOf } from '../../../src/domain/ledger.js';
import type { Instant, ReportEntry, Reporter, TaskEvent } from '../../../src/domain/model.js';
import { activeInMonth } from '../../../src/domain/ranking.js';
import { taskOf } from '../../fixtures/county.js';

const zhang: Reporter = { platform: 'wecom', user: 'zhangsan', name: '张三' };
const li: Reporter = { platform: 'dingtalk', user: 'lisi', name: '李四' };

let sequence = 0;
const entry = (fields: Partial<ReportEntry> & { amount: number | null; at: Instant }): ReportEntry => {
  sequence += 1;
  return {
    id: `1780000000000-${sequence}`,
    task: 'T3',
    township: 'cg',
    kind: 'report',
    value: fields.amount === null ? '' : `${fields.amount}%`,
    note: '',
    by: zhang,
    source: `msg-${sequence}`,
    ...fields,
  };
};

const progressOf = (state: ReturnType<typeof replayLedger>, task: string, township: string) => state.get(task)?.get(township);

describe('replayLedger', () => {
  it('keeps the latest report of each task and township', () => {
    const first = entry({ amount: 40, at: '2026-11-02T09:00:00+08:00' });
    const second = entry({ amount: 80, at: '2026-11-09T09:00:00+08:00', by: li });
    const other = entry({ township: 'hx', amount: 10, at: '2026-11-03T09:00:00+08:00' });
    const state = replayLedger([first, other, second]);
    expect(progressOf(state, 'T3', 'cg')).toEqual({ amount: 80, at: second.at, entry: second.id, by: li });
    expect(progressOf(state, 'T3', 'hx')?.amount).toBe(10);
  });

  it('lets a correction lower the progress', () => {
    const report = entry({ amount: 80, at: '2026-11-02T09:00:00+08:00' });
    const correction = entry({ kind: 'correction', amount: 60, at: '2026-11-02T10:00:00+08:00' });
    expect(progressOf(replayLedger([report, correction]), 'T3', 'cg')?.amount).toBe(60);
  });

  it('restores the earlier value when the last report is reversed', () => {
    const earlier = entry({ amount: 40, at: '2026-11-02T09:00:00+08:00' });
    const mistake = entry({ amount: 90, at: '2026-11-09T09:00:00+08:00', by: li });
    const undo = entry({ kind: 'reversal', amount: 40, reverses: mistake.id, at: '2026-11-09T09:10:00+08:00', by: li });
    // Who reported and when come back too: the ranking's tie-break reads them.
    expect(progressOf(replayLedger([earlier, mistake, undo]), 'T3', 'cg')).toEqual({
      amount: 40,
      at: earlier.at,
      entry: earlier.id,
      by: zhang,
    });
  });

  it('puts back the earlier value when a leader returns a completion (退回), as a reversal does', () => {
    const earlier = entry({ amount: 60, at: '2026-11-02T09:00:00+08:00' });
    const done = entry({ amount: 100, at: '2026-11-09T09:00:00+08:00', by: li });
    const returned = entry({ kind: 'returned', amount: 60, note: '佐证不全', reverses: done.id, at: '2026-11-10T09:00:00+08:00', by: zhang });
    expect(progressOf(replayLedger([earlier, done, returned]), 'T3', 'cg')?.entry).toBe(earlier.id);
    expect(progressOf(replayLedger([earlier, done, returned], '2026-11-09T23:59:59+08:00'), 'T3', 'cg')?.amount).toBe(100);
  });

  it('leaves no progress when the only report is reversed', () => {
    const only = entry({ amount: 50, at: '2026-11-02T09:00:00+08:00' });
    const undo = entry({ kind: 'reversal', amount: null, reverses: only.id, at: '2026-11-02T09:05:00+08:00' });
    const state = replayLedger([only, undo]);
    expect(progressOf(state, 'T3', 'cg')).toBeUndefined();
    expect(state.has('T3')).toBe(false);
  });

  it('brings a report back when its reversal is reversed', () => {
    const report = entry({ amount: 50, at: '2026-11-02T09:00:00+08:00' });
    const undo = entry({ kind: 'reversal', amount: null, reverses: report.id, at: '2026-11-02T09:05:00+08:00' });
    const redo = entry({ kind: 'reversal', amount: 50, reverses: undo.id, at: '2026-11-02T09:06:00+08:00' });
    expect(progressOf(replayLedger([report, undo, redo]), 'T3', 'cg')?.entry).toBe(report.id);
  });

  it('uses the amount written in a reversal whose report is not in the list', () => {
    const undo = entry({ kind: 'reversal', amount: 30, reverses: 'gone-1', at: '2026-11-02T09:05:00+08:00' });
    expect(progressOf(replayLedger([undo]), 'T3', 'cg')).toEqual({ amount: 30, at: undo.at, entry: undo.id, by: zhang });
  });

  it('shows progress as it stood at a past instant, including a report made at that very instant', () => {
    const october = entry({ amount: 30, at: '2026-10-31T23:59:59.999+08:00' });
    const november = entry({ amount: 70, at: '2026-11-01T00:00:00+08:00' });
    // The same instant as October's report, written in UTC.
    const endOfOctober = '2026-10-31T15:59:59.999Z';
    expect(progressOf(replayLedger([october, november], endOfOctober), 'T3', 'cg')?.amount).toBe(30);
    expect(progressOf(replayLedger([october, november]), 'T3', 'cg')?.amount).toBe(70);
  });

  it('keeps a report that a later reversal undid when the replay stops before the reversal', () => {
    const report = entry({ amount: 50, at: '2026-10-31T17:00:00+08:00' });
    const undo = entry({ kind: 'reversal', amount: null, reverses: report.id, at: '2026-11-01T08:00:00+08:00' });
    expect(progressOf(replayLedger([report, undo], '2026-10-31T23:59:59.999+08:00'), 'T3', 'cg')?.amount).toBe(50);
  });

  it('returns nothing for an empty ledger', () => {
    expect(replayLedger([]).size).toBe(0);
  });

  it('moves no progress for a task being closed and reopened', () => {
    const report = entry({ amount: 50, at: '2026-11-02T09:00:00+08:00' });
    const closed = event('closed', '2026-11-03T09:00:00+08:00');
    const reopened = event('reopened', '2026-11-04T09:00:00+08:00');
    expect(progressOf(replayLedger([report, closed, reopened]), 'T3', 'cg')?.entry).toBe(report.id);
  });
});

const admin: Reporter = { platform: 'console', user: 'admin', name: '赵管理' };

/** A 销号 or 恢复 of T3; `closedOn`: the closing day a 恢复 undid. */
function event(kind: TaskEvent['kind'], at: Instant, closedOn?: string): TaskEvent {
  sequence += 1;
  const origin = { id: `1780000000000-${sequence}`, task: 'T3', by: admin, at, source: `msg-${sequence}` };
  return kind === 'closed' ? { ...origin, kind } : { ...origin, kind, ...(closedOn === undefined ? {} : { closedOn }) };
}

const endOf = (month: string): Instant => `${month}-${month.endsWith('11') ? '30' : '31'}T23:59:59.999+08:00`;

describe('tasksAsOf, for a finished month’s ranking', () => {
  const t3 = taskOf('T3', { start: '2026-09-01', deadline: '2026-12-31' });
  const report = entry({ amount: 50, at: '2026-10-02T09:00:00+08:00' });
  const closedInOctober = event('closed', '2026-10-10T09:00:00+08:00');
  const reopenedInDecember = event('reopened', '2026-12-02T09:00:00+08:00', '2026-10-10');
  const ledger = [report, closedInOctober, reopenedInDecember];
  const countedIn = (month: string, entries: readonly (ReportEntry | TaskEvent)[], task = { ...t3 }): boolean => {
    const [asOf] = tasksAsOf([task], entries, endOf(month));
    return asOf !== undefined && activeInMonth(asOf, month);
  };

  it('counts a task closed in October and reopened in December in October, not in November', () => {
    expect(countedIn('2026-10', ledger)).toBe(true);
    expect(countedIn('2026-11', ledger)).toBe(false);
  });

  it('gives the task its closing day while closed, and none once reopened', () => {
    expect(tasksAsOf([t3], ledger, endOf('2026-11'))).toEqual([{ ...t3, status: 'closed', closedOn: '2026-10-10' }]);
    expect(tasksAsOf([t3], ledger, endOf('2026-12'))).toEqual([t3]);
  });

  it('counts a task reopened in November in November: open from the reopening', () => {
    const reopenedInNovember = event('reopened', '2026-11-20T09:00:00+08:00', '2026-10-10');
    expect(countedIn('2026-11', [report, closedInOctober, reopenedInNovember])).toBe(true);
  });

  it('reads a task closed before closings were kept from the 恢复 that undid it', () => {
    const reopened = event('reopened', '2026-12-02T09:00:00+08:00', '2026-09-20');
    expect(tasksAsOf([t3], [reopened], endOf('2026-11'))).toEqual([{ ...t3, status: 'closed', closedOn: '2026-09-20' }]);
    expect(countedIn('2026-10', [reopened])).toBe(false);
  });

  it('takes a task closed after the month as open in it, whatever its record says now', () => {
    const closedLater = event('closed', '2026-12-05T09:00:00+08:00');
    expect(countedIn('2026-11', [closedLater], { ...t3, status: 'closed', closedOn: '2026-12-05' })).toBe(true);
  });

  it('leaves a task without events as its record says', () => {
    const closedByFile = { ...t3, status: 'closed' as const, closedOn: '2026-09-30' };
    expect(tasksAsOf([closedByFile], [report], endOf('2026-11'))).toEqual([closedByFile]);
  });

  it('reads each task from its own events', () => {
    const other = taskOf('T4');
    expect(tasksAsOf([t3, other], ledger, endOf('2026-11')).map((t) => t.status)).toEqual(['closed', 'open']);
  });
});
