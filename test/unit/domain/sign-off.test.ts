import { describe, expect, it } from 'vitest';
import type { Reporter } from '../../../src/domain/model.js';
import { signReminderDue, unsignedOf, workdaysUnsigned, type SignOff } from '../../../src/domain/sign-off.js';
import { taskOf } from '../../fixtures/county.js';
import { calendarStub } from '../../helpers/calendar-stub.js';

/** Monday to Friday; 1–2 October off, 10 October (a Saturday) worked. */
const calendar = calendarStub({ holidays: ['2026-10-01', '2026-10-02'], makeUpWorkdays: ['2026-10-10'] });
const li: Reporter = { platform: 'console', user: 'li', name: '李联络' };

const announced = (task: string, township: string, at: string, signed?: string): SignOff => ({
  task,
  township,
  announced: at,
  ...(signed === undefined ? {} : { signed: { by: li, at: signed } }),
});

describe('the 签收 reminder', () => {
  it('waits for a whole working day after the day of the 交办: announced on Monday, reminded on Wednesday', () => {
    expect(signReminderDue('2026-11-23', '2026-11-23', calendar)).toBe(false);
    expect(signReminderDue('2026-11-23', '2026-11-24', calendar)).toBe(false);
    expect(signReminderDue('2026-11-23', '2026-11-25', calendar)).toBe(true);
  });

  it('does not count rest days and holidays as the working day the township had', () => {
    // Announced on Friday: Saturday and Sunday do not count, Monday does, so Tuesday reminds.
    expect(signReminderDue('2026-11-20', '2026-11-23', calendar)).toBe(false);
    expect(signReminderDue('2026-11-20', '2026-11-24', calendar)).toBe(true);
    // Announced on 30 September: 1–2 October are holidays and 3–4 a weekend, so Monday the 5th is the working day.
    expect(signReminderDue('2026-09-30', '2026-10-05', calendar)).toBe(false);
    expect(signReminderDue('2026-09-30', '2026-10-06', calendar)).toBe(true);
    // Announced on Friday the 9th: the make-up Saturday is the working day, so Monday reminds.
    expect(signReminderDue('2026-10-09', '2026-10-12', calendar)).toBe(true);
  });

  it('counts the working days a task waits for its 签收, not the day it was announced', () => {
    expect(workdaysUnsigned('2026-11-23', '2026-11-23', calendar)).toBe(0);
    expect(workdaysUnsigned('2026-11-20', '2026-11-24', calendar)).toBe(2);
  });
});

describe('who has not signed', () => {
  const open = taskOf('T7');
  const closed = taskOf('T8', { status: 'closed', closedOn: '2026-11-20' });
  const signOffs = new Map([
    ['T7', new Map([['红星乡', announced('T7', '红星乡', '2026-11-23T10:00:00+08:00')], ['城关镇', announced('T7', '城关镇', '2026-11-23T10:00:00+08:00', '2026-11-23T11:00:00+08:00')]])],
    ['T8', new Map([['城关镇', announced('T8', '城关镇', '2026-11-20T10:00:00+08:00')]])],
    ['T9', new Map([['城关镇', announced('T9', '城关镇', '2026-11-20T10:00:00+08:00')]])],
  ]);

  it('is every township announced an open task that has not signed it; closed and unknown tasks owe nothing', () => {
    expect(unsignedOf(signOffs, [open, closed]).map((s) => [s.task, s.township])).toEqual([['T7', '红星乡']]);
  });
});
