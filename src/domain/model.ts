/**
 * The county's vocabulary (docs/design.md §2) as plain data. Everything in `domain/` works on these
 * shapes; the store persists them and the commands show them.
 */

/** A civil date in Beijing time, `YYYY-MM-DD`: the only date type inside the domain. */
export type Ymd = string;
/** A calendar month, `YYYY-MM`: the period of a ranking. */
export type Ym = string;
/** An instant, ISO 8601 with offset (`2026-11-22T09:30:00.000+08:00` or `…Z`). */
export type Instant = string;

export const TASK_DOMAINS = ['农村', '社区', '机关', '国企', '学校', '医院', '两新', '综合'] as const;
export type TaskDomain = (typeof TASK_DOMAINS)[number];

export interface Township {
  /** Stable key; the setup file may give one, otherwise it is the name. */
  id: string;
  name: string;
  /** Number of 村/社区, for per-village targets. */
  villages: number;
}

/**
 * The measure words a count target may be counted in: each is one a report may be written with
 * (`上报 T3 18名`), so the unit a reply shows is one the clerk can type back.
 */
export const COUNT_UNITS = ['个', '名', '人', '位', '处', '家', '户', '座', '所', '间', '项', '次', '件', '条', '支', '套', '份'] as const;
export type CountUnit = (typeof COUNT_UNITS)[number];

export type Target =
  /** Reports are 0–100 %; done at `percent`. */
  | { kind: 'percent'; percent: number }
  /** Reports count toward `count` per township, or `count` × villages; in `unit` (个 when absent): 3名 后备干部. */
  | { kind: 'count'; count: number; per: 'township' | 'village'; unit?: CountUnit }
  /** Yes or no. */
  | { kind: 'done' };

export interface Task {
  id: string;
  title: string;
  domain: TaskDomain;
  start: Ymd;
  deadline: Ymd;
  target: Target;
  /** `all`, or township ids. */
  townships: 'all' | readonly string[];
  weight: number;
  status: 'open' | 'closed';
  /** The day it was closed (销号). */
  closedOn?: Ymd;
}

/** What a reporter said, before it meets a task's target. */
export type ReportValue =
  /** `bare`: typed without % or a measure word (`上报 T8 2`): a count on a count task. */
  | { kind: 'percent'; percent: number; bare?: true }
  | { kind: 'count'; count: number }
  /** `12/13`: twelve of thirteen. */
  | { kind: 'fraction'; done: number; of: number }
  /** `完成` / `已完成`: the whole target. */
  | { kind: 'done' };

/** Where messages come from; `console` is the terminal (`duban say`, `duban chat`). */
export const CHAT_PLATFORMS = ['wecom', 'dingtalk', 'console'] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

export const isChatPlatform = (value: string): value is ChatPlatform => (CHAT_PLATFORMS as readonly string[]).includes(value);

/** A platform chat bound to a township, or marked as the leaders' group. */
export interface Group {
  platform: ChatPlatform;
  chat: string;
  /** Township id; absent for the leaders' group. */
  township?: string;
  role?: 'leaders';
  name?: string;
  /** How to post unprompted: WeCom 消息推送 webhook URL, DingTalk custom-robot webhook. */
  webhook?: string;
  /** DingTalk custom-robot 加签 secret. */
  secret?: string;
}

export interface Person {
  platform: ChatPlatform;
  user: string;
  name: string;
  roles: Role[];
  township?: string;
  /** A township's A (主办联络员) or B (备岗): src/domain/cover.ts decides whom its posts @. */
  cover?: CoverRole;
}

/** A township's 主办联络员 (A角) and the one who stands in for them on leave (B角). */
export type CoverRole = 'A' | 'B';

export interface County {
  name: string;
  townships: Township[];
  groups: Group[];
  people: Person[];
  tasks: Task[];
}

/** Whom to @ in a township's group: the township's people on the group's platform. */
export const reportersOf = (people: readonly Person[], township: Township, group: Group): string[] =>
  people.filter((p) => p.township === township.id && p.platform === group.platform).map((p) => p.user);

/** Whom to @ in a leaders' group for what admins must act on: the admins on the group's platform. */
export const adminsOf = (people: readonly Person[], group: Group): string[] =>
  people.filter((p) => p.roles.includes('admin') && p.platform === group.platform).map((p) => p.user);

export interface Reporter {
  platform: ChatPlatform;
  user: string;
  name: string;
}

/** What one report says, before the ledger records it: for whom, how much, who, when. */
export interface ReportFacts {
  task: string;
  township: string;
  /** In the target's unit. */
  amount: number;
  /** As typed: `80%`, `9个`, `完成`. */
  value: string;
  note: string;
  by: Reporter;
  at: Instant;
}

/** The latest standing of one (task, township). `amount` is in the target's unit. */
export interface Progress {
  amount: number;
  at: Instant;
  /** The ledger entry that set it. */
  entry: string;
  by: Reporter;
}

/** What ranking reads of progress: how much, and when it was reported (ties go to the earlier). */
export type Reported = Pick<Progress, 'amount' | 'at'>;

/**
 * ✅ done · ✅逾期完成 done after the deadline · 🟢 on pace · 🟡 behind pace or close to the
 * deadline · 🔴 overdue.
 */
export type Light = 'done' | 'done-late' | 'on-pace' | 'behind' | 'overdue';

export type Role = 'admin' | 'leader';

/** The roles that see every township, the bottom-three marks and the dashboard: today, all of them. */
const LEADING_ROLES: readonly Role[] = ['leader', 'admin'];
export const leadsOrAdministers = (roles: Iterable<Role>): boolean => [...roles].some((r) => LEADING_ROLES.includes(r));

/** Entries that move a (task, township)'s progress. */
export type ReportKind = 'report' | 'correction' | 'reversal' | 'returned';
/** Entries about the task as a whole: no township, no amount. */
export type TaskEventKind = 'closed' | 'reopened';
/** A township's 申请延期 and the leaders' answer to it. */
export type ExtensionKind = 'extension-requested' | 'extension-granted' | 'extension-refused';
/** 完成审核: a completion waiting for a leader, and the leader's 通过 (退回 is a `returned` report entry). */
export type ReviewKind = 'review-submitted' | 'review-approved';
/** A township's 签收 of a task announced to it (交办). */
export type SignOffKind = 'signed';
export type EntryKind = ReportKind | TaskEventKind | ExtensionKind | ReviewKind | SignOffKind;

/** What every line of the ledger says: which task, who, when, from which message. */
interface EntryBase {
  /** Redis stream id: orders the entries of one task. */
  id: string;
  task: string;
  by: Reporter;
  at: Instant;
  /** The platform message id it came from, for dedupe and audit. */
  source: string;
}

/**
 * One report line of the append-only ledger (工作台账). A `report` sets progress; a `correction`
 * is a report that lowers it; a `reversal` (撤回, by the reporter) or a `returned` (退回, by a
 * leader reviewing a completion; its note the reason) undoes the entry named in `reverses`, and
 * its `amount` is what progress went back to (`null`: no report before it).
 */
export interface ReportEntry extends EntryBase {
  kind: ReportKind;
  township: string;
  amount: number | null;
  /** What the reporter typed for the value (`80%`, `八成`, `12/13`), empty for a reversal. */
  value: string;
  note: string;
  reverses?: string;
}

/** 销号: the task stops taking reports and leaves the rankings of later months. */
export interface ClosedEvent extends EntryBase {
  kind: 'closed';
}

/** 恢复: the task is open again and counts from this day on. */
export interface ReopenedEvent extends EntryBase {
  kind: 'reopened';
  /**
   * The closing day this undid, as the task recorded it: a task closed without a `closed` entry
   * (before closings were ledger entries, or marked closed in the setup file from the start) has
   * nothing else to say when its closed spell began.
   */
  closedOn?: Ymd;
}

export type TaskEvent = ClosedEvent | ReopenedEvent;

/**
 * 申请延期 (`extension-requested`), and the leaders' 同意 (`extension-granted`: from then on the
 * township's deadline for the task is `to`) or 不同意 (`extension-refused`). `from` is the
 * township's deadline when it asked; `reason` is the township's for a request and a refusal's own.
 */
export interface ExtensionEntry extends EntryBase {
  kind: ExtensionKind;
  township: string;
  /** The request's number (延期申请#7). */
  request: number;
  from: Ymd;
  to: Ymd;
  reason: string;
}

/**
 * 完成审核: a report that reached the target waits for a leader (`review-submitted`), who passes it
 * (`review-approved`: that township's part of the task is done with) or sends it back (退回, a
 * `returned` report entry). `report` is the id of the completing report.
 */
export interface ReviewEntry extends EntryBase {
  kind: ReviewKind;
  township: string;
  report: string;
}

/** 签收: someone of `township` acknowledged the task announced to it (docs/glossary.md, 签收). */
export interface SignedEntry extends EntryBase {
  kind: SignOffKind;
  township: string;
}

/** A line of a task's ledger stream: a township's report, an event of the task, of its deadline, of its review, or its 签收. */
export type LedgerEntry = ReportEntry | TaskEvent | ExtensionEntry | ReviewEntry | SignedEntry;

/** Who writes an entry, when, and from which message (or file): what a writer hands the store. */
export type EntryOrigin = Pick<EntryBase, 'by' | 'at' | 'source'>;

export const isReportEntry = (entry: LedgerEntry): entry is ReportEntry =>
  entry.kind === 'report' || entry.kind === 'correction' || entry.kind === 'reversal' || entry.kind === 'returned';

/** A report entry that undoes an earlier one (撤回, 退回) rather than saying an amount of its own. */
export const undoesReport = (entry: ReportEntry): boolean => entry.kind === 'reversal' || entry.kind === 'returned';

export const isReviewEntry = (entry: LedgerEntry): entry is ReviewEntry => entry.kind === 'review-submitted' || entry.kind === 'review-approved';

export const isTaskEvent = (entry: LedgerEntry): entry is TaskEvent => entry.kind === 'closed' || entry.kind === 'reopened';

export const isExtensionEntry = (entry: LedgerEntry): entry is ExtensionEntry =>
  entry.kind === 'extension-requested' || entry.kind === 'extension-granted' || entry.kind === 'extension-refused';

export const isSignedEntry = (entry: LedgerEntry): entry is SignedEntry => entry.kind === 'signed';

/** The township an entry is about; undefined for 销号 and 恢复, which are about every township. */
export const entryTownship = (entry: LedgerEntry): string | undefined => (isTaskEvent(entry) ? undefined : entry.township);

/**
 * China's official working-day calendar: weekends, public holidays and 调休 make-up workdays.
 * Built on chinese-days plus an override table (`src/domain/calendar.ts`).
 */
export interface WorkCalendar {
  /** The last year whose holidays are known (package data or a whole year given as overrides). */
  readonly lastCoveredYear: number;
  covers(date: Ymd): boolean;
  /** Throws `CalendarGapError` for a date the calendar does not cover: it never guesses silently. */
  isWorkday(date: Ymd): boolean;
  /**
   * Working days in [from, to], both ends included; 0 when from > to. Days beyond the covered
   * years are counted Monday to Friday and the result says `estimated: true`, so callers can say so.
   */
  workdays(from: Ymd, to: Ymd): { days: number; estimated: boolean };
}
