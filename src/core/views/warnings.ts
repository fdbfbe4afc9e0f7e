/**
 * 预警: what leaders see of the lagging townships — the daily digest (the leaders-digest job and
 * 预警) and the full list (`预警 全部`). Sentences come from `src/messages/`; this file only arranges them.
 */
import type { Covering } from '../../domain/cover.js';
import { instantMs } from '../../domain/dates.js';
import { OVERDUE_DECISION_WORKDAYS, type ExtensionRequest } from '../../domain/extensions.js';
import type { Instant, Task, Township, Ymd } from '../../domain/model.js';
import { warningsFor, type Warnings } from '../../domain/schedule.js';
import { cover, text } from '../../messages/index.js';
import type { Board } from '../board.js';
import type { Line, OutgoingMessage } from '../types.js';
import { dueEstimated, dueItems, dueLine, overdueLine, type DueItem } from './due.js';
import { estimateNote } from './estimate.js';
import { isDone } from '../../domain/lights.js';

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

/** A request the leaders have left unanswered for `waited` working days. */
export interface Unanswered {
  request: ExtensionRequest;
  township: string;
  waited: number;
}

/** How many unanswered requests the digest names; 待办 lists them all. */
const DIGEST_REQUESTS = 3;

/**
 * The digest's line on requests left unanswered (docs/design.md §3: 申请延期), oldest first: one
 * line, so the digest stays one phone screen.
 */
function unansweredLines(waiting: readonly Unanswered[]): Line[] {
  if (waiting.length === 0) return [];
  const named = waiting.slice(0, DIGEST_REQUESTS).map((w) => text.commands.digest.item(w.request, w.township, w.waited));
  return [[{ text: text.commands.digest.heading(OVERDUE_DECISION_WORKDAYS), tone: 'strong' }, text.commands.digest.items(named, waiting.length)]];
}

/** A completion waiting for a leader's review (完成审核), for `waited` working days. */
export interface AwaitingReview {
  task: Task;
  township: Township;
  waited: number;
}

/** The digest's line on completions waiting for review, oldest first: one line, like the requests'. */
function reviewLines(reviews: readonly AwaitingReview[]): Line[] {
  if (reviews.length === 0) return [];
  const named = reviews.slice(0, DIGEST_REQUESTS).map((r) => text.commands.digest.reviewItem(r.township.name, r.task.id, r.waited));
  return [[{ text: text.commands.digest.reviewHeading, tone: 'strong' }, text.commands.digest.items(named, reviews.length)]];
}

/**
 * The leaders' daily 预警 (docs/design.md §1: bundled, one phone screen — at most 15 lines): the county's
 * counts, what changed from `since` (the last working day's digest) to `now` — tasks newly
 * overdue, tasks finished — the townships most behind and the tasks longest overdue, the requests
 * left unanswered too long (`waiting`), the townships whose A is on leave and who covers
 * (`covering`), and where the full list is. Undefined when nothing is overdue, behind or waiting:
 * a leave alone is no reason to post.
 */
export function warningDigest(
  board: Board,
  since: { day: Ymd; at: Instant },
  now: Date,
  { waiting = [], covering = [], reviews = [] }: { waiting?: readonly Unanswered[]; covering?: readonly Covering[]; reviews?: readonly AwaitingReview[] } = {},
): OutgoingMessage | undefined {
  const flagged = flaggedTownships(board);
  if (flagged.length === 0 && waiting.length === 0 && reviews.length === 0) return undefined;
  // Whose posts go to a B today: one line, however many townships, so the screen stays one.
  const extras: Line[] = [...unansweredLines(waiting), ...reviewLines(reviews), ...(covering.length > 0 ? [cover.covering(covering, board.today)] : [])];
  if (flagged.length === 0) return { title: text.jobs.digestTitle(board.today), lines: extras };
  const overdue = flagged.flatMap((w) => w.overdue);
  const behind = flagged.flatMap((w) => w.behind);
  const sinceMs = instantMs(since.at);
  const between = (at: Instant): boolean => instantMs(at) >= sinceMs && instantMs(at) <= now.getTime();
  const newlyOverdue = overdue.filter((item) => item.deadline >= since.day).length;
  const newlyDone = board.townships
    .flatMap((township) => dueItems(board, township))
    .filter((item) => isDone(item.light) && item.cell.progress !== undefined && between(item.cell.progress.at)).length;
  const longest = flagged
    .flatMap((w) => w.overdue)
    .sort((a, b) => b.cell.standing.overdueDays - a.cell.standing.overdueDays)
    .slice(0, DIGEST_OVERDUE);
  const lines: Line[] = [
    text.jobs.digestCounts(overdue.length, flagged.filter((w) => w.overdue.length > 0).length, behind.length, flagged.filter((w) => w.behind.length > 0).length),
    [text.jobs.digestChanges(newlyOverdue, newlyDone)],
    [{ text: text.jobs.digestWorst, tone: 'strong' }],
    // Each line beyond the first that the extras take comes off the townships named, so the digest stays 15 lines.
    ...flagged.slice(0, DIGEST_TOWNSHIPS - Math.max(0, extras.length - 1)).map((w): Line => [text.jobs.indent, ...text.jobs.warningTownship(w.township.name, w.overdue.length, w.behind.length)]),
    ...(longest.length > 0 ? [[{ text: text.jobs.digestLongest, tone: 'strong' as const }], ...longest.map((item): Line => [text.jobs.indent, ...text.jobs.longOverdue(item.cell.township.name, item.cell.task, item.cell.standing.overdueDays)])] : []),
    ...extras,
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
