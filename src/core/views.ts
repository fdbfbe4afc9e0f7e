/**
 * Replies that more than one command shows, built from a `Board`. Sentences come from
 * `messages.ts`; this file only arranges them.
 */
import type { Township } from '../domain/model.js';
import { text } from '../messages.js';
import type { Board, Cell } from './board.js';
import type { CommandContext } from './command.js';
import { UserError } from './errors.js';
import { plain, type Line, type OutgoingMessage } from './types.js';

/** `8/12（67%）` for counts, `80%` for percents, `已完成` for yes/no tasks. */
export function shownAmount(cell: Cell): string {
  const shown = text.amount(cell.task.target, cell.progress?.amount, cell.required);
  return cell.task.target.kind === 'count' && cell.progress ? `${shown}（${text.percentOf(cell.completion)}）` : shown;
}

/** The township whose view a message asks for: its group's, or the person's own. */
export function viewedTownship(ctx: CommandContext, board: Board): Township | undefined {
  if (ctx.township) return ctx.township;
  const own = ctx.actor.person?.township;
  return own === undefined ? undefined : board.townships.find((t) => t.id === own);
}

/** Adds the note that some working days were estimated, when they were. */
export function withCalendarNote(ctx: CommandContext, lines: Line[], estimated: boolean): OutgoingMessage['lines'] {
  return estimated ? [...lines, [{ text: text.estimatedNote(ctx.calendar.lastCoveredYear + 1), tone: 'muted' }]] : lines;
}

/** A township's open tasks with light, progress and time left; a leader's county-wide list. */
export function taskList(ctx: CommandContext, board: Board, word: string): OutgoingMessage {
  const township = viewedTownship(ctx, board);
  if (township) {
    const tasks = board.openTasksOf(township);
    if (tasks.length === 0) return plain(text.noOpenTasks(township.name));
    const cells = tasks.map((task) => board.cell(task, township));
    const lines = cells.map((c): Line => [
      text.light(c.standing.light),
      ' ',
      ...text.taskTitle(c.task),
      `：${shownAmount(c)}，${text.timeLeft({ ...c.standing, deadline: c.task.deadline }, board.today)}`,
    ]);
    return { title: text.tasksTitle(township.name, tasks.length), lines: withCalendarNote(ctx, lines, cells.some((c) => c.standing.estimated)) };
  }
  if (!ctx.leaderView) throw new UserError(ctx.message.chat.type === 'group' && !ctx.group ? text.groupNotBound : text.askInTownshipGroup(word));
  const tasks = board.openTasks();
  if (tasks.length === 0) return plain(text.noOpenTasks(text.county));
  const lines = tasks.map((task): Line => {
    const towns = board.townshipsOf(task);
    const done = towns.filter((t) => board.cell(task, t).standing.light === 'done').length;
    return [...text.taskTitle(task), text.countyTaskLine(task.deadline, board.today, done, towns.length)];
  });
  return { title: text.countyTasksTitle(tasks.length), lines };
}
