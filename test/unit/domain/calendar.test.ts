import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { CalendarGapError, createWorkCalendar } from '../../../src/domain/calendar.js';

// These expectations are written against chinese-days 1.5.7, whose holidays end with 2026.
// When the package gains 2027, the tests about the gap year move to the next uncovered year.
const calendar = createWorkCalendar();

describe('the official calendar from the package data', () => {
  it('covers 2004 to 2026 and no further', () => {
    expect(calendar.lastCoveredYear).toBe(2026);
    expect(calendar.covers('2004-01-01')).toBe(true);
    expect(calendar.covers('2026-12-31')).toBe(true);
    expect(calendar.covers('2003-12-31')).toBe(false);
    expect(calendar.covers('2027-01-01')).toBe(false);
  });

  it('gives the whole 2026 Mid-Autumn and National Day golden week off', () => {
    // 中秋 Fri 09-25 to Sun 09-27, 国庆 Thu 10-01 to Wed 10-07.
    for (const d of ['2026-09-25', '2026-09-26', '2026-09-27']) expect(calendar.isWorkday(d)).toBe(false);
    for (let day = 1; day <= 7; day++) expect(calendar.isWorkday(`2026-10-0${day}`)).toBe(false);
  });

  it('makes people work on the 2026 调休 Saturdays and Sundays', () => {
    // The package's `workdays` for 2026: 元旦 Sun 01-04; 春节 Sat 02-14 and Sat 02-28;
    // 劳动节 Sat 05-09; 国庆 Sun 09-20 and Sat 10-10.
    for (const d of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) {
      expect(calendar.isWorkday(d)).toBe(true);
    }
  });

  it('treats an ordinary weekend as rest and an ordinary weekday as work', () => {
    expect(calendar.isWorkday('2026-11-21')).toBe(false); // Saturday
    expect(calendar.isWorkday('2026-11-22')).toBe(false); // Sunday
    expect(calendar.isWorkday('2026-11-23')).toBe(true); // Monday
  });

  it('agrees with every holiday and make-up day in the package data', () => {
    for (const d of Object.keys(chineseDays.holidays)) expect(calendar.isWorkday(d), d).toBe(false);
    for (const d of Object.keys(chineseDays.workdays)) expect(calendar.isWorkday(d), d).toBe(true);
  });

  it('counts the working days of a range that holds the golden week', () => {
    // 2026-09-20 (Sun, 调休) … 2026-10-11 (Sun), 22 days:
    //   09-20 make-up day                    1
    //   09-21 … 09-24 Mon–Thu                4
    //   09-25 … 09-27 中秋                    0
    //   09-28 … 09-30 Mon–Wed                3
    //   10-01 … 10-07 国庆                    0
    //   10-08 Thu, 10-09 Fri, 10-10 调休 Sat  3
    //   10-11 Sun                            0
    // = 11, where a plain Monday–Friday count would say 15.
    expect(calendar.workdays('2026-09-20', '2026-10-11')).toEqual({ days: 11, estimated: false });
  });

  it('counts both ends of a range and nothing for a range that ends before it starts', () => {
    expect(calendar.workdays('2026-11-23', '2026-11-23')).toEqual({ days: 1, estimated: false });
    expect(calendar.workdays('2026-11-23', '2026-11-27')).toEqual({ days: 5, estimated: false });
    expect(calendar.workdays('2026-11-27', '2026-11-23')).toEqual({ days: 0, estimated: false });
    expect(calendar.workdays('2027-03-01', '2027-02-01')).toEqual({ days: 0, estimated: false });
  });

  it('counts a whole year of working days', () => {
    // 2026 starts on a Thursday: 52 weeks and a Thursday, 261 Monday–Friday days. Holidays on
    // those days: 元旦 01-01, 01-02; 春节 02-16 … 02-20, 02-23; 清明 04-06; 劳动节 05-01, 05-04,
    // 05-05; 端午 06-19; 中秋 09-25; 国庆 10-01, 10-02, 10-05, 10-06, 10-07: 19 days.
    // Plus the 6 调休 days: 261 − 19 + 6 = 248.
    expect(calendar.workdays('2026-01-01', '2026-12-31')).toEqual({ days: 248, estimated: false });
  });
});

describe('a year the package does not have yet', () => {
  it('is not covered, and asking whether a day of it is a workday fails with a message naming the year', () => {
    expect(calendar.covers('2027-01-04')).toBe(false);
    expect(() => calendar.isWorkday('2027-01-04')).toThrow(CalendarGapError);
    try {
      calendar.isWorkday('2027-01-04');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CalendarGapError);
      const gap = err as CalendarGapError;
      expect(gap.name).toBe('CalendarGapError');
      expect(gap.year).toBe(2027);
      expect(gap.date).toBe('2027-01-04');
      expect(gap.message).toContain('2027 年');
      expect(gap.message).toContain('chinese-days');
      expect(gap.message).toContain('calendar');
    }
  });

  it('fails the same way for a year before the data begins', () => {
    expect(() => calendar.isWorkday('2003-06-02')).toThrow(/2003 年/);
  });

  it('counts working days into it Monday to Friday and says the count is estimated', () => {
    // 2026-12-28 Mon … 12-31 Thu: 4 known workdays; 2027-01-01 Fri, 01-04 … 01-08 Mon–Fri: 6.
    expect(calendar.workdays('2026-12-28', '2027-01-08')).toEqual({ days: 10, estimated: true });
    expect(calendar.workdays('2030-06-03', '2030-06-09')).toEqual({ days: 5, estimated: true });
    // 2003-12-29 Mon … 12-31 Wed are estimated; 2004-01-01 元旦 is known to be off, 01-02 Fri is work.
    expect(calendar.workdays('2003-12-29', '2004-01-02')).toEqual({ days: 4, estimated: true });
  });

  it('does not call a range estimated when it stays inside the covered years', () => {
    expect(calendar.workdays('2026-12-28', '2026-12-31')).toEqual({ days: 4, estimated: false });
  });
});

describe('overrides from the setup file', () => {
  it('an extra rest day and an extra working day take effect', () => {
    const local = createWorkCalendar({ rest: ['2026-11-20'], work: ['2026-11-22'] });
    expect(local.isWorkday('2026-11-20')).toBe(false); // a Friday given off
    expect(local.isWorkday('2026-11-22')).toBe(true); // a Sunday worked
    // Mon 11-16 … Sun 11-22: Monday–Thursday and the Sunday.
    expect(local.workdays('2026-11-16', '2026-11-22')).toEqual({ days: 5, estimated: false });
  });

  it('win over the package data', () => {
    const local = createWorkCalendar({ rest: ['2026-10-10'], work: ['2026-10-01'] });
    expect(local.isWorkday('2026-10-10')).toBe(false);
    expect(local.isWorkday('2026-10-01')).toBe(true);
  });

  it('a year given completely counts as covered and extends the calendar', () => {
    const next = createWorkCalendar({ rest: ['2027-01-01'], years: [2027] });
    expect(next.lastCoveredYear).toBe(2027);
    expect(next.covers('2027-06-01')).toBe(true);
    expect(next.isWorkday('2027-01-01')).toBe(false);
    expect(next.isWorkday('2027-01-04')).toBe(true);
    // As above, less 元旦 on Friday 2027-01-01, and now exact.
    expect(next.workdays('2026-12-28', '2027-01-08')).toEqual({ days: 9, estimated: false });
    expect(next.covers('2028-01-03')).toBe(false);
  });

  it('a complete year after a gap is covered, but does not move the last covered year past the gap', () => {
    const later = createWorkCalendar({ years: [2028] });
    expect(later.lastCoveredYear).toBe(2026);
    expect(later.covers('2028-03-01')).toBe(true);
    expect(later.covers('2027-03-01')).toBe(false);
    expect(later.workdays('2028-01-03', '2028-01-07')).toEqual({ days: 5, estimated: false });
    expect(later.workdays('2026-12-31', '2028-01-03').estimated).toBe(true);
  });

  it('are used for the estimate even when their year is not declared complete', () => {
    const partial = createWorkCalendar({ rest: ['2027-01-01'] });
    expect(partial.covers('2027-01-01')).toBe(false);
    expect(partial.workdays('2026-12-28', '2027-01-08')).toEqual({ days: 9, estimated: true });
  });

  it('refuse a day listed both as rest and as work, a malformed date and an implausible year', () => {
    expect(() => createWorkCalendar({ rest: ['2027-01-01'], work: ['2027-01-01'] })).toThrow(/both/);
    expect(() => createWorkCalendar({ rest: ['2027-02-30'] })).toThrow(RangeError);
    expect(() => createWorkCalendar({ years: [2027.5] })).toThrow(RangeError);
    expect(() => createWorkCalendar({ years: [20270] })).toThrow(RangeError);
    expect(() => createWorkCalendar({ work: ['9999-01-02'] })).toThrow(RangeError);
  });
});
