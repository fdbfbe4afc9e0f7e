/**
 * The ledger (工作台账): every report, correction, reversal and 销号/恢复, appended to the task's
 * stream, and the progress a report sets written with it. Conditional writes of one task (a
 * report, a reversal) are Lua scripts over keys of the task's hash slot.
 */
import type { Redis } from 'ioredis';
import { beijingInstant, instantMs } from '../domain/dates.js';
import { withStatus } from '../domain/ledger.js';
import { isReportEntry, isTaskEvent, undoesReport, type ChatPlatform, type Instant, type LedgerEntry, type Progress, type ReportEntry, type Reporter } from '../domain/model.js';
import {
  amountText,
  CounterSchema,
  decode,
  decodeEntry,
  decodeJson,
  encodeJson,
  LastReportSchema,
  ProgressSchema,
  RecordReplySchema,
  ReverseReplySchema,
  StoreDataError,
  StreamEntriesSchema,
  taskEventFields,
  TaskSchema,
  writtenReportEntry,
  type DecodedEntry,
} from './codec.js';
import { countyStamp } from './county.js';
import type { Keys } from './keys.js';
import type { RankingClock } from './ranking-clock.js';
import { getJson, run } from './redis-io.js';
import { defineScripts, type TaskKeys } from './scripts.js';
import { createSlots } from './slots.js';
import { decodeCellFacts } from './standings.js';
import { ReportClosedError, type LastReport, type ReportInput, type ReportResult, type ReverseResult, type TaskEventInput, type TaskEventResult, type WrittenReport } from './types.js';

/** Platforms redeliver for minutes to hours; a week of markers outlasts every retry policy. */
export const SEEN_SECONDS = 7 * 24 * 60 * 60;
/**
 * A clerk told to send a report again (the bot failed after recording it, or Redis went down
 * before the reply was kept) does so within minutes, under a new message id; so does a phone
 * that sent it twice. The same reporter saying the same thing within two hours, with nothing
 * reported in between, is that one report. Two hours outlast DingTalk's sessionWebhook (90
 * minutes), the longest a reply to the first message can still arrive.
 */
export const REPEAT_MS = 2 * 60 * 60 * 1000;
/** 撤回 is allowed for 30 minutes; a day leaves room for clock skew and costs nothing. */
const LAST_SECONDS = 24 * 60 * 60;
/** 销号/恢复 retry when another write to the task list came between their read and their write. */
const MAX_SWAP_ATTEMPTS = 20;
/** earliestReport reads past task events at the start of a ledger in pages of this many. */
const EARLIEST_PAGE = 8;

export interface LedgerStore {
  /**
   * Ledger entry and current progress in one atomic step, deduplicated by `source`. The reporter's
   * 撤回 marker goes out behind it, not waited for: the next command on this store runs after it.
   */
  recordReport(input: ReportInput): Promise<ReportResult>;
  lastReport(platform: ChatPlatform, user: string): Promise<LastReport | undefined>;
  /**
   * Appends a reversal of `last.entry` and restores the progress before it, atomically: 撤回 by
   * default, or 退回 (`returned`, with the leader's reason) of a completion waiting for review.
   */
  reverseReport(last: LastReport, by: Reporter, at: Instant, source: string, as?: UndoKind): Promise<ReverseResult>;
  /**
   * Closes or reopens a task and appends the event to its ledger. The status is set only while
   * the task still has the one it was read with, so two admins at once write one event.
   */
  recordTaskEvent(input: TaskEventInput): Promise<TaskEventResult>;
  /** Ledger entries of the given tasks up to `until` (inclusive): task by task, each in the order it was recorded. */
  ledger(taskIds: readonly string[], until?: Instant): Promise<LedgerEntry[]>;

  /** The `at` of the first report in the given tasks' ledgers, the earliest of them (task events do not count); undefined when there is none. */
  earliestReport(taskIds: readonly string[]): Promise<Instant | undefined>;
}

/** 撤回 (the reporter's) or 退回 (a leader's, with a reason). */
export type UndoKind = { kind: 'reversal' } | { kind: 'returned'; note: string };

export function createLedgerStore(redis: Redis, keys: Keys, clock: RankingClock): LedgerStore {
  const scripts = defineScripts(redis);
  const slots = createSlots(redis, keys);

  function taskKeys(task: string, source: string): TaskKeys {
    return { progress: keys.progress(task), ledger: keys.ledger(task), seen: keys.seen(task, source), standings: keys.standings(task), deadlines: keys.deadlines(task), reviews: keys.reviews(task) };
  }

  function requireText(name: string, value: string): void {
    // An empty source would share one seen marker among all messages and swallow them as duplicates.
    if (value === '') throw new RangeError(`${name} must not be empty`);
  }

  /** The domain's parse, with the argument's name in the error. */
  function checkedMs(name: string, value: Instant): number {
    let ms: number;
    try {
      ms = instantMs(value);
    } catch {
      throw new RangeError(`${name} must be an ISO instant with offset, got ${value}`);
    }
    return ms;
  }

  /** The report entry a report script wrote or found; anything else there means the stream is not ours. */
  function reportOf(decoded: DecodedEntry, where: string): ReportEntry {
    const { entry } = decoded;
    if (!isReportEntry(entry)) throw new StoreDataError(where, `entry ${entry.id} is not a report`);
    return entry;
  }

  function progressOf(entry: ReportEntry, where: string): Progress {
    if (entry.amount === null || undoesReport(entry)) throw new StoreDataError(where, `entry ${entry.id} is not a report`);
    return { amount: entry.amount, at: entry.at, entry: entry.id, by: entry.by };
  }

  return {
    async recordReport(input: ReportInput): Promise<ReportResult> {
      requireText('source', input.source);
      requireText('township', input.township);
      const atMs = checkedMs('at', input.at);
      const lastKey = keys.lastReport(input.by.platform, input.by.user);
      const taskKeysOf = taskKeys(input.task, input.source);
      const slot = await slots.of(input.township);
      // The clock's bump goes out in the same tick, right behind the script (ranking-clock.ts).
      const [scripted, tick] = await Promise.all([
        scripts.recordReport(taskKeysOf, {
          township: input.township,
          amount: amountText(input.amount),
          value: input.value,
          note: input.note,
          platform: input.by.platform,
          user: input.by.user,
          name: input.by.name,
          at: input.at,
          source: input.source,
          seenSeconds: SEEN_SECONDS,
          slot,
          repeatSince: beijingInstant(new Date(atMs - REPEAT_MS)),
          atMs,
        }),
        clock.bump(input.task),
      ]);
      const reply = decode(RecordReplySchema, scripted, taskKeysOf.ledger);
      const [status, id, fields, progressNow, granted, review, ledgerLength, standingWritten] = reply;
      const written: WrittenReport = {
        task: input.task,
        ledgerLength,
        township: input.township,
        tick,
        // The amount as the script packed it: the text it was given, read as a double.
        ...(standingWritten === 1 ? { standing: { amount: Number(amountText(input.amount)), atMs } } : {}),
      };
      // Before any other round trip: an answer reading the clock meanwhile can patch this in.
      clock.wrote(tick, written);
      const orNull = (field: string): string | null => (field === '' ? null : field);
      const cell = decodeCellFacts(keys, input.task, input.township, orNull(progressNow), orNull(granted), orNull(review));
      if (status === 'closed') throw new ReportClosedError(cell);
      if (fields.length === 0) throw new StoreDataError(taskKeysOf.seen, `names ledger entry ${id}, which is gone`);
      const decoded = status === 'recorded' ? writtenReportEntry(input, id, fields, taskKeysOf.ledger) : decodeEntry(input.task, id, fields, taskKeysOf.ledger);
      const entry = reportOf(decoded, taskKeysOf.ledger);
      const after = progressOf(entry, taskKeysOf.ledger);
      const duplicate = status === 'duplicate';
      const repeated = status === 'repeat';

      // The marker for 撤回 is keyed by the reporter, not the task, so it lives in another hash
      // slot and cannot join the script. A crash between the two loses nothing: the report and
      // progress are written; only 撤回 will not find this report. A duplicate leaves the marker
      // alone, so a late redelivery cannot point 撤回 back at an older report; a repeat sets it
      // only where it is gone (the crash above), not over a later report of another task.
      // It is sent, not waited for, like the router's kept reply after it: Redis runs one
      // connection's commands in order, so the clerk's next message finds it. Lost with the
      // connection, it is the crash above. With replicas, the router's WAIT covers it.
      if (!duplicate) {
        const last: LastReport = { task: input.task, township: input.township, entry: id, at: entry.at, amount: input.amount };
        const json = encodeJson(LastReportSchema, last, 'last report');
        void (repeated ? redis.set(lastKey, json, 'EX', LAST_SECONDS, 'NX') : redis.set(lastKey, json, 'EX', LAST_SECONDS)).catch(() => undefined);
      }

      return { duplicate, repeated, entry, ...(decoded.prev ? { before: decoded.prev } : {}), after, cell, written };
    },

    lastReport(platform: ChatPlatform, user: string) {
      return getJson(redis, LastReportSchema, keys.lastReport(platform, user));
    },

    async reverseReport(last: LastReport, by: Reporter, at: Instant, source: string, as: UndoKind = { kind: 'reversal' }): Promise<ReverseResult> {
      requireText('source', source);
      checkedMs('at', at);
      const lastKey = keys.lastReport(by.platform, by.user);
      const taskKeysOf = taskKeys(last.task, source);
      const slot = await slots.of(last.township);
      const [scripted] = await Promise.all([
        scripts.reverseReport(taskKeysOf, {
          township: last.township,
          entry: last.entry,
          platform: by.platform,
          user: by.user,
          name: by.name,
          at,
          source,
          seenSeconds: SEEN_SECONDS,
          slot,
          kind: as.kind,
          note: as.kind === 'returned' ? as.note : '',
        }),
        clock.bump(last.task),
      ]);
      const reply = decode(ReverseReplySchema, scripted, taskKeysOf.ledger);
      const [status, id, fields, restoredText] = reply;
      if (status === 'superseded' || status === 'not-found' || status === 'approved') return { ok: false, reason: status };
      if (fields.length === 0) throw new StoreDataError(taskKeysOf.seen, `names ledger entry ${id}, which is gone`);
      const { entry } = decodeEntry(last.task, id, fields, taskKeysOf.ledger);
      if (!isReportEntry(entry) || !undoesReport(entry)) throw new StoreDataError(taskKeysOf.seen, `names ledger entry ${id}, which is not a reversal`);
      const restored = restoredText === '' ? undefined : decodeJson(ProgressSchema, restoredText, `${taskKeysOf.ledger} ${id} restored`);

      // Another slot again, hence not in the script. Conditional on the entry, so a report made
      // since is still the one 撤回 finds; a crash before it leaves a marker whose 撤回 is refused
      // as superseded, since progress no longer names that entry.
      if (entry.reverses !== undefined && as.kind === 'reversal') {
        const undone: LastReport = { ...last, entry: entry.reverses, undone: true };
        await scripts.markUndone(lastKey, entry.reverses, encodeJson(LastReportSchema, undone, 'last report'));
      }
      return { ok: true, entry, ...(restored ? { restored } : {}) };
    },

    async recordTaskEvent(input) {
      requireText('source', input.source);
      checkedMs('at', input.at);
      for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt += 1) {
        const read = await redis.hget(keys.tasks(), input.task);
        if (read === null) return { ok: false, reason: 'not-found' };
        const before = decodeJson(TaskSchema, read, `${keys.tasks()} ${input.task}`);
        if (before.status === (input.kind === 'closed' ? 'closed' : 'open')) return { ok: false, reason: 'unchanged', task: before };
        const after = withStatus(before, input.kind, input.on);
        const swapped = await scripts.swapField(keys.tasks(), countyStamp(keys), input.task, read, encodeJson(TaskSchema, after, `task ${input.task}`));
        if (decode(CounterSchema, swapped, keys.tasks()) === 0) continue;
        // The task list and the task's ledger live in different hash slots, so no one script can
        // write both. The status goes first: it is what reports and reminders obey. A crash in
        // between leaves the change in force without its entry, unseen by the rankings of past
        // months, which read a task's status over time from its entries.
        const ledgerKey = keys.ledger(input.task);
        const fields = taskEventFields(input.kind, input, input.kind === 'reopened' ? before.closedOn : undefined);
        const id = await redis.xadd(ledgerKey, '*', ...fields);
        if (id === null) throw new StoreDataError(ledgerKey, 'XADD returned no id');
        const { entry } = decodeEntry(input.task, id, fields, ledgerKey);
        if (!isTaskEvent(entry)) throw new StoreDataError(ledgerKey, `entry ${id} is not a task event`);
        return { ok: true, task: after, entry };
      }
      throw new Error(`task ${input.task} kept changing while its status was set`);
    },

    async ledger(taskIds, until) {
      const untilMs = until === undefined ? Infinity : checkedMs('until', until);
      if (taskIds.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of taskIds) pipeline.xrange(keys.ledger(id), '-', '+');
      const replies = await run(pipeline);
      const entries: LedgerEntry[] = [];
      taskIds.forEach((task, i) => {
        const key = keys.ledger(task);
        // Stream order is the order the scripts applied the entries; `at` is the reporter's
        // clock, which two instances may not share, so it must not reorder a task's entries.
        for (const [id, fields] of decode(StreamEntriesSchema, replies[i], key)) {
          const { entry } = decodeEntry(task, id, fields, key);
          if (Date.parse(entry.at) <= untilMs) entries.push(entry);
        }
      });
      return entries;
    },

    async earliestReport(taskIds) {
      if (taskIds.length === 0) return undefined;
      let earliest: { at: Instant; ms: number } | undefined;
      // Each ledger's first report, which is its first entry unless 销号 or 恢复 came before any report.
      let pending = taskIds.map((task) => ({ task, from: '-' }));
      while (pending.length > 0) {
        const pipeline = redis.pipeline();
        // One entry first: almost every ledger starts with a report.
        const count = (from: string): number => (from === '-' ? 1 : EARLIEST_PAGE);
        for (const { task, from } of pending) pipeline.xrange(keys.ledger(task), from, '+', 'COUNT', count(from));
        const replies = await run(pipeline);
        const next: typeof pending = [];
        pending.forEach(({ task, from }, i) => {
          const key = keys.ledger(task);
          const page = decode(StreamEntriesSchema, replies[i], key);
          const first = page.map(([id, fields]) => decodeEntry(task, id, fields, key).entry).find(isReportEntry);
          if (first) {
            const ms = Date.parse(first.at);
            if (earliest === undefined || ms < earliest.ms) earliest = { at: first.at, ms };
          } else if (page.length === count(from)) {
            const lastId = page[page.length - 1]?.[0];
            if (lastId !== undefined) next.push({ task, from: `(${lastId}` });
          }
        });
        pending = next;
      }
      return earliest?.at;
    },
  };
}
