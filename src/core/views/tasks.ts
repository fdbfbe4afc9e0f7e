/**
 * The task list (任务, and 进度 with no task named): a township's open tasks, or the county's for a
 * leader. Sentences come from `src/messages/`; this file only arranges them.
 */
import { text } from '../../messages/index.js';
import type { Board } from '../board.js';
import { townshipToBind, type CommandContext } from '../command.js';
import { UserError } from '../errors.js';
import { plain, type Line, type OutgoingMessage } from '../types.js';
import { reviewNote, shownAmount, standingView } from './cell.js';
import { showsEstimate, withCalendarNote } from './estimate.js';
import { viewedTownship } from './viewed-township.js';
import { isDone } from '../../domain/lights.js';

/** In a group no one has bound, how to bind it: 任务 there answers for no township. */
const bindHint = (ctx: CommandContext): Line[] =>
  ctx.message.chat.type === 'group' && !ctx.group ? [[{ text: text.groupNotBound(townshipToBind(ctx)), tone: 'muted' }]] : [];

/** Why there is no task list for this person here — no township of their own, and not a leader — or undefined. */
export function noTaskList(ctx: CommandContext, word: string): string | undefined {
  if (ctx.township || ctx.actor.person?.township !== undefined || ctx.leaderView) return undefined;
  return ctx.message.chat.type === 'group' && !ctx.group ? text.groupNotBound(townshipToBind(ctx)) : text.askInTownshipGroup(word);
}

/** A township's open tasks with light, progress and time left, under way before done; a leader's county-wide list. */
export function taskList(ctx: CommandContext, board: Board, word: string): OutgoingMessage {
  const township = viewedTownship(ctx, board);
  if (township) {
    const tasks = board.openTasksOf(township);
    if (tasks.length === 0) return plain(text.noOpenTasks(township.name));
    const cells = tasks.map((task) => board.cell(task, township));
    const done = cells.filter((c) => isDone(c.standing.light));
    const underWay = cells.filter((c) => !isDone(c.standing.light));
    const lines = [...underWay, ...done].map((c): Line => [
      text.light(c.standing.light),
      ' ',
      ...text.taskTitle(c.task),
      `：${shownAmount(c)}${reviewNote(c)}，${text.timeLeft(standingView(c), board.today)}`,
    ]);
    return {
      title: text.tasksTitle(township.name, underWay.length, done.length),
      lines: withCalendarNote(ctx, [...lines, ...bindHint(ctx)], showsEstimate(cells, board.today)),
    };
  }
  const refused = noTaskList(ctx, word);
  if (refused !== undefined) throw new UserError(refused);
  const tasks = board.openTasks();
  if (tasks.length === 0) return plain(text.noOpenTasks(text.county));
  const rows = tasks.map((task) => {
    const towns = board.townshipsOf(task);
    const done = towns.filter((t) => isDone(board.cell(task, t).standing.light)).length;
    return { task, done, of: towns.length, line: [...text.taskTitle(task), text.countyTaskLine(task.deadline, board.today, done, towns.length)] };
  });
  const finished = rows.filter((r) => r.of > 0 && r.done === r.of);
  const underWay = rows.filter((r) => !finished.includes(r));
  return { title: text.tasksTitle(text.county, underWay.length, finished.length), lines: [...[...underWay, ...finished].map((r) => r.line), ...bindHint(ctx)] };
}
