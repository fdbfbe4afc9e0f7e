/**
 * The tables `duban export` writes (docs/design.md §6): the ledger (工作台账), a month's ranking and the
 * task table (任务推进表), as rows of plain values; their words are src/messages/excel.ts's.
 * src/excel/write.ts turns a table into a workbook; nothing here knows Excel. No I/O, no clock:
 * the day and the data come in.
 */
import { beijingDay, beijingMonth, instantMs } from '../domain/dates.js';
import { deadlineOf, type GrantedDeadlines, type TownshipDeadline } from '../domain/extensions.js';
import { isDone, standing } from '../domain/lights.js';
import { isExtensionEntry, isReviewEntry, isSignedEntry, isTaskEvent, type Instant, type LedgerEntry, type Progress, type Task, type Township, type WorkCalendar, type Ym, type Ymd } from '../domain/model.js';
import { rankChange, type RankingSnapshot } from '../domain/ranking.js';
import { assignedTo, completion, requiredAmount } from '../domain/targets.js';
import { amountText, ENTRY_KINDS, extensionValue, NOT_REPORTED, platformName, rankChangeWord, tableWords as W, targetText, townshipsText, trimNumber } from '../messages/index.js';

/** A cell: text, a number, a civil date, or an instant shown as Beijing wall-clock time. */
export type ExportValue = string | number | { date: Ymd } | { instant: Instant } | null;

/** `score`: a ranking score out of 100, shown with one decimal and 分 as the chat replies show it. */
export type ColumnFormat = 'text' | 'integer' | 'number' | 'score' | 'date' | 'datetime';

export interface ExportColumn {
  header: string;
  /** In characters, as Excel measures column widths; a Chinese character takes about two. */
  width: number;
  format: ColumnFormat;
}

export interface ExportTable {
  /** The worksheet's name. */
  sheet: string;
  /** The line above the header. */
  title: string;
  columns: ExportColumn[];
  rows: ExportValue[][];
}

const col = (header: string, width: number, format: ColumnFormat = 'text'): ExportColumn => ({ header, width, format });

const byTaskId = (a: Task, b: Task): number => a.id.localeCompare(b.id, 'en', { numeric: true });

/** Stream ids `ms-seq` order entries recorded in the same millisecond. */
function compareEntries(a: LedgerEntry, b: LedgerEntry): number {
  const byTime = instantMs(a.at) - instantMs(b.at);
  if (byTime !== 0) return byTime;
  const [am = 0, as = 0] = a.id.split('-').map(Number);
  const [bm = 0, bs = 0] = b.id.split('-').map(Number);
  return am - bm || as - bs;
}

// ---------------------------------------------------------------------------------------------

/**
 * Every ledger entry, oldest first; with `month`, those recorded in that Beijing month. The
 * value is as typed, the 折算进度 is the amount it set in the target's unit.
 */
export function ledgerTable(input: {
  county: string;
  entries: readonly LedgerEntry[];
  tasks: readonly Task[];
  townships: readonly Township[];
  month?: Ym;
}): ExportTable {
  const tasks = new Map(input.tasks.map((t) => [t.id, t]));
  const townships = new Map(input.townships.map((t) => [t.id, t]));
  const entries = input.entries
    .filter((e) => input.month === undefined || beijingMonth(new Date(instantMs(e.at))) === input.month)
    .sort(compareEntries);
  const head = W.ledger.head;
  const rows = entries.map((e): ExportValue[] => {
    const task = tasks.get(e.task);
    const by = [e.by.name, platformName(e.by.platform), ENTRY_KINDS[e.kind], e.source];
    // 销号 and 恢复 concern the task in every township and carry no value.
    if (isTaskEvent(e)) return [{ instant: e.at }, '', e.task, task?.title ?? '', '', '', '', ...by];
    // A deadline's request and answer: the dates in the value, the reason in the note.
    if (isExtensionEntry(e)) return [{ instant: e.at }, townships.get(e.township)?.name ?? e.township, e.task, task?.title ?? '', extensionValue(e), '', e.reason, ...by];
    // A review's step and a 签收 carry no value: who, when and the kind column say it all.
    if (isReviewEntry(e) || isSignedEntry(e)) return [{ instant: e.at }, townships.get(e.township)?.name ?? e.township, e.task, task?.title ?? '', '', '', '', ...by];
    const township = townships.get(e.township);
    const shown =
      e.amount === null
        ? NOT_REPORTED.label
        : task && township
          ? amountText(task.target, e.amount, requiredAmount(task.target, township))
          : trimNumber(e.amount);
    return [{ instant: e.at }, township?.name ?? e.township, e.task, task?.title ?? '', e.value, shown, e.note, ...by];
  });
  return {
    sheet: W.ledger.sheet,
    title: W.ledger.title(input.county, input.month),
    columns: [
      col(head.at, 17, 'datetime'),
      col(head.township, 12),
      col(head.taskId, 9),
      col(head.task, 30),
      col(head.value, 10),
      col(head.shown, 12),
      col(head.note, 30),
      col(head.by, 9),
      col(head.platform, 9),
      col(head.kind, 6),
      col(head.source, 24),
    ],
    rows,
  };
}

/** A month's ranking; `final` for a finished month, whose title says no "as of". */
export function rankingTable(input: { county: string; ranking: RankingSnapshot; final: boolean }): ExportTable {
  const { ranking } = input;
  const head = W.ranking.head;
  return {
    sheet: W.ranking.sheet,
    title: W.ranking.title(input.county, ranking.month, input.final ? undefined : ranking.asOf),
    columns: [
      col(head.rank, 6, 'integer'),
      col(head.township, 14),
      col(head.score, 9, 'score'),
      col(head.tasks, 8, 'integer'),
      col(head.done, 8, 'integer'),
      col(head.doneLate, 8, 'integer'),
      col(head.behind, 7, 'integer'),
      col(head.overdue, 7, 'integer'),
      col(head.change, 9),
      col(head.lastAt, 17, 'datetime'),
    ],
    rows: ranking.rows.map((r): ExportValue[] => [
      r.rank,
      r.name,
      r.score / 10,
      r.tasks,
      r.done,
      r.doneLate,
      r.behind,
      r.overdue,
      rankChangeWord(rankChange(r)),
      r.lastAt === undefined ? null : { instant: r.lastAt },
    ]),
  };
}

/**
 * A township's cell in the task table: light, word and amount, and its own deadline where a grant
 * moved it; `—` where the task is not its.
 */
function standingText(task: Task, township: Township, progress: Progress | undefined, due: TownshipDeadline, today: Ymd, calendar: WorkCalendar): string {
  if (!assignedTo(task, township.id)) return W.notAssigned;
  const required = requiredAmount(task.target, township);
  const share = progress === undefined ? 0 : completion(progress.amount, required);
  const counted = due.extendedFrom === undefined ? task : { ...task, deadline: due.deadline };
  const { light } = standing({ task: counted, completion: share, ...(progress ? { reportedOn: beijingDay(progress.at) } : {}), today, calendar });
  const extended = due.extendedFrom === undefined ? '' : W.extendedTo(due.deadline);
  if (isDone(light)) return `${W.light(light)}${extended}`;
  return `${W.light(light)} ${progress === undefined ? NOT_REPORTED.short : amountText(task.target, progress.amount, required)}${extended}`;
}

/**
 * The task table (任务推进表): one row per task with its own columns — written as the import reads
 * them, so an exported table can be edited and imported back — then one column per township with
 * its light and progress on `today`.
 */
export function tasksTable(input: {
  county: string;
  today: Ymd;
  tasks: readonly Task[];
  townships: readonly Township[];
  progress: ReadonlyMap<string, ReadonlyMap<string, Progress>>;
  /** Deadlines granted to single townships, in force on `today`. */
  deadlines: GrantedDeadlines;
  calendar: WorkCalendar;
}): ExportTable {
  const { today, townships, calendar } = input;
  const head = W.tasks.head;
  const rows = [...input.tasks].sort(byTaskId).map((task): ExportValue[] => [
    task.id,
    task.title,
    task.domain,
    townshipsText(task, townships),
    targetText(task.target),
    { date: task.start },
    { date: task.deadline },
    task.weight,
    W.status[task.status],
    ...townships.map((t) => standingText(task, t, input.progress.get(task.id)?.get(t.id), deadlineOf(task, t.id, input.deadlines), today, calendar)),
  ]);
  return {
    sheet: W.tasks.sheet,
    title: W.tasks.title(input.county, today),
    columns: [
      col(head.id, 6),
      col(head.title, 30),
      col(head.domain, 6),
      col(head.townships, 18),
      col(head.target, 10),
      col(head.start, 11, 'date'),
      col(head.deadline, 11, 'date'),
      col(head.weight, 5, 'number'),
      col(head.status, 7),
      ...townships.map((t) => col(t.name, Math.max(12, Array.from(t.name).length * 2 + 2))),
    ],
    rows,
  };
}
