/**
 * The county as commands need to see it at one moment: tasks, townships, current progress and
 * each (task, township)'s standing. Reads the store once per message; computes with domain/.
 */
import { beijingDay, endOfBeijingDay, instantMs, monthEnd, monthOf, previousMonth } from '../domain/dates.js';
import { deadlineOf, deadlineWith, grantsAsOf, type GrantedDeadlines } from '../domain/extensions.js';
import { replayLedger, tasksAsOf } from '../domain/ledger.js';
import { standing } from '../domain/lights.js';
import { isReportEntry, type Progress, type Task, type Township, type WorkCalendar, type Ym, type Ymd } from '../domain/model.js';
import type { RankingBook, RankingSnapshot } from '../domain/ranking.js';
import { buildRanking } from '../domain/ranking.js';
import { assignedTo, completion, requiredAmount } from '../domain/targets.js';
import type { CountyStore } from '../store/county.js';
import type { LedgerStore } from '../store/ledger.js';
import type { RequestStore } from '../store/requests.js';
import type { ReviewStore } from '../store/reviews.js';
import type { ReviewRecord, Reviews } from '../domain/review.js';
import type { StandingsStore } from '../store/standings.js';
import type { CellFacts, WrittenReport } from '../store/types.js';

export interface Cell {
  task: Task;
  township: Township;
  /** The township's deadline: the task's, or a later one granted to it (申请延期). */
  deadline: Ymd;
  /** The task's own deadline, when a grant moved this township's past it. */
  extendedFrom?: Ymd;
  /** 完成审核: the completion standing here waits for a leader, or was passed (办结). */
  review?: ReviewRecord['state'];
  progress?: Progress;
  required: number;
  completion: number;
  standing: ReturnType<typeof standing>;
}

export interface Board {
  today: Ymd;
  townships: readonly Township[];
  tasks: readonly Task[];
  progress: ReadonlyMap<string, ReadonlyMap<string, Progress>>;
  /** Deadlines granted to single townships. */
  deadlines: GrantedDeadlines;
  /** Completions under review or passed, by task and township. */
  reviews: Reviews;
  cell(task: Task, township: Township): Cell;
  /** Open tasks of a township, nearest deadline (its own, granted ones included) first. */
  openTasksOf(township: Township): Task[];
  /** Open tasks of the county, nearest deadline first. */
  openTasks(): Task[];
  townshipsOf(task: Task): Township[];
}

/** What a board and the rankings read: the county's townships and tasks, where each stands, and the ledger for a past month. */
export type BoardStore = Pick<CountyStore, 'townships' | 'tasks'> & Pick<LedgerStore, 'ledger' | 'earliestReport'> & Pick<RequestStore, 'grantedDeadlines'> & Pick<ReviewStore, 'reviews'> & StandingsStore;

export interface BoardSource {
  store: BoardStore;
  calendar: WorkCalendar;
  today: Ymd;
}

/** Made once: `localeCompare` with options builds a collator on every call, on every message. */
const byId = new Intl.Collator('en', { numeric: true }).compare;
const byDeadline = (a: Task, b: Task): number => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : byId(a.id, b.id));

export async function loadBoard({ store, calendar, today }: BoardSource): Promise<Board> {
  const [townships, tasks] = await Promise.all([store.townships(), store.tasks()]);
  const ids = tasks.map((t) => t.id);
  const [progress, deadlines, reviews] = await Promise.all([store.progress(ids), store.grantedDeadlines(ids), store.reviews(ids)]);
  const open = tasks.filter((t) => t.status === 'open').sort(byDeadline);
  return {
    today,
    townships,
    tasks,
    progress,
    deadlines,
    reviews,
    cell(task, township) {
      const review = reviews.get(task.id)?.get(township.id);
      const granted = deadlines.get(task.id)?.get(township.id);
      const progressHere = progress.get(task.id)?.get(township.id);
      return cellOf({ today, calendar }, task, township, {
        ...(progressHere === undefined ? {} : { progress: progressHere }),
        ...(granted === undefined ? {} : { granted }),
        ...(review === undefined ? {} : { review }),
      });
    },
    openTasksOf(township) {
      const due = (task: Task): Ymd => deadlineOf(task, township.id, deadlines).deadline;
      // `open` is in the tasks' own order, which a stable sort keeps among equal deadlines.
      return open.filter((t) => assignedTo(t, township.id)).sort((a, b) => (due(a) < due(b) ? -1 : due(a) > due(b) ? 1 : 0));
    },
    openTasks: () => open,
    townshipsOf: (task) => townships.filter((t) => assignedTo(task, t.id)),
  };
}

/**
 * Where one township stands on one task, from that cell's own facts: what a board computes for
 * each cell, and what a report's answer computes alone (it need not read the other townships').
 */
export function cellOf({ today, calendar }: Pick<BoardSource, 'today' | 'calendar'>, task: Task, township: Township, facts: CellFacts): Cell {
  const p = facts.progress;
  const required = requiredAmount(task.target, township);
  const done = p === undefined ? 0 : completion(p.amount, required);
  const due = deadlineWith(task, facts.granted);
  const counted = due.extendedFrom === undefined ? task : { ...task, deadline: due.deadline };
  const reportedOn = p === undefined ? undefined : beijingDay(p.at);
  // A review speaks for the report it was made on; a later report leaves it behind.
  const reviewed = facts.review !== undefined && facts.review.report === p?.entry ? { review: facts.review.state } : {};
  return {
    task,
    township,
    ...due,
    ...reviewed,
    progress: p,
    required,
    completion: done,
    standing: standing({ task: counted, completion: done, ...(reportedOn === undefined ? {} : { reportedOn }), today, calendar }),
  };
}

/**
 * This month's ranking so far, with rank changes against last month. With a board already loaded
 * its progress is used; without one, the ranking book the store keeps (a read of what changed
 * since it was last asked, and a sort).
 */
export async function currentRanking(source: BoardSource, board?: Board): Promise<RankingSnapshot> {
  const month = monthOf(source.today);
  if (!board) {
    const [previous, book] = await Promise.all([pastRanking(source, previousMonth(month)), bookOf(source)]);
    return book.snapshot(previous);
  }
  const previous = await pastRanking(source, previousMonth(month));
  const { townships, tasks, progress, deadlines } = board;
  return buildRanking({ month, asOf: source.today, townships, tasks, progress, deadlines, calendar: source.calendar, ...(previous ? { previous } : {}) });
}

/** The county's townships and tasks, as a message has already read them. */
export interface CountyRead {
  townships: readonly Township[];
  tasks: readonly Task[];
}

/** This month's ranking book as the store keeps it, up to date with every write so far. */
async function bookOf(source: BoardSource, county?: CountyRead, written?: readonly WrittenReport[]): Promise<RankingBook> {
  const [townships, tasks] = county ? [county.townships, county.tasks] : await Promise.all([source.store.townships(), source.store.tasks()]);
  return source.store.rankingBook({ month: monthOf(source.today), asOf: source.today, townships, tasks, calendar: source.calendar }, written);
}

/** A township's place in this month's ranking so far. */
export interface Place {
  month: Ym;
  rank: number;
  /** How many townships are ranked. */
  of: number;
}

/**
 * Where a township stands in this month's ranking so far; undefined when it is not ranked (no task
 * counted). `written`: reports the caller has just recorded.
 */
export async function rankOf(source: BoardSource & CountyRead, township: string, written?: readonly WrittenReport[]): Promise<Place | undefined> {
  const place = (await bookOf(source, source, written)).place(township);
  return place && { month: monthOf(source.today), ...place };
}

/**
 * A finished month's ranking: its stored snapshot, or else computed from the ledger as it stood
 * at the month's end and stored, since a finished month no longer changes.
 */
export async function pastRanking(source: BoardSource, month: Ym, withPrevious = true): Promise<RankingSnapshot | undefined> {
  const stored = await source.store.rankingSnapshot(month);
  if (stored) return stored;
  const [townships, tasks] = await Promise.all([source.store.townships(), source.store.tasks()]);
  const asOf = monthEnd(month);
  const until = endOfBeijingDay(asOf);
  const ids = tasks.map((t) => t.id);
  // No record at all from that month or before: the bot was not in use yet. A ranking of zeros
  // would be invented, and would make every township look as if it moved this month. Asked after
  // every report in a county's first month, so the first entries answer before any ledger is read.
  const untilMs = instantMs(until);
  const earliest = await source.store.earliestReport(ids);
  if (earliest === undefined || instantMs(earliest) > untilMs) return undefined;
  // The whole ledger, not only the month's: a 恢复 after the month's end says the task was closed in it.
  const entries = await source.store.ledger(ids);
  if (!entries.some((e) => isReportEntry(e) && instantMs(e.at) <= untilMs)) return undefined;
  const progress = replayLedger(entries, until);
  const previous = withPrevious ? await pastRanking(source, previousMonth(month), false) : undefined;
  const ranking = buildRanking({
    month,
    asOf,
    townships,
    tasks: tasksAsOf(tasks, entries, until),
    progress,
    // The deadlines its townships worked to then: a grant made after the month changes nothing in it.
    deadlines: grantsAsOf(entries, until),
    calendar: source.calendar,
    previous,
  });
  // Only the full computation (with last month's ranks) is worth keeping.
  if (withPrevious) await source.store.saveRankingSnapshot(ranking);
  return ranking;
}
