/**
 * Replies that more than one command or job shows, built from a `Board` or a ranking.
 * Sentences come from `src/messages/`; this file only arranges them.
 */
import { instantMs } from '../domain/dates.js';
import type { Instant, Township, Ymd } from '../domain/model.js';
import { rankChange, type RankingRow, type RankingSnapshot } from '../domain/ranking.js';
import { warningsFor, type Reminder, type ScheduledItem, type Warnings } from '../domain/schedule.js';
import { rankChangeWord, text, type StandingView } from '../messages/index.js';
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

/** A cell's standing as the time-left sentences read it. */
export const standingView = (cell: Cell): StandingView => ({ ...cell.standing, deadline: cell.task.deadline });

/** Whether any of these cells' time left shows `（估）`. */
export const showsEstimate = (cells: readonly Cell[], today: Ymd): boolean => cells.some((c) => text.showsEstimate(standingView(c), today));

/** Adds the note on estimated working days, when a `（估）` is on screen. */
export function withCalendarNote(ctx: CommandContext, lines: Line[], estimateShown: boolean): OutgoingMessage['lines'] {
  return estimateShown ? [...lines, [{ text: text.estimatedNote(ctx.calendar.lastCoveredYear + 1), tone: 'muted' }]] : lines;
}

/** In a group no one has bound, how to bind it: 任务 there answers for no township. */
const bindHint = (ctx: CommandContext): Line[] =>
  ctx.message.chat.type === 'group' && !ctx.group ? [[{ text: text.groupNotBound(ctx.townships[0]?.name), tone: 'muted' }]] : [];

/** Why there is no task list for this person here — no township of their own, and not a leader — or undefined. */
export function noTaskList(ctx: CommandContext, word: string): string | undefined {
  if (ctx.township || ctx.actor.person?.township !== undefined || ctx.leaderView) return undefined;
  return ctx.message.chat.type === 'group' && !ctx.group ? text.groupNotBound(ctx.townships[0]?.name) : text.askInTownshipGroup(word);
}

/** A township's open tasks with light, progress and time left, under way before done; a leader's county-wide list. */
export function taskList(ctx: CommandContext, board: Board, word: string): OutgoingMessage {
  const township = viewedTownship(ctx, board);
  if (township) {
    const tasks = board.openTasksOf(township);
    if (tasks.length === 0) return plain(text.noOpenTasks(township.name));
    const cells = tasks.map((task) => board.cell(task, township));
    const done = cells.filter((c) => c.standing.light === 'done');
    const underWay = cells.filter((c) => c.standing.light !== 'done');
    const lines = [...underWay, ...done].map((c): Line => [
      text.light(c.standing.light),
      ' ',
      ...text.taskTitle(c.task),
      `：${shownAmount(c)}，${text.timeLeft(standingView(c), board.today)}`,
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
    const done = towns.filter((t) => board.cell(task, t).standing.light === 'done').length;
    return { task, done, of: towns.length, line: [...text.taskTitle(task), text.countyTaskLine(task.deadline, board.today, done, towns.length)] };
  });
  const finished = rows.filter((r) => r.of > 0 && r.done === r.of);
  const underWay = rows.filter((r) => !finished.includes(r));
  return { title: text.tasksTitle(text.county, underWay.length, finished.length), lines: [...[...underWay, ...finished].map((r) => r.line), ...bindHint(ctx)] };
}

// ─── Rankings: the 排名 command and the monthly job (一月一通报) ───────────────────────────────

export interface RankingViewOptions {
  /** A finished month: the title says no "as of". */
  final: boolean;
  /** The bottom-three marks and their note: only where only leaders read it (docs/design.md §1). */
  bottomMarks: boolean;
  /** Each township's 🔴 count. */
  overdueCounts: boolean;
  /** A township id whose line is pointed out: a township group's own. */
  own?: string;
  /** Replaces the title (the monthly 通报 has its own). */
  title?: string;
}

/** `↑2`, `↓1`, `—`, or `新` for a township not ranked last month. */
export function rankChangeText(row: RankingRow): string {
  return rankChangeWord(rankChange(row));
}

/** A month's ranking, one township a line. */
export function rankingView(ranking: RankingSnapshot, options: RankingViewOptions): OutgoingMessage {
  // In a county's first ranked month every township would read 新: say nothing instead.
  const compared = ranking.rows.some((r) => r.previousRank !== undefined);
  const lines = ranking.rows.map((row): Line => {
    const own = row.township === options.own;
    return [
      ...(own ? [text.jobs.ownMarker] : []),
      `${String(row.rank)}. `,
      own ? { text: row.name, tone: 'strong' } : row.name,
      ' ',
      { text: text.perMille(row.score), tone: 'strong' },
      ...(compared ? [` ${rankChangeText(row)}`] : []),
      ...(options.overdueCounts && row.overdue > 0 ? [` 🔴${String(row.overdue)}`] : []),
      ...(row.bottom && options.bottomMarks ? [' ', { text: text.bottomMark, tone: 'bad' as const }] : []),
    ];
  });
  const notes: Line[] = [[{ text: text.rankingRule, tone: 'muted' }]];
  // The note says the marks are for leaders only; a township group that the county chose to show
  // them in (its own line pointed out) is told nothing of the kind.
  if (options.bottomMarks && options.own === undefined && ranking.rows.some((r) => r.bottom)) notes.push([{ text: text.bottomNote, tone: 'muted' }]);
  return { title: options.title ?? text.rankingTitle(ranking.month, ranking.asOf, options.final), lines: [...lines, ...notes] };
}

// ─── What is due: the reminder and 预警 jobs ──────────────────────────────────────────────────

/** One (task, township) as the schedule functions see it, with the board's cell riding along. */
export interface DueItem extends ScheduledItem {
  cell: Cell;
}

/** A township's open tasks as schedule items, nearest deadline first. */
export function dueItems(board: Board, township: Township): DueItem[] {
  return board.openTasksOf(township).map((task) => {
    const cell = board.cell(task, township);
    return { taskId: task.id, deadline: task.deadline, light: cell.standing.light, cell };
  });
}

/** What a township still lacks on a task: `已报 8/12，还差4个`, `已报 60%`, `未上报`. */
export const missingOf = (cell: Cell): string => text.jobs.missing(cell.task.target, cell.progress?.amount, cell.required);

/** A task coming due: light, task, `还剩6个工作日，11月30日截止`, what is missing. */
export function dueLine(item: DueItem, today: Ymd, estimated = false): Line {
  const { cell } = item;
  const when = text.jobs.due(cell.task.deadline, today, cell.standing.workdaysAfter, estimated || cell.standing.estimated);
  return text.jobs.item(cell.standing.light, cell.task, when, missingOf(cell));
}

/** Whether `dueLine` shows `（估）`. */
export function dueEstimated(item: DueItem, today: Ymd, estimated = false): boolean {
  const { cell } = item;
  return text.jobs.dueShowsEstimate(cell.task.deadline, today, cell.standing.workdaysAfter, estimated || cell.standing.estimated);
}

/** The note that explains `（估）`, for a post that shows one (chat replies use `withCalendarNote`). */
export const estimateNote = (lastCoveredYear: number): Line => [{ text: text.estimatedNote(lastCoveredYear + 1), tone: 'muted' }];

/** A reminder's line: as `dueLine`, with `（估）` when the ladder's count was estimated. */
export const reminderLine = (reminder: Reminder<DueItem>, today: Ymd): Line => dueLine(reminder.item, today, reminder.estimated);

/** A task past its deadline: 🔴, task, `已逾期3天（11月20日截止）`, what is missing. */
export function overdueLine(item: DueItem, today: Ymd): Line {
  const { cell } = item;
  return text.jobs.item(cell.standing.light, cell.task, text.jobs.overdue(cell.task.deadline, today, cell.standing.overdueDays), missingOf(cell));
}

// ─── 预警: what leaders see of the lagging townships ──────────────────────────────────────────

interface TownshipWarnings extends Warnings<DueItem> {
  township: Township;
}

/** The townships with 🔴 or 🟡 items, most 🔴 (then 🟡) first; equal counts keep the board's (拼音) order. */
function flaggedTownships(board: Board): TownshipWarnings[] {
  return board.townships
    .map((township) => ({ township, ...warningsFor(dueItems(board, township)) }))
    .filter((w) => w.overdue.length + w.behind.length > 0)
    .sort((a, b) => b.overdue.length - a.overdue.length || b.behind.length - a.behind.length);
}

/** How many townships the leaders' digest names, and how many of the longest-overdue tasks. */
const DIGEST_TOWNSHIPS = 5;
const DIGEST_OVERDUE = 3;

/**
 * The leaders' daily 预警 (docs/design.md §1: bundled, one phone screen — at most 15 lines): the county's
 * counts, what changed from `since` (the last working day's digest) to `now` — tasks newly
 * overdue, tasks finished — the townships most behind and the tasks longest overdue, and where the full list is.
 * Undefined when nothing is overdue or behind.
 */
export function warningDigest(board: Board, since: { day: Ymd; at: Instant }, now: Date): OutgoingMessage | undefined {
  const flagged = flaggedTownships(board);
  if (flagged.length === 0) return undefined;
  const overdue = flagged.flatMap((w) => w.overdue);
  const behind = flagged.flatMap((w) => w.behind);
  const sinceMs = instantMs(since.at);
  const between = (at: Instant): boolean => instantMs(at) >= sinceMs && instantMs(at) <= now.getTime();
  const newlyOverdue = overdue.filter((item) => item.deadline >= since.day).length;
  const newlyDone = board.townships
    .flatMap((township) => dueItems(board, township))
    .filter((item) => item.light === 'done' && item.cell.progress !== undefined && between(item.cell.progress.at)).length;
  const longest = flagged
    .flatMap((w) => w.overdue)
    .sort((a, b) => b.cell.standing.overdueDays - a.cell.standing.overdueDays)
    .slice(0, DIGEST_OVERDUE);
  const lines: Line[] = [
    text.jobs.digestCounts(overdue.length, flagged.filter((w) => w.overdue.length > 0).length, behind.length, flagged.filter((w) => w.behind.length > 0).length),
    [text.jobs.digestChanges(newlyOverdue, newlyDone)],
    [{ text: text.jobs.digestWorst, tone: 'strong' }],
    ...flagged.slice(0, DIGEST_TOWNSHIPS).map((w): Line => [text.jobs.indent, ...text.jobs.warningTownship(w.township.name, w.overdue.length, w.behind.length)]),
    ...(longest.length > 0 ? [[{ text: text.jobs.digestLongest, tone: 'strong' as const }], ...longest.map((item): Line => [text.jobs.indent, ...text.jobs.longOverdue(item.cell.township.name, item.cell.task, item.cell.standing.overdueDays)])] : []),
    [{ text: text.jobs.digestFull, tone: 'muted' }],
  ];
  return { title: text.jobs.digestTitle(board.today), lines };
}

/**
 * Every township's 🔴 and 🟡 items, most 🔴 first (`预警 全部`); undefined when there are none.
 * `lastCoveredYear`: the calendar's, for the note a `（估）` count needs.
 */
export function warningList(board: Board, lastCoveredYear: number): OutgoingMessage | undefined {
  const flagged = flaggedTownships(board);
  if (flagged.length === 0) return undefined;
  const overdue = flagged.reduce((n, w) => n + w.overdue.length, 0);
  const behind = flagged.reduce((n, w) => n + w.behind.length, 0);
  const lines: Line[] = [text.jobs.warningHeader(flagged.length, overdue, behind)];
  for (const w of flagged) {
    lines.push(text.jobs.warningTownship(w.township.name, w.overdue.length, w.behind.length));
    for (const item of w.overdue) lines.push([text.jobs.indent, ...overdueLine(item, board.today)]);
    for (const item of w.behind) lines.push([text.jobs.indent, ...dueLine(item, board.today)]);
  }
  lines.push(text.jobs.warningLegend);
  if (flagged.some((w) => w.behind.some((item) => dueEstimated(item, board.today)))) lines.push(estimateNote(lastCoveredYear));
  return { title: text.jobs.warningListTitle(board.today), lines };
}

/** `上报 T2 80%`, in the task's own unit, for the first task of a township's list. */
export const reportExampleFor = (cell: Cell): string => text.reportExample(cell.task, cell.required, cell.progress?.amount);
