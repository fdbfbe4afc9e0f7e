/**
 * The Store on Redis. Conditional writes of one task (a report, a reversal) are Lua scripts over
 * keys of the task's hash slot; the setup file is one MULTI; reads are pipelined and every value
 * is parsed with `codec.ts`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import type { z } from 'zod';
import { withStatus } from '../domain/ledger.js';
import { isReportEntry, type EntryOrigin, type Instant, type LedgerEntry, type Progress, type ReportEntry, type Reported, type Reporter, type Task, type ChatPlatform, type County, type Group } from '../domain/model.js';
import type { RankingSnapshot } from '../domain/ranking.js';
import type { CalendarOverrides } from '../domain/calendar.js';
import { beijingDate, beijingInstant, instantMs } from '../domain/dates.js';
import { DEFAULT_SCHEDULE, type ScheduleSettings } from '../domain/schedule.js';
import {
  CalendarOverridesSchema,
  CounterSchema,
  DeadLetterSchema,
  GroupSchema,
  LastReportSchema,
  PersonSchema,
  ProgressSchema,
  OutgoingMessageSchema,
  RankingSnapshotSchema,
  RecordReplySchema,
  ReverseReplySchema,
  ScheduleSettingsSchema,
  SlotReplySchema,
  StoreDataError,
  StreamEntriesSchema,
  TaskSchema,
  TownshipSchema,
  amountText,
  decode,
  decodeEntry,
  decodeJson,
  decodeJsonHash,
  encodeJson,
  taskEventFields,
  type DecodedEntry,
} from './codec.js';
import { PRODUCTION_PREFIX, type Keys } from './keys.js';
import { defineScripts, type TaskKeys } from './scripts.js';
import { type LastReport, type ReportInput, type ReportResult, type ReverseResult, type Store } from './types.js';

/** A robot's pacing outlives everything it has scheduled: posts wait hours at most, pauses minutes. */
const PACING_KEEP_MS = 7 * 24 * 60 * 60 * 1000;
/** Enough to see what went wrong lately; older ones are in the log. */
const DEAD_LETTERS_KEPT = 1000;

/** Platforms redeliver for minutes to hours; a week of markers outlasts every retry policy. */
const SEEN_SECONDS = 7 * 24 * 60 * 60;
/**
 * A clerk told to send a report again (the bot failed after recording it, or Redis went down
 * before the reply was kept) does so within minutes, under a new message id; so does a phone
 * that sent it twice. The same reporter saying the same thing within two hours, with nothing
 * reported in between, is that one report. Two hours outlast DingTalk's sessionWebhook (90
 * minutes), the longest a reply to the first message can still arrive.
 */
const REPEAT_MS = 2 * 60 * 60 * 1000;
/** 撤回 is allowed for 30 minutes; a day leaves room for clock skew and costs nothing. */
const LAST_SECONDS = 24 * 60 * 60;
/** createTask skips ids the setup file already uses; this only stops a runaway loop. */
const MAX_ID_ATTEMPTS = 100_000;
/** 销号/恢复 retry when another write to the task list came between their read and their write. */
const MAX_SWAP_ATTEMPTS = 20;
/** earliestReport reads past task events at the start of a ledger in pages of this many. */
const EARLIEST_PAGE = 8;

const byChinese = new Intl.Collator('zh-CN').compare;
const byNatural = new Intl.Collator('en', { numeric: true }).compare;

export function createRedisStore(redis: Redis, keys: Keys): Store {
  const scripts = defineScripts(redis);
  const secrets = new Map<string, Promise<Buffer>>();

  async function makeSecret(name: string): Promise<Buffer> {
    const key = keys.secret(name);
    // NX: two instances starting at once agree on the first one written.
    await redis.set(key, randomBytes(32), 'NX');
    const secret = await redis.getBuffer(key);
    if (secret?.length !== 32) throw new StoreDataError(key, 'not a 32-byte secret');
    return secret;
  }

  async function getJson<T>(schema: z.ZodType<T>, key: string): Promise<T | undefined> {
    const text = await redis.get(key);
    return text === null ? undefined : decodeJson(schema, text, key);
  }

  async function hgetJson<T>(schema: z.ZodType<T>, key: string, field: string): Promise<T | undefined> {
    const text = await redis.hget(key, field);
    return text === null ? undefined : decodeJson(schema, text, `${key} ${field}`);
  }

  async function hvalsJson<T>(schema: z.ZodType<T>, key: string): Promise<T[]> {
    return [...decodeJsonHash(schema, await redis.hgetall(key), key).values()];
  }

  /** The replies of a pipeline or MULTI; the first failed command fails the whole call. */
  async function run(chain: ChainableCommander): Promise<unknown[]> {
    const replies = await chain.exec();
    if (replies === null) throw new Error('Redis transaction was aborted');
    return replies.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }

  function taskKeys(task: string, source: string): TaskKeys {
    return { progress: keys.progress(task), ledger: keys.ledger(task), seen: keys.seen(task, source), standings: keys.standings(task) };
  }

  /** Township id → standings slot. Slots never change once given, so what was read stays true. */
  const slots = new Map<string, number>();

  async function readSlots(): Promise<ReadonlyMap<string, number>> {
    for (const [id, slot] of Object.entries(await redis.hgetall(keys.townshipSlots()))) slots.set(id, Number(slot));
    return slots;
  }

  async function slotOf(township: string): Promise<number> {
    const known = slots.get(township) ?? (await readSlots()).get(township);
    if (known !== undefined) return known;
    // A township the setup file has not named (a report for it is refused upstream; this keeps the store whole).
    await scripts.assignSlots(keys.townshipSlots(), [township]);
    const given = (await readSlots()).get(township);
    if (given === undefined) throw new StoreDataError(keys.townshipSlots(), `no slot for ${township}`);
    return given;
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
    // The standings keep `at` in 32 bytes; an instant with offset takes 29.
    if (value.length > STANDING_AT_BYTES) throw new RangeError(`${name} must fit ${String(STANDING_AT_BYTES)} characters, got ${value}`);
    return ms;
  }

  /** The report entry a report script wrote or found; anything else there means the stream is not ours. */
  function reportOf(decoded: DecodedEntry, where: string): ReportEntry {
    const { entry } = decoded;
    if (!isReportEntry(entry)) throw new StoreDataError(where, `entry ${entry.id} is not a report`);
    return entry;
  }

  function progressOf(entry: ReportEntry, where: string): Progress {
    if (entry.amount === null || entry.kind === 'reversal') throw new StoreDataError(where, `entry ${entry.id} is not a report`);
    return { amount: entry.amount, at: entry.at, entry: entry.id, by: entry.by };
  }

  return {
    async ping() {
      // While reconnecting, ioredis queues commands and retries them for a long time: a health
      // check must answer now.
      if (redis.status !== 'ready') return false;
      try {
        // ioredis rejects when the server is down or answers with an error.
        await redis.ping();
        return true;
      } catch {
        return false;
      }
    },

    async loadCounty(county: County, calendar?: CalendarOverrides, schedule?: ScheduleSettings, loadedBy?: EntryOrigin) {
      const calendarJson = calendar === undefined ? undefined : encodeJson(CalendarOverridesSchema, calendar, 'calendar');
      const scheduleJson = schedule === undefined ? undefined : encodeJson(ScheduleSettingsSchema, schedule, 'schedule settings');
      const townships = new Map(county.townships.map((t) => [t.id, encodeJson(TownshipSchema, t, `township ${t.id}`)]));
      const groups = new Map(
        county.groups.map((g) => [keys.groupField(g.platform, g.chat), encodeJson(GroupSchema, g, `group ${g.platform}:${g.chat}`)]),
      );
      const people = new Map(
        county.people.map((p) => [keys.personField(p.platform, p.user), encodeJson(PersonSchema, p, `person ${p.platform}:${p.user}`)]),
      );
      // Open or closed, as an admin expects of a reload: it does what the file newly says, and
      // undoes nothing done in chat (销号, 恢复) since. So:
      // - the file never reopens: a task closed in chat stays closed while the file says open, and
      //   so does one the file closed once `status: closed` is taken out of it; 恢复 reopens;
      // - it closes a task when it newly says `closed` (the file loaded before did not);
      // - a file that said `closed` before and still does leaves the task as chat left it, so a
      //   恢复 survives every reload of the file that had closed the task;
      // - a task the store does not have yet is as the file says.
      const ids = county.tasks.map((t) => t.id);
      const [stored, closedBefore] = await Promise.all([
        ids.length === 0 ? [] : redis.hmget(keys.tasks(), ...ids),
        redis.smembers(keys.closedInFile()).then((members) => new Set(members)),
      ]);
      const closedNow: string[] = [];
      const kept = county.tasks.map((t, i) => {
        const text = stored[i];
        const before = text == null ? undefined : decodeJson(TaskSchema, text, `${keys.tasks()} ${t.id}`);
        if (!before) return t;
        if (before.status === 'closed') return withStatus(t, 'closed', before.closedOn);
        if (t.status !== 'closed' || closedBefore.has(t.id)) return withStatus(t, 'reopened', undefined);
        // A 销号 by the file: with who loaded it, it is dated and goes into the ledger like one in chat.
        closedNow.push(t.id);
        return withStatus(t, 'closed', loadedBy === undefined ? undefined : beijingDate(new Date(loadedBy.at)));
      });
      const tasks = new Map(kept.map((t) => [t.id, encodeJson(TaskSchema, t, `task ${t.id}`)]));
      const closedInFile = county.tasks.filter((t) => t.status === 'closed').map((t) => t.id);

      const multi = redis.multi();
      multi.del(keys.county()).hset(keys.county(), 'name', county.name);
      if (calendarJson !== undefined) multi.hset(keys.county(), 'calendar', calendarJson);
      // Like the calendar: a file without the section leaves no field, which reads as the defaults.
      if (scheduleJson !== undefined) multi.hset(keys.county(), 'schedule', scheduleJson);
      // Groups and tasks are upserted, not replaced: an admin binds groups (绑定) and creates
      // tasks (新建任务) in chat, and reloading the file must not undo that.
      multi.del(keys.townships(), keys.people());
      // HSET with no field is a syntax error that would abort the whole MULTI.
      if (townships.size > 0) multi.hset(keys.townships(), townships);
      if (groups.size > 0) multi.hset(keys.groups(), groups);
      if (people.size > 0) multi.hset(keys.people(), people);
      if (tasks.size > 0) multi.hset(keys.tasks(), tasks);
      multi.del(keys.closedInFile());
      if (closedInFile.length > 0) multi.sadd(keys.closedInFile(), ...closedInFile);
      await run(multi);

      // Outside the MULTI: if Redis has lost the script (SCRIPT FLUSH, failover), ioredis resends
      // it after the NOSCRIPT error, and inside a MULTI that resend would land outside the
      // transaction. The counter is only where createTask starts looking (it claims ids with
      // HSETNX), so a crash before this line costs a few extra INCRs, never an overwritten task.
      const highest = highestTaskNumber(county.tasks);
      if (highest > 0) decode(CounterSchema, await scripts.raiseSeq(keys.taskSeq(), highest), keys.taskSeq());
      // Also outside: a township without a slot gets one at its first report (slotOf) anyway.
      if (county.townships.length > 0) await scripts.assignSlots(keys.townshipSlots(), county.townships.map((t) => t.id));
      // Other slots again; a crash before these leaves closings without entries, as in recordTaskEvent.
      if (loadedBy !== undefined) {
        for (const id of closedNow) await redis.xadd(keys.ledger(id), '*', ...taskEventFields('closed', loadedBy));
      }
    },

    async countyName() {
      return (await redis.hget(keys.county(), 'name')) ?? undefined;
    },

    async demoBuiltOn() {
      return (await redis.hget(keys.county(), 'demo')) ?? undefined;
    },

    async markDemoBuilt(day) {
      await redis.hset(keys.county(), 'demo', day);
    },

    async wipe() {
      if (keys.prefix === PRODUCTION_PREFIX) throw new Error('refusing to wipe the production key space');
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', keys.all(), 'COUNT', 1000);
        if (found.length > 0) await redis.unlink(...found);
        cursor = next;
      } while (cursor !== '0');
    },

    async calendarOverrides() {
      const text = await redis.hget(keys.county(), 'calendar');
      return text === null ? {} : decodeJson(CalendarOverridesSchema, text, `${keys.county()} calendar`);
    },

    async scheduleSettings() {
      const text = await redis.hget(keys.county(), 'schedule');
      return text === null ? DEFAULT_SCHEDULE : decodeJson(ScheduleSettingsSchema, text, `${keys.county()} schedule`);
    },

    people() {
      return hvalsJson(PersonSchema, keys.people());
    },

    async townships() {
      const list = await hvalsJson(TownshipSchema, keys.townships());
      return list.sort((a, b) => byChinese(a.name, b.name) || byNatural(a.id, b.id));
    },

    group(platform, chat) {
      return hgetJson(GroupSchema, keys.groups(), keys.groupField(platform, chat));
    },

    async groups() {
      const list = await hvalsJson(GroupSchema, keys.groups());
      return list.sort((a, b) => byNatural(keys.groupField(a.platform, a.chat), keys.groupField(b.platform, b.chat)));
    },

    async saveGroup(group: Group) {
      const field = keys.groupField(group.platform, group.chat);
      await redis.hset(keys.groups(), field, encodeJson(GroupSchema, group, `group ${field}`));
    },

    person(platform, user) {
      return hgetJson(PersonSchema, keys.people(), keys.personField(platform, user));
    },

    async tasks() {
      const list = await hvalsJson(TaskSchema, keys.tasks());
      return list.sort((a, b) => byNatural(a.id, b.id));
    },

    task(id) {
      return hgetJson(TaskSchema, keys.tasks(), id);
    },

    async createTask(task: Omit<Task, 'id'>) {
      for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt += 1) {
        // INCR hands each caller its own number; HSETNX refuses an id the setup file already uses.
        const n = await redis.incr(keys.taskSeq());
        const created: Task = { ...task, id: `T${n}` };
        if ((await redis.hsetnx(keys.tasks(), created.id, encodeJson(TaskSchema, created, `task ${created.id}`))) === 1) return created;
      }
      throw new Error(`no free task id after ${MAX_ID_ATTEMPTS} tries`);
    },

    async saveTask(task: Task) {
      await redis.hset(keys.tasks(), task.id, encodeJson(TaskSchema, task, `task ${task.id}`));
    },

    async importTasks(update, create) {
      // Ids taken: the stored tasks', and the batch's own (a 编号 the sheet gives a new task).
      const known = new Set([...(await redis.hkeys(keys.tasks())), ...update.map((t) => t.id)]);
      const created: Task[] = [];
      // INCRBY reserves a block of numbers no other caller gets; ids the setup file already uses are
      // skipped, and there are finitely many of them, so this ends.
      while (created.length < create.length) {
        const wanted = create.length - created.length;
        const last = await redis.incrby(keys.taskSeq(), wanted);
        for (let n = last - wanted + 1; n <= last; n += 1) {
          const id = `T${String(n)}`;
          const next = create[created.length];
          if (!known.has(id) && next !== undefined) created.push({ ...next, id });
        }
      }
      const all = [...update, ...created];
      if (all.length === 0) return [];
      await run(redis.multi().hset(keys.tasks(), ...all.flatMap((t) => [t.id, encodeJson(TaskSchema, t, `task ${t.id}`)])));
      return created;
    },

    async progress(taskIds) {
      const out = new Map<string, Map<string, Progress>>();
      if (taskIds.length === 0) return out;
      const pipeline = redis.pipeline();
      for (const id of taskIds) pipeline.hgetall(keys.progress(id));
      const replies = await run(pipeline);
      taskIds.forEach((id, i) => {
        const key = keys.progress(id);
        out.set(id, decodeJsonHash(ProgressSchema, replies[i], key));
      });
      return out;
    },

    async standings(taskIds) {
      const out = new Map<string, Map<string, Reported>>();
      if (taskIds.length === 0) return out;
      const slotMap = await readSlots();
      const bySlot: (string | undefined)[] = [];
      for (const [id, slot] of slotMap) bySlot[slot] = id;
      const pipeline = redis.pipeline();
      for (const id of taskIds) pipeline.getBuffer(keys.standings(id));
      const replies = await run(pipeline);
      for (const [i, id] of taskIds.entries()) {
        const reply = replies[i];
        let bytes: Buffer | undefined = Buffer.isBuffer(reply) ? reply : undefined;
        if (bytes === undefined) {
          // Written before standings existed, or reported on while the string was missing.
          await scripts.rebuildStandings(keys.progress(id), keys.standings(id), slotMap);
          bytes = (await redis.getBuffer(keys.standings(id))) ?? Buffer.alloc(0);
        }
        out.set(id, decodeStandings(bytes, bySlot));
      }
      return out;
    },

    async recordReport(input: ReportInput): Promise<ReportResult> {
      requireText('source', input.source);
      requireText('township', input.township);
      const atMs = checkedMs('at', input.at);
      const lastKey = keys.lastReport(input.by.platform, input.by.user);
      const taskKeysOf = taskKeys(input.task, input.source);
      const reply = decode(
        RecordReplySchema,
        await scripts.recordReport(taskKeysOf, {
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
          slot: await slotOf(input.township),
          repeatSince: beijingInstant(new Date(atMs - REPEAT_MS)),
        }),
        taskKeysOf.ledger,
      );
      const [status, id, fields] = reply;
      if (fields.length === 0) throw new StoreDataError(taskKeysOf.seen, `names ledger entry ${id}, which is gone`);
      const decoded = decodeEntry(input.task, id, fields, taskKeysOf.ledger);
      const entry = reportOf(decoded, taskKeysOf.ledger);
      const after = progressOf(entry, taskKeysOf.ledger);
      const duplicate = status === 'duplicate';
      const repeated = status === 'repeat';

      // The marker for 撤回 is keyed by the reporter, not the task, so it lives in another hash
      // slot and cannot join the script. A crash between the two loses nothing: the report and
      // progress are written; only 撤回 will not find this report. A duplicate leaves the marker
      // alone, so a late redelivery cannot point 撤回 back at an older report; a repeat sets it
      // only where it is gone (the crash above), not over a later report of another task.
      if (!duplicate) {
        const last: LastReport = { task: input.task, township: input.township, entry: id, at: entry.at, amount: input.amount };
        const json = encodeJson(LastReportSchema, last, 'last report');
        await (repeated ? redis.set(lastKey, json, 'EX', LAST_SECONDS, 'NX') : redis.set(lastKey, json, 'EX', LAST_SECONDS));
      }

      return { duplicate, repeated, entry, ...(decoded.prev ? { before: decoded.prev } : {}), after };
    },

    lastReport(platform: ChatPlatform, user: string) {
      return getJson(LastReportSchema, keys.lastReport(platform, user));
    },

    async reverseReport(last: LastReport, by: Reporter, at: Instant, source: string): Promise<ReverseResult> {
      requireText('source', source);
      checkedMs('at', at);
      const lastKey = keys.lastReport(by.platform, by.user);
      const taskKeysOf = taskKeys(last.task, source);
      const reply = decode(
        ReverseReplySchema,
        await scripts.reverseReport(taskKeysOf, {
          township: last.township,
          entry: last.entry,
          platform: by.platform,
          user: by.user,
          name: by.name,
          at,
          source,
          seenSeconds: SEEN_SECONDS,
          slot: await slotOf(last.township),
        }),
        taskKeysOf.ledger,
      );
      const [status, id, fields, restoredText] = reply;
      if (status === 'superseded' || status === 'not-found') return { ok: false, reason: status };
      if (fields.length === 0) throw new StoreDataError(taskKeysOf.seen, `names ledger entry ${id}, which is gone`);
      const { entry } = decodeEntry(last.task, id, fields, taskKeysOf.ledger);
      if (entry.kind !== 'reversal') throw new StoreDataError(taskKeysOf.seen, `names ledger entry ${id}, which is not a reversal`);
      const restored = restoredText === '' ? undefined : decodeJson(ProgressSchema, restoredText, `${taskKeysOf.ledger} ${id} restored`);

      // Another slot again, hence not in the script. Conditional on the entry, so a report made
      // since is still the one 撤回 finds; a crash before it leaves a marker whose 撤回 is refused
      // as superseded, since progress no longer names that entry.
      if (entry.reverses !== undefined) {
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
        const swapped = await scripts.swapField(keys.tasks(), input.task, read, encodeJson(TaskSchema, after, `task ${input.task}`));
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
        if (isReportEntry(entry)) throw new StoreDataError(ledgerKey, `entry ${id} is not a task event`);
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

    rankingSnapshot(month) {
      return getJson(RankingSnapshotSchema, keys.ranking(month));
    },

    async saveRankingSnapshot(snapshot: RankingSnapshot) {
      await redis.set(keys.ranking(snapshot.month), encodeJson(RankingSnapshotSchema, snapshot, `ranking ${snapshot.month}`));
    },

    async reply(source) {
      const [text, picture] = await Promise.all([getJson(OutgoingMessageSchema, keys.reply(source)), redis.get(keys.replyPicture(source))]);
      if (!text) return undefined;
      return picture === null ? text : { ...text, image: { base64: picture } };
    },

    async saveReply(source, { image, ...text }, seconds, pictureSeconds) {
      const multi = redis.multi().set(keys.reply(source), encodeJson(OutgoingMessageSchema, text, `reply ${source}`), 'EX', seconds);
      if (image) multi.set(keys.replyPicture(source), image.base64, 'EX', Math.min(seconds, pictureSeconds));
      await run(multi);
    },

    async callbackReply(platform, id) {
      return (await redis.get(keys.callbackReply(platform, id))) ?? undefined;
    },

    async keepCallbackReply(platform, id, answer, seconds) {
      const key = keys.callbackReply(platform, id);
      if ((await redis.set(key, answer, 'EX', seconds, 'NX')) === 'OK') return { answer, fresh: true };
      // Lost the race; the winner's answer can only be gone if it expired in between.
      return { answer: (await redis.get(key)) ?? answer, fresh: false };
    },

    async claimCallback(platform, id, seconds) {
      return (await redis.set(keys.callbackClaim(platform, id), '1', 'EX', seconds, 'NX')) === 'OK';
    },

    async releaseCallback(platform, id) {
      await redis.del(keys.callbackClaim(platform, id));
    },

    async reserveSlot(robot, now, parts, spacingMs) {
      const [at, shift] = decode(SlotReplySchema, await scripts.reserveSlot(keys.robotPacing(robot), now, parts, spacingMs, PACING_KEEP_MS), `slot of ${robot}`);
      return { at, shift };
    },

    async robotShift(robot) {
      return decode(CounterSchema, (await redis.hget(keys.robotPacing(robot), 'shift')) ?? '0', `shift of ${robot}`);
    },

    async pauseRobot(robot, now, pauseMs) {
      return decode(CounterSchema, await scripts.pauseRobot(keys.robotPacing(robot), now, pauseMs, PACING_KEEP_MS), `pause of ${robot}`);
    },

    async addDeadLetter(letter) {
      await redis.multi().lpush(keys.deadLetters(), encodeJson(DeadLetterSchema, letter, 'dead letter')).ltrim(keys.deadLetters(), 0, DEAD_LETTERS_KEPT - 1).exec();
    },

    async deadLetters(limit = 50) {
      const raw = await redis.lrange(keys.deadLetters(), 0, limit - 1);
      return raw.map((json, i) => decodeJson(DeadLetterSchema, json, `dead letter ${String(i)}`));
    },

    async robotFreeAt(robot) {
      return decode(CounterSchema, (await redis.hget(keys.robotPacing(robot), 'free')) ?? '0', `free of ${robot}`);
    },

    async setRobotFreeAt(robot, at) {
      await redis.multi().hset(keys.robotPacing(robot), 'free', String(at)).pexpire(keys.robotPacing(robot), PACING_KEEP_MS).exec();
    },

    async lineUp(robot, post, base) {
      await redis.multi().zadd(keys.robotQueue(robot), 'NX', base, post).pexpire(keys.robotQueue(robot), PACING_KEEP_MS).exec();
    },

    async lineHead(robot) {
      return (await redis.zrange(keys.robotQueue(robot), '0', '0'))[0];
    },

    async leaveLine(robot, post) {
      await redis.zrem(keys.robotQueue(robot), post);
    },

    async claimRun(run, owner, seconds) {
      return (await redis.set(keys.runMarker(run), owner, 'EX', seconds, 'NX')) === 'OK';
    },

    async markRunDone(run, seconds) {
      await redis.set(keys.runDone(run), '1', 'EX', seconds);
    },

    async runDone(run) {
      return (await redis.exists(keys.runDone(run))) === 1;
    },

    async markCovered(covered, bundle, seconds) {
      if (covered.length === 0) return;
      const pipeline = redis.pipeline();
      for (const key of covered) pipeline.set(keys.coveredBy(key), bundle, 'EX', seconds);
      await run(pipeline);
    },

    async coveredBy(posts) {
      const found = new Map<string, string>();
      if (posts.length === 0) return found;
      const bundles = await redis.mget(...posts.map((key) => keys.coveredBy(key)));
      posts.forEach((key, i) => {
        const bundle = bundles[i];
        if (bundle != null) found.set(key, bundle);
      });
      return found;
    },

    async putImage(bytes, seconds) {
      const id = createHash('sha256').update(bytes).digest('hex');
      const key = keys.image(id);
      // Same bytes, same key: a fan-out of one chart to every group stores it once. GT: a later
      // post may lengthen the picture's life, never shorten it for a post queued before.
      await run(redis.multi().set(key, bytes, 'EX', seconds, 'NX').expire(key, seconds, 'GT'));
      return id;
    },

    async image(id) {
      return (await redis.getBuffer(keys.image(id))) ?? undefined;
    },

    secret(name) {
      // It never changes once made: read it once per process (a failed read is tried again).
      let secret = secrets.get(name);
      if (!secret) {
        secret = makeSecret(name);
        secrets.set(name, secret);
        secret.catch(() => secrets.delete(name));
      }
      return secret;
    },

    async credential(name) {
      return (await redis.get(keys.credential(name))) ?? undefined;
    },

    async saveCredential(name, value, seconds) {
      await redis.set(keys.credential(name), value, 'EX', Math.max(1, Math.floor(seconds)));
    },

    async dropCredential(name) {
      await redis.del(keys.credential(name));
    },
  };
}

/** One standings record (record-report.lua): the amount as a big-endian double, then `at` padded to 32 bytes. */
export const STANDING_BYTES = 40;
const STANDING_AT_BYTES = 32;

/** Writes one standings record into `into` at `slot`, as record-report.lua does (the benchmark fills counties this way). */
export function writeStanding(into: Buffer, slot: number, amount: number, at: Instant): void {
  into.writeDoubleBE(amount, slot * STANDING_BYTES);
  into.write(at.padEnd(STANDING_AT_BYTES, ' '), slot * STANDING_BYTES + 8, 'latin1');
}

/** A task's standings by township id; a slot of zero bytes (no progress) or without a township is left out. */
function decodeStandings(bytes: Buffer, bySlot: readonly (string | undefined)[]): Map<string, Reported> {
  const out = new Map<string, Reported>();
  for (let offset = 0, slot = 0; offset + STANDING_BYTES <= bytes.length; offset += STANDING_BYTES, slot += 1) {
    const township = bySlot[slot];
    if (township === undefined || bytes[offset + 8] === 0) continue;
    // The padding starts at the first space: one string per cell, not a padded one and its trim.
    const start = offset + 8;
    const space = bytes.indexOf(0x20, start);
    const end = space === -1 || space > offset + STANDING_BYTES ? offset + STANDING_BYTES : space;
    out.set(township, { amount: bytes.readDoubleBE(offset), at: bytes.toString('latin1', start, end) });
  }
  return out;
}

/** The largest n among ids `T<n>`; 0 when there is none. */
function highestTaskNumber(tasks: readonly Task[]): number {
  let highest = 0;
  for (const { id } of tasks) {
    const digits = /^T(\d+)$/.exec(id)?.[1];
    if (digits !== undefined) highest = Math.max(highest, Number(digits));
  }
  return highest;
}
