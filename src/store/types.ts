/**
 * What the stores take and give beside the domain's words: a report as written and what came of
 * it, the marker 撤回 reads, a 销号/恢复 as asked, a post given up. Each store's interface is in
 * its own file (county.ts, ledger.ts, pacing.ts, …); `redis-store.ts` puts them together.
 */
import type { ChatPlatform, EntryOrigin, Instant, Progress, ReportEntry, ReportFacts, Task, TaskEvent, TaskEventKind, Ymd } from '../domain/model.js';
import type { ReviewRecord } from '../domain/review.js';

export interface ReportInput extends ReportFacts {
  /** The source message id: a second report with the same id records nothing. */
  source: string;
}

export interface ReportResult {
  /** True when `source` had been recorded before; nothing was written this time. */
  duplicate: boolean;
  /**
   * True when the same reporter had just reported the same thing from another message (a resend):
   * nothing was written but this message's dedupe marker, and `entry` is that earlier report.
   */
  repeated: boolean;
  entry: ReportEntry;
  /** Progress before this report (absent: first report). */
  before?: Progress;
  after: Progress;
  /** The cell as the report left it: what its answer shows, read in the same script. */
  cell: CellFacts;
  /** What the report did to the task as the ranking reads it (the ranking book kept in each process patches its copy). */
  written: WrittenReport;
}

/** What stands for one township on one task: its progress, a deadline granted to it, its review. */
export interface CellFacts {
  progress?: Progress;
  granted?: Ymd;
  review?: ReviewRecord;
}

/** A report's mark on its task: the ledger's length after it, and the standing it wrote (none: the book reads the task again). */
export interface WrittenReport {
  task: string;
  ledgerLength: number;
  township: string;
  /** The ranking clock's value its bump set (ranking-clock.ts): every change the book must count for its answer is at or before it. */
  tick: number;
  /** Absent when nothing was appended (a duplicate, a repeat) or the standings were left for a rebuild. */
  standing?: StandingRecord;
}

/** One township's record in a task's standings (src/store/slots.ts): the amount and the report's epoch ms. */
export interface StandingRecord {
  amount: number;
  atMs: number;
}

/**
 * A report on a cell a leader has closed (通过 of the report its progress stands on): nothing was
 * written. Thrown rather than returned, as no caller records into a closed cell on purpose.
 */
export class ReportClosedError extends Error {
  readonly cell: CellFacts;
  constructor(cell: CellFacts) {
    super('the township\'s part of the task is closed by an approved review');
    this.name = 'ReportClosedError';
    this.cell = cell;
  }
}

export type ReverseResult =
  | { ok: true; entry: ReportEntry; restored?: Progress }
  /**
   * `superseded`: someone reported on the same task and township after it: undoing would lose
   * their report. `approved`: a leader passed it (通过): it stands.
   */
  | { ok: false; reason: 'superseded' | 'not-found' | 'approved' };

/** A reporter's most recent report, for 撤回. */
export interface LastReport {
  task: string;
  township: string;
  entry: string;
  at: Instant;
  /** The amount it set, in the target's unit (absent in markers written before it was kept). */
  amount?: number;
  /** 撤回 took it back: a second 撤回 is told so, rather than that nothing was found. */
  undone?: true;
}

/** 销号 or 恢复, as an admin asked for it in a message. */
export interface TaskEventInput extends EntryOrigin {
  task: string;
  kind: TaskEventKind;
  /** The day it takes effect: a closed task's closing day. */
  on: Ymd;
}

export type TaskEventResult =
  | { ok: true; task: Task; entry: TaskEvent }
  /** The task already had that status (closed twice, or reopened while open); nothing was written. */
  | { ok: false; reason: 'unchanged'; task: Task }
  | { ok: false; reason: 'not-found' };

/** A post a platform refused for good (the group's lane was removed, a secret is wrong). */
export interface DeadLetter {
  /** The outbox key of the post: job, period and group. */
  key: string;
  platform: ChatPlatform;
  chat: string;
  /** The platform's error code. */
  code: string;
  reason: string;
  at: Instant;
}
