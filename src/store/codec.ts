/**
 * How values look inside Redis, and zod schemas that turn what Redis returns back into domain
 * types. Nothing read from Redis is cast: a value that does not parse raises `StoreDataError`.
 *
 * Hot read paths: a board or a ranking reads a progress value per (task, township), 600,000 at
 * 2,000 townships × 300 tasks (docs/design.md §8), and a past month's ranking replays every ledger entry.
 * The schemas on those paths are compiled with `z.compile` (Zod ≥ 4.5): the same rules and the
 * same errors (the compiled code only answers for valid input; a failing value goes through the
 * interpreter, which describes it), about five times faster — 0.05 s instead of 0.25 s for
 * 600,000 progress values. What remains of decoding is mostly JSON.parse (`npm run bench`).
 * The small, cold schemas stay interpreted.
 */
import type { OutgoingMessage } from '../core/types.js';
import { z } from 'zod';
import type { CalendarOverrides } from '../domain/calendar.js';
import type { Leave, PeopleEntry, PeopleEvent } from '../domain/cover.js';
import type { ExtensionRequest } from '../domain/extensions.js';
import type { ReviewRecord } from '../domain/review.js';
import type { Signature } from '../domain/sign-off.js';
import { COUNT_UNITS, TASK_DOMAINS, type EntryOrigin, type ExtensionEntry, type ExtensionKind, type LedgerEntry, type ReviewEntry, type Progress, type ReportKind, type Reporter, type SignedEntry, type Task, type TaskEventKind, type Township, CHAT_PLATFORMS, type Group, type Person } from '../domain/model.js';
import type { RankingRow, RankingSnapshot } from '../domain/ranking.js';
import { DEFAULT_SCHEDULE, isClockTime, MAX_EXTENSION_GRACE_DAYS, MAX_LADDER_DAYS, MAX_LADDER_RUNGS, MAX_OVERDUE_REPEAT_DAYS, type ScheduleSettings } from '../domain/schedule.js';
import { type DeadLetter, type LastReport, type ReportInput } from './types.js';

/** A value in Redis does not have the shape the bot wrote: names where, never the value (it may hold a webhook secret). */
export class StoreDataError extends Error {
  constructor(where: string, problem: string) {
    super(`unreadable value at ${where}: ${problem}`);
    this.name = 'StoreDataError';
  }
}

const Ymd = z.iso.date();
const Ym = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
export const InstantSchema = z.iso.datetime({ offset: true });
const Instant = InstantSchema;
const REPORT_KINDS = ['report', 'correction', 'reversal', 'returned'] as const satisfies readonly ReportKind[];

/**
 * Amounts travel as decimal text (`String(n)`) in stream fields and in progress JSON: the Lua
 * scripts compare and copy them without re-printing, which would round them (cjson keeps 14 digits).
 */
const AMOUNT_TEXT = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
const AmountText = z
  .string()
  .regex(AMOUNT_TEXT)
  .transform(Number)
  .pipe(z.number());

export function amountText(amount: number): string {
  const text = String(amount);
  if (!Number.isFinite(amount) || !AMOUNT_TEXT.test(text)) throw new RangeError(`amount must be a finite number, got ${text}`);
  return text;
}

export const TownshipSchema: z.ZodType<Township> = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  villages: z.number().int().nonnegative(),
});

const TargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('percent'), percent: z.number().positive() }),
  z.object({ kind: z.literal('count'), count: z.number().positive(), per: z.enum(['township', 'village']), unit: z.enum(COUNT_UNITS).optional() }),
  z.object({ kind: z.literal('done') }),
]);

export const TaskSchema: z.ZodType<Task> = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  domain: z.enum(TASK_DOMAINS),
  start: Ymd,
  deadline: Ymd,
  target: TargetSchema,
  townships: z.union([z.literal('all'), z.array(z.string())]),
  weight: z.number().nonnegative(),
  status: z.enum(['open', 'closed']),
  closedOn: Ymd.optional(),
});

const ChatPlatformSchema = z.enum(CHAT_PLATFORMS);

export const GroupSchema: z.ZodType<Group> = z.object({
  platform: ChatPlatformSchema,
  chat: z.string().min(1),
  township: z.string().optional(),
  role: z.literal('leaders').optional(),
  name: z.string().optional(),
  webhook: z.string().optional(),
  secret: z.string().optional(),
});

export const PersonSchema: z.ZodType<Person> = z.object({
  platform: ChatPlatformSchema,
  user: z.string().min(1),
  name: z.string(),
  roles: z.array(z.enum(['admin', 'leader'])),
  township: z.string().optional(),
  cover: z.enum(['A', 'B']).optional(),
});

const ReporterSchema: z.ZodType<Reporter> = z.object({ platform: ChatPlatformSchema, user: z.string(), name: z.string() });

export const LeaveSchema: z.ZodType<Leave> = z.object({
  township: z.string().min(1),
  by: ReporterSchema,
  from: Ymd,
  until: Ymd,
  at: Instant,
  endedOn: Ymd.optional(),
});


/**
 * Progress as the Lua scripts write it: `{"amount":"80","at":…,"entry":…,"by":{…}}`.
 *
 * Compiled (see "Hot read paths" below): every board and ranking decodes one of these per (task,
 * township), 600,000 at 2,000 townships × 300 tasks.
 */
export const ProgressSchema: z.ZodType<Progress> = z.compile(
  z.object({
    amount: AmountText,
    at: Instant,
    entry: z.string().min(1),
    by: ReporterSchema,
  }),
);

export const LastReportSchema: z.ZodType<LastReport> = z.object({
  task: z.string().min(1),
  township: z.string().min(1),
  entry: z.string().min(1),
  at: Instant,
  amount: z.number().optional(),
  undone: z.literal(true).optional(),
});

const RankingRowSchema: z.ZodType<RankingRow> = z.object({
  township: z.string(),
  name: z.string(),
  score: z.number().int(),
  rank: z.number().int().positive(),
  previousRank: z.number().int().positive().optional(),
  tasks: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  // Snapshots kept before late completions were told apart counted them as done.
  doneLate: z.number().int().nonnegative().default(0),
  behind: z.number().int().nonnegative(),
  overdue: z.number().int().nonnegative(),
  lastAt: Instant.optional(),
  bottom: z.boolean(),
});

export const RankingSnapshotSchema: z.ZodType<RankingSnapshot> = z.object({
  month: Ym,
  asOf: Ymd,
  rows: z.array(RankingRowSchema),
});

export const CalendarOverridesSchema: z.ZodType<CalendarOverrides> = z.object({
  rest: z.array(Ymd).optional(),
  work: z.array(Ymd).optional(),
  years: z.array(z.number().int()).optional(),
});

const ClockTime = z.string().refine(isClockTime, 'not HH:MM');

/** The setup file's `schedule:` section after merging: what the domain's schedule functions accept. */
export const ScheduleSettingsSchema: z.ZodType<ScheduleSettings> = z.object({
  time: ClockTime,
  ladder: z
    .array(z.number().int().min(0).max(MAX_LADDER_DAYS))
    .min(1)
    .max(MAX_LADDER_RUNGS)
    .refine((ladder) => new Set(ladder).size === ladder.length, 'ladder rungs repeat'),
  officeHours: z
    .object({ start: ClockTime, end: ClockTime })
    .refine(({ start, end }) => start < end, 'office hours end before they start'),
  bottomMarksInTownshipGroups: z.boolean(),
  // Settings stored before the field existed read as the default.
  overdueRepeatDays: z.number().int().min(0).max(MAX_OVERDUE_REPEAT_DAYS).default(DEFAULT_SCHEDULE.overdueRepeatDays),
  extensionGraceDays: z.number().int().min(0).max(MAX_EXTENSION_GRACE_DAYS).default(DEFAULT_SCHEDULE.extensionGraceDays),
  review: z.boolean().default(DEFAULT_SCHEDULE.review),
  signOff: z.boolean().default(DEFAULT_SCHEDULE.signOff),
});

/** Freezes a decoded value and everything in it: a copy a process keeps is shared by every reader. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Parses a JSON string from Redis with `schema`; `where` names the key (and field) for the error. */
export function decodeJson<T>(schema: z.ZodType<T>, text: string, where: string): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new StoreDataError(where, 'not JSON');
  }
  return decode(schema, data, where);
}

/**
 * HGETALL's reply (in the legacy reply mapping: an object of strings) whose values are JSON, each
 * parsed with `schema`, by field. A hot read path (see the top of this file): the reply's shape is
 * checked in the same loop rather than with `z.record`, which would first copy the 2,000-field
 * object of every task, and the location `<key> <field>` is only put together for a value that fails.
 */
export function decodeJsonHash<T>(schema: z.ZodType<T>, reply: unknown, key: string): Map<string, T> {
  if (!isPlainObject(reply)) throw new StoreDataError(key, 'not a hash');
  const out = new Map<string, T>();
  for (const field of Object.keys(reply)) {
    const text = reply[field];
    if (typeof text !== 'string') throw new StoreDataError(`${key} ${field}`, 'not a string');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new StoreDataError(`${key} ${field}`, 'not JSON');
    }
    const result = schema.safeParse(data);
    if (!result.success) throw new StoreDataError(`${key} ${field}`, z.prettifyError(result.error));
    out.set(field, result.data);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** JSON of `value` after checking it against the schema it will be read back with: nothing unreadable is written. */
export function encodeJson<T>(schema: z.ZodType<T>, value: T, what: string): string {
  const result = schema.safeParse(value);
  if (!result.success) throw new RangeError(`refusing to store ${what}: ${z.prettifyError(result.error)}`);
  return JSON.stringify(result.data);
}

export function decode<T>(schema: z.ZodType<T>, data: unknown, where: string): T {
  const result = schema.safeParse(data);
  if (!result.success) throw new StoreDataError(where, z.prettifyError(result.error));
  return result.data;
}

/** Who wrote an entry, when, and from which message: the fields every entry has. */
const ORIGIN_FIELDS = {
  platform: ChatPlatformSchema,
  user: z.string(),
  name: z.string(),
  at: Instant,
  source: z.string(),
};

const EXTENSION_KINDS = ['extension-requested', 'extension-granted', 'extension-refused'] as const satisfies readonly ExtensionKind[];
const RequestNumber = z.number().int().positive();
const RequestNumberText = z.string().regex(/^[1-9]\d*$/).transform(Number).pipe(RequestNumber);

/**
 * The fields of a ledger stream entry, by kind. A report's `amount` is empty for a reversal back
 * to no progress; `prev` is the progress JSON before the entry, kept for reversals and audit. A
 * task event has no township and no amount. Compiled: a past month's ranking decodes every entry
 * of every task.
 */
const EntryFieldsSchema = z.compile(
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.enum(REPORT_KINDS),
      township: z.string().min(1),
      amount: z.union([z.literal('').transform(() => null), AmountText]),
      value: z.string(),
      note: z.string(),
      reverses: z.string().min(1).optional(),
      prev: z.string().optional(),
      ...ORIGIN_FIELDS,
    }),
    z.object({ kind: z.literal('closed'), ...ORIGIN_FIELDS }),
    z.object({ kind: z.literal('reopened'), closedOn: Ymd.optional(), ...ORIGIN_FIELDS }),
    z.object({ kind: z.enum(['review-submitted', 'review-approved']), township: z.string().min(1), report: z.string().min(1), ...ORIGIN_FIELDS }),
    z.object({
      kind: z.enum(EXTENSION_KINDS),
      township: z.string().min(1),
      request: RequestNumberText,
      from: Ymd,
      to: Ymd,
      reason: z.string(),
      ...ORIGIN_FIELDS,
    }),
    z.object({ kind: z.literal('signed'), township: z.string().min(1), ...ORIGIN_FIELDS }),
  ]),
);

/** A stream entry's flat `[field, value, field, value, …]` list as an object; a repeated field is an error. */
function pairs(flat: readonly string[], where: string): Record<string, string> {
  if (flat.length % 2 !== 0) throw new StoreDataError(where, 'odd number of stream fields');
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i];
    const value = flat[i + 1];
    if (name === undefined || value === undefined || Object.hasOwn(out, name)) {
      throw new StoreDataError(where, `bad or repeated stream field ${String(name)}`);
    }
    out[name] = value;
  }
  return out;
}

/** A ledger entry, and the progress JSON that stood before it (`undefined`: none). */
export interface DecodedEntry {
  entry: LedgerEntry;
  prev: Progress | undefined;
}

/** An entry's `prev`: the progress JSON that stood before it, empty (or absent) where there was none. */
const prevOf = (text: string | undefined, at: string): Progress | undefined => (text === undefined || text === '' ? undefined : decodeJson(ProgressSchema, text, `${at} prev`));

export function decodeEntry(task: string, id: string, flat: readonly string[], where: string): DecodedEntry {
  const at = `${where} ${id}`;
  const f = decode(EntryFieldsSchema, pairs(flat, at), at);
  const origin = { id, task, by: { platform: f.platform, user: f.user, name: f.name }, at: f.at, source: f.source };
  switch (f.kind) {
    case 'closed':
      return { entry: { ...origin, kind: 'closed' }, prev: undefined };
    case 'reopened':
      return { entry: { ...origin, kind: 'reopened', ...(f.closedOn === undefined ? {} : { closedOn: f.closedOn }) }, prev: undefined };
    case 'review-submitted':
    case 'review-approved':
      return { entry: { ...origin, kind: f.kind, township: f.township, report: f.report }, prev: undefined };
    case 'extension-requested':
    case 'extension-granted':
    case 'extension-refused':
      return { entry: { ...origin, kind: f.kind, township: f.township, request: f.request, from: f.from, to: f.to, reason: f.reason }, prev: undefined };
    case 'signed':
      return { entry: { ...origin, kind: 'signed', township: f.township }, prev: undefined };
    default: {
      const entry: LedgerEntry = { ...origin, kind: f.kind, township: f.township, amount: f.amount, value: f.value, note: f.note };
      if (f.reverses !== undefined) entry.reverses = f.reverses;
      return { entry, prev: prevOf(f.prev, at) };
    }
  }
}

/** What record-report.lua returns of an entry it has just written: only what the script decided. */
const WrittenFieldsSchema = z.object({ kind: z.enum(['report', 'correction']), prev: z.string() });

/**
 * The report entry record-report.lua has just written, as decodeEntry would read it back: from the
 * report this process sent, and the `kind` and `prev` the script returned — a report's answer
 * decodes nothing it wrote itself. The amount is the text the script stored, read as a number.
 */
export function writtenReportEntry(report: ReportInput, id: string, flat: readonly string[], where: string): DecodedEntry {
  const at = `${where} ${id}`;
  const f = decode(WrittenFieldsSchema, pairs(flat, at), at);
  const { platform, user, name } = report.by;
  const entry: LedgerEntry = {
    id,
    task: report.task,
    by: { platform, user, name },
    at: report.at,
    source: report.source,
    kind: f.kind,
    township: report.township,
    amount: Number(amountText(report.amount)),
    value: report.value,
    note: report.note,
  };
  return { entry, prev: prevOf(f.prev, at) };
}

/** A task event as stream fields, in the layout `decodeEntry` reads back; `closedOn` only for a reopening. */
export function taskEventFields(kind: TaskEventKind, origin: EntryOrigin, closedOn?: Task['closedOn']): string[] {
  const { by, at, source } = origin;
  const fields = ['kind', kind, 'platform', by.platform, 'user', by.user, 'name', by.name, 'at', at, 'source', source];
  if (kind === 'reopened' && closedOn !== undefined) fields.push('closedOn', closedOn);
  return fields;
}

/** XRANGE's reply in the legacy reply mapping: `[[id, [field, value, …]], …]`. Compiled: a past month's ranking replays every ledger. */
export const StreamEntriesSchema = z.compile(z.array(z.tuple([z.string(), z.array(z.string())])));

/** record-report.lua's reply: the outcome, the entry, then the cell as the script left it (its header says what each is). */
export const RecordReplySchema = z.tuple([
  z.enum(['recorded', 'duplicate', 'repeat', 'closed']),
  z.string(),
  z.array(z.string()),
  z.string(),
  z.string(),
  z.string(),
  z.number().int().nonnegative(),
  z.union([z.literal(0), z.literal(1)]),
]);

export const ReverseReplySchema = z.tuple([
  z.enum(['reversed', 'duplicate', 'superseded', 'not-found', 'approved']),
  z.string(),
  z.array(z.string()),
  z.string(),
]);

export const CounterSchema = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);

const SpanSchema = z.union([z.string(), z.object({ text: z.string(), tone: z.enum(['strong', 'good', 'warn', 'bad', 'muted']) })]);

export const OutgoingMessageSchema: z.ZodType<OutgoingMessage> = z.object({
  title: z.string().optional(),
  lines: z.array(z.array(SpanSchema)),
  mentions: z.array(z.string()).optional(),
  image: z.object({ base64: z.string() }).optional(),
});

export const DeadLetterSchema: z.ZodType<DeadLetter> = z.object({
  key: z.string(),
  platform: z.enum(CHAT_PLATFORMS),
  chat: z.string(),
  code: z.string(),
  reason: z.string(),
  at: InstantSchema,
});

/** The [at, shift] strings reserve-slot.lua returns. */
export const SlotReplySchema = z.tuple([CounterSchema, CounterSchema]);

/** A review entry as stream fields, in the layout `decodeEntry` reads back. */
export function reviewFields(entry: Omit<ReviewEntry, 'id' | 'task'>): string[] {
  const { by, at, source } = entry;
  return ['kind', entry.kind, 'township', entry.township, 'report', entry.report, 'platform', by.platform, 'user', by.user, 'name', by.name, 'at', at, 'source', source];
}

/** A township's review as its task's reviews hash keeps it (the Lua scripts read `state` and `report`). */
export const ReviewRecordSchema: z.ZodType<ReviewRecord> = z.object({
  state: z.enum(['pending', 'approved']),
  report: z.string().min(1),
  at: Instant,
  by: ReporterSchema,
});

/** An extension entry as stream fields, in the layout `decodeEntry` reads back. */
export function extensionFields(entry: Omit<ExtensionEntry, 'id' | 'task'>): string[] {
  const { by, at, source } = entry;
  return [
    'kind', entry.kind,
    'township', entry.township,
    'request', String(entry.request),
    'from', entry.from,
    'to', entry.to,
    'reason', entry.reason,
    'platform', by.platform, 'user', by.user, 'name', by.name, 'at', at, 'source', source,
  ];
}


/** A 签收 entry as stream fields, in the layout `decodeEntry` reads back. */
export function signedFields(entry: Omit<SignedEntry, 'id' | 'task'>): string[] {
  const { by, at, source } = entry;
  return ['kind', 'signed', 'township', entry.township, 'platform', by.platform, 'user', by.user, 'name', by.name, 'at', at, 'source', source];
}

/** What a task's sign-off hash keeps of a township announced the task (交办). */
export const AnnouncedSchema = z.object({ announced: Instant });

/** Who signed for a township, and when. */
export const SignatureSchema: z.ZodType<Signature> = z.object({ by: ReporterSchema, at: Instant });

/** A 延期申请 as its task's requests hash keeps it, with the decision once there is one. */
export const ExtensionRequestSchema: z.ZodType<ExtensionRequest> = z.object({
  number: RequestNumber,
  task: z.string().min(1),
  township: z.string().min(1),
  from: Ymd,
  to: Ymd,
  reason: z.string(),
  by: ReporterSchema,
  at: Instant,
  decision: z.object({ granted: z.boolean(), by: ReporterSchema, at: Instant, reason: z.string() }).optional(),
});

/** A granted deadline, as a task's deadlines hash keeps it per township: the date and the request that gave it. */
export const GrantSchema = z.object({ deadline: Ymd, request: RequestNumber });
export type Grant = z.infer<typeof GrantSchema>;

/** A people-ledger stream entry's fields (see `peopleEntryFields`): who and when, as a task's entries say it. */
const PeopleEntryFieldsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('leave'), township: z.string().min(1), until: Ymd, cover: z.string(), ...ORIGIN_FIELDS }),
  z.object({ kind: z.literal('back'), township: z.string().min(1), ...ORIGIN_FIELDS }),
]);

/** A people-ledger entry as stream fields: a leave with its last day and who covered then (empty: no B), or its end. */
export function peopleEntryFields(entry: PeopleEvent): string[] {
  const { by, at, source } = entry;
  const fields = ['kind', entry.kind, 'township', entry.township];
  if (entry.kind === 'leave') fields.push('until', entry.until, 'cover', entry.cover);
  fields.push('platform', by.platform, 'user', by.user, 'name', by.name, 'at', at, 'source', source);
  return fields;
}

export function decodePeopleEntry(id: string, flat: readonly string[], where: string): PeopleEntry {
  const at = `${where} ${id}`;
  const f = decode(PeopleEntryFieldsSchema, pairs(flat, at), at);
  const origin = { id, township: f.township, by: { platform: f.platform, user: f.user, name: f.name }, at: f.at, source: f.source };
  return f.kind === 'leave' ? { ...origin, kind: 'leave', until: f.until, cover: f.cover } : { ...origin, kind: 'back' };
}
