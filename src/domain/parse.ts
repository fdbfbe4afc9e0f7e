/**
 * Reading what people type in a work group (docs/design.md §3 "Input tolerance"): full-width forms,
 * mentions, task references, progress values, dates, months and the arguments of 新建任务.
 * Every parser answers with a `Parsed` value and never throws on user input.
 */
import { daysInMonth } from './dates.js';
import { COUNT_UNITS, TASK_DOMAINS, type CountUnit, type ReportValue, type Target, type TaskDomain, type Ym, type Ymd } from './model.js';
import { parsed, problem, type Parsed, type Problem } from './problems.js';

/** A task as the user named it; matching a title fragment against the task list happens elsewhere. */
export type TaskRef = { kind: 'id'; id: string } | { kind: 'title'; text: string };

/** A ranking period as asked for: a month, or this or last month relative to today. */
// Ym is a plain string alias; the two literals still say what a caller must handle.
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
export type MonthRef = Ym | 'current' | 'previous';

/** The arguments of 上报. */
export interface ReportArgs {
  task: TaskRef;
  value: ReportValue;
  /** The value exactly as typed (after normalization), for the ledger. */
  valueText: string;
  note: string;
}

/** Which townships a new task is for, by the names typed; the command matches them to the county's. */
export type TownshipScope = { kind: 'all' } | { kind: 'only'; names: string[] } | { kind: 'except'; names: string[] };

/** The arguments of 新建任务. */
export interface NewTaskArgs {
  title: string;
  deadline: Ymd;
  target: Target;
  domain?: TaskDomain;
  start?: Ymd;
  /** Absent: every township. */
  townships?: TownshipScope;
}

/** The ledger keeps notes short enough to read in a chat bubble. */
export const NOTE_MAX = 200;

// ---------------------------------------------------------------------------------------------
// Normalization

/**
 * Full-width ASCII to half-width (but `，`, which notes use), every Unicode space to one plain space,
 * zero-width marks dropped, trimmed.
 */
export function normalizeText(s: string): string {
  return s
    .replace(/[\u200B\u2060\uFEFF]/g, '')
    .replace(/[\uFF01-\uFF0B\uFF0D-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Removes leading `@名字` mentions, each followed by a space or the end of the text. */
export function stripMention(s: string): string {
  return s.replace(/^\s*(?:[@＠][\p{L}\p{M}\p{N}_\-·・]+(?:\s+|$))+/u, '').trim();
}

/**
 * `s` without the characters of `chars` at either end. A loop, not `/[…]+$/`: V8 tries such a
 * pattern from every character of a long run that does not reach the end, so a line of 20,000
 * commas took a second; this reads each character once.
 */
export function trimChars(s: string, chars: string): string {
  return trimEndChars(trimStartChars(s, chars), chars);
}

/** Like trimChars, at the start only. */
export function trimStartChars(s: string, chars: string): string {
  let start = 0;
  while (start < s.length && chars.includes(s.charAt(start))) start += 1;
  return s.slice(start);
}

/** Like trimChars, at the end only. */
export function trimEndChars(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s.charAt(end - 1))) end -= 1;
  return s.slice(0, end);
}

/** Lower-cases ASCII only, so string indices stay put. */
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

const ASCII_WORD_END = /[A-Za-z0-9_]$/;
const ASCII_WORD_START = /^[A-Za-z0-9_]/;

/** Finds the command word at the start of a message (longest listed word first) and the text after it. */
export function splitCommand(text: string, words: readonly string[]): { word: string; rest: string } | undefined {
  let t = stripMention(normalizeText(text));
  if (t.startsWith('/')) t = t.slice(1).trimStart();
  const lower = asciiLower(t);
  const candidates = words
    .map((word) => ({ word, key: asciiLower(normalizeText(word)) }))
    .filter((c) => c.key !== '')
    .sort((a, b) => b.key.length - a.key.length);
  for (const { word, key } of candidates) {
    if (!lower.startsWith(key)) continue;
    const after = t.slice(key.length);
    // `helpme` is a different word from `help`; `上报T3` is 上报 with its argument.
    if (ASCII_WORD_END.test(key) && ASCII_WORD_START.test(after)) continue;
    return { word, rest: after.replace(/^[\s:,，]+/, '').trim() };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Numbers

const CN_DIGIT = new Map<string, number>([
  ['零', 0], ['〇', 0], ['一', 1], ['二', 2], ['两', 2], ['三', 3], ['四', 4],
  ['五', 5], ['六', 6], ['七', 7], ['八', 8], ['九', 9],
]);
const CN_UNIT = new Map<string, number>([['十', 10], ['百', 100], ['千', 1000]]);

/** Chinese numerals, `十二`, `一百零五`, `两千`, `三百五` (350), `一万二` (12000), `二〇二六`; undefined when malformed. */
function chineseInt(s: string): number | undefined {
  const chars = Array.from(s);
  if (chars.length === 0) return undefined;
  if (chars.every((ch) => CN_DIGIT.has(ch))) {
    // No units: digit by digit, as years are written (二〇二六).
    let n = 0;
    for (const ch of chars) n = n * 10 + (CN_DIGIT.get(ch) ?? 0);
    return n;
  }
  let total = 0;
  let section = 0;
  let digit: number | undefined;
  let lastUnit = 10000;
  let zero = false;
  let wan = false;
  for (const ch of chars) {
    const d = CN_DIGIT.get(ch);
    if (d !== undefined) {
      if (digit !== undefined) return undefined;
      if (d === 0) zero = true;
      else digit = d;
      continue;
    }
    const u = CN_UNIT.get(ch);
    if (u !== undefined) {
      if (u >= lastUnit) return undefined;
      // 十二 and 百分之百 leave out the leading 一; anywhere else a unit needs its digit.
      if (digit === undefined && (section !== 0 || total !== 0 || zero)) return undefined;
      section += (digit ?? 1) * u;
      digit = undefined;
      lastUnit = u;
      zero = false;
      continue;
    }
    if (ch === '万') {
      const sectionValue = section + (digit ?? 0);
      if (wan || sectionValue === 0) return undefined;
      total = sectionValue * 10000;
      section = 0;
      digit = undefined;
      lastUnit = 10000;
      zero = false;
      wan = true;
      continue;
    }
    return undefined;
  }
  if (digit !== undefined) {
    // 三百五 is 350 and 一万二 is 12000: a digit right after a unit of a hundred or more is one place lower.
    section += !zero && lastUnit >= 100 ? (digit * lastUnit) / 10 : digit;
  }
  return total + section;
}

interface Num {
  n: number;
  negative: boolean;
}

/** An Arabic or Chinese number, with `.` or `点` decimals and an optional minus sign. */
function numberOf(text: string): Num | undefined {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  if (/^\d+(?:\.\d+)?$/.test(body)) return { n: Number(body), negative };
  const parts = body.split('点');
  const [whole, fraction] = parts;
  if (whole === undefined || parts.length > 2) return undefined;
  const int = chineseInt(whole);
  if (int === undefined) return undefined;
  if (fraction === undefined) return { n: int, negative };
  const digits = Array.from(fraction).map((ch) => CN_DIGIT.get(ch));
  if (digits.length === 0) return undefined;
  let decimals = '';
  for (const d of digits) {
    if (d === undefined) return undefined;
    decimals += String(d);
  }
  return { n: Number(`${String(int)}.${decimals}`), negative };
}

/** A non-negative whole number, or undefined. */
function wholeOf(text: string): number | undefined {
  const num = numberOf(text);
  return num !== undefined && !num.negative && Number.isSafeInteger(num.n) ? num.n : undefined;
}

/** Floating point would turn 0.7 成 into 7.000000000000001 %. */
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

const AR_NUM = String.raw`\d+(?:\.\d+)?`;
/** Only 十 may lead a Chinese number without its digit: a lone 百 is no value (百分之 half-typed). */
const CN_NUM = '[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*(?:点[零〇一二三四五六七八九]+)?';
const NUM = `-?(?:${AR_NUM}|${CN_NUM})`;
/** 百分之八十, and 百分之百 where the lone 百 is a hundred. */
const PERCENT_WORD = `百分之(${NUM}|百)`;
/** Measure words a count is written with: 12个, 3名, 8个村, 5处… */
const MEASURE = '(?:个(?:村|社区|村居|点|单位|支部)?|名|人|位|处|家|村|社区|户|座|所|间|项|次|件|条|支|套|份)';
const MEASURE_CHARS = '个名人位处家村社户座所间项次件条支套份';
const NUMERAL_CHARS = String.raw`\d零〇一二两三四五六七八九十百千万`;

// ---------------------------------------------------------------------------------------------
// Values

/**
 * No progress value is longer than this: `一万二千三百四十五个`, `百分之八十五点五` and `123/456个村居`
 * are 8 to 11 characters. A value is looked for only this far from where it may start, so each
 * try costs the same however long the message, and a report is read in time linear in its length.
 */
const VALUE_MAX = 24;

const percentValue = (num: Num, text: string): Parsed<ReportValue> =>
  num.negative ? problem({ code: 'value-range', text, why: 'negative' }) : num.n > 100 ? problem({ code: 'value-range', text, why: 'over-100' }) : parsed({ kind: 'percent', percent: num.n });

function countValue(num: Num, text: string): Parsed<ReportValue> {
  if (num.negative) return problem({ code: 'value-range', text, why: 'negative' });
  if (num.n > Number.MAX_SAFE_INTEGER) return problem({ code: 'value-range', text, why: 'too-large' });
  if (!Number.isInteger(num.n)) return problem({ code: 'value-unknown', text });
  return parsed({ kind: 'count', count: num.n });
}

interface ValueForm {
  re: RegExp;
  /** A bare number: a weak reading when more text follows it (三年 is no value). */
  bare?: true;
  read(m: RegExpExecArray): Parsed<ReportValue>;
}

/** Reads a matched number, or answers value-unknown for a malformed numeral (十十). */
function withNum(text: string | undefined, whole: string, then: (num: Num) => Parsed<ReportValue>): Parsed<ReportValue> {
  const num = numberOf(text ?? '');
  return num === undefined ? problem({ code: 'value-unknown', text: whole }) : then(num);
}

/** A count written straight after a value begins its note: 八成三个村未完成, 已完成8个村. */
const COUNT = new RegExp(`^(${NUM})${MEASURE}`, 'u');

const VALUE_FORMS: readonly ValueForm[] = [
  {
    re: /^(?:已经?)?(?:全部|全面|全)?完成了?/u,
    read: () => parsed({ kind: 'done' }),
  },
  {
    re: new RegExp(`^${PERCENT_WORD}`, 'u'),
    read: (m) => withNum(m[1], m[0], (num) => percentValue(num, m[0])),
  },
  {
    re: new RegExp(`^(${NUM}) ?%`, 'u'),
    read: (m) => withNum(m[1], m[0], (num) => percentValue(num, m[0])),
  },
  {
    // 八成五 is 85 %, but in 八成三个村 the 三 counts villages.
    re: new RegExp(`^(${NUM})成([0-9零〇一二三四五六七八九](?![${MEASURE_CHARS}${NUMERAL_CHARS}]))?`, 'u'),
    read: (m) =>
      withNum(m[1], m[0], (num) => {
        const tenth = m[2] === undefined ? 0 : wholeOf(m[2]);
        if (tenth === undefined || (m[2] !== undefined && !Number.isInteger(num.n))) {
          return problem({ code: 'value-unknown', text: m[0] });
        }
        return percentValue({ n: round6(num.n * 10 + tenth), negative: num.negative }, m[0]);
      }),
  },
  {
    re: new RegExp(`^(${NUM}) ?/ ?(${NUM})${MEASURE}?`, 'u'),
    read: (m) => {
      const done = numberOf(m[1] ?? '');
      const of = numberOf(m[2] ?? '');
      if (done === undefined || of === undefined) return problem({ code: 'value-unknown', text: m[0] });
      if (done.negative || of.negative) return problem({ code: 'value-range', text: m[0], why: 'negative' });
      const valid = Number.isSafeInteger(done.n) && Number.isSafeInteger(of.n) && of.n > 0 && done.n <= of.n;
      return valid ? parsed({ kind: 'fraction', done: done.n, of: of.n }) : problem({ code: 'fraction-invalid', text: m[0] });
    },
  },
  {
    re: COUNT,
    read: (m) => withNum(m[1], m[0], (num) => countValue(num, m[0])),
  },
  {
    re: new RegExp(`^(${NUM})`, 'u'),
    bare: true,
    // Its range is the target's to check: 120 is too much of a percent but may be a count.
    read: (m) =>
      withNum(m[1], m[0], (num) => (num.negative ? problem({ code: 'value-range', text: m[0], why: 'negative' }) : parsed({ kind: 'percent', percent: num.n, bare: true }))),
  },
];

interface Scanned {
  text: string;
  value: Parsed<ReportValue>;
  bare: boolean;
}

/**
 * The longest value written at the start of `s`, valid or not, so `120%` is out of range rather
 * than `12` and a note. Where it ends is not checked here: see `readValue`.
 */
function scanValue(s: string): Scanned | undefined {
  const head = s.slice(0, VALUE_MAX + 1);
  let best: Scanned | undefined;
  for (const form of VALUE_FORMS) {
    const m = form.re.exec(head);
    if (m !== null && m[0] !== '' && (best === undefined || m[0].length > best.text.length)) {
      best = { text: m[0], value: form.read(m), bare: form.bare === true };
    }
  }
  return best;
}

const isWholeValue = (s: string): boolean => s !== '' && s.length <= VALUE_MAX && scanValue(s)?.text.length === s.length;

/*
 * Where a value may end. A typo must never be recorded as another number: `1OO%` (letters O) is
 * not 1 %, `8 0%` not 8 %, `50‰` not 50 %, `1e2%` not 1 %, `8️⃣0️⃣%` not 8 %. So a value ends where a
 * note may begin — the end of the text, a space or a punctuation mark — and nowhere else, with
 * two exceptions people write every day: a note in Chinese straight after a value that has its
 * % or measure word (`80%已完成8个村`, or an emoji: `80%👍`), and a count straight after one
 * (`八成三个村未完成`); 完成 is no value when a word makes it a noun (`完成率80%`).
 * A bare number (`80`) is the weakest reading: it needs a space or a mark after it (`三年` is no
 * value), and what follows that may start with a count (`80，8个村已完成`) but no other number:
 * `8 0%` is a number split by a space, not 8 and a note.
 *
 * Digits: ASCII, full-width (made ASCII by normalizeText) and Chinese numerals are read; any other
 * digit is refused, never folded: Arabic-Indic ٨٠ and other scripts' digits, circled ①, superscript
 * ², keycaps 8️⃣, and the financial 捌拾. No Chinese input method types them in a number; they come
 * from a stray keyboard layout, an emoji panel or a paste, and folding them (NFKC reads `8²` as
 * 82) would record a number the clerk did not mean, where a refusal costs one resend.
 */

/** Marks that separate words; `.` is none, since after a number it is a decimal point. */
const SEPARATOR_CHARS = ' ,，、;；。:!?！？()（）\\[\\]【】「」『』《》〈〉“”‘’"\'…—';
const SEPARATORS = new RegExp(`^[${SEPARATOR_CHARS}]+`, 'u');
/** Han characters that go on with a number (八十几, 八成半, 五点) rather than begin a note. */
const NUMBER_HAN = '零〇一二两三四五六七八九十百千万亿点成半几';
const NOTE_HAN = new RegExp(`^(?![${NUMBER_HAN}])\\p{Script=Han}`, 'u');
const PICTOGRAPH = /^\p{Extended_Pictographic}/u;
/** Words that make 完成 a noun: in `完成率80%` the value is 80 %, not 完成. */
const DONE_AS_NOUN = /^[率度数量比情进]/u;
/** What starts more of a number (`0%` in `8 0%`), unless it is a count. */
const MORE_NUMBER = new RegExp(`^[\\p{N}%‰.${NUMBER_HAN}]`, 'u');
/** A digit of another kind than those read (see above), or a keycap's parts. */
const OTHER_DIGIT = /^(?![0-9〇])[\p{N}\uFE0F\u20E3]/u;

type ValueHint = NonNullable<Extract<Problem, { code: 'value-unknown' }>['hint']>;

/** Why a character right after a number makes it unreadable, when one can tell. */
function hintAt(s: string): ValueHint | undefined {
  if (/^[A-Za-z]/.test(s)) return 'letter';
  if (/^[‰‱]/u.test(s)) return 'per-mille';
  if (OTHER_DIGIT.test(s)) return 'digits';
  return undefined;
}

const isDone = (scanned: Scanned): boolean => scanned.value.ok && scanned.value.value.kind === 'done';

/** Whether a value may end where `rest` begins. */
function endsValue(scanned: Scanned, rest: string): boolean {
  if (rest === '') return true;
  const gap = SEPARATORS.exec(rest)?.[0];
  if (gap !== undefined) {
    const next = rest.slice(gap.length, gap.length + VALUE_MAX + 1);
    return !scanned.bare || !MORE_NUMBER.test(next) || COUNT.test(next);
  }
  if (scanned.bare || (isDone(scanned) && DONE_AS_NOUN.test(rest))) return false;
  return NOTE_HAN.test(rest) || PICTOGRAPH.test(rest) || COUNT.test(rest.slice(0, VALUE_MAX + 1));
}

/** The text up to the first space. */
const firstWord = (s: string): string => {
  const space = s.indexOf(' ');
  return space < 0 ? s : s.slice(0, space);
};

/** At most VALUE_MAX characters of what was typed, marked when cut: what a reply quotes back. */
function excerpt(s: string): string {
  const chars = Array.from(s.slice(0, 2 * VALUE_MAX + 2));
  return chars.length > VALUE_MAX ? `${chars.slice(0, VALUE_MAX).join('')}…` : s;
}

function unreadable(typed: string, hint: ValueHint | undefined): Scanned {
  return { text: typed, bare: false, value: problem({ code: 'value-unknown', text: excerpt(typed), ...(hint === undefined ? {} : { hint }) }) };
}

/**
 * The value at the start of `s`, when it ends where a note may begin; else value-unknown, quoting
 * what was typed (`1OO%`, `8 0%`); undefined when `s` starts with no value at all.
 */
function readValue(s: string): Scanned | undefined {
  const scanned = scanValue(s);
  if (scanned === undefined) return OTHER_DIGIT.test(s) ? unreadable(firstWord(s), 'digits') : undefined;
  const rest = s.slice(scanned.text.length);
  if (endsValue(scanned, rest)) return scanned;
  const gap = SEPARATORS.exec(rest)?.[0];
  if (gap === undefined) return unreadable(firstWord(s), hintAt(rest));
  const end = scanned.text.length + gap.length;
  return unreadable(s.slice(0, end) + firstWord(s.slice(end)), 'split');
}

/** A progress value: `80%`, `百分之八十`, `八成五`, `12个`, `12/13`, `完成`; a bare number is a percent. */
export function parseValue(s: string): Parsed<ReportValue> {
  const t = normalizeText(s);
  if (t === '') return problem({ code: 'value-missing' });
  const read = readValue(t);
  if (read !== undefined && !read.value.ok) return read.value;
  return read?.text.length === t.length ? read.value : problem({ code: 'value-unknown', text: excerpt(t) });
}

// ---------------------------------------------------------------------------------------------
// Tasks and reports

const CN_ORDINAL = '[零〇一二两三四五六七八九十百千]+';
/** Quotes around a title: `“三会一课”`, `《…》`. */
const QUOTE_CHARS = `“”"'‘’《》「」`;

/** `T3`, `t3`, `3`, `3号`, `第3项`, `T03`, `#3` name task T3; other text with a letter in it is part of a title. */
export function parseTaskRef(s: string): Parsed<TaskRef> {
  const t = normalizeText(s);
  if (t === '') return problem({ code: 'empty' });
  const arabic = /^(?:[Tt#]|第)?(\d+)[号项条]?$/.exec(t);
  const chinese = new RegExp(`^(?:第(${CN_ORDINAL})[号项条个]?|(${CN_ORDINAL})号)$`, 'u').exec(t);
  if (arabic !== null || chinese !== null) {
    const n = arabic !== null ? (arabic[1] ?? '').replace(/^0+/, '') : String(chineseInt(chinese?.[1] ?? chinese?.[2] ?? '') ?? '');
    // Task ids count from T1.
    return n === '' || n === '0' ? problem({ code: 'task-ref', text: t }) : parsed({ kind: 'id', id: `T${n}` });
  }
  const title = trimChars(t, QUOTE_CHARS).trim();
  if (!/\p{L}/u.test(title)) return problem({ code: 'task-ref', text: t });
  return parsed({ kind: 'title', text: title });
}

/** An optional task reference: empty means none (`进度` alone, `截止` alone). */
export function parseOptionalTaskRef(s: string): Parsed<TaskRef | undefined> {
  return normalizeText(s) === '' ? parsed(undefined) : parseTaskRef(s);
}

/** What may follow an id directly: a value, a separator, or nothing (五号楼改造 is a title). */
const BEFORE_VALUE = `(?=$|[ :,，\\-\\d零〇一二两三四五六七八九十百已全完])`;
/** An id written at the start of a report: `T3`, `#3`, `3号`, `第3项` may run straight into the value. */
const ID_PREFIX = new RegExp(
  `^(?:[Tt#]\\d+(?![A-Za-z_])号?|(?:第(?:\\d+|${CN_ORDINAL})[项号条个]?|(?:\\d+|${CN_ORDINAL})号)${BEFORE_VALUE}|\\d+(?= |$))`,
  'u',
);
const LEADING_SEPARATORS = /^[\s:,，、;；。]+/;

/** Splits a report into the task part and what follows it. */
function splitTask(t: string): Parsed<{ task: string; after: string }> {
  const id = ID_PREFIX.exec(t);
  if (id !== null) return parsed({ task: id[0], after: t.slice(id[0].length) });
  const tokens = t.split(' ');
  const first = tokens[0] ?? '';
  // `上报 80%`: the task was left out, and 8 + 0% would be a wrong guess.
  if (isWholeValue(first)) return problem({ code: 'task-missing' });
  // The title runs up to the first word that is a value, or starts with one (80%已完成); 三年 is a word, not 3 %.
  for (let k = 1; k < tokens.length; k++) {
    const token = tokens[k] ?? '';
    const scanned = scanValue(token);
    if (scanned !== undefined && (scanned.text.length === token.length || !scanned.bare)) {
      return parsed({ task: tokens.slice(0, k).join(' '), after: tokens.slice(k).join(' ') });
    }
  }
  if (tokens.length > 1) return parsed({ task: first, after: tokens.slice(1).join(' ') });
  // One word, no space: 阵地建设80%. Only its last VALUE_MAX characters can hold a whole value.
  for (let i = Math.max(1, first.length - VALUE_MAX); i < first.length; i++) {
    if (isWholeValue(first.slice(i))) return parsed({ task: first.slice(0, i), after: first.slice(i) });
  }
  return parsed({ task: first, after: '' });
}

/** The arguments of 上报: task, value (the longest that reads), and the rest as a note. */
export function parseReport(rest: string): Parsed<ReportArgs> {
  const t = normalizeText(rest);
  if (t === '') return problem({ code: 'empty' });
  const split = splitTask(t);
  if (!split.ok) return split;
  const task = parseTaskRef(split.value.task);
  if (!task.ok) return task;
  const after = split.value.after.replace(LEADING_SEPARATORS, '');
  if (after === '') return problem({ code: 'value-missing' });
  const read = readValue(after);
  if (read === undefined) return problem({ code: 'value-unknown', text: excerpt(firstWord(after)) });
  if (!read.value.ok) return read.value;
  const note = after.slice(read.text.length).replace(LEADING_SEPARATORS, '').trim();
  if (Array.from(note).length > NOTE_MAX) return problem({ code: 'too-long', max: NOTE_MAX });
  return parsed({ task: task.value, value: read.value.value, valueText: read.text, note });
}

// ---------------------------------------------------------------------------------------------
// Dates and months

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

function readDate(s: string, todayYmd: Ymd, opts: DateOptions): Parsed<Ymd> {
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

// ---------------------------------------------------------------------------------------------
// New tasks

/** How a target names the villages it counts per (`每个村`, `每个社区`…), as a pattern group. */
export const VILLAGE_WORDS = '(?:村|社区|村居|行政村|村\\(社区\\)|村/社区|村社区)';
const AT_LEAST = '(?:至少|不少于|不低于)?';

/** A positive whole number for a target, or undefined. */
function targetCount(text: string | undefined): number | undefined {
  const n = wholeOf(text ?? '');
  return n !== undefined && n > 0 ? n : undefined;
}

/** The unit a target's measure word names (`3名` counts people); 个 and measure words no unit is kept for (`个村`) leave it out. */
function unitOf(measure: string | undefined): { unit?: CountUnit } {
  const unit = COUNT_UNITS.find((u) => u === measure);
  return unit === undefined || unit === '个' ? {} : { unit };
}

/** A task's target: `每村1个` / `每个村3人` (per village), `12个` (per township), `100%` / `百分之百`, `完成` / `是否完成`. */
export function parseTarget(s: string): Parsed<Target> {
  const text = normalizeText(s);
  const t = text.replace(/ /g, '');
  const unknown = problem<Target>({ code: 'target-unknown', text });
  if (/^(?:是否|按时|按期|全部|全面)?(?:完成|办结)(?:即可|就行|为准)?$/u.test(t)) return parsed({ kind: 'done' });
  const perVillage = new RegExp(`^每个?${VILLAGE_WORDS}${AT_LEAST}(${NUM})(${MEASURE})?(?:以上)?$`, 'u').exec(t);
  if (perVillage !== null) {
    const count = targetCount(perVillage[1]);
    return count === undefined ? unknown : parsed({ kind: 'count', count, per: 'village', ...unitOf(perVillage[2]) });
  }
  const perTownship = new RegExp(`^${AT_LEAST}(${NUM})(${MEASURE})(?:以上)?$`, 'u').exec(t);
  if (perTownship !== null) {
    const count = targetCount(perTownship[1]);
    return count === undefined ? unknown : parsed({ kind: 'count', count, per: 'township', ...unitOf(perTownship[2]) });
  }
  // A bare number is a percent here as in reports.
  const percent = new RegExp(`^(?:${PERCENT_WORD}|(${NUM})%?)$`, 'u').exec(t);
  if (percent !== null) {
    const num = numberOf(percent[1] ?? percent[2] ?? '');
    return num === undefined || num.negative || num.n <= 0 || num.n > 100 ? unknown : parsed({ kind: 'percent', percent: num.n });
  }
  return unknown;
}

const DOMAIN_ALIASES: Readonly<Record<string, TaskDomain>> = {
  国有企业: '国企',
  两新组织: '两新',
  非公企业: '两新',
  社会组织: '两新',
  城市社区: '社区',
  机关单位: '机关',
  中小学: '学校',
  公立医院: '医院',
};

const isTaskDomain = (s: string): s is TaskDomain => (TASK_DOMAINS as readonly string[]).includes(s);

/** One of TASK_DOMAINS, or a common longer name of one (`国有企业`, `农村领域`). */
export function parseDomain(s: string): Parsed<TaskDomain> {
  const text = normalizeText(s);
  const t = text.replace(/ /g, '').replace(/^领域:?/u, '').replace(/领域$/u, '');
  if (isTaskDomain(t)) return parsed(t);
  const alias = Object.hasOwn(DOMAIN_ALIASES, t) ? DOMAIN_ALIASES[t] : undefined;
  return alias === undefined ? problem({ code: 'domain-unknown', text }) : parsed(alias);
}

type Clause = 'title' | 'deadline' | 'target' | 'domain' | 'start' | 'townships';

const KEYWORDS: readonly (readonly [string, Clause])[] = [
  ['截止日期', 'deadline'],
  ['截止时间', 'deadline'],
  ['完成时限', 'deadline'],
  ['截止', 'deadline'],
  ['截至', 'deadline'],
  ['时限', 'deadline'],
  ['期限', 'deadline'],
  ['目标', 'target'],
  ['指标', 'target'],
  ['领域', 'domain'],
  ['开始日期', 'start'],
  ['开始时间', 'start'],
  ['开始', 'start'],
  ['起始', 'start'],
  ['标题', 'title'],
  ['名称', 'title'],
  ['任务名', 'title'],
  ['适用乡镇', 'townships'],
  ['责任乡镇', 'townships'],
  ['责任单位', 'townships'],
  ['适用', 'townships'],
  ['乡镇', 'townships'],
];
const KEYWORD_OF = new Map(KEYWORDS);
/** A keyword opens a clause only at the start or after a separator, so a title may contain 目标 or 开始. */
const CLAUSE = new RegExp(`(?<![^ ,，;；、])(${KEYWORDS.map(([k]) => k).join('|')}) ?:? ?`, 'gu');
/** What a clause's text may end with before the next keyword (normalizeText left only plain spaces). */
const TRAILING_SEPARATORS = ' ,，;；、。';

/** Words for every township: `乡镇：全部`. */
const ALL_TOWNSHIPS = /^(?:全部|所有|各|全县|全县各)(?:乡镇|乡镇街道|乡镇\(街道\))?$/u;
const NAME_SEPARATORS = /[、，,\s]+/u;
/**
 * `除城关镇、红星乡以外` / `除城关镇外` / `除城关镇之外的乡镇`, where a clause may start (also right after
 * `乡镇：`). It must end in 外 before a separator or the end, so a title like 除险加固 is no clause.
 * The names hold no 除: each try then stops at the next one, where `除,除,除,…` would otherwise
 * send every 除 to the end of the text (quadratic).
 */
const EXCEPT = /(?<![^ ,，;；、:])除([^\s;；:除]+?)(?:以|之)?外(?:的)?(?:其他|其余|各)?(?:乡镇街道|乡镇)?(?=$|[ ,，;；。])/u;

/** Township names as typed: `城关镇、红星乡`, `城关镇,红星乡`, `城关镇 红星乡`; each once, in the order given. */
function townshipNames(s: string): string[] {
  return [...new Set(s.split(NAME_SEPARATORS).map((n) => n.trim()).filter((n) => n !== ''))];
}

/** A 乡镇 clause: `全部`, or a list of names. */
function parseScope(s: string): Parsed<TownshipScope> {
  const t = s.replace(/ /g, '');
  if (ALL_TOWNSHIPS.test(t)) return parsed({ kind: 'all' });
  const names = townshipNames(s);
  return names.length === 0 ? problem({ code: 'townships-missing' }) : parsed({ kind: 'only', names });
}

/**
 * The arguments of 新建任务: `阵地建设 截止12月31日 目标每村1个 领域农村 开始2026-11-01 乡镇：城关镇、红星乡`,
 * keywords in any order (a colon after one is fine); the title is the words before the first
 * keyword; the target defaults to 100 %; `除城关镇、红星乡以外` anywhere names the townships left out.
 */
export function parseNewTask(rest: string, today: Ymd): Parsed<NewTaskArgs> {
  const normalized = normalizeText(rest);
  const except = EXCEPT.exec(normalized);
  // Taken out first: its names would otherwise run into whichever clause it follows.
  const t = except === null ? normalized : `${normalized.slice(0, except.index)} ${normalized.slice(except.index + except[0].length)}`.trim();
  const found = [...t.matchAll(CLAUSE)].filter(
    // 乡镇党委书记述职 is a title: a township keyword opens the text only with a colon after it.
    (m) => !(m.index === 0 && KEYWORD_OF.get(m[1] ?? '') === 'townships' && !m[0].includes(':')),
  );
  const clauses = new Map<Clause, string>();
  found.forEach((m, i) => {
    const key = KEYWORD_OF.get(m[1] ?? '');
    const end = found[i + 1]?.index ?? t.length;
    // The first of a repeated keyword wins, as a reader would take it.
    if (key !== undefined && !clauses.has(key)) clauses.set(key, trimEndChars(t.slice(m.index + m[0].length, end), TRAILING_SEPARATORS).trim());
  });
  const leading = trimEndChars(t.slice(0, found[0]?.index ?? t.length), TRAILING_SEPARATORS).trim();
  const title = trimChars(clauses.get('title') ?? leading, QUOTE_CHARS).trim();
  if (title === '') return problem({ code: 'title-missing' });

  const deadlineText = clauses.get('deadline');
  if (deadlineText === undefined || deadlineText === '') return problem({ code: 'deadline-missing' });
  const deadline = parseDate(deadlineText, today);
  if (!deadline.ok) return deadline;

  const targetText = clauses.get('target');
  const target: Parsed<Target> = targetText === undefined ? parsed({ kind: 'percent', percent: 100 }) : parseTarget(targetText);
  if (!target.ok) return target;

  const args: NewTaskArgs = { title, deadline: deadline.value, target: target.value };
  const domainText = clauses.get('domain');
  if (domainText !== undefined) {
    const domain = parseDomain(domainText);
    if (!domain.ok) return domain;
    args.domain = domain.value;
  }
  const startText = clauses.get('start');
  if (startText !== undefined) {
    const start = readDate(startText, today, { rollover: false });
    if (!start.ok) return start;
    if (start.value > deadline.value) return problem({ code: 'start-after-deadline', start: start.value, deadline: deadline.value });
    args.start = start.value;
  }
  const scopeText = clauses.get('townships');
  // `乡镇：除城关镇以外` leaves an empty 乡镇 clause behind: the exception is the whole answer.
  if (except !== null && scopeText !== undefined && scopeText !== '') return problem({ code: 'townships-twice' });
  if (except !== null) {
    const names = townshipNames(except[1] ?? '');
    if (names.length === 0) return problem({ code: 'townships-missing' });
    args.townships = { kind: 'except', names };
  } else if (scopeText !== undefined) {
    const scope = parseScope(scopeText);
    if (!scope.ok) return scope;
    args.townships = scope.value;
  }
  return parsed(args);
}
