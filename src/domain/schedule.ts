/**
 * The decisions behind the scheduled jobs (issue 5): when the bot may post unprompted, which
 * tasks a township is reminded of, when the monthly ranking is due, when to warn that next
 * year's calendar is missing, and whether a slot missed while the process was down is still
 * worth catching up. Pure: every instant, day and calendar comes in as an argument.
 *
 * Times are Beijing time (Asia/Shanghai, UTC+8 all year, no daylight saving).
 */
import {
  addDays,
  beijingDate,
  beijingTime,
  daysBetween,
  instantMs,
  monthEnd,
  monthOf,
  monthStart,
  previousMonth,
} from './dates.js';
import type { Instant, Light, WorkCalendar, Ym, Ymd } from './model.js';
import { isDone } from './lights.js';

// ─── Office hours and working days ────────────────────────────────────────────────────────────

/** When messages may be posted on a working day, Beijing wall-clock `HH:MM`: `start` included, `end` not. */
export interface OfficeHours {
  start: string;
  end: string;
}

/** 08:30–18:00: the county's default, changeable per county. */
export const DEFAULT_OFFICE_HOURS: Readonly<OfficeHours> = Object.freeze({ start: '08:30', end: '18:00' });

export interface PostingWindow {
  /** `instant` falls on a working day, inside office hours. */
  now: boolean;
  /** The earliest moment a message may be posted: `instant` itself when `now`, else the next window's start. */
  next: Date;
}

const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

/** A Beijing wall-clock time as the settings write it: `HH:MM`, 00:00–23:59, two digits each. */
export function isClockTime(value: string): boolean {
  return HH_MM.test(value);
}

/**
 * The longest run of days off to look across for the next working day. The longest in the
 * official calendar is about nine days (春节); a month leaves room for an odd override table.
 */
const MAX_DAYS_OFF = 31;

/**
 * Whether a message may be posted at `instant`: a working day by the official calendar (so a
 * 调休 Saturday counts and a holiday Monday does not), between `hours.start` and `hours.end`
 * Beijing time. When it may not, `next` is the start of the next window: Friday 19:00 → Monday
 * 08:30; the eve of 国庆 → the first working day after the golden week.
 *
 * Throws the calendar's `CalendarGapError` when the answer depends on a year the calendar does
 * not cover (a posting on 1 January is never guessed).
 */
export function postingWindow(
  instant: Date,
  calendar: WorkCalendar,
  hours: OfficeHours = DEFAULT_OFFICE_HOURS,
): PostingWindow {
  checkOfficeHours(hours);
  const today = beijingDate(instant);
  if (calendar.isWorkday(today)) {
    const time = beijingTime(instant);
    // `HH:MM` strings of the same width compare in time order; seconds never cross a boundary
    // here, so 17:59:59 is inside and 18:00:00 is not.
    if (time < hours.start) return { now: false, next: beijingAt(today, hours.start) };
    if (time < hours.end) return { now: true, next: new Date(instant.getTime()) };
  }
  return { now: false, next: beijingAt(nextWorkingDay(today, calendar), hours.start) };
}

function checkOfficeHours(hours: OfficeHours): void {
  if (!HH_MM.test(hours.start) || !HH_MM.test(hours.end)) {
    throw new RangeError(`office hours must be HH:MM, got "${hours.start}"–"${hours.end}"`);
  }
  if (hours.start >= hours.end) {
    throw new RangeError(`office hours must start before they end, got ${hours.start}–${hours.end}`);
  }
}

/** The first working day after `day`. */
export function nextWorkingDay(day: Ymd, calendar: WorkCalendar): Ymd {
  for (let n = 1; n <= MAX_DAYS_OFF; n += 1) {
    const candidate = addDays(day, n);
    if (calendar.isWorkday(candidate)) return candidate;
  }
  throw new RangeError(`no working day in the ${MAX_DAYS_OFF} days after ${day}`);
}

/** The last working day before `day`. */
export function previousWorkingDay(day: Ymd, calendar: WorkCalendar): Ymd {
  for (let n = 1; n <= MAX_DAYS_OFF; n += 1) {
    const candidate = addDays(day, -n);
    if (calendar.isWorkday(candidate)) return candidate;
  }
  throw new RangeError(`no working day in the ${MAX_DAYS_OFF} days before ${day}`);
}

/** The same time of day on the last working day before `now`'s: what a daily digest compares with. */
export function lastWorkingDaySameTime(now: Date, calendar: WorkCalendar): { day: Ymd; at: Instant } {
  const day = previousWorkingDay(beijingDate(now), calendar);
  return { day, at: `${day}T${beijingTime(now)}:00.000+08:00` };
}

/** The instant a Beijing wall clock reads `hhmm` on `day`. */
function beijingAt(day: Ymd, hhmm: string): Date {
  return new Date(instantMs(`${day}T${hhmm}:00.000+08:00`));
}

// ─── The reminder ladder and 预警 ─────────────────────────────────────────────────────────────

/** Remind 5, 3 and 1 working days before a deadline, and on the day (0). */
export const DEFAULT_LADDER: readonly number[] = Object.freeze([5, 3, 1, 0]);

/**
 * What the jobs need to know of one (task, township) on a day. The board's `Cell` holds it
 * (`task.id`, `task.deadline`, `standing.light`); the job maps it, and any other fields it
 * carries ride along untouched, since the functions below are generic in it.
 */
export interface ScheduledItem {
  taskId: string;
  deadline: Ymd;
  /** The light on the same day the jobs are asked about. */
  light: Light;
}

export interface Reminder<T extends ScheduledItem> {
  item: T;
  /**
   * Working days after today up to and including the deadline: 0 when today is the last
   * working day to finish — the deadline itself, or the eve of a deadline that falls on a
   * weekend or holiday.
   */
  workdaysBefore: number;
  /** The count reaches into a year the calendar does not cover and assumed Monday to Friday. */
  estimated: boolean;
}

/**
 * The unfinished items a township is reminded of today: those whose working days before the
 * deadline are exactly one of the ladder's rungs (with [5, 3, 1, 0], an item 2 working days out
 * is skipped today and reminded tomorrow). Done and overdue items are left out — overdue ones
 * are `warningsFor`'s. Nearest deadline first; items with the same deadline keep their order.
 */
export function remindersFor<T extends ScheduledItem>(
  items: readonly T[],
  today: Ymd,
  calendar: WorkCalendar,
  ladder: readonly number[] = DEFAULT_LADDER,
): Reminder<T>[] {
  for (const rung of ladder) {
    if (!Number.isInteger(rung) || rung < 0) {
      throw new RangeError(`reminder ladder rungs are whole numbers of working days ≥ 0, got ${rung}`);
    }
  }
  const rungs = new Set(ladder);
  const reminders: Reminder<T>[] = [];
  for (const item of items) {
    if (isDone(item.light) || item.deadline < today) continue;
    const { days, estimated } = calendar.workdays(addDays(today, 1), item.deadline);
    if (rungs.has(days)) reminders.push({ item, workdaysBefore: days, estimated });
  }
  // Array.prototype.sort is stable, so equal deadlines keep the input's order.
  return reminders.sort((a, b) => compareDeadlines(a.item, b.item));
}

export interface Warnings<T extends ScheduledItem> {
  /** 🔴 past the deadline and not done: longest overdue first. */
  overdue: T[];
  /** 🟡 behind pace, or close to the deadline and not done: nearest deadline first. */
  behind: T[];
}

/**
 * The items for the 预警 job, straight from their lights: 🔴 go to their township's group and,
 * with the 🟡, into the leaders' summary. Items with the same deadline keep their order.
 */
export function warningsFor<T extends ScheduledItem>(items: readonly T[]): Warnings<T> {
  const sorted = [...items].sort(compareDeadlines);
  return {
    overdue: sorted.filter((item) => item.light === 'overdue'),
    behind: sorted.filter((item) => item.light === 'behind'),
  };
}

/**
 * Whether a township group is told today about a task overdue since `deadline`: on the first
 * working day after the deadline, then every `repeatDays` days after that (on the first working
 * day from then on); `repeatDays` 0 tells it once. Not every day: the same 🔴 every morning for
 * months is noise that hides the news (docs/design.md §1, 减负).
 */
export function overdueWarningDue(deadline: Ymd, today: Ymd, calendar: WorkCalendar, repeatDays: number): boolean {
  if (today <= deadline || !calendar.isWorkday(today)) return false;
  const first = nextWorkingDay(deadline, calendar);
  if (today === first) return true;
  if (repeatDays <= 0 || today < first) return false;
  // The repeat on or before today, moved to the first working day from it.
  const repeat = addDays(first, Math.floor(daysBetween(first, today) / repeatDays) * repeatDays);
  return repeat > first && (calendar.isWorkday(repeat) ? repeat : nextWorkingDay(repeat, calendar)) === today;
}

function compareDeadlines(a: ScheduledItem, b: ScheduledItem): number {
  return a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0;
}

// ─── Per-county settings ──────────────────────────────────────────────────────────────────────

/** What a county may change about the scheduled jobs and the 督办 cycle (the setup file's `schedule:` section). */
export interface ScheduleSettings {
  /** When the daily jobs run, Beijing time, HH:MM. */
  time: string;
  /** Working days before a deadline on which a township is reminded. */
  ladder: readonly number[];
  officeHours: OfficeHours;
  /** Whether township groups see the ⚠️后三位 marks in the monthly ranking (default no, docs/design.md §1). */
  bottomMarksInTownshipGroups: boolean;
  /** Days between reminders of an overdue task in its township's group after the first; 0: once. */
  overdueRepeatDays: number;
  /** Working days after its deadline a township may still ask for an extension (申请延期); 0: up to the deadline day. */
  extensionGraceDays: number;
  /** 完成审核: a report that reaches the target waits for a leader's 通过 (default off). */
  review: boolean;
  /** 签收: a new task is announced to each township's group as a 交办 notice, to be signed for (default off). */
  signOff: boolean;
}

/** A ladder has at least one rung and at most this many. */
export const MAX_LADDER_RUNGS = 10;
/** The farthest rung: a reminder more than six weeks of working days ahead reminds of nothing. */
export const MAX_LADDER_DAYS = 30;

/** The most working days after a deadline a county may take extension requests: a month. */
export const MAX_EXTENSION_GRACE_DAYS = 20;

/** The farthest apart overdue reminders may be set: a quarter of a year. */
export const MAX_OVERDUE_REPEAT_DAYS = 90;

/** 09:00, 5/3/1/0 working days, 08:30–18:00, no bottom-three marks in township groups, overdue weekly, extensions asked by the deadline, no review, no 签收. */
export const DEFAULT_SCHEDULE: Readonly<ScheduleSettings> = Object.freeze({
  time: '09:00',
  ladder: DEFAULT_LADDER,
  officeHours: DEFAULT_OFFICE_HOURS,
  bottomMarksInTownshipGroups: false,
  overdueRepeatDays: 7,
  extensionGraceDays: 0,
  review: false,
  signOff: false,
});

// ─── The monthly ranking (一月一通报) ─────────────────────────────────────────────────────────

/**
 * The first working day of a month by the official calendar: after New Year's Day, a weekend
 * or a golden week, it can be well into the month, and it can be a 调休 Saturday or Sunday.
 */
export function firstWorkingDayOfMonth(month: Ym, calendar: WorkCalendar): Ymd {
  const last = monthEnd(month);
  for (let day = monthStart(month); day <= last; day = addDays(day, 1)) {
    if (calendar.isWorkday(day)) return day;
  }
  throw new RangeError(`no working day in ${month}`);
}

/** Whether the monthly ranking is posted on `day`. */
export function isFirstWorkingDayOfMonth(day: Ymd, calendar: WorkCalendar): boolean {
  return firstWorkingDayOfMonth(monthOf(day), calendar) === day;
}

/** The month a ranking posted on `day` is about: the one before. */
export function rankingMonthFor(day: Ymd): Ym {
  return previousMonth(monthOf(day));
}

// ─── Calendar guard ───────────────────────────────────────────────────────────────────────────

/** The admins are told at most this often that a year's holidays are missing. */
export const CALENDAR_WARNING_INTERVAL_DAYS = 7;

/**
 * Whether to tell the admins that the calendar lacks a year they will soon need: from
 * 1 December when next year is not covered (and, should December pass unheeded, whenever the
 * current year is not), once a week — due when never warned or last warned 7 or more days ago.
 */
export function calendarGuardDue(today: Ymd, lastCoveredYear: number, lastWarned?: Ymd): boolean {
  const month = monthOf(today);
  const year = Number(month.slice(0, 4));
  const needed = month.endsWith('-12') ? year + 1 : year;
  if (needed <= lastCoveredYear) return false;
  return lastWarned === undefined || daysBetween(lastWarned, today) >= CALENDAR_WARNING_INTERVAL_DAYS;
}

// ─── Catch-up after downtime ──────────────────────────────────────────────────────────────────

const HOUR_MS = 3_600_000;

/** A 09:00 reminder caught up by 18:00 is still the same working day's reminder. */
export const REMINDER_GRACE_MS = 9 * HOUR_MS;
/** A monthly ranking is still worth posting a few days late; after a week it is news no more. */
export const RANKING_GRACE_MS = 7 * 24 * HOUR_MS;

/**
 * Whether a slot that came while the process was down should still run now: it has passed
 * (`previousSlot` ≤ `now`) and no more than `graceMs` ago. Nothing else — whether the slot
 * already ran is the run coordinator's business, and office hours are `postingWindow`'s.
 */
export function missedSlot(previousSlot: Date, now: Date, graceMs: number): boolean {
  const late = now.getTime() - previousSlot.getTime();
  return late >= 0 && late <= graceMs;
}

/** The cron expression of a job that runs every day at the county's `time` (`09:00` → `0 9 * * *`). */
export function dailyAt(settings: Pick<ScheduleSettings, 'time'>): string {
  const [hour = '9', minute = '0'] = settings.time.split(':');
  return `${String(Number(minute))} ${String(Number(hour))} * * *`;
}
