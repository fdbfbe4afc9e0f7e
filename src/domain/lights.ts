/**
 * 预警灯 (docs/design.md §2): how one township stands on one task on a given day. Pace is measured in
 * working days, so a holiday week does not count against anyone.
 */
import type { Light, Task, WorkCalendar, Ymd } from './model.js';

/** How far below the expected share a township may be before it turns 🟡. */
export const PACE_TOLERANCE = 0.1;
/** With this many working days left or fewer, an unfinished task is 🟡 whatever its pace. */
export const CLOSE_WORKDAYS = 3;

/** A task's calendar on one day: the same for every township, so a ranking computes it once. */
export interface Pace {
  /** The deadline it counts to: the task's, or a township's granted one. */
  deadline: Ymd;
  /** Working days in [today, deadline]; 0 after the deadline. */
  workdaysLeft: number;
  /**
   * Working days after today up to the deadline: what people are told is left (剩N个工作日), the
   * way the reminder ladder counts — 1 the working day before, 0 on the last one.
   */
  workdaysAfter: number;
  /** Calendar days past the deadline; 0 up to and on it. */
  daysPastDeadline: number;
  /** Share of the task's working days elapsed by today, counting today: 0 before the start, at most 1. */
  expectedShare: number;
  /** Some count reached beyond the calendar's known years and assumed Monday to Friday. */
  estimated: boolean;
}

export interface Standing {
  light: Light;
  workdaysLeft: number;
  workdaysAfter: number;
  overdueDays: number;
  expectedShare: number;
  estimated: boolean;
}

export function pace(args: { task: Pick<Task, 'start' | 'deadline'>; today: Ymd; calendar: WorkCalendar }): Pace {
  const { task, today, calendar } = args;
  const { start, deadline } = task;
  const counts: { days: number; estimated: boolean }[] = [];
  const count = (from: Ymd, to: Ymd): number => {
    const result = calendar.workdays(from, to);
    counts.push(result);
    return result.days;
  };

  const workdaysLeft = today > deadline ? 0 : count(today, deadline);
  const workdaysAfter = today >= deadline ? 0 : workdaysLeft - calendar.workdays(today, today).days;

  let expectedShare = 0;
  if (today >= start) {
    const total = count(start, deadline);
    if (total === 0) expectedShare = today >= deadline ? 1 : 0;
    else expectedShare = Math.min(1, count(start, today < deadline ? today : deadline) / total);
  }

  const daysPastDeadline = today > deadline ? dayNumber(today) - dayNumber(deadline) : 0;
  return { deadline, workdaysLeft, workdaysAfter, daysPastDeadline, expectedShare, estimated: counts.some((c) => c.estimated) };
}

/**
 * `doneOn`: the day of the report that stands, when the township has reported. A completion
 * reported after the deadline is ✅逾期完成, kept apart from the ones on time.
 */
export function lightFor(taskPace: Pace, completion: number, doneOn?: Ymd): Light {
  return lightOf(taskPace, completion, doneOn !== undefined && doneOn > taskPace.deadline);
}

/** `lightFor` with the day already compared: `late` when the report that stands came after the deadline. */
export function lightOf(taskPace: Pace, completion: number, late: boolean): Light {
  if (completion >= 1) return late ? 'done-late' : 'done';
  if (taskPace.daysPastDeadline > 0) return 'overdue';
  if (completion < taskPace.expectedShare - PACE_TOLERANCE) return 'behind';
  if (taskPace.workdaysLeft <= CLOSE_WORKDAYS) return 'behind';
  return 'on-pace';
}

/** Whether a light means finished, on time or late. */
export const isDone = (light: Light): boolean => light === 'done' || light === 'done-late';

export function standing(args: {
  task: Task;
  completion: number;
  /** The day of the report that stands (see `lightFor`). */
  reportedOn?: Ymd;
  today: Ymd;
  calendar: WorkCalendar;
}): Standing {
  const taskPace = pace(args);
  const light = lightFor(taskPace, args.completion, args.reportedOn);
  return {
    light,
    workdaysLeft: taskPace.workdaysLeft,
    workdaysAfter: taskPace.workdaysAfter,
    overdueDays: light === 'overdue' ? taskPace.daysPastDeadline : 0,
    expectedShare: taskPace.expectedShare,
    estimated: taskPace.estimated,
  };
}

/** Days since 1970-01-01 of a `YYYY-MM-DD`; only differences are used. */
function dayNumber(date: Ymd): number {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 86_400_000;
}
