/**
 * 签收 (docs/glossary.md): where the county turns it on (`schedule.sign_off`), a task new to the
 * county is announced (交办) to each assigned township's groups, and the township acknowledges it
 * with `签收 T13`. Only what was announced needs signing: a task that existed before the setting was
 * switched on was never announced, so nobody is chased for it. Pure: days and data come in as arguments.
 */
import { addDays } from './dates.js';
import { workdaysWaiting } from './extensions.js';
import type { Instant, Reporter, Task, WorkCalendar, Ymd } from './model.js';

/** Who signed for the township, and when. */
export interface Signature {
  by: Reporter;
  at: Instant;
}

/** One (task, township) announced: when, and its signature once there is one. */
export interface SignOff {
  task: string;
  township: string;
  /** When the 交办 notice was queued for the township's groups. */
  announced: Instant;
  signed?: Signature;
}

/** Task id → township id → its 签收 state; a township absent was never announced the task. */
export type SignOffs = ReadonlyMap<string, ReadonlyMap<string, SignOff>>;

/** The announced (task, township) pairs still waiting for a 签收, of open tasks only, oldest first. */
export function unsignedOf(signOffs: SignOffs, tasks: readonly Task[]): SignOff[] {
  const open = new Set(tasks.filter((t) => t.status === 'open').map((t) => t.id));
  const out: SignOff[] = [];
  for (const [task, byTownship] of signOffs) {
    if (!open.has(task)) continue;
    for (const s of byTownship.values()) if (s.signed === undefined) out.push(s);
  }
  return out.sort((a, b) => (a.announced < b.announced ? -1 : a.announced > b.announced ? 1 : a.task.localeCompare(b.task)));
}

/** How many working days a township has left a task unsigned by `today`, not counting the day it was announced. */
export const workdaysUnsigned = (announcedOn: Ymd, today: Ymd, calendar: WorkCalendar): number => workdaysWaiting(announcedOn, today, calendar);

/**
 * Whether the township's bundled post on `today` should remind it of a task still unsigned: a
 * whole working day must lie between the day it was announced and today, so a task announced at
 * 16:00 is not chased at 09:00 the next morning, but one announced on Monday is on Wednesday.
 */
export function signReminderDue(announcedOn: Ymd, today: Ymd, calendar: WorkCalendar): boolean {
  const yesterday = addDays(today, -1);
  return yesterday > announcedOn && calendar.workdays(addDays(announcedOn, 1), yesterday).days >= 1;
}
