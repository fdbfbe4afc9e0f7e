/**
 * What the stores take and give beside the domain's words: a report as written and what came of
 * it, the marker 撤回 reads, a 销号/恢复 as asked, a post given up. Each store's interface is in
 * its own file (county.ts, ledger.ts, pacing.ts, …); `redis-store.ts` puts them together.
 */
import type { ChatPlatform, EntryOrigin, Instant, Progress, ReportEntry, ReportFacts, Task, TaskEvent, TaskEventKind, Ymd } from '../domain/model.js';

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
