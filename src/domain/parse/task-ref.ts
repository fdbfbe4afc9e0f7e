/** A task as the user named it: by its number (`T3`, `3号`, `第三项`) or by words of its title. */
import { parsed, problem, type Parsed } from '../problems.js';
import { chineseInt } from './numbers.js';
import { normalizeText, trimChars } from './text.js';

/** A task as the user named it; matching a title fragment against the task list happens elsewhere. */
export type TaskRef = { kind: 'id'; id: string } | { kind: 'title'; text: string };

/** A task's id as the setup file and the task sheet write it: `T1`, `T12`; no `T0`, no leading zero. */
export const TASK_ID = /^T[1-9]\d*$/;

export const CN_ORDINAL = '[零〇一二两三四五六七八九十百千]+';
/** Quotes around a title: `“三会一课”`, `《…》`. */
export const QUOTE_CHARS = `“”"'‘’《》「」`;

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
