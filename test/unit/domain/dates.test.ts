import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  beijingDate,
  beijingInstant,
  beijingMonth,
  beijingTime,
  daysBetween,
  endOfBeijingDay,
  epochDay,
  fromEpochDay,
  instantMs,
  isYm,
  isYmd,
  monthEnd,
  monthOf,
  monthStart,
  nextMonth,
  previousMonth,
  weekday,
} from '../../../src/domain/dates.js';

describe('reading dates', () => {
  it('accepts only real calendar dates written YYYY-MM-DD', () => {
    expect(isYmd('2026-12-31')).toBe(true);
    expect(isYmd('2024-02-29')).toBe(true);
    expect(isYmd('2026-02-29')).toBe(false);
    expect(isYmd('2026-02-30')).toBe(false);
    expect(isYmd('2026-04-31')).toBe(false);
    expect(isYmd('2026-13-01')).toBe(false);
    expect(isYmd('2026-00-10')).toBe(false);
    expect(isYmd('2026-1-5')).toBe(false);
    expect(isYmd('2026-01-05 ')).toBe(false);
    expect(isYmd('')).toBe(false);
  });

  it('accepts only months written YYYY-MM', () => {
    expect(isYm('2026-01')).toBe(true);
    expect(isYm('2026-12')).toBe(true);
    expect(isYm('2026-13')).toBe(false);
    expect(isYm('2026-00')).toBe(false);
    expect(isYm('2026-1')).toBe(false);
    expect(isYm('2026-01-01')).toBe(false);
  });

  it('refuses to do arithmetic on something that is not a date', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => weekday('昨天')).toThrow(RangeError);
    expect(() => monthEnd('2026-13')).toThrow(RangeError);
    expect(() => addDays('2026-01-01', 0.5)).toThrow(RangeError);
  });
});

describe('Beijing time of an instant', () => {
  it('half past midnight in Beijing on National Day is already 1 October, though UTC still says 30 September', () => {
    const at = new Date('2026-09-30T16:30:00Z');
    expect(beijingDate(at)).toBe('2026-10-01');
    expect(beijingMonth(at)).toBe('2026-10');
    expect(beijingTime(at)).toBe('00:30');
    expect(beijingInstant(at)).toBe('2026-10-01T00:30:00.000+08:00');
  });

  it('the last minutes of the year in UTC are already New Year in Beijing', () => {
    const at = new Date('2026-12-31T16:00:00.000Z');
    expect(beijingDate(at)).toBe('2027-01-01');
    expect(beijingMonth(at)).toBe('2027-01');
    expect(beijingTime(at)).toBe('00:00');
  });

  it('writes an instant with the +08:00 offset and keeps its milliseconds', () => {
    const at = new Date('2026-11-22T01:30:00.250Z');
    expect(beijingInstant(at)).toBe('2026-11-22T09:30:00.250+08:00');
    expect(instantMs(beijingInstant(at))).toBe(at.getTime());
  });

  it('refuses an invalid Date rather than printing NaN', () => {
    expect(() => beijingDate(new Date('not a date'))).toThrow(RangeError);
  });

  it('agrees with the time zone database for any instant from 1970 to 2200, leap days and year ends included', () => {
    // sv-SE prints `YYYY-MM-DD HH:MM:SS`: the tz database's Asia/Shanghai, its 1986–1991 summers included.
    const tz = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }), (ms) => {
        const at = new Date(ms);
        const [date, time] = tz.format(at).split(' ');
        expect(beijingDate(at)).toBe(date);
        expect(beijingMonth(at)).toBe(date?.slice(0, 7));
        expect(beijingTime(at)).toBe(time?.slice(0, 5));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('day arithmetic', () => {
  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-10-09', 0)).toBe('2026-10-09');
    expect(addDays('2026-01-01', 365)).toBe('2027-01-01');
  });

  it('counts calendar days from one date to another', () => {
    expect(daysBetween('2026-09-30', '2026-10-01')).toBe(1);
    expect(daysBetween('2026-10-01', '2026-09-30')).toBe(-1);
    expect(daysBetween('2026-11-22', '2026-11-22')).toBe(0);
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
  });

  it('knows the day of the week', () => {
    expect(weekday('2026-10-01')).toBe(4); // Thursday
    expect(weekday('2026-09-20')).toBe(0); // Sunday
    expect(weekday('2026-10-10')).toBe(6); // Saturday
    expect(weekday('1969-12-29')).toBe(1); // Monday, before the epoch
  });

  it('numbers days from 1970-01-01 both ways', () => {
    expect(epochDay('1970-01-01')).toBe(0);
    expect(epochDay('1969-12-31')).toBe(-1);
    expect(fromEpochDay(epochDay('2026-11-22'))).toBe('2026-11-22');
  });
});

describe('months', () => {
  it('knows the month of a date and its first and last day', () => {
    expect(monthOf('2026-11-22')).toBe('2026-11');
    expect(monthStart('2026-11')).toBe('2026-11-01');
    expect(monthEnd('2026-11')).toBe('2026-11-30');
    expect(monthEnd('2026-12')).toBe('2026-12-31');
  });

  it('ends February on the 29th only in leap years', () => {
    expect(monthEnd('2026-02')).toBe('2026-02-28');
    expect(monthEnd('2028-02')).toBe('2028-02-29');
    expect(monthEnd('2100-02')).toBe('2100-02-28');
    expect(monthEnd('2000-02')).toBe('2000-02-29');
  });

  it('steps to the previous and next month across year ends', () => {
    expect(previousMonth('2027-01')).toBe('2026-12');
    expect(previousMonth('2026-11')).toBe('2026-10');
    expect(nextMonth('2026-12')).toBe('2027-01');
    expect(nextMonth('2026-02')).toBe('2026-03');
  });
});

describe('instants', () => {
  it('a deadline day ends at its last Beijing millisecond', () => {
    expect(endOfBeijingDay('2026-12-31')).toBe('2026-12-31T23:59:59.999+08:00');
    expect(instantMs(endOfBeijingDay('2026-12-31'))).toBe(Date.parse('2026-12-31T15:59:59.999Z'));
  });

  it('reads instants in UTC or with an offset as the same moment', () => {
    expect(instantMs('2026-11-22T09:30:00.000+08:00')).toBe(instantMs('2026-11-22T01:30:00Z'));
  });

  it('refuses an instant without an offset, which would depend on the server time zone', () => {
    expect(() => instantMs('2026-11-22T09:30:00')).toThrow(RangeError);
    expect(() => instantMs('2026-11-22')).toThrow(RangeError);
    expect(() => instantMs('soon')).toThrow(RangeError);
  });
});
