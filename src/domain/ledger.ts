/**
 * The ledger (工作台账) replayed: progress as it stood at a past instant, for past months'
 * rankings and for checking the live progress against its history.
 */
import type { Instant, LedgerEntry, Progress } from './model.js';

/**
 * Progress per task id → township id after the entries at or before `until` (all of them without
 * it). Entries must be oldest first within each task; instants compare by epoch ms, so offsets
 * may differ between entries.
 */
export function replayLedger(entries: readonly LedgerEntry[], until?: Instant): Map<string, Map<string, Progress>> {
  const limit = until === undefined ? Infinity : Date.parse(until);
  const state = new Map<string, Map<string, Progress>>();
  // What each applied entry replaced, so a reversal can put back exactly that — including who
  // reported it and when, which the ranking's tie-break reads.
  const replaced = new Map<string, { task: string; township: string; progress: Progress | undefined }>();

  for (const entry of entries) {
    if (Date.parse(entry.at) > limit) continue;
    const current = state.get(entry.task)?.get(entry.township);
    replaced.set(entry.id, { task: entry.task, township: entry.township, progress: current });

    if (entry.kind !== 'reversal') {
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

function progressOf(entry: LedgerEntry, amount: number): Progress {
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
