import type { CalendarOverrides } from '../domain/calendar.js';
import type { ChatPlatform, County, EntryOrigin, Group, Instant, LedgerEntry, Person, Progress, Reported, ReportEntry, Reporter, ReportFacts, Task, TaskEvent, TaskEventKind, Township, Ym, Ymd } from '../domain/model.js';
import type { OutgoingMessage } from '../core/types.js';
import type { RankingSnapshot } from '../domain/ranking.js';
import type { ScheduleSettings } from '../domain/schedule.js';

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
  /** Someone reported on the same task and township after it: undoing would lose their report. */
  | { ok: false; reason: 'superseded' | 'not-found' };

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

/** A post a platform refused for good (the group's robot was removed, a secret is wrong). */
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

/** Everything the bot keeps, behind one interface; `src/store/` is the only Redis user. */
export interface Store {
  ping(): Promise<boolean>;

  /**
   * Writes townships, groups, people and tasks of a setup file, its work-calendar overrides
   * (none when absent) and its schedule settings (the defaults when absent), in one MULTI;
   * keeps progress and ledger, and a task's status as chat left it unless the file newly closes it.
   * With `loadedBy`, such a closing is dated and appended to the task's ledger as a `closed` entry.
   */
  loadCounty(county: County, calendar?: CalendarOverrides, schedule?: ScheduleSettings, loadedBy?: EntryOrigin): Promise<void>;
  countyName(): Promise<string | undefined>;
  /** The day the demo county in this key space was built; undefined outside the demo. */
  demoBuiltOn(): Promise<Ymd | undefined>;
  markDemoBuilt(day: Ymd): Promise<void>;
  /** Deletes every key of this store: the demo's fresh start. Refuses the production key space. */
  wipe(): Promise<void>;
  /** The work-calendar overrides of the last setup file loaded; empty when it had none. */
  calendarOverrides(): Promise<CalendarOverrides>;
  /** The scheduled jobs' settings of the last setup file loaded; `DEFAULT_SCHEDULE` when it had none. */
  scheduleSettings(): Promise<ScheduleSettings>;
  townships(): Promise<Township[]>;

  group(platform: ChatPlatform, chat: string): Promise<Group | undefined>;
  groups(): Promise<Group[]>;
  saveGroup(group: Group): Promise<void>;
  person(platform: ChatPlatform, user: string): Promise<Person | undefined>;
  /** Everyone in the setup file. */
  people(): Promise<Person[]>;

  tasks(): Promise<Task[]>;
  task(id: string): Promise<Task | undefined>;
  /** Gives the task the next free id `T<n>` atomically and stores it. */
  createTask(task: Omit<Task, 'id'>): Promise<Task>;
  saveTask(task: Task): Promise<void>;
  /**
   * Writes a batch of tasks in one MULTI (all or none): `update` keep their ids, `create` get the
   * next free ids `T<n>`. Returns the created tasks, in order.
   */
  importTasks(update: readonly Task[], create: readonly Omit<Task, 'id'>[]): Promise<Task[]>;

  /** Current progress of every (task, township) for the given tasks, in one round trip. */
  progress(taskIds: readonly string[]): Promise<Map<string, Map<string, Progress>>>;
  /**
   * The amount and time of every (task, township)'s progress, for ranking: the same as
   * `progress` says, read from each task's compact standings (a 2,000-township county ranks in
   * a fraction of the time).
   */
  standings(taskIds: readonly string[]): Promise<Map<string, Map<string, Reported>>>;

  /** Ledger entry and current progress in one atomic step, deduplicated by `source`. */
  recordReport(input: ReportInput): Promise<ReportResult>;
  lastReport(platform: ChatPlatform, user: string): Promise<LastReport | undefined>;
  /** Appends a reversal of `last.entry` and restores the progress before it, atomically. */
  reverseReport(last: LastReport, by: Reporter, at: Instant, source: string): Promise<ReverseResult>;
  /**
   * Closes or reopens a task and appends the event to its ledger. The status is set only while
   * the task still has the one it was read with, so two admins at once write one event.
   */
  recordTaskEvent(input: TaskEventInput): Promise<TaskEventResult>;
  /** Ledger entries of the given tasks up to `until` (inclusive): task by task, each in the order it was recorded. */
  ledger(taskIds: readonly string[], until?: Instant): Promise<LedgerEntry[]>;

  /** The `at` of the first report in the given tasks' ledgers, the earliest of them (task events do not count); undefined when there is none. */
  earliestReport(taskIds: readonly string[]): Promise<Instant | undefined>;
  rankingSnapshot(month: Ym): Promise<RankingSnapshot | undefined>;
  saveRankingSnapshot(snapshot: RankingSnapshot): Promise<void>;

  /** The reply given to a source message, while it is kept: a redelivery gets the same answer. */
  reply(source: string): Promise<OutgoingMessage | undefined>;
  /** Keeps the reply for `seconds`, its picture (large) only for `pictureSeconds`: a later redelivery gets the text. */
  saveReply(source: string, reply: OutgoingMessage, seconds: number, pictureSeconds: number): Promise<void>;
  /** What a platform adapter answered one callback, while it is kept. */
  callbackReply(platform: ChatPlatform, id: string): Promise<string | undefined>;
  /**
   * Keeps `answer` as the answer to callback `id` unless one is kept already, and returns the one
   * kept: `fresh` when it is this caller's. Two deliveries of one callback racing get one answer.
   */
  keepCallbackReply(platform: ChatPlatform, id: string, answer: string, seconds: number): Promise<{ answer: string; fresh: boolean }>;
  /** Takes inbound message `id` for this worker: false when another delivery took it within `seconds`. */
  claimCallback(platform: ChatPlatform, id: string, seconds: number): Promise<boolean>;
  /** Gives a claim back, so a redelivery may try again after a failure. */
  releaseCallback(platform: ChatPlatform, id: string): Promise<void>;

  /**
   * A send time for the next `parts` messages of one robot, `spacingMs` apart and after all it
   * has scheduled; `shift` is the robot's pause total at that moment (see `pauseRobot`).
   */
  reserveSlot(robot: string, now: number, parts: number, spacingMs: number): Promise<{ at: number; shift: number }>;
  /** How far the robot's pauses have pushed its schedule (ms). */
  robotShift(robot: string): Promise<number>;
  /** Pushes everything the robot has scheduled later by `pauseMs`; returns the new shift. */
  pauseRobot(robot: string, now: number, pauseMs: number): Promise<number>;
  addDeadLetter(letter: DeadLetter): Promise<void>;
  /** The newest dead letters first. */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /** When the robot may send again (ms): its last send plus the spacing its parts took. */
  robotFreeAt(robot: string): Promise<number>;
  setRobotFreeAt(robot: string, at: number): Promise<void>;
  /** Puts a post in its robot's line, by its reserved time (again is harmless). */
  lineUp(robot: string, post: string, base: number): Promise<void>;
  /** The post at the front of the robot's line: the only one that may be sent now. */
  lineHead(robot: string): Promise<string | undefined>;
  /** Takes a post out of its robot's line: sent, given up, or gone. */
  leaveLine(robot: string, post: string): Promise<void>;
  /** Takes scheduled run `run` (a job and its slot) for `owner`; false when another instance has it. Never released. */
  claimRun(run: string, owner: string, seconds: number): Promise<boolean>;
  /** Marks a run as having queued all its posts; a run not marked is run again at the next start. */
  markRunDone(run: string, seconds: number): Promise<void>;
  runDone(run: string): Promise<boolean>;
  /** Records that the post keyed `bundle` delivers the posts keyed `covered`, for `seconds`. */
  markCovered(covered: readonly string[], bundle: string, seconds: number): Promise<void>;
  /** For each key, the bundle recorded as delivering it, if any. */
  coveredBy(keys: readonly string[]): Promise<Map<string, string>>;

  /** Keeps a picture for `seconds` under the hex SHA-256 of its bytes, which it returns; the same picture is stored once. */
  putImage(bytes: Buffer, seconds: number): Promise<string>;
  image(id: string): Promise<Buffer | undefined>;
  /** A random secret of 32 bytes made on first use and kept: every instance gets the same one. */
  secret(name: string): Promise<Buffer>;
  /** A cached platform credential (access token, jsapi ticket), while it is valid. */
  credential(name: string): Promise<string | undefined>;
  saveCredential(name: string, value: string, seconds: number): Promise<void>;
  dropCredential(name: string): Promise<void>;
}
