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

/** After a cell's amount: `（待审核）` while a leader has its completion to review, `（已办结）` once passed. */
export const reviewNote = (cell: Cell): string =>
  cell.review === 'pending' ? text.commands.notes.reviewing : cell.review === 'approved' ? text.commands.notes.passed : '';

/** A cell's standing as the time-left sentences read it. */
export const standingView = (cell: Cell): StandingView => ({
  ...cell.standing,
  deadline: cell.deadline,
  ...(cell.extendedFrom === undefined ? {} : { extendedFrom: cell.extendedFrom }),
});
