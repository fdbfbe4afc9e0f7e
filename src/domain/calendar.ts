/**
 * China's official working-day calendar (docs/design.md §2 工作日): weekends, public holidays and 调休
 * make-up workdays, from the chinese-days data plus overrides from the setup file.
 *
 * chinese-days' own `isWorkday` is not used: beyond its data it silently answers Monday–Friday,
 * and it reads `Date`s in the process's time zone (docs/architecture.md §4.1). Its JSON is read
 * instead, keyed by `YYYY-MM-DD`.
 */
import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { epochDay, fromEpochDay, isYmd } from './dates.js';
import type { WorkCalendar, Ymd } from './model.js';

/** Date → `English,中文,days`: every day off of a holiday period, weekends inside it included. */
const HOLIDAYS: Readonly<Record<string, string>> = chineseDays.holidays;
/** Date → holiday name: the weekend days worked in exchange (调休上班). */
const MAKE_UP_DAYS: Readonly<Record<string, string>> = chineseDays.workdays;

const yearOf = (d: Ymd): number => Number(d.slice(0, 4));

/** Every year has 元旦, so a year is in the data exactly when it has a holiday. */
const DATA_YEARS: ReadonlySet<number> = new Set(Object.keys(HOLIDAYS).map(yearOf));

export class CalendarGapError extends Error {
  readonly date: Ymd;
  readonly year: number;

  constructor(date: Ymd) {
    const year = yearOf(date);
    super(
      `工作日历尚未收录 ${year} 年的节假日安排（${date}），无法判断是否为工作日。` +
        `请更新 chinese-days 包，或在设置文件的 calendar 下填写 ${year} 年的休息日（rest）` +
        `和调休上班日（work），并把 ${year} 加入 years。`,
    );
    this.name = 'CalendarGapError';
    this.date = date;
    this.year = year;
  }
}

/** The setup file's `calendar` section: for a year the package does not have yet, or a fix. */
export interface CalendarOverrides {
  /** Days off the data lacks; they win over the data. */
  rest?: Ymd[];
  /** 调休 make-up working days; they win over the data. */
  work?: Ymd[];
  /** Years these overrides describe completely, so they count as covered. */
  years?: number[];
}

// Overrides reach these years at most: the precomputed table spans every year they mention.
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;
const yearInRange = (y: number): boolean => Number.isInteger(y) && y >= MIN_YEAR && y <= MAX_YEAR;

function checkedDates(dates: readonly Ymd[] | undefined, field: string): Set<Ymd> {
  for (const d of dates ?? []) {
    if (!isYmd(d) || !yearInRange(yearOf(d))) {
      throw new RangeError(`calendar.${field}: not a YYYY-MM-DD date in ${MIN_YEAR}–${MAX_YEAR}: "${d}"`);
    }
  }
  return new Set(dates);
}

/** Monday–Friday days in [epoch day 0 − 3, n): differences of it count weekdays in any range. */
function weekdaysBefore(n: number): number {
  // Epoch day −3 (1969-12-29) is a Monday, so each 7 days from there start with 5 weekdays.
  const fromMonday = n + 3;
  const weeks = Math.floor(fromMonday / 7);
  return weeks * 5 + Math.min(fromMonday - weeks * 7, 5);
}

const mondayToFriday = (from: number, to: number): number => weekdaysBefore(to + 1) - weekdaysBefore(from);
const isMondayToFriday = (day: number): boolean => mondayToFriday(day, day) === 1;

export function createWorkCalendar(overrides: CalendarOverrides = {}): WorkCalendar {
  const rest = checkedDates(overrides.rest, 'rest');
  const work = checkedDates(overrides.work, 'work');
  for (const d of rest) {
    if (work.has(d)) throw new RangeError(`calendar: ${d} is listed both as rest and as work`);
  }
  for (const y of overrides.years ?? []) {
    if (!yearInRange(y)) throw new RangeError(`calendar.years: not a year in ${MIN_YEAR}–${MAX_YEAR}: ${y}`);
  }
  const covered = new Set([...DATA_YEARS, ...(overrides.years ?? [])]);
  let lastCoveredYear = Math.max(...DATA_YEARS);
  while (covered.has(lastCoveredYear + 1)) lastCoveredYear += 1;

  // Prefix sums over every year that has data or overrides: workdays() is then O(1), and days
  // outside this span are plain Monday–Friday, counted arithmetically.
  const yearsKnown = [...covered, ...[...rest, ...work].map(yearOf)];
  const first = epochDay(`${Math.min(...yearsKnown)}-01-01`);
  const last = epochDay(`${Math.max(...yearsKnown)}-12-31`);
  const length = last - first + 1;
  /** workBefore[i]: working days in [first, first + i). */
  const workBefore = new Int32Array(length + 1);
  /** gapBefore[i]: days of uncovered years in [first, first + i). */
  const gapBefore = new Int32Array(length + 1);
  for (let i = 0; i < length; i++) {
    const day = first + i;
    const d = fromEpochDay(day);
    const isWork =
      !rest.has(d) && (work.has(d) || (!(d in HOLIDAYS) && (d in MAKE_UP_DAYS || isMondayToFriday(day))));
    workBefore[i + 1] = (workBefore[i] ?? 0) + (isWork ? 1 : 0);
    gapBefore[i + 1] = (gapBefore[i] ?? 0) + (covered.has(yearOf(d)) ? 0 : 1);
  }
  /** The count over [from, to] from a prefix array; both ends must lie in the span. */
  const sum = (prefix: Int32Array, from: number, to: number): number =>
    (prefix[to - first + 1] ?? 0) - (prefix[from - first] ?? 0);

  const covers = (date: Ymd): boolean => {
    if (!isYmd(date)) throw new RangeError(`not a YYYY-MM-DD date: "${date}"`);
    return covered.has(yearOf(date));
  };

  return {
    lastCoveredYear,
    covers,
    isWorkday(date) {
      if (!covers(date)) throw new CalendarGapError(date);
      const day = epochDay(date);
      return sum(workBefore, day, day) === 1;
    },
    workdays(from, to) {
      const a = epochDay(from);
      const b = epochDay(to);
      if (a > b) return { days: 0, estimated: false };
      let days = 0;
      let estimated = false;
      if (a < first) {
        days += mondayToFriday(a, Math.min(b, first - 1));
        estimated = true;
      }
      const lo = Math.max(a, first);
      const hi = Math.min(b, last);
      if (lo <= hi) {
        days += sum(workBefore, lo, hi);
        if (sum(gapBefore, lo, hi) > 0) estimated = true;
      }
      if (b > last) {
        days += mondayToFriday(Math.max(a, last + 1), b);
        estimated = true;
      }
      return { days, estimated };
    },
  };
}

/**
 * The calendar for a scheduler that must not stop on 1 January: days beyond the covered years are
 * counted Monday to Friday, like `workdays` does, instead of throwing. Replies keep the strict
 * calendar, so people are told when a count is estimated.
 */
export function estimatingBeyondCoverage(calendar: WorkCalendar): WorkCalendar {
  return {
    lastCoveredYear: calendar.lastCoveredYear,
    covers: (date) => calendar.covers(date),
    isWorkday: (date) => (calendar.covers(date) ? calendar.isWorkday(date) : calendar.workdays(date, date).days === 1),
    workdays: (from, to) => calendar.workdays(from, to),
  };
}
