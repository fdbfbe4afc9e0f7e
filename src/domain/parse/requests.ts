/** The arguments of the 督办 cycle's commands: 申请延期, and the leaders' 同意 / 不同意. */
import type { Ymd } from '../model.js';
import { parsed, problem, type Parsed } from '../problems.js';
import { readDate } from './dates.js';
import { NOTE_MAX } from './report.js';
import { parseTaskRef, type TaskRef } from './task-ref.js';
import { normalizeText } from './text.js';

export interface ExtensionArgs {
  task: TaskRef;
  to: Ymd;
  reason: string;
}

export interface DecisionArgs {
  number: number;
  reason: string;
}

/** A date is at most this long (`2026年12月31日` has 11 characters). */
const DATE_MAX = 16;
/** Between a date and a reason people put a comma or a colon as often as a space. */
const SEPARATORS = /^[，,。；;：:、\s]+/u;

/** The longest start of `word` that reads as a date, and what follows it. */
function leadingDate(word: string, today: Ymd): { date: Ymd; rest: string } | undefined {
  for (let end = Math.min(word.length, DATE_MAX); end > 0; end -= 1) {
    const read = readDate(word.slice(0, end), today, { rollover: true });
    if (read.ok) return { date: read.value, rest: word.slice(end) };
  }
  return undefined;
}

function reasonOf(text: string): Parsed<string> {
  const reason = text.replace(SEPARATORS, '').trim();
  if (reason === '') return problem({ code: 'reason-missing' });
  if (Array.from(reason).length > NOTE_MAX) return problem({ code: 'too-long', max: NOTE_MAX });
  return parsed(reason);
}

/** `T3 12月31日 村两委换届推迟` (also `T3 至12月31日，村两委换届推迟`, `T3 12月31日村两委换届推迟`). */
export function parseExtension(rest: string, today: Ymd): Parsed<ExtensionArgs> {
  const t = normalizeText(rest);
  if (t === '') return problem({ code: 'empty' });
  const [first = '', second, ...others] = t.split(' ');
  const task = parseTaskRef(first);
  if (!task.ok) return task;
  if (second === undefined) return problem({ code: 'date-missing' });
  const date = leadingDate(second, today);
  if (!date) return problem({ code: 'date-unknown', text: second });
  const reason = reasonOf([date.rest, ...others].join(' '));
  if (!reason.ok) return reason;
  return parsed({ task: task.value, to: date.date, reason: reason.value });
}

/** `7`, `#7`, `7号`: a request's number. */
function requestNumber(word: string): Parsed<number> {
  const m = /^(?:#|＃|第)?([1-9]\d{0,8})号?$/u.exec(word);
  return m ? parsed(Number(m[1])) : problem({ code: 'request-number', text: word });
}

/** `同意 7` (a reason is welcome but not needed) and `不同意 7 理由…` (`needsReason`). */
export function parseDecision(rest: string, needsReason: boolean): Parsed<DecisionArgs> {
  const t = normalizeText(rest);
  if (t === '') return problem({ code: 'empty' });
  const [first = '', ...others] = t.split(' ');
  // `不同意7 理由` and `同意7号`: the number may follow the word without a space, and the reason the number.
  const m = /^(#|＃|第)?(\d+)(号?)(\D.*)?$/u.exec(first);
  const number = requestNumber(m ? `${m[1] ?? ''}${m[2] ?? ''}${m[3] ?? ''}` : first);
  if (!number.ok) return number;
  const after = [m?.[4] ?? '', ...others].join(' ');
  const reason = reasonOf(after);
  if (!reason.ok && !needsReason && reason.problem.code === 'reason-missing') return parsed({ number: number.value, reason: '' });
  if (!reason.ok) return reason;
  return parsed({ number: number.value, reason: reason.value });
}

export interface ReviewArgs {
  task: TaskRef;
  township: string;
  reason: string;
}

/** `T3 城关镇` (通过), `T3 城关镇 佐证不全` (退回, `needsReason`): a task, a township's name, a reason. */
export function parseReviewDecision(rest: string, needsReason: boolean): Parsed<ReviewArgs> {
  const t = normalizeText(rest);
  if (t === '') return problem({ code: 'empty' });
  const [first = '', second, ...others] = t.split(' ');
  const task = parseTaskRef(first);
  if (!task.ok) return task;
  if (second === undefined) return problem({ code: 'township-missing' });
  const reason = reasonOf(others.join(' '));
  if (!reason.ok && !needsReason && reason.problem.code === 'reason-missing') return parsed({ task: task.value, township: second, reason: '' });
  if (!reason.ok) return reason;
  return parsed({ task: task.value, township: second, reason: reason.value });
}
