import { beijingEpochDay, beijingInstant, epochDay, instantMs } from './dates.js';
import type { GrantedDeadlines } from './extensions.js';
import { lightOf, pace, type Pace } from './lights.js';
import type { Instant, Reported, Task, Township, WorkCalendar, Ym, Ymd } from './model.js';
import { completion, requiredOfEvery, requiredPerVillage } from './targets.js';

/** One township's line in a month's ranking. */
export interface RankingRow {
  township: string;
  name: string;
  /** Weighted mean completion of its tasks active in the month, per mille (0–1000), an integer. */
  score: number;
  /** 1-based; equal only when every tie rule is equal. */
  rank: number;
  /** Rank in the previous month's ranking, when there was one. */
  previousRank?: number;
  /** Tasks counted, done on time (✅), done after the deadline (✅逾期完成), behind (🟡) and overdue (🔴). */
  tasks: number;
  done: number;
  doneLate: number;
  behind: number;
  overdue: number;
  /** When it last reported progress on a counted task: earlier wins a tie. */
  lastAt?: Instant;
  /** Among the bottom three: information for leaders only. */
  bottom: boolean;
}

/** A month's ranking as computed on `asOf`; stored once the month is over. */
export interface RankingSnapshot {
  month: Ym;
  asOf: Ymd;
  rows: RankingRow[];
}

/**
 * Whether a task is counted in a month's ranking: from the month it starts, and — while it is
 * open — in every month after, so an overdue task keeps weighing until it is closed (销号). A closed
 * task counts up to the month it was closed, or its deadline's month when that is not recorded.
 */
export function activeInMonth(task: Task, month: Ym): boolean {
  if (task.start.slice(0, 7) > month) return false;
  if (task.status === 'open') return true;
  return (task.closedOn ?? task.deadline).slice(0, 7) >= month;
}

/**
 * The rank of each item of a list in ranking order: equal neighbours share a rank, and the next
 * rank counts them all (1, 2, 2, 4), as 通报 write ties.
 */
export function sharedRanks<T>(ordered: readonly T[], same: (a: T, b: T) => boolean): number[] {
  const ranks: number[] = [];
  ordered.forEach((item, index) => {
    const before = ordered[index - 1];
    const rank = ranks[index - 1];
    ranks.push(before !== undefined && rank !== undefined && same(before, item) ? rank : index + 1);
  });
  return ranks;
}

/** How many places a township moved up since the previous month (negative: down). */
export function rankChange(row: RankingRow): number | undefined {
  return row.previousRank === undefined ? undefined : row.previousRank - row.rank;
}

/** Names in 拼音 order, so the last tie-break reads naturally to a Chinese reader. */
const byName = new Intl.Collator('zh-CN').compare;

/** The bottom-three marks are for leaders (docs/design.md §1): a county of three would mark everyone. */
const BOTTOM = 3;

/** What a ranking reads by key: a Map, or a view over stored bytes that decodes only what is asked. */
export interface Lookup<V> {
  get(key: string): V | undefined;
}

/**
 * Every township's progress as numbers: all a ranking reads of the report that stands is its
 * amount and its time. Record r of a task's cells holds the amount at 2r and the report's epoch
 * milliseconds at 2r + 1; a record past the end, or whose time is 0, is no progress. A township's
 * record is the same in every task, so a county of 20,000 × 300 is 300 arrays, not six million
 * objects (src/store/slots.ts keeps them in Redis in this layout).
 */
export interface ProgressTable {
  /** The township's record in every task's cells; undefined when it has none. */
  recordOf(township: string): number | undefined;
  /** A task's cells; undefined when no township has progress on it. */
  cells(task: string): Float64Array | undefined;
}

/** A table over progress kept by task and township id (a board's, a replayed ledger's). */
export function progressTable(townships: readonly Township[], tasks: readonly Task[], progress: Lookup<Lookup<Reported>>): ProgressTable {
  const records = new Map(townships.map((township, index) => [township.id, index]));
  const cells = new Map<string, Float64Array>();
  for (const task of tasks) {
    const reports = progress.get(task.id);
    if (!reports) continue;
    const column = new Float64Array(2 * townships.length);
    for (const [index, township] of townships.entries()) {
      const reported = reports.get(township.id);
      if (!reported) continue;
      column[2 * index] = reported.amount;
      column[2 * index + 1] = instantMs(reported.at);
    }
    cells.set(task.id, column);
  }
  return { recordOf: (township) => records.get(township), cells: (task) => cells.get(task) };
}

/** What a month's ranking is computed against, apart from the progress. */
export interface RankingBasis {
  month: Ym;
  asOf: Ymd;
  townships: readonly Township[];
  tasks: readonly Task[];
  calendar: WorkCalendar;
}

/**
 * A month's ranking kept up to date as progress changes: a report counts its own township again
 * (one row, its tasks) instead of the county (every row), so its rank is a lookup. Its results are
 * the ones `buildRanking` computes — `buildRanking` is a book read once.
 */
export interface RankingBook {
  readonly basis: RankingBasis;
  /** Counts these townships again from the progress, which changed for them. */
  recount(townships: Iterable<string>): void;
  /** Takes a task's new grants (申请延期) and counts again the townships whose deadline moved. */
  regrant(task: string, grants: ReadonlyMap<string, Ymd> | undefined): void;
  /** A township's rank and how many are ranked; undefined when none of its tasks is counted. */
  place(township: string): { rank: number; of: number } | undefined;
  snapshot(previous?: RankingSnapshot): RankingSnapshot;
}

/** A pace and its deadline as a day number, to compare with a report's day without a string. */
interface Timed {
  pace: Pace;
  deadlineDay: number;
}

interface CountedTask {
  task: Task;
  /** Indexes into the townships it is for; undefined when it is for every township. */
  members: readonly number[] | undefined;
  /** `members` as a mask over the townships' indexes, for counting a few townships again. */
  memberMask: Uint8Array | undefined;
  timed: Timed;
  /** Township id → a deadline a grant moved past the task's own. */
  grants: ReadonlyMap<string, Ymd> | undefined;
  /** The pace to each granted deadline, computed once per date. */
  grantedPaces: Map<Ymd, Timed>;
  cells: Float64Array | undefined;
}

interface Scored {
  row: RankingRow;
  /** `lastAt` in epoch ms; never reported sorts after every report. */
  lastMs: number;
  /** The township's index in the book: orders equal results in `place`'s list. */
  index: number;
}

/**
 * A month's ranking (一月一通报) as it stands on `asOf`. `progress` maps task id → township id →
 * progress as of `asOf` (for a past month, replay the ledger up to the month's end).
 */
export function buildRanking(
  input: RankingBasis & {
    progress: Lookup<Lookup<Reported>>;
    /** Deadlines granted to single townships (申请延期), in force on `asOf`. */
    deadlines?: GrantedDeadlines;
    previous?: RankingSnapshot;
  },
): RankingSnapshot {
  return rankingBook(input, progressTable(input.townships, input.tasks, input.progress), input.deadlines).snapshot(input.previous);
}

/**
 * A ranking book over `progress`, which the caller changes in place and then names the townships
 * it changed for (`recount`). Sums are taken task by task in the tasks' order for every township,
 * whether all are counted or one, so a recounted row is the one a fresh book would compute.
 */
export function rankingBook(basis: RankingBasis, progress: ProgressTable, deadlines?: Lookup<ReadonlyMap<string, Ymd>>): RankingBook {
  return beginRankingBook(basis, progress, deadlines).book();
}

/**
 * A ranking book counted while its progress is still arriving: the caller puts a task's cells in
 * the table and its grants in `deadlines`, then says it is `taken`. Every task taken without a gap
 * in the tasks' order is counted at once, so the tally of a large county runs while the rest of
 * its standings are still on the wire, and the sums are the very additions `rankingBook` makes.
 */
export interface RankingBookUnderway {
  taken(task: string): void;
  /** The book; a task not taken yet is counted from the table and `deadlines` as they are now. */
  book(): RankingBook;
}

export function beginRankingBook(basis: RankingBasis, progress: ProgressTable, deadlines?: Lookup<ReadonlyMap<string, Ymd>>): RankingBookUnderway {
  const { month, asOf, calendar } = basis;
  // Townships in the order of their records, so that each task's cells are read front to back: in
  // the county's order (by name) a large county's reads jump about the cells and miss the cache.
  // Every result is the same in any order: sums run over tasks, and the ranking's order is total.
  const byRecord = basis.townships.map((township) => ({ township, record: progress.recordOf(township.id) ?? -1 })).sort((a, b) => a.record - b.record);
  const townships = byRecord.map((one) => one.township);
  const records = Int32Array.from(byRecord, (one) => one.record);
  // Read beside the cells for a count per village: a township object per cell was a third of the count's time.
  const villages = Float64Array.from(townships, (township) => township.villages);
  const n = townships.length;
  const indexOf = new Map(townships.map((township, index) => [township.id, index]));
  const timedOf = (task: Pick<Task, 'start' | 'deadline'>): Timed => ({ pace: pace({ task, today: asOf, calendar }), deadlineDay: epochDay(task.deadline) });
  // The calendar figures are the same for every township: once per task keeps 2,000 × 300 fast.
  // A task that has not started by `asOf` cannot have progress yet, so it would only lower scores.
  const counted: CountedTask[] = basis.tasks
    .filter((task) => activeInMonth(task, month) && task.start <= asOf)
    .map((task) => {
      const members = task.townships === 'all' ? undefined : membersOf(task.townships, indexOf);
      return {
        task,
        members,
        memberMask: members && maskOf(members, n),
        timed: timedOf(task),
        grants: undefined,
        grantedPaces: new Map(),
        cells: undefined,
      };
    });
  const countedById = new Map(counted.map((one) => [one.task.id, one]));

  const paceTo = (one: CountedTask, deadline: Ymd): Timed => {
    let found = one.grantedPaces.get(deadline);
    if (!found) one.grantedPaces.set(deadline, (found = timedOf({ start: one.task.start, deadline })));
    return found;
  };
  const tally = emptyTally(n);
  const readReports = (): void => {
    for (const one of counted) one.cells = progress.cells(one.task.id);
  };

  const taken = new Set<string>();
  /** counted[0, next) are in the tally. */
  let next = 0;
  const countUpTo = (end: number): void => {
    const ready = counted.slice(next, end);
    for (const one of ready) {
      one.cells = progress.cells(one.task.id);
      one.grants = deadlines?.get(one.task.id);
    }
    tallyTasks(townships, records, villages, ready, paceTo, tally);
    next = end;
  };
  let made: RankingBook | undefined;

  return {
    taken(task) {
      taken.add(task);
      let end = next;
      while (end < counted.length && taken.has(counted[end]?.task.id ?? '')) end += 1;
      if (end > next) countUpTo(end);
    },

    book() {
      if (made) return made;
      countUpTo(counted.length);
      const scored = townships.map((township, index) => scoreOf(township, index, tally));
      /**
       * The scored townships best first, equal results by index, made on the first `place`: a
       * rank is then a binary search, and a recount moves one entry, where comparing every
       * township took 20,000 comparisons a report in a county of 20,000.
       */
      let order: Scored[] | undefined;
      const recountIndexes = (indexes: readonly number[]): void => {
        if (indexes.length === 0) return;
        readReports();
        for (const index of indexes) resetTally(tally, index);
        tallyTasks(townships, records, villages, counted, paceTo, tally, indexes);
        for (const index of indexes) {
          const township = townships[index];
          if (!township) continue;
          const before = scored[index];
          const after = scoreOf(township, index, tally);
          scored[index] = after;
          if (!order) continue;
          if (before) order.splice(positionOf(order, before), 1);
          if (after) order.splice(firstAtOrAfter(order, after), 0, after);
        }
      };
      made = {
        basis,
        recount(ids) {
          const indexes = new Set<number>();
          for (const id of ids) {
            const index = indexOf.get(id);
            if (index !== undefined) indexes.add(index);
          }
          recountIndexes([...indexes]);
        },

        regrant(task, grants) {
          const one = countedById.get(task);
          if (!one) return;
          const before = one.grants;
          one.grants = grants;
          const moved = new Set<string>([...(before?.keys() ?? []), ...(grants?.keys() ?? [])].filter((id) => before?.get(id) !== grants?.get(id)));
          this.recount(moved);
        },

        place(township) {
          const index = indexOf.get(township);
          const own = index === undefined ? undefined : scored[index];
          if (!own) return undefined;
          order ??= scored.filter((one): one is Scored => one !== undefined).sort(byResultThenIndex);
          // Ranks are shared by equal results (sharedRanks): one more than the townships strictly ahead.
          return { rank: strictlyAhead(order, own) + 1, of: order.length };
        },

        snapshot(previous) {
          return snapshotOf(month, asOf, scored, previous);
        },
      };
      return made;
    },
  };
}

function snapshotOf(month: Ym, asOf: Ymd, scored: readonly (Scored | undefined)[], previous: RankingSnapshot | undefined): RankingSnapshot {
  const ordered = scored.filter((one): one is Scored => one !== undefined);
  ordered.sort(
    (a, b) =>
      b.row.score - a.row.score ||
      a.row.overdue - b.row.overdue ||
      compareMs(a.lastMs, b.lastMs) ||
      byName(a.row.name, b.row.name) ||
      (a.row.township < b.row.township ? -1 : a.row.township > b.row.township ? 1 : 0),
  );

  const previousRanks = new Map(previous?.rows.map((row) => [row.township, row.rank]));
  const ranks = sharedRanks(ordered, sameResult);
  // Only ranks inside the last three places: a tie straddling the line is left unmarked whole
  // (equal results, equal treatment), so no more than three are ever marked — ten townships tied
  // at zero are not a 后三位.
  const line = ordered.length > BOTTOM ? ordered.length - BOTTOM : Infinity;
  const rows = ordered.map((one, index) => {
    const rank = ranks[index] ?? index + 1;
    return rowOf(one.row, rank, previousRanks.get(one.row.township), rank > line && one.row.score < 1000);
  });
  return { month, asOf, rows };
}

/**
 * The snapshot's own copy of a book's row, made in one literal. A copy by spread, given its rank
 * and last month's afterwards, made a 20,000-township snapshot's rows in 94–115 ms, this in 29–67
 * (medians of a scratch measurement, four runs); 排名 in a running process makes them each time.
 */
function rowOf(row: RankingRow, rank: number, previousRank: number | undefined, bottom: boolean): RankingRow {
  const { township, name, score, tasks, done, doneLate, behind, overdue, lastAt } = row;
  const made: RankingRow = { township, name, score, rank, tasks, done, doneLate, behind, overdue, bottom };
  if (previousRank !== undefined) made.previousRank = previousRank;
  if (lastAt !== undefined) made.lastAt = lastAt;
  return made;
}

function membersOf(ids: readonly string[], indexOf: ReadonlyMap<string, number>): number[] {
  const members = new Set<number>();
  for (const id of ids) {
    const index = indexOf.get(id);
    if (index !== undefined) members.add(index);
  }
  return [...members];
}

function maskOf(members: readonly number[], n: number): Uint8Array {
  const mask = new Uint8Array(n);
  for (const index of members) mask[index] = 1;
  return mask;
}

/** Per township (by index): sums over its counted tasks. */
interface Tally {
  tasks: Uint32Array;
  done: Uint32Array;
  doneLate: Uint32Array;
  behind: Uint32Array;
  overdue: Uint32Array;
  weighted: Float64Array;
  weights: Float64Array;
  plain: Float64Array;
  /** Epoch ms of the latest report counted; 0: none. */
  lastMs: Float64Array;
}

function emptyTally(n: number): Tally {
  return {
    tasks: new Uint32Array(n),
    done: new Uint32Array(n),
    doneLate: new Uint32Array(n),
    behind: new Uint32Array(n),
    overdue: new Uint32Array(n),
    weighted: new Float64Array(n),
    weights: new Float64Array(n),
    plain: new Float64Array(n),
    lastMs: new Float64Array(n),
  };
}

function resetTally(tally: Tally, index: number): void {
  tally.tasks[index] = 0;
  tally.done[index] = 0;
  tally.doneLate[index] = 0;
  tally.behind[index] = 0;
  tally.overdue[index] = 0;
  tally.weighted[index] = 0;
  tally.weights[index] = 0;
  tally.plain[index] = 0;
  tally.lastMs[index] = 0;
}

/**
 * Task by task rather than township by township: each task's cells are read in one sweep while
 * they are in the processor's cache, which is most of the time a large county takes. `only` counts
 * those townships alone (already reset), in the same order of tasks.
 */
function tallyTasks(townships: readonly Township[], records: Int32Array, villages: Float64Array, counted: readonly CountedTask[], paceTo: (one: CountedTask, deadline: Ymd) => Timed, tally: Tally, only?: readonly number[]): void {
  const { tasks: taskCounts, done, doneLate, behind, overdue, weighted, weights, plain, lastMs } = tally;
  for (const one of counted) {
    // What is the same for every township, taken out of the loop that runs once per cell: a
    // township's record is read only for a grant, its villages from the array beside the cells.
    const { task, cells, grants, timed: own, memberMask } = one;
    const { weight, target } = task;
    const closed = task.status === 'closed';
    const every = requiredOfEvery(target);
    const perVillage = requiredPerVillage(target);
    // The townships counted: these few, the task's own, or every one.
    const list = only ?? one.members;
    const count = list ? list.length : townships.length;
    for (let i = 0; i < count; i += 1) {
      const index = list ? (list[i] ?? 0) : i;
      if (only && memberMask && memberMask[index] !== 1) continue;
      const record = records[index] ?? -1;
      const at = record >= 0 && cells !== undefined ? (cells[2 * record + 1] ?? 0) : 0;
      const share = at === 0 ? 0 : completion(cells?.[2 * record] ?? 0, every ?? perVillage * (villages[index] ?? 0));
      taskCounts[index] = (taskCounts[index] ?? 0) + 1;
      weighted[index] = (weighted[index] ?? 0) + weight * share;
      weights[index] = (weights[index] ?? 0) + weight;
      plain[index] = (plain[index] ?? 0) + share;
      if (at > (lastMs[index] ?? 0)) lastMs[index] = at;
      // A closed task (销号) still counts toward the month's score, but is no one's to chase: it
      // shows as done or not at all, never as 🔴 or 🟡 (as 预警 and the reminders leave it out).
      if (closed && share < 1) continue;
      const granted = grants?.get(townships[index]?.id ?? '');
      const timed = granted !== undefined && granted > task.deadline ? paceTo(one, granted) : own;
      // Only a finished cell needs the day it was reported (on time or late): most are not finished.
      const light = lightOf(timed.pace, share, share >= 1 && beijingEpochDay(at) > timed.deadlineDay);
      if (light === 'done') done[index] = (done[index] ?? 0) + 1;
      else if (light === 'done-late') doneLate[index] = (doneLate[index] ?? 0) + 1;
      else if (light === 'behind') behind[index] = (behind[index] ?? 0) + 1;
      else if (light === 'overdue') overdue[index] = (overdue[index] ?? 0) + 1;
    }
  }
}

function scoreOf(township: Township, index: number, tally: Tally): Scored | undefined {
  const tasks = tally.tasks[index] ?? 0;
  if (tasks === 0) return undefined;
  const weights = tally.weights[index] ?? 0;
  // Weights of zero everywhere would divide by zero; then every task counts the same.
  const mean = weights > 0 ? (tally.weighted[index] ?? 0) / weights : (tally.plain[index] ?? 0) / tasks;
  const rounded = Math.round(1000 * mean);
  // 1000 means "everything done": 99.96 % must not round up into it.
  const score = mean < 1 && rounded >= 1000 ? 999 : rounded;

  const row: RankingRow = {
    township: township.id,
    name: township.name,
    score,
    rank: 0,
    tasks,
    done: tally.done[index] ?? 0,
    doneLate: tally.doneLate[index] ?? 0,
    behind: tally.behind[index] ?? 0,
    overdue: tally.overdue[index] ?? 0,
    bottom: false,
  };
  const lastMs = tally.lastMs[index] ?? 0;
  if (lastMs !== 0) row.lastAt = beijingInstant(new Date(lastMs));
  return { row, lastMs: lastMs === 0 ? Infinity : lastMs, index };
}

/** Ahead of `b` on a tie rule that shares ranks (the name only orders the list). */
function better(a: Scored, b: Scored): boolean {
  return a.row.score !== b.row.score ? a.row.score > b.row.score : a.row.overdue !== b.row.overdue ? a.row.overdue < b.row.overdue : a.lastMs < b.lastMs;
}

/** Best first; equal results by the township's index in the book, so every entry has one place. */
function byResultThenIndex(a: Scored, b: Scored): number {
  if (better(a, b)) return -1;
  if (better(b, a)) return 1;
  return a.index - b.index;
}

/** The first index of `order` where `ahead` stops holding; it holds for a prefix of `order` (byResultThenIndex). */
function endOfPrefix(order: readonly Scored[], ahead: (at: Scored) => boolean): number {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const at = order[mid];
    if (at !== undefined && ahead(at)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** How many of `order` have a better result than `own`: they come first. */
const strictlyAhead = (order: readonly Scored[], own: Scored): number => endOfPrefix(order, (at) => better(at, own));

/** Where `one` goes in `order`: the first entry not before it. */
const firstAtOrAfter = (order: readonly Scored[], one: Scored): number => endOfPrefix(order, (at) => byResultThenIndex(at, one) < 0);

/** The place of `one` itself in `order`, which holds it. */
function positionOf(order: readonly Scored[], one: Scored): number {
  const at = firstAtOrAfter(order, one);
  if (order[at] !== one) throw new Error(`the ranking book lost track of township ${one.row.township}`);
  return at;
}

/** Equal on every tie rule except the name, which only orders the list. */
function sameResult(a: Scored, b: Scored): boolean {
  return a.row.score === b.row.score && a.row.overdue === b.row.overdue && a.lastMs === b.lastMs;
}

function compareMs(a: number, b: number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
