/**
 * Civil dates and instants in Beijing time. Dates are `YYYY-MM-DD` strings (docs/design.md §2); the
 * arithmetic runs on whole days in UTC so no result depends on the process's time zone
 * (docs/architecture.md §4.2).
 */
import type { Instant, Ym, Ymd } from './model.js';

const DAY_MS = 86_400_000;
const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const YM = /^(\d{4})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;
/** China Standard Time; Asia/Shanghai has kept it without daylight saving since 1991. */
const BEIJING_OFFSET = '+08:00';

/**
 * One formatter for all fields; `h23` because some ICU versions print midnight as `24`. Made on
 * first use: only instants before 1992 need it (wallClock), and making it maps some 5 MB of ICU's
 * time-zone and locale data into the process for good.
 */
let beijingParts: Intl.DateTimeFormat | undefined;
const beijingFormatter = (): Intl.DateTimeFormat =>
  (beijingParts ??= new Intl.DateTimeFormat('en-US', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }));

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * From 1992 on, Beijing's wall clock is UTC shifted by eight hours: China's last daylight saving
 * ended in September 1991 (the tz database's Asia/Shanghai, https://www.iana.org/time-zones).
 * The shift is exact and a tenth of the cost of asking Intl, which every message and ranking
 * does several times; earlier instants still ask it.
 */
const FIXED_OFFSET_FROM_MS = Date.UTC(1991, 11, 31, 16);
const OFFSET_MS = 8 * 3_600_000;

function wallClock(at: Date): WallClock {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid Date');
  if (ms >= FIXED_OFFSET_FROM_MS) {
    const shifted = new Date(ms + OFFSET_MS);
    return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate(), hour: shifted.getUTCHours(), minute: shifted.getUTCMinutes(), second: shifted.getUTCSeconds() };
  }
  const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of beijingFormatter().formatToParts(at)) {
    if (part.type in clock) clock[part.type as keyof WallClock] = Number(part.value);
  }
  return clock;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const formatYm = (year: number, month: number): Ym => `${pad(year, 4)}-${pad(month)}`;
const clockDate = (c: WallClock): Ymd => `${formatYm(c.year, c.month)}-${pad(c.day)}`;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month of the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True for a real calendar date written `YYYY-MM-DD` (so `2026-02-30` is false). */
export function isYmd(s: string): boolean {
  const m = YMD.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** True for a month written `YYYY-MM`. */
export function isYm(s: string): boolean {
  const m = YM.exec(s);
  if (!m) return false;
  const month = Number(m[2]);
  return month >= 1 && month <= 12;
}

function parseYmd(d: Ymd): [year: number, month: number, day: number] {
  if (!isYmd(d)) throw new RangeError(`not a YYYY-MM-DD date: "${d}"`);
  return [Number(d.slice(0, 4)), Number(d.slice(5, 7)), Number(d.slice(8, 10))];
}

function parseYm(m: Ym): [year: number, month: number] {
  if (!isYm(m)) throw new RangeError(`not a YYYY-MM month: "${m}"`);
  return [Number(m.slice(0, 4)), Number(m.slice(5, 7))];
}

/** Days since 1970-01-01: the index the calendar and day counts work on. */
export function epochDay(d: Ymd): number {
  const [year, month, day] = parseYmd(d);
  // setUTCFullYear, not Date.UTC, which maps years 0–99 to 1900–1999.
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  return Math.round(t.getTime() / DAY_MS);
}

/** The date `n` days after 1970-01-01. */
export function fromEpochDay(n: number): Ymd {
  if (!Number.isInteger(n)) throw new RangeError(`not a whole number of days: ${n}`);
  const t = new Date(n * DAY_MS);
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** The Beijing calendar date of an instant. */
export function beijingDate(at: Date): Ymd {
  return clockDate(wallClock(at));
}

/** The Beijing calendar month of an instant. */
export function beijingMonth(at: Date): Ym {
  const c = wallClock(at);
  return formatYm(c.year, c.month);
}

/** An instant as Beijing wall-clock time with its offset: `2026-11-22T09:30:00.000+08:00`. */
export function beijingInstant(at: Date): Instant {
  const c = wallClock(at);
  const ms = pad(at.getUTCMilliseconds(), 3);
  return `${clockDate(c)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}.${ms}${BEIJING_OFFSET}`;
}

/**
 * The Beijing date of an instant written as text. Instants the bot writes carry +08:00, whose
 * first ten characters are the date: a ranking asks this of every finished cell, so the common
 * form skips parsing.
 */
export function beijingDay(at: Instant): Ymd {
  return at.endsWith(BEIJING_OFFSET) && at.length > 10 ? at.slice(0, 10) : beijingDate(new Date(instantMs(at)));
}

/**
 * The Beijing date of an instant in epoch milliseconds, as a day number (epochDay): a ranking asks
 * it of every finished cell, and a number compares without making a string.
 */
export function beijingEpochDay(ms: number): number {
  if (ms >= FIXED_OFFSET_FROM_MS) return Math.floor((ms + OFFSET_MS) / DAY_MS);
  return epochDay(beijingDate(new Date(ms)));
}

/** Beijing wall-clock time of an instant, `HH:MM`. */
export function beijingTime(at: Date): string {
  const c = wallClock(at);
  return `${pad(c.hour)}:${pad(c.minute)}`;
}

/** The date `n` calendar days after `d` (before it when `n` is negative). */
export function addDays(d: Ymd, n: number): Ymd {
  if (!Number.isInteger(n)) throw new RangeError(`not a whole number of days: ${n}`);
  return fromEpochDay(epochDay(d) + n);
}

/** `b − a` in calendar days: 1 from one day to the next, negative when `b` comes first. */
export function daysBetween(a: Ymd, b: Ymd): number {
  return epochDay(b) - epochDay(a);
}

/** 0 Sunday, 1 Monday … 6 Saturday. */
export function weekday(d: Ymd): number {
  // 1970-01-01 was a Thursday.
  return (((epochDay(d) + 4) % 7) + 7) % 7;
}

export function monthOf(d: Ymd): Ym {
  const [year, month] = parseYmd(d);
  return formatYm(year, month);
}

export function monthStart(m: Ym): Ymd {
  parseYm(m);
  return `${m}-01`;
}

export function monthEnd(m: Ym): Ymd {
  const [year, month] = parseYm(m);
  return `${m}-${pad(daysInMonth(year, month))}`;
}

export function previousMonth(m: Ym): Ym {
  const [year, month] = parseYm(m);
  return month === 1 ? formatYm(year - 1, 12) : formatYm(year, month - 1);
}

export function nextMonth(m: Ym): Ym {
  const [year, month] = parseYm(m);
  return month === 12 ? formatYm(year + 1, 1) : formatYm(year, month + 1);
}

/** The last millisecond of a Beijing day: a deadline date read as "by the end of that day". */
export function endOfBeijingDay(d: Ymd): Instant {
  parseYmd(d);
  return `${d}T23:59:59.999${BEIJING_OFFSET}`;
}

/** Milliseconds since the epoch of an ISO 8601 instant that carries `Z` or an offset. */
export function instantMs(i: Instant): number {
  // Without an offset Date.parse would read the process's local time.
  const ms = INSTANT.test(i) ? Date.parse(i) : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO instant with an offset: "${i}"`);
  return ms;
}
