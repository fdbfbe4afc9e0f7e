/** A progress value (`80%`, `百分之八十`, `八成五`, `12个`, `12/13`, `完成`), and where one ends and a note begins. */
import type { ReportValue } from '../model.js';
import { parsed, problem, type Parsed, type Problem } from '../problems.js';
import { MEASURE, MEASURE_CHARS, NUM, NUMERAL_CHARS, numberOf, PERCENT_WORD, round6, wholeOf, type Num } from './numbers.js';
import { normalizeText } from './text.js';

/**
 * No progress value is longer than this: `一万二千三百四十五个`, `百分之八十五点五` and `123/456个村居`
 * are 8 to 11 characters. A value is looked for only this far from where it may start, so each
 * try costs the same however long the message, and a report is read in time linear in its length.
 */
export const VALUE_MAX = 24;

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
export function scanValue(s: string): Scanned | undefined {
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

export const isWholeValue = (s: string): boolean => s !== '' && s.length <= VALUE_MAX && scanValue(s)?.text.length === s.length;

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
export const firstWord = (s: string): string => {
  const space = s.indexOf(' ');
  return space < 0 ? s : s.slice(0, space);
};

/** At most VALUE_MAX characters of what was typed, marked when cut: what a reply quotes back. */
export function excerpt(s: string): string {
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
export function readValue(s: string): Scanned | undefined {
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
