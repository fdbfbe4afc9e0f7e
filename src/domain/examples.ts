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

/** A task as an example may name it: what the township must reach, and what it has reported. */
export interface ExampleTask {
  task: Task;
  required: number;
  current: number;
}

/**
 * One report example per unit (80%, 18个, 完成), from the tasks the township has still to finish —
 * an example for a finished task would record it again. Of each kind, in the given order, the
 * first less than four-fifths done leads, so its example shows the unit rather than 完成.
 */
export function oneOfEachKind(tasks: readonly ExampleTask[]): ExampleTask[] {
  const unfinished = tasks.filter((t) => t.current < t.required);
  const early = (t: ExampleTask): boolean => t.current < 0.8 * t.required;
  const ordered = [...unfinished.filter(early), ...unfinished.filter((t) => !early(t))];
  const seen = new Set<Target['kind']>();
  const chosen = new Set<ExampleTask>();
  for (const t of ordered) {
    if (seen.has(t.task.target.kind)) continue;
    seen.add(t.task.target.kind);
    chosen.add(t);
  }
  // Back in the given order (nearest deadline first).
  return unfinished.filter((t) => chosen.has(t));
}
