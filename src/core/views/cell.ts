/**
 * One cell — a task in a township — as replies show it: the amount reported, and the standing the
 * time-left sentences read. Sentences come from `src/messages/`; this file only arranges them.
 */
import { text, type StandingView } from '../../messages/index.js';
import type { Cell } from '../board.js';

/** `8/12（67%）` for counts, `80%` for percents, `已完成` for yes/no tasks. */
export function shownAmount(cell: Cell): string {
  const shown = text.amount(cell.task.target, cell.progress?.amount, cell.required);
  return cell.task.target.kind === 'count' && cell.progress ? `${shown}（${text.percentOf(cell.completion)}）` : shown;
}

/** A cell's standing as the time-left sentences read it. */
export const standingView = (cell: Cell): StandingView => ({
  ...cell.standing,
  deadline: cell.deadline,
  ...(cell.extendedFrom === undefined ? {} : { extendedFrom: cell.extendedFrom }),
});
