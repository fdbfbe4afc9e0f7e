/**
 * The county setup file (docs/design.md §6): YAML or JSON in, a `County`, work-calendar overrides and
 * the scheduled jobs' settings out. Admins write this file by hand, so every problem is reported at once, in Chinese, naming
 * the entry, the field and the line, and nothing is thrown.
 *
 * Defaults: a township's `id` is its name; a group or person without `roles` has none; a task's
 * `domain` is 综合, `townships` all, `weight` 1, `status` open, a count target is per township and in 个,
 * and `start` is 1 January of the deadline's year — the load day would make the same file mean
 * different things on different days. Every field of `schedule:` falls back to `DEFAULT_SCHEDULE`
 * (09:00, reminders 5/3/1/0 working days ahead, office hours 08:30–18:00, no ⚠️后三位 marks in
 * township groups).
 */
import { isUtf8 } from 'node:buffer';
import { isMap, isNode, isScalar, isSeq, LineCounter, Parser, parseDocument, type Document, type YAMLError } from 'yaml';
import * as z from 'zod';
import { setupFile } from './messages/index.js';
import { closest } from './domain/closest.js';
import { isYmd } from './domain/dates.js';
import { COUNT_UNITS, TASK_DOMAINS, type Target, type Task, type Township, CHAT_PLATFORMS, type County, type Group, type Person } from './domain/model.js';
import {
  DEFAULT_SCHEDULE,
  isClockTime,
  MAX_LADDER_DAYS,
  MAX_OVERDUE_REPEAT_DAYS,
  MAX_LADDER_RUNGS,
  type OfficeHours,
  type ScheduleSettings,
} from './domain/schedule.js';
import { PLATFORM_ORIGINS } from './config.js';

const M = setupFile;

export interface SetupCalendar {
  /** Days off that the package data lacks. */
  rest: string[];
  /** 调休 make-up working days. */
  work: string[];
  /** Years the overrides describe completely. */
  years: number[];
}

export type SetupResult =
  | { ok: true; county: County; calendar: SetupCalendar; schedule: ScheduleSettings }
  | { ok: false; errors: string[] };

type Path = readonly (string | number)[];
type LineOf = (path: Path) => number | undefined;

interface Problem {
  path: Path;
  what: string;
}

const SECTIONS = ['county', 'townships', 'groups', 'people', 'tasks', 'calendar', 'schedule'] as const;
const LISTS = ['townships', 'groups', 'people', 'tasks'] as const;
type List = (typeof LISTS)[number];
const isList = (section: string): section is List => (LISTS as readonly string[]).includes(section);

/**
 * The largest setup file read. The sample county (13 townships, 12 tasks) is 16 KB and a county
 * with hundreds of people and tasks stays well under 1 MB; the YAML reader keeps a node per value
 * with its position, tens of times the file's size, so a larger file is a wrong file, not a county.
 */
export const MAX_SETUP_BYTES = 1024 * 1024;

/**
 * How far the YAML reader may expand anchors (`&a`) through their aliases (`*a`), counted as the
 * `yaml` package counts (nodes × aliases, https://eemeli.org/yaml/#tojs-options): a hand-written
 * county needs a few, and a "billion laughs" file of nested aliases would need billions.
 */
const MAX_ALIAS_COUNT = 100;

/**
 * The most values (scalars, lists and maps, each alias counted as all it stands for) a setup file
 * may hold once read: 1 MB of the shortest YAML (`- 1` a line) is about 260,000, so this admits
 * every file under `MAX_SETUP_BYTES` written out in full and refuses aliases that multiply it —
 * the checks below walk every value, and a few aliases of a large list would make them walk millions.
 */
const MAX_SETUP_VALUES = 500_000;

/**
 * Lists and maps inside one another: a county needs four (tasks → a task → its target). The YAML
 * reader builds values by recursion, and its stack gives out after some hundreds of levels, where
 * V8 has been seen to crash outright (out of memory compiling a regular expression) instead of
 * throwing; so nesting is measured first, on the reader's own token tree, without recursion.
 */
const MAX_NESTING = 64;
const COLLECTIONS: ReadonlySet<unknown> = new Set(['block-map', 'block-seq', 'flow-collection']);

const SIG = setupFile.bytes;

/**
 * A setup file as its bytes: refused when over `MAX_SETUP_BYTES` or not UTF-8 (a BOM is fine), so
 * a file saved by Notepad as ANSI (GBK) or Unicode (UTF-16) never loads its names as `���`; then
 * `parseSetup`. Never throws.
 */
export function readSetup(bytes: Uint8Array, fileName: string): SetupResult {
  const text = decodeSetup(bytes);
  return typeof text === 'string' ? parseSetup(text, fileName) : { ok: false, errors: [text.problem] };
}

function decodeSetup(bytes: Uint8Array): string | { problem: string } {
  if (bytes.length > MAX_SETUP_BYTES) return { problem: SIG.tooLarge(bytes.length, MAX_SETUP_BYTES) };
  const utf16 = utf16Of(bytes);
  if (utf16 !== undefined) return { problem: SIG.utf16(utf16) };
  let text: string;
  try {
    // Strict: one byte that is not UTF-8 refuses the file, where the default decoder would keep going with U+FFFD.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { problem: SIG.notUtf8(firstLine(bytes, (line) => !isUtf8(line))) };
  }
  // Valid UTF-8 holding U+FFFD: an editor opened the file in the wrong encoding and saved what it showed.
  const garbled = text.split('\n').findIndex((line) => line.includes('\uFFFD'));
  if (garbled >= 0) return { problem: SIG.garbled(garbled + 1) };
  return text;
}

/**
 * UTF-16 by its byte-order mark, or without one by its NUL bytes: YAML's keys are ASCII, which
 * UTF-16 writes with a NUL after (LE) or before (BE) each letter, and UTF-8 text has no NUL at all.
 */
function utf16Of(bytes: Uint8Array): 'le' | 'be' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'be';
  let even = 0;
  let odd = 0;
  const head = bytes.subarray(0, 4096);
  head.forEach((byte, i) => {
    if (byte !== 0) return;
    if (i % 2 === 0) even += 1;
    else odd += 1;
  });
  // Mostly on one side: a stray NUL in a UTF-8 file is not UTF-16, and the YAML reader says where it is.
  if (odd > head.length / 8 && odd > even * 4) return 'le';
  if (even > head.length / 8 && even > odd * 4) return 'be';
  return undefined;
}

/** The 1-based number of the first line (split at LF bytes, which no UTF-8 or GBK character contains) that `bad` holds for. */
function firstLine(bytes: Uint8Array, bad: (line: Uint8Array) => boolean): number {
  let start = 0;
  let line = 1;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    if (bad(bytes.subarray(start, end < 0 ? bytes.length : end)) || end < 0) return line;
    start = end + 1;
    line += 1;
  }
}

/**
 * Reads a setup file named `.yaml`, `.yml` or `.json`. JSON goes through the YAML reader too
 * (JSON is YAML 1.2), so both get the same line-and-column messages. Never throws.
 */
export function parseSetup(text: string, fileName: string): SetupResult {
  try {
    const source = readSource(text.replace(/^\uFEFF/, ''), fileName);
    if (!source.ok) return source;
    return validate(source.data, source.lineOf);
  } catch (error) {
    // The reader's guard against aliases, then any bug: each reaches the admin as a sentence, not a stack trace.
    if (error instanceof ReferenceError && /alias count/i.test(error.message)) return { ok: false, errors: [SIG.aliases] };
    return { ok: false, errors: [M.unreadable(error instanceof Error ? error.message : String(error))] };
  }
}

type Source = { ok: true; data: unknown; lineOf: LineOf } | { ok: false; errors: string[] };

function readSource(text: string, fileName: string): Source {
  if (!/\.(ya?ml|json)$/i.test(fileName)) return { ok: false, errors: [M.fileType(fileName)] };
  if (text.trim() === '') return { ok: false, errors: [M.emptyFile] };

  if (nesting(text) > MAX_NESTING) return { ok: false, errors: [SIG.tooDeep] };
  const lines = new LineCounter();
  // The core schema keeps `2026-12-31` a string; a 1.1 schema would turn it into a Date.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, schema: 'core', uniqueKeys: true });
  const [error] = doc.errors;
  if (error !== undefined) return { ok: false, errors: [syntaxError(error, text)] };
  const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  if (data === null || data === undefined) return { ok: false, errors: [M.emptyFile] };
  if (valueCount(data, MAX_SETUP_VALUES) > MAX_SETUP_VALUES) return { ok: false, errors: [SIG.aliases] };
  return { ok: true, data, lineOf: locator(doc, lines) };
}

/** How deeply collections nest in `text`, counted to just past `MAX_NESTING`; the reader's lexer and parser loop, they do not recurse. */
function nesting(text: string): number {
  let deepest = 0;
  const stack: { node: unknown; depth: number }[] = Array.from(new Parser().parse(text), (node) => ({ node, depth: 0 }));
  for (let top = stack.pop(); top !== undefined && deepest <= MAX_NESTING; top = stack.pop()) {
    const { node, depth } = top;
    if (typeof node !== 'object' || node === null) continue;
    const level = 'type' in node && COLLECTIONS.has(node.type) ? depth + 1 : depth;
    deepest = Math.max(deepest, level);
    for (const child of Object.values(node)) if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: level });
  }
  return deepest;
}

/**
 * The values in `data` as the checks would visit them (an alias's value once per alias), counted
 * up to just past `limit`: without recursion, so a deep file cannot overflow the stack here.
 */
function valueCount(data: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [data];
  while (stack.length > 0 && count <= limit) {
    const value = stack.pop();
    count += 1;
    // Pushed one by one: spreading a list of 100,000 into push() would overflow the stack itself.
    const children: unknown[] = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [];
    for (const child of children) stack.push(child);
  }
  return count;
}

/**
 * The first syntax error only: after one slip the parser's later complaints are mostly echoes
 * of it, on lines that are fine.
 */
function syntaxError(error: YAMLError, text: string): string {
  const at = error.linePos?.[0] ?? { line: 1, col: 1 };
  const source = (text.split(/\r?\n/)[at.line - 1] ?? '').trim();
  return M.syntaxAt(at.line, at.col, syntaxProblem(error), clip(source, 40));
}

/** The parser's English reason, said in Chinese; its error codes are coarser than its messages. */
function syntaxProblem(error: YAMLError): string {
  // The reader's own guard against nesting deep enough to overflow its stack.
  if (error.code === 'RESOURCE_EXHAUSTION') return SIG.tooDeep;
  const bracket = /end with an? ([\]}])/.exec(error.message)?.[1];
  if (bracket !== undefined) return M.syntaxClose(bracket);
  if (error.code === 'MISSING_CHAR') {
    const missing = M.syntaxMissing;
    if (/quote/.test(error.message)) return missing.quote;
    if (/Missing ,/.test(error.message)) return missing.comma;
    if (/space after :/.test(error.message)) return missing.colonSpace;
    if (/followed by map values/.test(error.message)) return missing.value;
    if (/Comments must be separated/.test(error.message)) return missing.comment;
  }
  return Object.entries(M.syntax).find(([code]) => code === error.code)?.[1] ?? M.syntaxOther;
}

/**
 * The line of the deepest node on `path` that exists, so a missing field points at its entry;
 * none for a missing top-level section, where the first line would only mislead.
 */
function locator(doc: Document, lines: LineCounter): LineOf {
  const start = (node: unknown): number | undefined => (isNode(node) ? node.range?.[0] : undefined);
  return (path) => {
    let node: unknown = doc.contents;
    let offset: number | undefined;
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
        if (pair === undefined) break;
        offset = start(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof step === 'number') {
        const item = node.items[step];
        if (item === undefined) break;
        offset = start(item) ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
}

// ---------------------------------------------------------------------------------------------
// Field schemas. A field's own message wins; `generic` words the rest, and a missing field
// (input undefined) always falls through to "必须填写".

const unlessMissing =
  (what: string) =>
  (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? undefined : what;

const generic: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return M.required;
      if (issue.input === null) return M.blank;
      if (issue.expected === 'string') return M.text;
      if (issue.expected === 'number' || issue.expected === 'int') return M.number;
      if (issue.expected === 'array') return M.list;
      if (issue.expected === 'object') return M.object;
      return M.invalid;
    case 'invalid_value':
      return M.oneOf(issue.values.map(String), show(issue.input));
    case 'too_small':
      return issue.origin === 'string' ? M.blank : M.invalid;
    case 'invalid_format':
      return issue.format === 'url' ? M.url : M.invalid;
    default:
      return M.invalid;
  }
};

const text = () => z.string().trim().min(1);
const name = () => text().regex(/^[^{}\r\n]*$/, { error: M.nameChars });
const platform = z.enum(CHAT_PLATFORMS);
const date = () =>
  z
    .string({ error: unlessMissing(M.date) })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: M.date, abort: true })
    .refine(isYmd, { error: (issue) => M.noSuchDay(show(issue.input)) });

const townshipSchema = z.strictObject({
  id: name().optional(),
  name: name(),
  villages: z
    .number({ error: unlessMissing(M.villages) })
    .int({ error: M.villages })
    .min(0, { error: M.villages }),
});

/** Township names and ids, each to the township's id. */
type Townships = ReadonlyMap<string, string>;

const townshipRef = (townships: Townships) =>
  text().refine((ref) => townships.has(ref), {
    error: (issue) => {
      const ref = show(issue.input);
      return M.noTownship(ref, closest(ref, [...townships.keys()]));
    },
  });

const groupSchema = (townships: Townships) =>
  z.strictObject({
    platform,
    chat: text(),
    township: townshipRef(townships).optional(),
    role: z.literal('leaders').optional(),
    name: text().optional(),
    webhook: z.url({ protocol: /^https?$/, error: unlessMissing(M.url) }).optional(),
    secret: text().optional(),
  });

const personSchema = (townships: Townships) =>
  z.strictObject({
    platform,
    user: text(),
    name: text(),
    roles: z.array(z.enum(['admin', 'leader'])).optional(),
    township: townshipRef(townships).optional(),
  });

const targetSchema = z.strictObject(
  {
    percent: z.number({ error: M.percent }).gt(0, { error: M.percent }).lte(100, { error: M.percent }).optional(),
    count: z.number({ error: M.count }).int({ error: M.count }).gt(0, { error: M.count }).optional(),
    per: z.enum(['village', 'township']).optional(),
    unit: z.enum(COUNT_UNITS, { error: M.unit }).optional(),
    done: z.literal(true, { error: M.done }).optional(),
  },
  { error: unlessMissing(M.target) },
);

const taskSchema = z.strictObject({
  id: z.string({ error: unlessMissing(M.taskId) }).regex(/^T[1-9]\d*$/, { error: M.taskId }),
  title: text(),
  domain: z.enum(TASK_DOMAINS).optional(),
  start: date().optional(),
  deadline: date(),
  target: targetSchema,
  // Checked by hand below: `all`, one name, or a list, each name looked up.
  townships: z.unknown().optional(),
  weight: z.number({ error: unlessMissing(M.weight) }).gt(0, { error: M.weight }).optional(),
  status: z.enum(['open', 'closed']).optional(),
});

const calendarSchema = z.strictObject({
  rest: z.array(date()).optional(),
  work: z.array(date()).optional(),
  years: z
    .array(z.number({ error: M.year }).int({ error: M.year }).min(2000, { error: M.year }).max(2100, { error: M.year }))
    .optional(),
});

/** `9:00` and `09：00` (a full-width colon, as a Chinese keyboard types it) are read as 09:00. */
const clockTime = () =>
  z
    .string({ error: unlessMissing(M.clockTime) })
    .trim()
    .transform((t) => t.replace('：', ':').replace(/^(\d):/, '0$1:'))
    .refine(isClockTime, { error: M.clockTime });

const ladderDay = z
  .number({ error: M.ladderDay })
  .int({ error: M.ladderDay })
  .min(0, { error: M.ladderDay })
  .max(MAX_LADDER_DAYS, { error: M.ladderDay });

const officeHoursSchema = z.strictObject(
  { start: clockTime().optional(), end: clockTime().optional() },
  { error: unlessMissing(M.officeHours) },
);

const scheduleSchema = z.strictObject({
  time: clockTime().optional(),
  ladder: z
    .array(ladderDay)
    .min(1, { error: M.ladderEmpty })
    .max(MAX_LADDER_RUNGS, { error: M.ladderTooMany })
    .optional(),
  office_hours: officeHoursSchema.optional(),
  bottom_marks_in_township_groups: z.boolean({ error: unlessMissing(M.flag) }).optional(),
  overdue_repeat_days: z
    .number({ error: M.overdueRepeatDays })
    .int({ error: M.overdueRepeatDays })
    .min(0, { error: M.overdueRepeatDays })
    .max(MAX_OVERDUE_REPEAT_DAYS, { error: M.overdueRepeatDays })
    .optional(),
});

/** Field names per object, for "是不是 deadline？" on a typo. */
const FIELDS = new Map<string, readonly string[]>([
  ['townships', Object.keys(townshipSchema.shape)],
  ['groups', Object.keys(groupSchema(new Map()).shape)],
  ['people', Object.keys(personSchema(new Map()).shape)],
  ['tasks', Object.keys(taskSchema.shape)],
  ['target', Object.keys(targetSchema.shape)],
  ['calendar', Object.keys(calendarSchema.shape)],
  ['schedule', Object.keys(scheduleSchema.shape)],
  ['office_hours', Object.keys(officeHoursSchema.shape)],
]);

/** Objects inside an entry or section, whose fields are listed under their own name. */
const NESTED: readonly string[] = ['target', 'office_hours'];

// ---------------------------------------------------------------------------------------------

/**
 * Past this many problems the admin has enough to fix, and going on only costs time: each unknown
 * township name is compared with every township for a "是不是", so a file of 20,000 unknown names
 * in a county of 5,000 townships would take minutes.
 */
const MAX_PROBLEMS = 100;

/** Thrown by `Problems.add` at `MAX_PROBLEMS`: the checks stop there. */
class EnoughProblems extends Error {}

class Problems {
  readonly list: Problem[] = [];

  add(path: Path, what: string): void {
    this.list.push({ path, what });
    if (this.list.length >= MAX_PROBLEMS) throw new EnoughProblems();
  }

  /** Adds a zod result's issues under `base`; returns the data when there were none. */
  from<T>(result: z.ZodSafeParseResult<T>, base: Path): T | undefined {
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const path = [...base, ...issue.path.filter((p) => typeof p !== 'symbol')];
      if (issue.code === 'unrecognized_keys') {
        const allowed = fieldsAt(path);
        for (const key of issue.keys) this.add([...path, key], M.unknownField(closest(key, allowed), allowed));
      } else {
        this.add(path, issue.message);
      }
    }
    return undefined;
  }
}

function fieldsAt(path: Path): readonly string[] {
  const last = path.at(-1);
  return FIELDS.get(String(typeof last === 'string' && NESTED.includes(last) ? last : path[0])) ?? [];
}

const parse = <T>(schema: z.ZodType<T>, value: unknown): z.ZodSafeParseResult<T> =>
  schema.safeParse(value, { error: generic });

function validate(data: unknown, lineOf: LineOf): SetupResult {
  const problems = new Problems();
  if (!isRecord(data)) return { ok: false, errors: [M.root] };
  try {
    return check(data, lineOf, problems);
  } catch (error) {
    if (!(error instanceof EnoughProblems)) throw error;
    return { ok: false, errors: [...format(problems.list, data, lineOf), SIG.tooManyProblems(MAX_PROBLEMS)] };
  }
}

function check(data: Record<string, unknown>, lineOf: LineOf, problems: Problems): SetupResult {

  for (const key of Object.keys(data)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      problems.add([key], M.unknownField(closest(key, SECTIONS), SECTIONS));
    }
  }

  const countyName = problems.from(parse(text(), data.county), ['county']);
  const lists = readLists(data, problems);

  const townshipIds = townshipKeys(lists.townships);
  const townships = lists.townships.map((raw, i) => problems.from(parse(townshipSchema, raw), ['townships', i]));
  checkTownshipsUnique(lists.townships, problems);

  const groups = lists.groups.map((raw, i) => {
    const path = ['groups', i];
    const group = problems.from(parse(groupSchema(townshipIds), raw), path);
    if (isRecord(raw)) checkGroup(raw, path, problems);
    return group;
  });
  checkUnique(lists.groups, ['platform', 'chat'], 'chat', 'groups', M.duplicateGroup, problems);

  const people = lists.people.map((raw, i) => problems.from(parse(personSchema(townshipIds), raw), ['people', i]));
  checkUnique(lists.people, ['platform', 'user'], 'user', 'people', M.duplicatePerson, problems);

  const tasks = lists.tasks.map((raw, i) => readTask(raw, ['tasks', i], townshipIds, problems));
  const villages = new Map(defined(townships).map((t) => [t.id ?? t.name, t.villages]));
  tasks.forEach((task, i) => {
    if (task !== undefined) checkVillages(task, ['tasks', i, 'target', 'per'], villages, problems);
  });
  checkUnique(lists.tasks, ['id'], 'id', 'tasks', M.duplicateTask, problems);

  const calendar = readCalendar(data.calendar, problems);
  const schedule = readSchedule(data.schedule, problems);

  if (problems.list.length > 0 || countyName === undefined || calendar === undefined || schedule === undefined) {
    return { ok: false, errors: format(problems.list, data, lineOf) };
  }

  const county: County = {
    name: countyName,
    townships: defined(townships).map((t): Township => ({ id: t.id ?? t.name, name: t.name, villages: t.villages })),
    groups: defined(groups).map((g) => toGroup(g, townshipIds)),
    people: defined(people).map((p) => toPerson(p, townshipIds)),
    tasks: defined(tasks).map(toTask),
  };
  return { ok: true, county, calendar, schedule };
}

function readLists(data: Record<string, unknown>, problems: Problems): Record<List, unknown[]> {
  const out: Record<List, unknown[]> = { townships: [], groups: [], people: [], tasks: [] };
  for (const section of LISTS) {
    const value = data[section];
    if (value === undefined || value === null) {
      // Only townships are needed to start; groups, people and tasks can come later.
      if (section === 'townships') problems.add([section], value === null ? M.noTownships : M.required);
    } else if (Array.isArray(value)) {
      if (section === 'townships' && value.length === 0) problems.add([section], M.noTownships);
      out[section] = value;
    } else {
      problems.add([section], M.list);
    }
  }
  return out;
}

function townshipKeys(raw: readonly unknown[]): Townships {
  const keys = new Map<string, string>();
  for (const entry of raw) {
    if (!isRecord(entry) || typeof entry.name !== 'string') continue;
    const name = entry.name.trim();
    const id = typeof entry.id === 'string' ? entry.id.trim() : name;
    if (!keys.has(name)) keys.set(name, id);
    if (!keys.has(id)) keys.set(id, id);
  }
  return keys;
}

function checkTownshipsUnique(raw: readonly unknown[], problems: Problems): void {
  const owner = new Map<string, number>();
  raw.forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const name = typeof entry.name === 'string' ? entry.name.trim() : undefined;
    const id = typeof entry.id === 'string' ? entry.id.trim() : undefined;
    if (name !== undefined) {
      const other = owner.get(name);
      if (other === undefined) owner.set(name, i);
      else problems.add(['townships', i, 'name'], M.duplicateName(other));
    }
    if (id !== undefined && id !== name) {
      const other = owner.get(id);
      if (other === undefined) owner.set(id, i);
      else problems.add(['townships', i, 'id'], M.duplicateKey(id, other));
    }
  });
}

function checkGroup(raw: Record<string, unknown>, path: Path, problems: Problems): void {
  const hasTownship = raw.township !== undefined;
  const hasRole = raw.role !== undefined;
  if (hasTownship === hasRole) problems.add(path, hasTownship ? M.groupBoth : M.groupNeither);
  if (raw.platform === 'console' && raw.webhook !== undefined) problems.add([...path, 'webhook'], M.webhookConsole);
  if (typeof raw.webhook === 'string') {
    if (raw.platform === 'wecom' && !isWebhook(raw.webhook, '/cgi-bin/webhook/send', 'key')) problems.add([...path, 'webhook'], M.webhookWecom(PLATFORM_ORIGINS.wecomApi));
    if (raw.platform === 'dingtalk' && !isWebhook(raw.webhook, '/robot/send', 'access_token')) problems.add([...path, 'webhook'], M.webhookDingtalk(PLATFORM_ORIGINS.dingtalkOapi));
  }
  if (raw.secret !== undefined) {
    if (raw.platform !== 'dingtalk') problems.add([...path, 'secret'], M.secretNotDingtalk);
    else if (raw.webhook === undefined) problems.add([...path, 'secret'], M.secretWithoutWebhook);
  }
}

/**
 * A group robot's send URL: a fixed path and the robot's credential in the query — WeCom's
 * 消息推送 `/cgi-bin/webhook/send?key=…` (docs/protocols/wecom.md §4, page 91770), DingTalk's custom robot `/robot/send?access_token=…`.
 */
function isWebhook(raw: string, path: string, credential: string): boolean {
  if (!URL.canParse(raw)) return true; // the url rule already says what is wrong
  const url = new URL(raw);
  return url.pathname === path && (url.searchParams.get(credential) ?? '') !== '';
}

function checkUnique(
  raw: readonly unknown[],
  keyFields: readonly string[],
  field: string,
  section: List,
  message: (other: number) => string,
  problems: Problems,
): void {
  const seen = new Map<string, number>();
  raw.forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const parts = keyFields.map((f) => entry[f]);
    if (!parts.every((p): p is string => typeof p === 'string')) return;
    const key = JSON.stringify(parts.map((p) => p.trim()));
    const other = seen.get(key);
    if (other === undefined) seen.set(key, i);
    else problems.add([section, i, field], message(other));
  });
}

function readTask(raw: unknown, path: Path, townships: Townships, problems: Problems): TaskFields | undefined {
  const task = problems.from(parse(taskSchema, raw), path);
  if (!isRecord(raw)) return undefined;
  checkTarget(raw.target, [...path, 'target'], problems);
  const scope = taskTownships(raw.townships, [...path, 'townships'], townships, problems);
  const { start, deadline } = raw;
  const isDate = (d: unknown): d is string => typeof d === 'string' && isYmd(d);
  if (isDate(start) && isDate(deadline) && start > deadline) {
    problems.add([...path, 'start'], M.startAfterDeadline(start, deadline));
  }
  return task === undefined || scope === undefined ? undefined : { ...task, scope };
}

/** A per-village count on a township without villages would ask it for nothing. */
function checkVillages(task: TaskFields, path: Path, villages: ReadonlyMap<string, number>, problems: Problems): void {
  if (task.target.per !== 'village') return;
  const ids = task.scope === 'all' ? [...villages.keys()] : task.scope;
  const empty = ids.filter((id) => villages.get(id) === 0);
  if (empty.length > 0) problems.add(path, M.noVillages(empty));
}

function checkTarget(raw: unknown, path: Path, problems: Problems): void {
  if (!isRecord(raw)) return;
  const kinds = (['percent', 'count', 'done'] as const).filter((k) => raw[k] !== undefined);
  if (kinds.length === 0) problems.add(path, M.target);
  if (kinds.length > 1) problems.add(path, M.targetMany(kinds));
  if (raw.per !== undefined && raw.count === undefined) problems.add([...path, 'per'], M.perWithoutCount);
  if (raw.unit !== undefined && raw.count === undefined) problems.add([...path, 'unit'], M.unitWithoutCount);
}

/** The task's townships as ids (`all` kept), or undefined after reporting a problem. */
function taskTownships(
  raw: unknown,
  path: Path,
  townships: Townships,
  problems: Problems,
): 'all' | string[] | undefined {
  if (raw === undefined || raw === 'all' || raw === '全部') return 'all';
  const refs: unknown[] | undefined = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : undefined;
  if (refs === undefined) {
    problems.add(path, M.taskTownships);
    return undefined;
  }
  if (refs.length === 0) {
    problems.add(path, M.taskTownshipsEmpty);
    return undefined;
  }
  const ids: string[] = [];
  refs.forEach((ref, k) => {
    const at = Array.isArray(raw) ? [...path, k] : path;
    const id = problems.from(parse(townshipRef(townships), ref), at);
    if (id !== undefined) ids.push(townships.get(id) ?? id);
  });
  return ids.length === refs.length ? [...new Set(ids)] : undefined;
}

function readCalendar(raw: unknown, problems: Problems): SetupCalendar | undefined {
  if (raw === undefined || raw === null) return { rest: [], work: [], years: [] };
  const calendar = problems.from(parse(calendarSchema, raw), ['calendar']);
  if (calendar === undefined) return undefined;
  const rest = new Set(calendar.rest);
  const work = calendar.work ?? [];
  work.forEach((day, k) => {
    if (rest.has(day)) problems.add(['calendar', 'work', k], M.restAndWork(day));
  });
  return {
    rest: [...rest].sort(),
    work: [...new Set(work)].sort(),
    years: [...new Set(calendar.years)].sort((a, b) => a - b),
  };
}

/** The section's fields over the defaults; the ladder distinct and farthest first. */
function readSchedule(raw: unknown, problems: Problems): ScheduleSettings | undefined {
  const fields = raw === undefined || raw === null ? {} : problems.from(parse(scheduleSchema, raw), ['schedule']);
  if (fields === undefined) return undefined;
  const before = problems.list.length;

  const ladder = fields.ladder ?? DEFAULT_SCHEDULE.ladder;
  ladder.forEach((day, k) => {
    const other = ladder.indexOf(day);
    if (other < k) problems.add(['schedule', 'ladder', k], M.ladderRepeat(other));
  });

  const time = fields.time ?? DEFAULT_SCHEDULE.time;
  const officeHours: OfficeHours = {
    start: fields.office_hours?.start ?? DEFAULT_SCHEDULE.officeHours.start,
    end: fields.office_hours?.end ?? DEFAULT_SCHEDULE.officeHours.end,
  };
  const { start, end } = officeHours;
  // `HH:MM` strings compare in time order; office hours include their start, not their end.
  if (start >= end) {
    problems.add(['schedule', 'office_hours'], M.officeHoursOrder(start, end));
  } else if (time < start || time >= end) {
    problems.add(['schedule', fields.time === undefined ? 'office_hours' : 'time'], M.timeOutsideOfficeHours(time, start, end));
  }

  if (problems.list.length > before) return undefined;
  return {
    time,
    ladder: [...ladder].sort((a, b) => b - a),
    officeHours,
    bottomMarksInTownshipGroups: fields.bottom_marks_in_township_groups ?? DEFAULT_SCHEDULE.bottomMarksInTownshipGroups,
    overdueRepeatDays: fields.overdue_repeat_days ?? DEFAULT_SCHEDULE.overdueRepeatDays,
  };
}

type GroupFields = z.infer<ReturnType<typeof groupSchema>>;
type PersonFields = z.infer<ReturnType<typeof personSchema>>;
type TaskFields = z.infer<typeof taskSchema> & { scope: 'all' | string[] };

function toGroup(g: GroupFields, townships: Townships): Group {
  const group: Group = { platform: g.platform, chat: g.chat };
  if (g.township !== undefined) group.township = townships.get(g.township) ?? g.township;
  if (g.role !== undefined) group.role = g.role;
  if (g.name !== undefined) group.name = g.name;
  if (g.webhook !== undefined) group.webhook = g.webhook;
  if (g.secret !== undefined) group.secret = g.secret;
  return group;
}

function toPerson(p: PersonFields, townships: Townships): Person {
  const person: Person = { platform: p.platform, user: p.user, name: p.name, roles: [...new Set(p.roles)] };
  if (p.township !== undefined) person.township = townships.get(p.township) ?? p.township;
  return person;
}

function toTask(t: TaskFields): Task {
  return {
    id: t.id,
    title: t.title,
    domain: t.domain ?? '综合',
    start: t.start ?? `${t.deadline.slice(0, 4)}-01-01`,
    deadline: t.deadline,
    target: toTarget(t.target),
    townships: t.scope,
    weight: t.weight ?? 1,
    status: t.status ?? 'open',
  };
}

function toTarget(t: z.infer<typeof targetSchema>): Target {
  if (t.percent !== undefined) return { kind: 'percent', percent: t.percent };
  // 个 is what a count is in when nothing is said: stored only when it says more.
  if (t.count !== undefined) return { kind: 'count', count: t.count, per: t.per ?? 'township', ...(t.unit === undefined || t.unit === '个' ? {} : { unit: t.unit }) };
  return { kind: 'done' };
}

// ---------------------------------------------------------------------------------------------

function format(problems: readonly Problem[], data: Record<string, unknown>, lineOf: LineOf): string[] {
  return problems
    .map((p, order) => ({ p, order, line: lineOf(p.path) }))
    // Document order reads best; problems found in later passes slot in where they belong.
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.order - b.order)
    .map(({ p, line }) => M.problem(where(p.path, data), p.what, line));
}

/** `tasks 第2项（T2）的 target.count`, `calendar 的 rest 第1项`, `county`. */
function where(path: Path, data: Record<string, unknown>): string {
  const [section, index, ...rest] = path;
  if (typeof section !== 'string') return '';
  let entry = section;
  let fields: readonly (string | number)[] = path.slice(1);
  if (isList(section) && typeof index === 'number') {
    const list = data[section];
    const raw: unknown = Array.isArray(list) ? list[index] : undefined;
    entry = M.entry(section, index, label(section, raw));
    fields = rest;
  }
  if (fields.length === 0) return entry;
  const field = fields
    .map((step, k) => (typeof step === 'number' ? ` ${M.item(step)}` : k === 0 ? step : `.${step}`))
    .join('');
  return M.field(entry, field);
}

/** What an admin would search the file for: a task's id, a township's or person's name. */
function label(section: List, raw: unknown): string | undefined {
  if (!isRecord(raw)) return undefined;
  const value = section === 'tasks' ? raw.id : raw.name;
  return typeof value === 'string' && value.trim() !== '' ? clip(value.trim(), 20) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function defined<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((x): x is T => x !== undefined);
}

function show(value: unknown): string {
  if (typeof value === 'string') return clip(value, 30);
  if (value === null || value === undefined) return '';
  return clip(JSON.stringify(value), 30);
}

function clip(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : s;
}
