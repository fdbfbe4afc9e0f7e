/**
 * A WorkCalendar for tests: Monday to Friday, minus the given holidays, plus the given 调休
 * make-up workdays, known up to `lastCoveredYear`; later days are estimated Monday to Friday,
 * as the real calendar does.
 */
import type { WorkCalendar, Ymd } from '../../src/domain/model.js';

export interface CalendarStubOptions {
  holidays?: readonly Ymd[];
  makeUpWorkdays?: readonly Ymd[];
  lastCoveredYear?: number;
}

export interface CalendarStub extends WorkCalendar {
  /** How many times `workdays` was asked, to show a computation asks once per task. */
  readonly workdaysCalls: number;
}

const DAY_MS = 86_400_000;

export function calendarStub(options: CalendarStubOptions = {}): CalendarStub {
  const holidays = new Set(options.holidays);
  const makeUp = new Set(options.makeUpWorkdays);
  const lastCoveredYear = options.lastCoveredYear ?? 2026;
  let calls = 0;

  const covers = (date: Ymd): boolean => Number(date.slice(0, 4)) <= lastCoveredYear;
  const weekday = (date: Ymd): boolean => {
    const day = new Date(`${date}T00:00:00Z`).getUTCDay();
    return day !== 0 && day !== 6;
  };
  const known = (date: Ymd): boolean => (makeUp.has(date) ? true : holidays.has(date) ? false : weekday(date));

  return {
    lastCoveredYear,
    get workdaysCalls() {
      return calls;
    },
    covers,
    isWorkday(date) {
      if (!covers(date)) throw new Error(`calendar stub does not cover ${date}`);
      return known(date);
    },
    workdays(from, to) {
      calls += 1;
      let days = 0;
      let estimated = false;
      for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += DAY_MS) {
        const date = new Date(ms).toISOString().slice(0, 10);
        if (covers(date)) {
          if (known(date)) days += 1;
        } else {
          estimated = true;
          if (weekday(date)) days += 1;
        }
      }
      return { days, estimated };
    },
  };
}

/**
 * A holiday week shaped like 国庆 (made up for tests, not the official schedule): Thursday 1 to
 * Wednesday 7 October 2026 off, Sunday 27 September and Saturday 10 October worked.
 */
export const HOLIDAY_WEEK_2026 = {
  holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
  makeUpWorkdays: ['2026-09-27', '2026-10-10'],
} as const;
