/** The arguments of 上报: which task, its value, and a note. */
import type { ReportValue } from '../model.js';
import { parsed, problem, type Parsed } from '../problems.js';
import { CN_ORDINAL, parseTaskRef, type TaskRef } from './task-ref.js';
import { normalizeText } from './text.js';
import { excerpt, firstWord, isWholeValue, readValue, scanValue, VALUE_MAX } from './values.js';

/** The arguments of 上报. */
export interface ReportArgs {
  task: TaskRef;
  value: ReportValue;
  /** The value exactly as typed (after normalization), for the ledger. */
  valueText: string;
  note: string;
}

/** The ledger keeps notes short enough to read in a chat bubble. */
export const NOTE_MAX = 200;

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
