import { describe, expect, it } from 'vitest';
import { CalendarGapError, createWorkCalendar } from '../../../src/domain/calendar.js';
import type { Light, Ymd } from '../../../src/domain/model.js';
import {
  CALENDAR_WARNING_INTERVAL_DAYS,
  calendarGuardDue,
  DEFAULT_LADDER,
  DEFAULT_OFFICE_HOURS,
  firstWorkingDayOfMonth,
  isFirstWorkingDayOfMonth,
  missedSlot,
  postingWindow,
  RANKING_GRACE_MS,
  rankingMonthFor,
  REMINDER_GRACE_MS,
  remindersFor,
  warningsFor,
} from '../../../src/domain/schedule.js';

// The real official calendar as chinese-days 1.5.7 has it (holidays up to 2026). The dates used:
//   2025 国庆+中秋 Wed 10-01 … Wed 10-08 off, Sat 10-11 worked (调休).
//   2026 元旦 Thu 01-01 … Sat 01-03 off, Sun 01-04 worked; 春节 Sun 02-15 … Mon 02-23 off,
//        Sat 02-14 worked; 劳动节 Fri 05-01 … Tue 05-05 off; 中秋 Fri 09-25 … Sun 09-27 off;
//        国庆 Thu 10-01 … Wed 10-07 off, Sat 10-10 worked (调休).
const calendar = createWorkCalendar();

/** A Beijing wall-clock time. */
const beijing = (dateTime: string): Date => new Date(`${dateTime}+08:00`);

describe('postingWindow', () => {
  it('lets the bot post at nine on an ordinary Monday', () => {
    expect(postingWindow(beijing('2026-11-23T09:00'), calendar)).toEqual({
      now: true,
      next: beijing('2026-11-23T09:00'),
    });
  });

  it.each<[string, string, boolean, string]>([
    ['holds a message at 08:29 until the office opens at 08:30', '2026-11-23T08:29', false, '2026-11-23T08:30'],
    ['posts at 08:30 sharp', '2026-11-23T08:30', true, '2026-11-23T08:30'],
    ['still posts at 17:59', '2026-11-23T17:59', true, '2026-11-23T17:59'],
    ['still posts in the last second before 18:00', '2026-11-23T17:59:59.999', true, '2026-11-23T17:59:59.999'],
    ['holds a message at 18:00 until 08:30 the next working day', '2026-11-23T18:00', false, '2026-11-24T08:30'],
  ])('%s', (_name, at, now, next) => {
    expect(postingWindow(beijing(at), calendar, DEFAULT_OFFICE_HOURS)).toEqual({ now, next: beijing(next) });
  });

  it('holds a Friday evening message until Monday 08:30', () => {
    expect(postingWindow(beijing('2026-11-27T19:00'), calendar)).toEqual({
      now: false,
      next: beijing('2026-11-30T08:30'),
    });
  });

  it('posts nothing on an ordinary Saturday, even in office hours', () => {
    expect(postingWindow(beijing('2026-11-28T10:00'), calendar)).toEqual({
      now: false,
      next: beijing('2026-11-30T08:30'),
    });
  });

  it('holds a message from the eve of 国庆 until the first working day after the golden week', () => {
    expect(postingWindow(beijing('2026-09-30T18:30'), calendar).next).toEqual(beijing('2026-10-08T08:30'));
    expect(postingWindow(beijing('2025-09-30T18:30'), calendar).next).toEqual(beijing('2025-10-09T08:30'));
  });

  it('posts nothing on a public holiday that falls on a weekday', () => {
    expect(postingWindow(beijing('2026-10-01T09:00'), calendar)).toEqual({
      now: false,
      next: beijing('2026-10-08T08:30'),
    });
  });

  it('posts on a 调休 Saturday, which is a working day', () => {
    expect(postingWindow(beijing('2026-10-10T09:00'), calendar).now).toBe(true);
    expect(postingWindow(beijing('2025-10-11T09:00'), calendar).now).toBe(true);
    expect(postingWindow(beijing('2026-10-09T19:00'), calendar).next).toEqual(beijing('2026-10-10T08:30'));
  });

  it('waits out the whole Spring Festival break', () => {
    // The 调休 Saturday before it is worked; the next working day is Tuesday 24 February.
    expect(postingWindow(beijing('2026-02-14T18:00'), calendar).next).toEqual(beijing('2026-02-24T08:30'));
  });

  it('reads the clock in Beijing time whatever offset the instant is written with', () => {
    // 00:30 UTC on Monday is 08:30 in Beijing.
    expect(postingWindow(new Date('2026-11-23T00:30:00Z'), calendar).now).toBe(true);
    // 23:00 UTC on Sunday is already Monday 07:00 in Beijing: wait until 08:30 that Monday.
    expect(postingWindow(new Date('2026-11-22T23:00:00Z'), calendar)).toEqual({
      now: false,
      next: beijing('2026-11-23T08:30'),
    });
  });

  it("keeps to a county's own office hours", () => {
    const hours = { start: '09:00', end: '17:30' };
    expect(postingWindow(beijing('2026-11-23T08:45'), calendar, hours).next).toEqual(beijing('2026-11-23T09:00'));
    expect(postingWindow(beijing('2026-11-23T17:30'), calendar, hours).next).toEqual(beijing('2026-11-24T09:00'));
  });

  it('rejects office hours that are not HH:MM or that end before they start', () => {
    const monday = beijing('2026-11-23T09:00');
    expect(() => postingWindow(monday, calendar, { start: '8:30', end: '18:00' })).toThrow(RangeError);
    expect(() => postingWindow(monday, calendar, { start: '18:00', end: '08:30' })).toThrow(RangeError);
  });

  it('refuses to guess the next window when it lies in a year the calendar does not have', () => {
    expect(() => postingWindow(beijing('2026-12-31T19:00'), calendar)).toThrow(CalendarGapError);
  });
});

interface Item {
  taskId: string;
  township: string;
  deadline: Ymd;
  light: Light;
}

const item = (taskId: string, deadline: Ymd, light: Light = 'on-pace'): Item => ({
  taskId,
  township: '城关镇',
  deadline,
  light,
});

const remindedOn = (today: Ymd, items: Item[], ladder?: readonly number[]) =>
  remindersFor(items, today, calendar, ladder).map((r) => [r.item.taskId, r.workdaysBefore]);

describe('remindersFor', () => {
  it('keeps the 5/3/1/0 ladder the issue names', () => {
    expect(DEFAULT_LADDER).toEqual([5, 3, 1, 0]);
  });

  it('reminds of unfinished tasks 5, 3 and 1 working days out and on the day, nearest first', () => {
    // Monday 23 November 2026; the week and the next Monday are ordinary working days.
    const items = [
      item('T1', '2026-11-30'), // Monday next week: 5 working days after today
      item('T2', '2026-11-27'), // 4: skipped
      item('T3', '2026-11-26', 'behind'), // 3
      item('T4', '2026-11-25', 'behind'), // 2: skipped
      item('T5', '2026-11-24', 'behind'), // 1
      item('T6', '2026-11-23', 'behind'), // today
      item('T9', '2026-12-01'), // 6: not yet
    ];
    expect(remindedOn('2026-11-23', items)).toEqual([
      ['T6', 0],
      ['T5', 1],
      ['T3', 3],
      ['T1', 5],
    ]);
  });

  it('never reminds a township of a task it has finished, nor of one already overdue', () => {
    const items = [item('T7', '2026-11-24', 'done'), item('T8', '2026-11-20', 'overdue')];
    expect(remindedOn('2026-11-23', items)).toEqual([]);
  });

  it('counts a weekend deadline as due on the Friday before it', () => {
    expect(remindedOn('2026-11-27', [item('T1', '2026-11-28'), item('T2', '2026-11-29')])).toEqual([
      ['T1', 0],
      ['T2', 0],
    ]);
  });

  it('does not count the golden week as working days before a deadline', () => {
    // On Wednesday 30 September 2026 the next working days are 10-08, 10-09, 10-10 (调休) and 10-12.
    const items = [
      item('T1', '2026-10-01'), // a holiday: today is the last working day before it
      item('T2', '2026-10-08'), // 1
      item('T3', '2026-10-12'), // 4: skipped
      item('T4', '2026-10-13'), // 5
    ];
    expect(remindedOn('2026-09-30', items)).toEqual([
      ['T1', 0],
      ['T2', 1],
      ['T4', 5],
    ]);
  });

  it('keeps tasks with the same deadline in the order they came, and carries their data along', () => {
    const items = [item('T5', '2026-11-24'), item('T2', '2026-11-24'), item('T3', '2026-11-24')];
    const reminders = remindersFor(items, '2026-11-23', calendar);
    expect(reminders.map((r) => r.item)).toEqual(items);
    expect(reminders.every((r) => r.item.township === '城关镇')).toBe(true);
  });

  it("follows a county's own ladder", () => {
    const items = [item('T1', '2026-11-30'), item('T4', '2026-11-25'), item('T6', '2026-11-23')];
    expect(remindedOn('2026-11-23', items, [2])).toEqual([['T4', 2]]);
  });

  it('rejects a ladder with a rung that is not a whole number of working days', () => {
    expect(() => remindersFor([], '2026-11-23', calendar, [3, -1])).toThrow(RangeError);
    expect(() => remindersFor([], '2026-11-23', calendar, [1.5])).toThrow(RangeError);
  });

  it('says when the count reaches into a year the calendar does not have yet', () => {
    // 12-29, 12-30, 12-31, then 2027-01-01 and 01-04 counted Monday to Friday.
    expect(remindersFor([item('T1', '2027-01-04')], '2026-12-28', calendar)).toEqual([
      { item: item('T1', '2027-01-04'), workdaysBefore: 5, estimated: true },
    ]);
    expect(remindersFor([item('T1', '2026-12-31')], '2026-12-28', calendar)[0]?.estimated).toBe(false);
  });
});

describe('warningsFor', () => {
  it('sends 🔴 items longest overdue first and 🟡 items nearest deadline first, leaving 🟢 and ✅ out', () => {
    const items = [
      item('T1', '2026-11-20', 'overdue'),
      item('T2', '2026-11-25', 'behind'),
      item('T3', '2026-11-10', 'overdue'),
      item('T4', '2026-12-20', 'on-pace'),
      item('T5', '2026-11-12', 'done'),
      item('T6', '2026-11-24', 'behind'),
    ];
    const { overdue, behind } = warningsFor(items);
    expect(overdue.map((i) => i.taskId)).toEqual(['T3', 'T1']);
    expect(behind.map((i) => i.taskId)).toEqual(['T6', 'T2']);
  });

  it('has nothing to say when every task is done or on pace', () => {
    expect(warningsFor([item('T1', '2026-11-20', 'done'), item('T2', '2026-12-20')])).toEqual({
      overdue: [],
      behind: [],
    });
  });
});

describe('the monthly ranking day', () => {
  it.each<[string, string, Ymd]>([
    ['posts October 2026 on the 8th, the day after the golden week', '2026-10', '2026-10-08'],
    ['posts October 2025 on the 9th, after 国庆 and 中秋 together', '2025-10', '2025-10-09'],
    ['posts a month that starts on a Saturday on the Monday after', '2026-08', '2026-08-03'],
    ['posts a month that starts on a Sunday on the Monday after', '2026-03', '2026-03-02'],
    ['posts January 2026 on Sunday the 4th, a 调休 working day', '2026-01', '2026-01-04'],
    ['posts May 2026 after the 劳动节 break', '2026-05', '2026-05-06'],
    ['posts February 2025 after the Spring Festival', '2025-02', '2025-02-05'],
    ['posts an ordinary month on the 1st', '2026-12', '2026-12-01'],
  ])('%s', (_name, month, day) => {
    expect(firstWorkingDayOfMonth(month, calendar)).toBe(day);
  });

  it('knows the ranking day from the other days of the month', () => {
    expect(isFirstWorkingDayOfMonth('2026-10-08', calendar)).toBe(true);
    expect(isFirstWorkingDayOfMonth('2026-10-01', calendar)).toBe(false); // 国庆
    expect(isFirstWorkingDayOfMonth('2026-10-09', calendar)).toBe(false);
    expect(isFirstWorkingDayOfMonth('2026-01-04', calendar)).toBe(true); // 调休 Sunday
    expect(isFirstWorkingDayOfMonth('2026-11-02', calendar)).toBe(true);
  });

  it('ranks the month before the one it is posted in', () => {
    expect(rankingMonthFor('2026-10-08')).toBe('2026-09');
    expect(rankingMonthFor('2026-01-04')).toBe('2025-12');
  });
});

describe('calendarGuardDue', () => {
  it('stays quiet in November even when next year is missing', () => {
    expect(calendarGuardDue('2026-11-30', 2026)).toBe(false);
  });

  it('warns from 1 December when next year is missing', () => {
    expect(calendarGuardDue('2026-12-01', 2026)).toBe(true);
  });

  it('stays quiet in December when next year is already covered', () => {
    expect(calendarGuardDue('2026-12-15', 2027)).toBe(false);
  });

  it('warns once a week until the calendar is updated', () => {
    expect(CALENDAR_WARNING_INTERVAL_DAYS).toBe(7);
    for (const day of ['2026-12-02', '2026-12-05', '2026-12-07']) {
      expect(calendarGuardDue(day, 2026, '2026-12-01'), day).toBe(false);
    }
    expect(calendarGuardDue('2026-12-08', 2026, '2026-12-01')).toBe(true);
    expect(calendarGuardDue('2026-12-15', 2026, '2026-12-08')).toBe(true);
  });

  it('keeps warning into January if the year began without its holidays', () => {
    expect(calendarGuardDue('2027-01-05', 2026, '2026-12-29')).toBe(true);
    expect(calendarGuardDue('2027-01-05', 2027, '2026-12-29')).toBe(false);
  });
});

describe('missedSlot', () => {
  const nineOClock = beijing('2026-11-23T09:00');

  it('catches up a 09:00 reminder when the process is back at 10:30 the same morning', () => {
    expect(missedSlot(nineOClock, beijing('2026-11-23T10:30'), REMINDER_GRACE_MS)).toBe(true);
  });

  it('drops a reminder slot that passed the day before', () => {
    expect(missedSlot(nineOClock, beijing('2026-11-24T08:45'), REMINDER_GRACE_MS)).toBe(false);
  });

  it('still posts a monthly ranking two days late, but not two weeks late', () => {
    const rankingSlot = beijing('2026-10-08T09:00');
    expect(missedSlot(rankingSlot, beijing('2026-10-10T08:35'), RANKING_GRACE_MS)).toBe(true);
    expect(missedSlot(rankingSlot, beijing('2026-10-22T09:00'), RANKING_GRACE_MS)).toBe(false);
  });

  it('counts the very end of the grace window as within it, and a slot still to come as not missed', () => {
    expect(missedSlot(nineOClock, new Date(nineOClock.getTime() + REMINDER_GRACE_MS), REMINDER_GRACE_MS)).toBe(true);
    expect(missedSlot(nineOClock, beijing('2026-11-23T08:59'), REMINDER_GRACE_MS)).toBe(false);
  });
});
