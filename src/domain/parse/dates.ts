/** Dates (deadlines and start days) and the months of a ranking, as people write them. */
import { daysInMonth } from '../dates.js';
import type { Ym, Ymd } from '../model.js';
import { parsed, problem, type Parsed } from '../problems.js';
import { wholeOf } from './numbers.js';
import { normalizeText } from './text.js';

/** A ranking period as asked for: a month, or this or last month relative to today. */
// Ym is a plain string alias; the two literals still say what a caller must handle.
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
export type MonthRef = Ym | 'current' | 'previous';

interface Day {
  y: number;
  m: number;
  d: number;
}

/** Deadlines are written for this century; 0026 or 2206 is a typo, not a plan. */
const YEAR_MIN = 2000;
const YEAR_MAX = 2099;


const pad2 = (n: number): string => String(n).padStart(2, '0');
const ymdOf = ({ y, m, d }: Day): Ymd => `${String(y)}-${pad2(m)}-${pad2(d)}`;
const ymOf = (y: number, m: number): Ym => `${String(y)}-${pad2(m)}`;

/** `today` comes from the caller's clock, so a malformed one is a bug, not user input. */
function dayOf(today: Ymd): Day {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (m === null) throw new RangeError(`today must be YYYY-MM-DD, got ${today}`);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

const before = (a: Day, b: Day): boolean => ymdOf(a) < ymdOf(b);

function nextDay({ y, m, d }: Day): Day {
  if (d < daysInMonth(y, m)) return { y, m, d: d + 1 };
  return m < 12 ? { y, m: m + 1, d: 1 } : { y: y + 1, m: 1, d: 1 };
}

const YEAR = '(\\d{4}|[〇零一二三四五六七八九]{4})';
const MD = '(\\d{1,2}|[〇零一二三四五六七八九十]{1,3})';
/** A day in a month, or where in it: 底/末 is the last day, 上旬/中旬 the 10th/20th. */
const MONTH_DAY = new RegExp(`^${MD}月(?:${MD}[日号]?|(底|末|份|上旬|中旬|下旬|中下旬))?$`, 'u');
const MONTH_PART_DAY: Readonly<Record<string, number>> = { 上旬: 10, 中旬: 20 };

interface DateOptions {
  /** A month-day already past means next year (deadlines); off for start dates. */
  rollover: boolean;
}

/** Builds a date from a month and a day or a part of the month, choosing the year when none was written. */
function dateFrom(y: number | undefined, m: number, day: number | string, today: Day, text: string, opts: DateOptions): Parsed<Ymd> {
  if (m < 1 || m > 12) return problem({ code: 'date-invalid', text });
  const at = (year: number): Day => ({
    y: year,
    m,
    d: typeof day === 'number' ? day : (MONTH_PART_DAY[day] ?? daysInMonth(year, m)),
  });
  let date = at(y ?? today.y);
  if (y === undefined && opts.rollover && before(date, today)) date = at(today.y + 1);
  if (date.y < YEAR_MIN || date.y > YEAR_MAX || date.d < 1 || date.d > daysInMonth(date.y, date.m)) {
    return problem({ code: 'date-invalid', text });
  }
  return parsed(ymdOf(date));
}

export function readDate(s: string, todayYmd: Ymd, opts: DateOptions): Parsed<Ymd> {
  const today = dayOf(todayYmd);
  const text = normalizeText(s);
  const t = text.replace(/ /g, '').replace(/^(?:到|至|于)/, '').replace(/(?:之前|以前|前|为止)$/, '');
  const unknown = problem<Ymd>({ code: 'date-unknown', text });
  if (t === '') return unknown;
  if (t === '今天' || t === '今日') return parsed(ymdOf(today));
  if (t === '明天' || t === '明日') return parsed(ymdOf(nextDay(today)));
  if (/^(?:本|这个?|当)?月(?:底|末)$/u.test(t)) return dateFrom(today.y, today.m, 'end', today, text, opts);
  if (/^下个?月(?:底|末)$/u.test(t)) {
    return today.m === 12 ? dateFrom(today.y + 1, 1, 'end', today, text, opts) : dateFrom(today.y, today.m + 1, 'end', today, text, opts);
  }
  const numeric = /^(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})$/.exec(t);
  if (numeric !== null) {
    const y = numeric[1] === undefined ? undefined : Number(numeric[1]);
    return dateFrom(y, Number(numeric[2]), Number(numeric[3]), today, text, opts);
  }
  const yearMonth = /^(\d{4})[-/.](\d{1,2})$/.exec(t);
  if (yearMonth !== null) return dateFrom(Number(yearMonth[1]), Number(yearMonth[2]), 'end', today, text, opts);

  let y: number | undefined;
  let rest = t;
  const written = new RegExp(`^${YEAR}年`, 'u').exec(rest);
  const relative = /^(今年|本年|明年)/u.exec(rest);
  if (written !== null) {
    y = wholeOf(written[1] ?? '');
    rest = rest.slice(written[0].length);
  } else if (relative !== null) {
    y = relative[1] === '明年' ? today.y + 1 : today.y;
    rest = rest.slice(relative[0].length);
  }
  if (/^年?(?:底|末)$/u.test(rest) && (y !== undefined || rest.startsWith('年'))) {
    return dateFrom(y ?? today.y, 12, 31, today, text, opts);
  }
  const md = MONTH_DAY.exec(rest);
  if (md === null) return unknown;
  const month = wholeOf(md[1] ?? '');
  const dayText = md[2];
  const day = dayText === undefined ? undefined : wholeOf(dayText);
  if (month === undefined || (dayText !== undefined && day === undefined)) return unknown;
  const part = md[3];
  return dateFrom(y, month, day ?? (part !== undefined && part in MONTH_PART_DAY ? part : 'end'), today, text, opts);
}

/**
 * A deadline: `2026-12-31`, `2026年12月31日`, `12月31日`, `12-31`, `12月底`, `年底`, `月底`, `8月底前`;
 * a month-day already past means next year.
 */
export function parseDate(s: string, today: Ymd): Parsed<Ymd> {
  return readDate(s, today, { rollover: true });
}

/** The month of a ranking: `上月`, `本月` (or nothing), `2026-10`, `2026年10月`, `10月` (the latest October not after today). */
export function parseMonth(s: string, today: Ymd): Parsed<MonthRef> {
  const now = dayOf(today);
  const text = normalizeText(s);
  const t = text.replace(/ /g, '');
  if (t === '' || /^(?:本|这个?|当)月份?$/u.test(t)) return parsed('current');
  if (/^(?:上一?个?|前一个)月(?:份)?$/u.test(t)) return parsed('previous');
  const unknown = problem<Ym>({ code: 'month-unknown', text });
  const numeric = /^(\d{4})[-/.](\d{1,2})$/.exec(t);
  const written = new RegExp(`^(?:${YEAR}年|(今年|去年|本年))?${MD}月(?:份)?$`, 'u').exec(t);
  let y: number | undefined;
  let m: number | undefined;
  if (numeric !== null) {
    y = Number(numeric[1]);
    m = Number(numeric[2]);
  } else if (written !== null) {
    if (written[1] !== undefined) y = wholeOf(written[1]);
    else if (written[2] !== undefined) y = written[2] === '去年' ? now.y - 1 : now.y;
    else y = undefined;
    m = wholeOf(written[3] ?? '');
    if (m === undefined || (written[1] !== undefined && y === undefined)) return unknown;
    // A bare month is the latest one not after today: 十月 in March is last October.
    if (y === undefined) y = m > now.m ? now.y - 1 : now.y;
  } else {
    return unknown;
  }
  if (m < 1 || m > 12 || y < YEAR_MIN || y > YEAR_MAX) return unknown;
  return parsed(ymOf(y, m));
}
