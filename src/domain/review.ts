/**
 * 完成审核 (docs/design.md §3, the 督办 cycle; on when the county sets `schedule.review`): a report
 * that reaches a township's target waits for a leader, who passes it (通过: that township's part
 * of the task is done with, no more reports) or sends it back (退回: progress goes back to what it
 * was before, the reason told to the township).
 *
 * While it waits, the completion counts as done — in the township's light, the ranking's score
 * and who is chased — so that a slow reviewer never costs a township its rank or a reminder it
 * does not need. Only 退回 takes it away.
 */
import type { Instant, Reporter } from './model.js';

/** A township's completion under review, or passed; `report` is the completing report's entry id. */
export interface ReviewRecord {
  state: 'pending' | 'approved';
  report: string;
  /** When it was submitted, or passed. */
  at: Instant;
  /** Who submitted it (the reporter), or passed it. */
  by: Reporter;
}

/** Task id → township id → its review. */
export type Reviews = ReadonlyMap<string, ReadonlyMap<string, ReviewRecord>>;
