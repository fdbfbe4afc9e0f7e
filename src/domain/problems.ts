/**
 * Why a piece of user input could not be understood. Domain functions return these; the
 * Chinese sentences that explain them live in `src/messages/`, the one place for user text.
 */
import type { CountUnit } from './model.js';

export type Problem =
  | { code: 'empty' }
  | { code: 'task-ref'; text: string }
  /** A report that starts with its value: `上报 80%`. */
  | { code: 'task-missing' }
  | { code: 'value-missing' }
  /**
   * `hint`, when the value's trouble is plain: a letter in a number (`1OO%`), a per-mille sign
   * (`50‰`), digits of another kind (`٨٠%`, `8️⃣`), or a number split by a space (`8 0%`).
   */
  | { code: 'value-unknown'; text: string; hint?: 'letter' | 'per-mille' | 'digits' | 'split' }
  /** A value no target takes: below zero, a percent over 100, a count too large to be one. */
  | { code: 'value-range'; text: string; why: 'negative' | 'over-100' | 'too-large' }
  | { code: 'fraction-invalid'; text: string }
  | { code: 'date-unknown'; text: string }
  | { code: 'date-invalid'; text: string }
  | { code: 'month-unknown'; text: string }
  | { code: 'target-unknown'; text: string }
  | { code: 'domain-unknown'; text: string }
  | { code: 'title-missing' }
  | { code: 'deadline-missing' }
  | { code: 'too-long'; max: number }
  /** A value of the wrong kind for the task's target; `required` is the count a township owes, in `unit`. */
  | { code: 'value-kind'; expected: 'percent' | 'count' | 'done'; text: string; required?: number; unit?: CountUnit }
  /** A count far above what the township owes: most likely a typo (360 for 36). */
  | { code: 'count-too-high'; text: string; required: number; unit?: CountUnit }
  /** `12/13` on a count task whose township owes another number than 13. */
  | { code: 'fraction-of'; text: string; required: number; unit?: CountUnit }
  /** 新建任务 with a start after its deadline (dates `YYYY-MM-DD`). */
  | { code: 'start-after-deadline'; start: string; deadline: string }
  /** 新建任务 due before today: every township would be 🔴 at once. */
  | { code: 'deadline-past'; deadline: string }
  /** 新建任务 with `乡镇：` and no names after it. */
  | { code: 'townships-missing' }
  /** 新建任务 with both a 乡镇 list and a 除…以外. */
  | { code: 'townships-twice' }
  /** Township names the county does not have; `known` are the ones it has. */
  | { code: 'townships-unknown'; names: string[]; known: string[] }
  /** 除…以外 left out every township. */
  | { code: 'townships-none' }
  /** 申请延期 without the new date. */
  | { code: 'date-missing' }
  /** 申请延期 or 不同意 without a reason. */
  | { code: 'reason-missing' }
  /** 通过 / 退回 without the township's name. */
  | { code: 'township-missing' }
  /** Not a request's number: `同意 七号`. */
  | { code: 'request-number'; text: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export const parsed = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const problem = <T = never>(p: Problem): Parsed<T> => ({ ok: false, problem: p });
