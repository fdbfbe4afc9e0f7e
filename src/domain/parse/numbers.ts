/** Numbers as people write them in a chat: Arabic or Chinese numerals, and the patterns values and targets are read with. */

const CN_DIGIT = new Map<string, number>([
  ['零', 0], ['〇', 0], ['一', 1], ['二', 2], ['两', 2], ['三', 3], ['四', 4],
  ['五', 5], ['六', 6], ['七', 7], ['八', 8], ['九', 9],
]);
const CN_UNIT = new Map<string, number>([['十', 10], ['百', 100], ['千', 1000]]);

/** Chinese numerals, `十二`, `一百零五`, `两千`, `三百五` (350), `一万二` (12000), `二〇二六`; undefined when malformed. */
export function chineseInt(s: string): number | undefined {
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

export interface Num {
  n: number;
  negative: boolean;
}

/** An Arabic or Chinese number, with `.` or `点` decimals and an optional minus sign. */
export function numberOf(text: string): Num | undefined {
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
export function wholeOf(text: string): number | undefined {
  const num = numberOf(text);
  return num !== undefined && !num.negative && Number.isSafeInteger(num.n) ? num.n : undefined;
}

/** Floating point would turn 0.7 成 into 7.000000000000001 %. */
export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

const AR_NUM = String.raw`\d+(?:\.\d+)?`;
/** Only 十 may lead a Chinese number without its digit: a lone 百 is no value (百分之 half-typed). */
const CN_NUM = '[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*(?:点[零〇一二三四五六七八九]+)?';
export const NUM = `-?(?:${AR_NUM}|${CN_NUM})`;
/** 百分之八十, and 百分之百 where the lone 百 is a hundred. */
export const PERCENT_WORD = `百分之(${NUM}|百)`;
/** Measure words a count is written with: 12个, 3名, 8个村, 5处… */
export const MEASURE = '(?:个(?:村|社区|村居|点|单位|支部)?|名|人|位|处|家|村|社区|户|座|所|间|项|次|件|条|支|套|份)';
export const MEASURE_CHARS = '个名人位处家村社户座所间项次件条支套份';
export const NUMERAL_CHARS = String.raw`\d零〇一二两三四五六七八九十百千万`;
