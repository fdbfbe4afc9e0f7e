/**
 * The ledger (工作台账) replayed: progress as it stood at a past instant, for past months'
 * rankings and for checking the live progress against its history; and the tasks' 销号/恢复
 * as they stood then.
 */
import { beijingDate } from './dates.js';
import { isReportEntry, isTaskEvent, undoesReport, type Instant, type LedgerEntry, type Progress, type ReportEntry, type Task, type TaskEvent, type TaskEventKind, type Ymd } from './model.js';

/**
 * Progress per task id → township id after the report entries at or before `until` (all of them
 * without it); task events move no progress. Entries must be oldest first within each task;
 * instants compare by epoch ms, so offsets may differ between entries.
 */
export function replayLedger(entries: readonly LedgerEntry[], until?: Instant): Map<string, Map<string, Progress>> {
  const limit = until === undefined ? Infinity : Date.parse(until);
  const state = new Map<string, Map<string, Progress>>();
  // What each applied entry replaced, so a reversal can put back exactly that — including who
  // reported it and when, which the ranking's tie-break reads.
  const replaced = new Map<string, { task: string; township: string; progress: Progress | undefined }>();

  for (const entry of entries) {
    if (!isReportEntry(entry) || Date.parse(entry.at) > limit) continue;
    const current = state.get(entry.task)?.get(entry.township);
    replaced.set(entry.id, { task: entry.task, township: entry.township, progress: current });

    if (!undoesReport(entry)) {
      set(state, entry.task, entry.township, entry.amount === null ? undefined : progressOf(entry, entry.amount));
      continue;
    }
    const undone = entry.reverses === undefined ? undefined : replaced.get(entry.reverses);
    if (undone) set(state, undone.task, undone.township, undone.progress);
    // The reversed entry is outside what we were given: the reversal's own amount is what
    // progress went back to when it was written.
    else set(state, entry.task, entry.township, entry.amount === null ? undefined : progressOf(entry, entry.amount));
  }
  return state;
}

/** The task after a 销号 or 恢复 on `day`: a closed task keeps its closing day, an open one has none. */
export function withStatus(task: Task, kind: TaskEventKind, day: Ymd | undefined): Task {
  const next: Task = { ...task, status: kind === 'closed' ? 'closed' : 'open' };
  delete next.closedOn;
  if (kind === 'closed' && day !== undefined) next.closedOn = day;
  return next;
}

/**
 * Each task's status and closing day as its 销号/恢复 events left them at `until`, for a finished
 * month's ranking: a task closed in October and reopened in December was closed all November,
 * and counts again from December. `entries` should reach past `until`: the first event after it
 * tells how a task stood before (a later 恢复 means it was closed). A task without events is as
 * its record says (closed by the setup file, or before closings were ledger entries).
 */
export function tasksAsOf(tasks: readonly Task[], entries: readonly LedgerEntry[], until: Instant): Task[] {
  const limit = Date.parse(until);
  const standing = new Map<string, { last?: TaskEvent; next?: TaskEvent }>();
  for (const entry of entries) {
    if (!isTaskEvent(entry)) continue;
    const seen = standing.get(entry.task) ?? {};
    if (Date.parse(entry.at) <= limit) seen.last = entry;
    else seen.next ??= entry;
    standing.set(entry.task, seen);
  }
  return tasks.map((task) => {
    const { last, next } = standing.get(task.id) ?? {};
    if (last) return withStatus(task, last.kind, beijingDate(new Date(last.at)));
    if (next?.kind === 'closed') return withStatus(task, 'reopened', undefined);
    if (next?.kind === 'reopened') return withStatus(task, 'closed', next.closedOn);
    return task;
  });
}

function progressOf(entry: ReportEntry, amount: number): Progress {
  return { amount, at: entry.at, entry: entry.id, by: entry.by };
}

function set(state: Map<string, Map<string, Progress>>, task: string, township: string, progress: Progress | undefined): void {
  let byTownship = state.get(task);
  if (progress === undefined) {
    byTownship?.delete(township);
    if (byTownship?.size === 0) state.delete(task);
    return;
  }
  if (!byTownship) {
    byTownship = new Map();
    state.set(task, byTownship);
  }
  byTownship.set(township, progress);
}
