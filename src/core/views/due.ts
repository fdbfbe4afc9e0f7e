/**
 * What is due: a township's open tasks as schedule items, and the lines the reminder job, 催办 and
 * 预警 show for a task coming due or past its deadline. Sentences come from `src/messages/`; this
 * file only arranges them.
 */
import type { Township, Ymd } from '../../domain/model.js';
import type { ScheduledItem } from '../../domain/schedule.js';
import { text } from '../../messages/index.js';
import type { Board, Cell } from '../board.js';
import type { Line } from '../types.js';

/** One (task, township) as the schedule functions see it, with the board's cell riding along. */
export interface DueItem extends ScheduledItem {
  cell: Cell;
}

/** A township's open tasks as schedule items, nearest deadline first. */
export function dueItems(board: Board, township: Township): DueItem[] {
  return board.openTasksOf(township).map((task) => {
    const cell = board.cell(task, township);
    return { taskId: task.id, deadline: cell.deadline, light: cell.standing.light, cell };
  });
}

/** What a township still lacks on a task: `已报 8/12，还差4个`, `已报 60%`, `未上报`. */
export const missingOf = (cell: Cell): string => text.jobs.missing(cell.task.target, cell.progress?.amount, cell.required);

/** A task coming due: light, task, `还剩6个工作日，11月30日截止`, what is missing. */
export function dueLine(item: DueItem, today: Ymd, estimated = false): Line {
  const { cell } = item;
  const when = text.jobs.due(cell.deadline, today, cell.standing.workdaysAfter, estimated || cell.standing.estimated, cell.extendedFrom);
  return text.jobs.item(cell.standing.light, cell.task, when, missingOf(cell));
}

/** Whether `dueLine` shows `（估）`. */
export function dueEstimated(item: DueItem, today: Ymd, estimated = false): boolean {
  const { cell } = item;
  return text.jobs.dueShowsEstimate(cell.deadline, today, cell.standing.workdaysAfter, estimated || cell.standing.estimated);
}

/** A task past its deadline: 🔴, task, `已逾期3天（11月20日截止）`, what is missing. */
export function overdueLine(item: DueItem, today: Ymd): Line {
  const { cell } = item;
  return text.jobs.item(cell.standing.light, cell.task, text.jobs.overdue(cell.deadline, today, cell.standing.overdueDays, cell.extendedFrom), missingOf(cell));
}
