/**
 * Long and adversarial chat input, a family per way a parser could go super-linear: the same
 * shape at any length `n` (about n characters), for the unit test that counts the parsers' work
 * and for `npm run bench parse`, which times it.
 */
import {
  normalizeText,
  parseDate,
  parseMonth,
  parseNewTask,
  parseReport,
  parseTarget,
  parseTaskRef,
  parseValue,
  splitCommand,
  stripMention,
} from '../../src/domain/parse/index.js';

const times = (s: string, n: number): string => s.repeat(Math.max(1, Math.round(n / s.length)));

export const HOSTILE_TEXTS: Readonly<Record<string, (n: number) => string>> = {
  // Issue 12: `上报 ` and one word, which the report parser tried a value at every position of.
  'one long word': (n) => `${times('一', n)}x`,
  'a title run into a value': (n) => `${times('阵', n)}80%`,
  'a long number': (n) => `T3 ${times('1', n)}x`,
  'a long Chinese numeral': (n) => `T3 百分之${times('八', n)}x`,
  'digits and dots': (n) => `T3 ${times('1.', n)}%`,
  'many short words': (n) => `${times('三年 ', n)}x`,
  'separators not at the end': (n) => `a${times(', ', n)}x`,
  'quotes not at the end': (n) => `x${times('"', n)}x`,
  'many 除': (n) => times('除,', n),
  'many keywords': (n) => `任务 ${times('截止', n)}`,
  'many mentions': (n) => `${times('@a ', n)}@aaaa!`,
  'full-width and spaces': (n) => times('８\u3000', n),
  'a long task id': (n) => `T${times('9', n)}`,
  'months and days': (n) => `截止${times('12月', n)}`,
};

/** The day the date parsers are given: any day does. */
const TODAY = '2026-11-23';
const WORDS = ['帮助', 'help', '上报', '报', '进度', '新建任务'];

/** Every parser chat text goes through, on `s`: what one message could cost at most. */
export function parseEverything(s: string): number {
  let answers = 0;
  const count = (result: { ok: boolean }): void => {
    if (result.ok) answers += 1;
  };
  normalizeText(s);
  stripMention(s);
  if (splitCommand(s, WORDS) !== undefined) answers += 1;
  count(parseReport(s));
  count(parseValue(s));
  count(parseTaskRef(s));
  count(parseNewTask(s, TODAY));
  count(parseDate(s, TODAY));
  count(parseMonth(s, TODAY));
  count(parseTarget(s));
  return answers;
}
