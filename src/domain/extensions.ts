/**
 * 申请延期 (docs/design.md §3, the 督办 cycle): a township asks the leaders for a later deadline on
 * one task; a leader or admin grants it (同意) or refuses it (不同意). A granted deadline is that
 * township's alone: the task's own deadline stays for the others.
 */
import { addDays } from './dates.js';
import { isExtensionEntry, type Instant, type LedgerEntry, type Reporter, type Task, type WorkCalendar, type Ymd } from './model.js';

/** What the leaders decided, by whom and when; `reason` is a refusal's (empty for a grant). */
export interface Decision {
  granted: boolean;
  by: Reporter;
  at: Instant;
  reason: string;
}

/** What a township asks (申请延期): a later deadline for one task, and why; who asked, and when. */
export interface ExtensionAsk {
  task: string;
  township: string;
  /** The township's deadline when it asked. */
  from: Ymd;
  to: Ymd;
  reason: string;
  by: Reporter;
  at: Instant;
}

/** One numbered request (延期申请#7), open until decided. */
export interface ExtensionRequest extends ExtensionAsk {
  number: number;
  decision?: Decision;
}

/** Task id → township id → the deadline a grant gave it. */
export type GrantedDeadlines = ReadonlyMap<string, ReadonlyMap<string, Ymd>>;

/** A township's deadline for a task, and the task's own when a grant moved it. */
export interface TownshipDeadline {
  deadline: Ymd;
  /** The task's own deadline, when this township's is later by a grant: shown as 原11月30日. */
  extendedFrom?: Ymd;
}

/**
 * The deadline a township works to: a grant's, unless the county has since moved the task's own
 * past it (a grant never makes a deadline earlier than everyone else's).
 */
export function deadlineOf(task: Pick<Task, 'id' | 'deadline'>, township: string, granted: GrantedDeadlines | undefined): TownshipDeadline {
  return deadlineWith(task, granted?.get(task.id)?.get(township));
}

/** The same, given the one grant the township has (if any). */
export function deadlineWith(task: Pick<Task, 'deadline'>, extended: Ymd | undefined): TownshipDeadline {
  return extended !== undefined && extended > task.deadline ? { deadline: extended, extendedFrom: task.deadline } : { deadline: task.deadline };
}

/** Why a request cannot be made, or undefined when it can. */
export type RequestProblem =
  /** The new date is not after the township's deadline now. */
  | { code: 'not-later'; deadline: Ymd }
  /** The window closed: the deadline day, plus the county's working days of grace, are over. */
  | { code: 'window-closed'; deadline: Ymd; lastDay: Ymd };

/**
 * Whether a township may ask on `today` for `to`: requests are taken up to its deadline day, and
 * for `graceWorkdays` working days after it when the county allows (a township that learns late
 * that it cannot finish still asks rather than going 🔴 in silence).
 */
export function requestProblem(args: { deadline: Ymd; to: Ymd; today: Ymd; graceWorkdays: number; calendar: WorkCalendar }): RequestProblem | undefined {
  const { deadline, to, today, graceWorkdays, calendar } = args;
  const lastDay = lastDayToAsk(deadline, graceWorkdays, calendar);
  if (today > lastDay) return { code: 'window-closed', deadline, lastDay };
  if (to <= deadline) return { code: 'not-later', deadline };
  return undefined;
}

/** The last day a request is taken: the deadline, or its `graceWorkdays`-th working day after. */
export function lastDayToAsk(deadline: Ymd, graceWorkdays: number, calendar: WorkCalendar): Ymd {
  let day = deadline;
  for (let left = graceWorkdays; left > 0; ) {
    day = addDays(day, 1);
    if (calendar.workdays(day, day).days > 0) left -= 1;
  }
  return day;
}

/**
 * The grants in force at `until` (all of them without it), from the ledger: a finished month's
 * ranking uses the deadlines its townships worked to then. Entries oldest first within each task.
 */
export function grantsAsOf(entries: readonly LedgerEntry[], until?: Instant): Map<string, Map<string, Ymd>> {
  const limit = until === undefined ? Infinity : Date.parse(until);
  const grants = new Map<string, Map<string, Ymd>>();
  for (const entry of entries) {
    if (!isExtensionEntry(entry) || entry.kind !== 'extension-granted' || Date.parse(entry.at) > limit) continue;
    let byTownship = grants.get(entry.task);
    if (!byTownship) grants.set(entry.task, (byTownship = new Map<string, Ymd>()));
    byTownship.set(entry.township, entry.to);
  }
  return grants;
}

/** Requests still waiting for a decision, oldest first. */
export const openRequests = (requests: readonly ExtensionRequest[]): ExtensionRequest[] =>
  requests.filter((r) => r.decision === undefined).sort((a, b) => a.number - b.number);

/** How many working days a request has waited by `today`, not counting the day it was made. */
export function workdaysWaiting(requestedOn: Ymd, today: Ymd, calendar: WorkCalendar): number {
  return today > requestedOn ? calendar.workdays(addDays(requestedOn, 1), today).days : 0;
}

/** A request unanswered this many working days is named in the leaders' daily digest. */
export const OVERDUE_DECISION_WORKDAYS = 2;
