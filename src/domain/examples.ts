/**
 * Which tasks the bot's examples name (帮助, a usage reply, a hint): the asker's own, so that an
 * example works as shown for the person it is shown to.
 */
import type { Target, Task, Ymd } from './model.js';
import { assignedTo } from './targets.js';

/**
 * The open tasks an example may name, best first: a township's own (the county's, without a
 * township), those still before their deadline ahead of those past it, each nearest deadline first.
 */
export function exampleTasks(tasks: readonly Task[], townshipId: string | undefined, today: Ymd): Task[] {
  const open = tasks.filter((t) => t.status === 'open' && (townshipId === undefined || assignedTo(t, townshipId)));
  const byDeadline = (a: Task, b: Task): number => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0);
  const ahead = open.filter((t) => t.deadline >= today).sort(byDeadline);
  const past = open.filter((t) => t.deadline < today).sort(byDeadline);
  return [...ahead, ...past];
}

/** The first task of each kind of target, in the given order: one report example per unit (80%, 6个, 完成). */
export function oneOfEachKind(tasks: readonly Task[]): Task[] {
  const seen = new Set<Target['kind']>();
  return tasks.filter((t) => {
    if (seen.has(t.target.kind)) return false;
    seen.add(t.target.kind);
    return true;
  });
}
