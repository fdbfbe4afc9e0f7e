import { describe, expect, it } from 'vitest';
import { CLOSE_WORKDAYS, PACE_TOLERANCE, standing } from '../../../src/domain/lights.js';
import type { Light, Task, Ymd } from '../../../src/domain/model.js';
import { calendarStub, HOLIDAY_WEEK_2026 } from '../../helpers/calendar-stub.js';

const task = (start: Ymd, deadline: Ymd): Task => ({
  id: 'T3',
  title: '软弱涣散党组织整顿转化',
  domain: '农村',
  start,
  deadline,
  target: { kind: 'percent', percent: 100 },
  townships: 'all',
  weight: 1,
  status: 'open',
});

const weekdays = calendarStub();
// Monday 1 June to Friday 26 June 2026: four plain weeks, 20 working days.
const june = task('2026-06-01', '2026-06-26');

describe('standing', () => {
  it('keeps the tolerances the design names', () => {
    expect(PACE_TOLERANCE).toBe(0.1);
    expect(CLOSE_WORKDAYS).toBe(3);
  });

  it.each<[string, Ymd, number, Light]>([
    ['marks a task yellow when a township is 30 points behind the share of working days elapsed', '2026-06-12', 0.2, 'behind'],
    ['keeps a task green when a township is behind by less than the tolerance', '2026-06-12', 0.45, 'on-pace'],
    ['keeps a task green when a township is behind by exactly the tolerance', '2026-06-12', 0.4, 'on-pace'],
    ['marks a task yellow with three working days left even when on pace', '2026-06-24', 0.95, 'behind'],
    ['keeps a task green with four working days left when on pace', '2026-06-23', 0.95, 'on-pace'],
    ['keeps a task green before it starts', '2026-05-20', 0, 'on-pace'],
    ['marks a task red the first day after its deadline when not done', '2026-06-27', 0.99, 'overdue'],
    ['marks a task done when complete, even after its deadline', '2026-06-29', 1, 'done'],
    ['marks a task done when complete before it starts', '2026-05-20', 1, 'done'],
  ])('%s', (_name, today, completion, light) => {
    expect(standing({ task: june, completion, today, calendar: weekdays }).light).toBe(light);
  });

  it('expects half the work when half the working days have passed, counting today', () => {
    expect(standing({ task: june, completion: 0, today: '2026-06-12', calendar: weekdays })).toEqual({
      light: 'behind',
      workdaysLeft: 11,
      workdaysAfter: 10,
      overdueDays: 0,
      expectedShare: 0.5,
      estimated: false,
    });
  });

  it.each<[string, Ymd, Ymd, number]>([
    ['the working days after today, as the reminder ladder counts them', '2026-06-22', '2026-06-26', 4],
    ['one the working day before', '2026-06-25', '2026-06-26', 1],
    ['none on the deadline itself', '2026-06-26', '2026-06-26', 0],
    ['none on the Friday before a deadline that falls on a Sunday', '2026-06-26', '2026-06-28', 0],
    ['the whole working week from a Sunday', '2026-06-21', '2026-06-26', 5],
  ])('says what is left as %s', (_name, today, deadline, after) => {
    expect(standing({ task: task('2026-06-01', deadline), completion: 0.5, today, calendar: weekdays }).workdaysAfter).toBe(after);
  });

  it('expects nothing before the start and everything on the deadline', () => {
    const share = (today: Ymd): number => standing({ task: june, completion: 0, today, calendar: weekdays }).expectedShare;
    expect(share('2026-05-31')).toBe(0);
    expect(share('2026-06-01')).toBe(1 / 20);
    expect(share('2026-06-26')).toBe(1);
    expect(share('2026-07-15')).toBe(1);
  });

  it('counts working days left from today to the deadline, both included', () => {
    const left = (today: Ymd): number => standing({ task: june, completion: 0, today, calendar: weekdays }).workdaysLeft;
    expect(left('2026-05-20')).toBe(28);
    expect(left('2026-06-26')).toBe(1);
    expect(left('2026-06-27')).toBe(0);
  });

  it('counts overdue days in calendar days, weekend included', () => {
    const result = standing({ task: june, completion: 0.5, today: '2026-06-29', calendar: weekdays });
    expect(result).toMatchObject({ light: 'overdue', overdueDays: 3, workdaysLeft: 0 });
  });

  it('counts no overdue days for a task done late', () => {
    expect(standing({ task: june, completion: 1, today: '2026-06-29', calendar: weekdays }).overdueDays).toBe(0);
  });

  describe('across a holiday week', () => {
    // Monday 28 September to Friday 23 October 2026, with 1–7 October off and Saturday 10 October worked.
    const autumn = task('2026-09-28', '2026-10-23');
    const holidays = calendarStub(HOLIDAY_WEEK_2026);

    it('does not count the holiday against a township: 20% is on pace the day after it', () => {
      const result = standing({ task: autumn, completion: 0.2, today: '2026-10-08', calendar: holidays });
      expect(result).toMatchObject({ light: 'on-pace', expectedShare: 4 / 16, workdaysLeft: 13 });
    });

    it('would call the same 20% behind if those days were working days', () => {
      const result = standing({ task: autumn, completion: 0.2, today: '2026-10-08', calendar: weekdays });
      expect(result).toMatchObject({ light: 'behind', expectedShare: 9 / 20, workdaysLeft: 12 });
    });

    it('counts a make-up Saturday as a working day left', () => {
      const left = (today: Ymd): number => standing({ task: autumn, completion: 0, today, calendar: holidays }).workdaysLeft;
      expect(left('2026-10-10')).toBe(left('2026-10-12') + 1);
    });
  });

  it('says the figures are estimated when the deadline lies beyond the known calendar', () => {
    const nextYear = task('2026-12-01', '2027-01-29');
    expect(standing({ task: nextYear, completion: 0, today: '2026-12-15', calendar: weekdays }).estimated).toBe(true);
    expect(standing({ task: june, completion: 0, today: '2026-06-15', calendar: weekdays }).estimated).toBe(false);
  });

  it('expects everything of a task due on a rest day once that day comes', () => {
    const saturday = task('2026-06-27', '2026-06-27');
    const share = (today: Ymd): number => standing({ task: saturday, completion: 0, today, calendar: weekdays }).expectedShare;
    expect(share('2026-06-26')).toBe(0);
    expect(share('2026-06-27')).toBe(1);
  });
});
