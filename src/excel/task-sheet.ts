/**
 * The 任务分解表 (docs/design.md §6 `duban import`): a grid of cell values in, tasks to write or every
 * problem out. Admins fill these sheets by hand in Excel or WPS, copied from the county's
 * documents, so the reader is tolerant where a reader of the sheet would be — columns found by
 * their header words, a title row above the header, a header over two rows, full-width digits,
 * dates as Excel dates or as text — and strict where a guess would change what townships owe.
 * Every problem names its row, column letter and header, and says the right form, as the setup
 * file does (src/setup/). No I/O, no clock: the import day comes in as `today`.
 */
import * as z from 'zod';
import { closest } from '../domain/closest.js';
import { fromEpochDay, isYmd } from '../domain/dates.js';
import type { Target, Task, TaskDomain, Township, Ymd } from '../domain/model.js';
import { normalizeText, parseDate, parseDomain, parseTarget, TASK_ID, trimEndChars, trimStartChars, VILLAGE_WORDS } from '../domain/parse/index.js';
import { sheetMessages as M, workbookMessages } from '../messages/index.js';

// ---------------------------------------------------------------------------------------------
// The grid, as src/excel/read.ts hands it over

/** What a person sees in a cell: text, a number, yes/no, a date (Excel date cells), or nothing. */
export type SheetValue = string | number | boolean | { date: Ymd } | null;

export interface SheetCell {
  /** A merged cell's value is its merge's value, here as in Excel's display. */
  value: SheetValue;
  /** Set on every cell of a merge but its top-left one: where the merge starts (1-based). */
  mergedFrom?: { row: number; col: number };
}

export interface SheetGrid {
  name: string;
  /** `rows[r - 1][c - 1]`: row and column numbers are 1-based, as Excel shows them. */
  rows: readonly (readonly SheetCell[])[];
}

// ---------------------------------------------------------------------------------------------
// Headers

export type Field = 'id' | 'title' | 'townships' | 'deadline' | 'target' | 'domain' | 'start' | 'weight' | 'note';

/**
 * Header words of each field, the preferred first: when two columns mean one field (牵头单位
 * beside 责任单位, 序号 beside 编号), the better word wins and the other column is ignored.
 */
const HEADERS: Readonly<Record<Field, readonly string[]>> = {
  id: ['任务编号', '编号', '序号'],
  title: ['任务名称', '工作任务', '任务内容', '重点任务', '任务事项', '任务', '名称'],
  townships: ['责任单位', '责任乡镇', '责任主体', '实施单位', '乡镇', '牵头单位'],
  deadline: ['完成时限', '截止时间', '截止日期', '完成时间', '时限'],
  target: ['目标', '目标任务', '任务目标', '目标要求', '目标值', '指标', '完成标准'],
  domain: ['领域', '所属领域', '类别', '分类'],
  start: ['开始时间', '起始时间', '开始日期'],
  weight: ['权重'],
  note: ['备注'],
};

const REQUIRED = ['title', 'townships', 'deadline', 'target'] as const;
/** The fields a task row is made of; 编号 and 备注 alone do not make a row a task. */
const TASK_FIELDS = ['title', 'townships', 'deadline', 'target', 'domain', 'start', 'weight'] as const;

const FIELD_OF = new Map<string, { field: Field; rank: number }>(
  (Object.entries(HEADERS) as [Field, readonly string[]][]).flatMap(([field, words]) => words.map((w, rank) => [w, { field, rank }] as const)),
);

/** How far down a header row may sit: below a title, a subtitle, a date line and a two-row header. */
const HEADER_SCAN_ROWS = 10;

/**
 * A header as written in a cell, reduced to the word it names: full-width to half-width, no
 * spaces or line breaks, no `*` (required) marks, no trailing colon or `（单位）` remark.
 */
export function headerKey(raw: string): string {
  const bare = trimEndChars(trimStartChars(normalizeText(raw).replace(/\s+/g, ''), '*'), ':*');
  return trimEndChars(bare.replace(/\([^()]*\)$/, ''), ':*');
}

export interface Column {
  col: number;
  letter: string;
  /** The header as the sheet writes it, for messages. */
  header: string;
}

interface Header {
  sheet: string;
  /** The first and last row of the header (two for a two-row header). */
  first: number;
  last: number;
  columns: Map<Field, Column & { rank: number }>;
}

/** `A`, `Z`, `AA`: Excel's column letters. */
export function columnLetter(col: number): string {
  let n = col;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

const cellAt = (grid: SheetGrid, row: number, col: number): SheetCell | undefined => grid.rows[row - 1]?.[col - 1];

function headerMatch(cell: SheetCell | undefined): { field: Field; rank: number; header: string } | undefined {
  if (typeof cell?.value !== 'string') return undefined;
  const key = headerKey(cell.value);
  // Offices write two names for one column: 目标/指标, 完成时限、截止时间.
  const match = FIELD_OF.get(key) ?? key.split(/[/、|]/).map((part) => FIELD_OF.get(headerKey(part))).find((m) => m !== undefined);
  return match === undefined ? undefined : { ...match, header: cell.value.replace(/\s+/g, '').trim() };
}

/**
 * The header of rows `first`..`last`: per column the lowest row's word that names a field, so a
 * group label over two columns (时间要求 over 开始时间 and 完成时限) gives way to what is under it.
 */
function headerOf(grid: SheetGrid, first: number, last: number): Header {
  const columns = new Map<Field, Column & { rank: number }>();
  const width = Math.max(0, ...[first, last].map((r) => grid.rows[r - 1]?.length ?? 0));
  for (let col = 1; col <= width; col += 1) {
    let match: ReturnType<typeof headerMatch>;
    for (let row = last; row >= first && match === undefined; row -= 1) match = headerMatch(cellAt(grid, row, col));
    if (match === undefined) continue;
    const taken = columns.get(match.field);
    if (taken === undefined || match.rank < taken.rank) {
      columns.set(match.field, { col, letter: columnLetter(col), header: match.header, rank: match.rank });
    }
  }
  return { sheet: grid.name, first, last, columns };
}

/** The rows (one, or two with merged cells) that name the most known columns, with a task name among them. */
function findHeader(grid: SheetGrid): Header | undefined {
  let best: Header | undefined;
  const rows = Math.min(HEADER_SCAN_ROWS, grid.rows.length);
  for (let row = 1; row <= rows; row += 1) {
    const single = headerOf(grid, row, row);
    const pair = row < grid.rows.length ? headerOf(grid, row, row + 1) : single;
    // The row under a one-row header is data: it only counts when it names more columns.
    const candidate = pair.columns.size > single.columns.size ? pair : single;
    if (!candidate.columns.has('title') || candidate.columns.size < 2) continue;
    if (best === undefined || candidate.columns.size > best.columns.size) best = candidate;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Cells

type Read<T> = { ok: true; value: T } | { ok: false; why: string };
const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (what: string, hint: string): Read<never> => ({ ok: false, why: `${what}；${hint}` });

/** What the cell shows, as one line of text; a date as `YYYY-MM-DD`. */
function textOf(value: SheetValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value.replace(/[\u200B\u2060\uFEFF]/g, '').replace(/\s+/g, ' ').trim();
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '是' : '否';
  return value.date;
}

const isBlank = (value: SheetValue): boolean => textOf(value) === '';

/** Tolerant of full-width forms and spaces, so a title typed twice slightly differently is one title. */
export const titleKey = (title: string): string => normalizeText(title).replace(/\s+/g, '');

function readId(value: SheetValue): Read<string | undefined> {
  const text = normalizeText(textOf(value)).replace(/\s+/g, '').toUpperCase();
  if (TASK_ID.test(text)) return ok(text);
  // A 序号 column counts rows (1, 2, 3 or 一、二); only a `T` asks for an id.
  if (text.startsWith('T')) return bad(M.badId(textOf(value)), M.hint.id);
  return ok(undefined);
}

function idOf(value: SheetValue): string | undefined {
  const id = readId(value);
  return id.ok ? id.value : undefined;
}

function readTitle(value: SheetValue): Read<string> {
  const text = textOf(value);
  return text === '' ? bad(M.missing, M.hint.title) : ok(text);
}

/** Excel's day count: 1 is 1900-01-01, and 25569 is 1970-01-01 (Excel counts a 29 February 1900). */
const EXCEL_EPOCH_DAY = 25569;
/** Serial numbers of 2000-01-01 and 2100-12-31: a date cell that lost its format, not a count. */
const SERIAL_MIN = 36526;
const SERIAL_MAX = 73415;

/** `2026年12月底前完成` means the same as `2026年12月底`. */
const DATE_TAIL = /(?:前|以前|之前)?(?:完成|办结|到位|完工)$/u;

function readDate(value: SheetValue, today: Ymd, hint: string): Read<Ymd> {
  if (typeof value === 'object' && value !== null) return isYmd(value.date) ? ok(value.date) : bad(M.noSuchDay(value.date), hint);
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= SERIAL_MIN && value <= SERIAL_MAX
      ? ok(fromEpochDay(value - EXCEL_EPOCH_DAY))
      : bad(M.unknownDate(String(value)), hint);
  }
  const text = textOf(value);
  if (text === '') return bad(M.missing, hint);
  const parsed = parseDate(normalizeText(text).replace(/\s+/g, '').replace(DATE_TAIL, ''), today);
  if (parsed.ok) return ok(parsed.value);
  return bad(parsed.problem.code === 'date-invalid' ? M.noSuchDay(text) : M.unknownDate(text), hint);
}

/**
 * A start date. A date without a year is in the import year: `3月1日` read in November is the
 * March just past, not next March as a deadline would be.
 */
function readStart(value: SheetValue, today: Ymd): Read<Ymd | undefined> {
  if (isBlank(value)) return ok(undefined);
  return readDate(value, `${today.slice(0, 4)}-01-01`, M.hint.start);
}

const ALL_TOWNSHIPS = new Set([
  'all', '全部', '全县', '所有', '各乡镇', '所有乡镇', '全部乡镇', '全县各乡镇', '各乡镇街道', '所有乡镇街道',
  '全部乡镇街道', '全县各乡镇街道', '各乡镇和街道', '全县乡镇', '各乡镇场',
]);
const TOWNSHIP_SEPARATORS = /[、，,；;/|\s]+/u;

/** Township names and ids (normalised) → the township. */
type TownshipIndex = ReadonlyMap<string, Township>;

function townshipIndex(townships: readonly Township[]): TownshipIndex {
  const index = new Map<string, Township>();
  for (const t of townships) {
    index.set(normalizeText(t.name).replace(/\s+/g, ''), t);
    if (!index.has(normalizeText(t.id))) index.set(normalizeText(t.id), t);
  }
  return index;
}

function readTownships(value: SheetValue, townships: readonly Township[], index: TownshipIndex): Read<'all' | string[]> {
  const text = normalizeText(textOf(value));
  if (text === '') return bad(M.missing, M.hint.townships);
  const whole = text.replace(/\((?:含)?街道\)|（(?:含)?街道）/gu, '').replace(/[、，,\s]+/gu, '').toLowerCase();
  if (ALL_TOWNSHIPS.has(whole)) return ok('all');
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const ref of text.split(TOWNSHIP_SEPARATORS).filter((r) => r !== '')) {
    const township = index.get(ref);
    if (township === undefined) unknown.push(ref);
    else if (!ids.includes(township.id)) ids.push(township.id);
  }
  if (unknown.length === 0) return ok(ids);
  const names = townships.map((t) => t.name);
  const what = unknown.map((ref) => M.noTownship(ref, closest(ref, names, { containing: true }))).join('；');
  return { ok: false, why: `${what}${what.endsWith('？') ? '' : '。'}${M.knownTownships(names)}` };
}

/** `已完成`, `建成`, `是`, `√`: the task is done or not, nothing to count. */
const DONE_TARGET = /^(?:已|全部|全面|按期|按时|如期|确保)?(?:完成|建成|办结|到位|落实|达标|全覆盖|是|√|✓|✔)(?:任务)?$/u;
// The lookbehind starts a number only at its first digit: tried from every digit of a long run, it took time squared.
const PERCENT_IN_TEXT = /(?<![\d.])\d+(?:\.\d+)?%|百分之[零〇一二两三四五六七八九十百点]+/gu;
/**
 * A count in a sentence: `每个村至少储备3名后备干部` → 每个村3名, `培育2个党建品牌` → 2个. The
 * words before the number may not hold a numeral, so `一村一品` is not read as a count of one.
 */
const COUNT_IN_TEXT = new RegExp(
  `^(每个?${VILLAGE_WORDS})?[^\\d零〇一二两三四五六七八九十百千万]*?(\\d+|[一二两三四五六七八九十]+)(个|名|人|位|处|家|户|座|所|间|项|次|件|条|支|套|份)`,
  'u',
);

function readTarget(value: SheetValue): Read<Target> {
  if (typeof value === 'boolean') return value ? ok({ kind: 'done' }) : bad(M.unknownTarget('否'), M.hint.target);
  const raw = textOf(value);
  const text = trimEndChars(normalizeText(raw).replace(/\s+/g, ''), '。.;；');
  if (text === '') return bad(M.missing, M.hint.target);
  // parseTarget reads a bare number as a percent, as a chat command may; in a sheet `3` is as
  // likely three of something, and a wrong guess changes what every township owes.
  if (/^\d+(?:\.\d+)?$/.test(text)) return bad(M.bareNumber(raw), M.hint.target);
  if (DONE_TARGET.test(text)) return ok({ kind: 'done' });
  const whole = parseTarget(text);
  if (whole.ok) return ok(whole.value);
  const percents = text.match(PERCENT_IN_TEXT) ?? [];
  const [percent] = percents;
  if (percent !== undefined && percents.length === 1) {
    const read = parseTarget(percent);
    if (read.ok) return ok(read.value);
  }
  const count = COUNT_IN_TEXT.exec(text);
  if (count !== null && percents.length === 0) {
    const read = parseTarget(`${count[1] ?? ''}${count[2] ?? ''}${count[3] ?? ''}`);
    if (read.ok) return ok(read.value);
  }
  return bad(M.unknownTarget(raw), M.hint.target);
}

function readDomain(value: SheetValue): Read<TaskDomain | undefined> {
  const text = textOf(value);
  if (text === '') return ok(undefined);
  const domain = parseDomain(text);
  return domain.ok ? ok(domain.value) : bad(M.unknownDomain(text), M.hint.domain);
}

function readWeight(value: SheetValue): Read<number | undefined> {
  const text = normalizeText(textOf(value));
  if (text === '') return ok(undefined);
  const n = typeof value === 'number' ? value : /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? ok(n) : bad(M.badWeight(textOf(value)), M.hint.weight);
}

// ---------------------------------------------------------------------------------------------
// Rows

const sheetValue: z.ZodType<SheetValue> = z.union([z.string(), z.number(), z.boolean(), z.object({ date: z.string() }), z.null()]);

/** A cell read by `read`: its reason for refusing becomes the issue's message. */
const cell = <T>(read: (value: SheetValue) => Read<T>) =>
  sheetValue.transform((value, ctx): T => {
    const result = read(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.why });
    return z.NEVER;
  });

/** One row: a field whose column the sheet lacks reads as an empty cell. */
const rowSchema = (today: Ymd, townships: readonly Township[], index: TownshipIndex) =>
  z.object({
    id: cell(readId),
    title: cell(readTitle),
    townships: cell((v) => readTownships(v, townships, index)),
    deadline: cell((v) => readDate(v, today, M.hint.deadline)),
    target: cell(readTarget),
    domain: cell(readDomain),
    start: cell((v) => readStart(v, today)),
    weight: cell(readWeight),
  });

/** A task as a row of the sheet states it; what the row leaves empty stays unset. */
export interface SheetTask {
  row: number;
  id?: string;
  title: string;
  townships: 'all' | string[];
  deadline: Ymd;
  target: Target;
  domain?: TaskDomain;
  start?: Ymd;
  weight?: number;
}

interface Problem {
  row: number;
  field?: Field;
  what: string;
}

/** `一、农村领域`, `（二）城市社区`: a section heading between tasks. */
const SECTION_HEADING = /^(?:[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十]+[）)])/u;
/** `备注：…`, `注：…`, `填表说明：…`: a remark under the table. */
const REMARK = /^(?:备注|附注|注|说明|填表说明)\s*[:：]/u;

type RowKind = 'blank' | 'aside' | 'task';

/**
 * Whether a row is a task. Blank rows, rows holding one remark or heading (usually merged across
 * the table), rows with only a 序号 or a 备注, and rows with nothing of their own in a task column
 * (only cells merged down from the row above) are not; every other row is, and must be complete.
 */
function rowKind(grid: SheetGrid, row: number, header: Header): RowKind {
  const cells = grid.rows[row - 1] ?? [];
  const filled = cells.map((c, col) => ({ c, col: col + 1 })).filter(({ c }) => !isBlank(c.value));
  if (filled.length === 0) return 'blank';
  const taskCols = new Set(TASK_FIELDS.map((f) => header.columns.get(f)?.col));
  const inTask = filled.filter(({ col }) => taskCols.has(col));
  const own = inTask.filter(({ c }) => c.mergedFrom === undefined || c.mergedFrom.row === row);
  if (own.length === 0) return 'aside';
  // One value across several task columns is a remark or a heading, never a task.
  const owner = ({ c, col }: { c: SheetCell; col: number }): string => (c.mergedFrom === undefined ? `${String(row)}:${String(col)}` : `${String(c.mergedFrom.row)}:${String(c.mergedFrom.col)}`);
  if (new Set(inTask.map(owner)).size === 1 && inTask.length > 1) return 'aside';
  if (new Set(filled.map(owner)).size === 1) {
    const text = textOf(filled[0]?.c.value ?? null);
    if (REMARK.test(text) || SECTION_HEADING.test(text)) return 'aside';
  }
  return 'task';
}

function readRow(grid: SheetGrid, row: number, header: Header, schema: ReturnType<typeof rowSchema>, problems: Problem[]): SheetTask | undefined {
  const input: Record<string, SheetValue> = {};
  for (const field of [...TASK_FIELDS, 'id'] as const) {
    const column = header.columns.get(field);
    input[field] = column === undefined ? null : (cellAt(grid, row, column.col)?.value ?? null);
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const [field] = issue.path;
      problems.push({ row, field: typeof field === 'string' ? (field as Field) : undefined, what: issue.message });
    }
    return undefined;
  }
  const { id, title, townships, deadline, target, domain, start, weight } = result.data;
  if (start !== undefined && start > deadline) {
    problems.push({ row, field: 'start', what: M.startAfterDeadline(start, deadline) });
    return undefined;
  }
  const task: SheetTask = { row, title, townships, deadline, target };
  if (id !== undefined) task.id = id;
  if (domain !== undefined) task.domain = domain;
  if (start !== undefined) task.start = start;
  if (weight !== undefined) task.weight = weight;
  return task;
}

/** A per-village count given to a township without villages would ask it for nothing. */
function checkVillages(task: SheetTask, townships: readonly Township[], problems: Problem[]): boolean {
  if (task.target.kind !== 'count' || task.target.per !== 'village') return true;
  const scope = task.townships;
  const empty = townships.filter((t) => t.villages === 0 && (scope === 'all' || scope.includes(t.id)));
  if (empty.length > 0) problems.push({ row: task.row, field: 'target', what: M.noVillages(empty.map((t) => t.name)) });
  return empty.length === 0;
}

/** Over every task row, good or bad, so a repeated title is reported even beside other mistakes. */
function checkUnique(keys: readonly { row: number; key: string | undefined }[], field: Field, message: (other: number) => string, problems: Problem[]): void {
  const seen = new Map<string, number>();
  for (const { row, key } of keys) {
    if (key === undefined || key === '') continue;
    const other = seen.get(key);
    if (other === undefined) seen.set(key, row);
    else problems.push({ row, field, what: message(other) });
  }
}

function keysOf(grid: SheetGrid, rows: readonly number[], column: Column | undefined, key: (value: SheetValue) => string | undefined) {
  return rows.map((row) => ({ row, key: column === undefined ? undefined : key(cellAt(grid, row, column.col)?.value ?? null) }));
}

// ---------------------------------------------------------------------------------------------
// The sheet

export interface TaskSheet {
  sheet: string;
  headerRow: number;
  columns: ReadonlyMap<Field, Column>;
  tasks: SheetTask[];
}

interface SheetRead {
  sheet?: TaskSheet;
  /** Problems not tied to a row (no header, a missing column), already worded. */
  general: string[];
  problems: Problem[];
}

function readSheet(grids: readonly SheetGrid[], townships: readonly Township[], today: Ymd): SheetRead {
  if (grids.length === 0) return { general: [M.noSheets], problems: [] };
  let header: Header | undefined;
  let grid: SheetGrid | undefined;
  for (const g of grids) {
    header = findHeader(g);
    grid = g;
    if (header) break;
  }
  if (header === undefined || grid === undefined) return { general: [M.noHeader(grids.map((g) => g.name), HEADER_SCAN_ROWS)], problems: [] };

  const missing = REQUIRED.filter((f) => !header.columns.has(f));
  if (missing.length > 0) {
    const general = missing.map((f) => M.missingColumn(header.sheet, header.last, HEADERS[f][0] ?? f, HEADERS[f].slice(1), M.column[f]));
    return { general, problems: [] };
  }

  const index = townshipIndex(townships);
  const schema = rowSchema(today, townships, index);
  const problems: Problem[] = [];
  const tasks: SheetTask[] = [];
  const rows: number[] = [];
  for (let row = header.last + 1; row <= grid.rows.length; row += 1) {
    if (rowKind(grid, row, header) !== 'task') continue;
    rows.push(row);
    const task = readRow(grid, row, header, schema, problems);
    if (task !== undefined && checkVillages(task, townships, problems)) tasks.push(task);
  }
  if (rows.length === 0) return { general: [M.noRows(header.sheet, header.last)], problems: [] };
  checkUnique(keysOf(grid, rows, header.columns.get('title'), (v) => titleKey(textOf(v))), 'title', M.duplicateTitle, problems);
  checkUnique(keysOf(grid, rows, header.columns.get('id'), idOf), 'id', M.duplicateId, problems);

  const columns = new Map<Field, Column>([...header.columns].map(([f, { col, letter, header: h }]) => [f, { col, letter, header: h }]));
  return { sheet: { sheet: header.sheet, headerRow: header.last, columns, tasks }, general: [], problems };
}

// ---------------------------------------------------------------------------------------------
// Against the county's tasks

export interface ImportPlan {
  sheet: string;
  /** Existing tasks with the sheet's fields, and new tasks whose 编号 the sheet gives. */
  update: Task[];
  /** New tasks without an 编号: the store numbers them. */
  create: Omit<Task, 'id'>[];
  /** The new tasks among `update`: their ids are the sheet's. */
  createdWithId: Task[];
}

export type SheetImport = { ok: true; plan: ImportPlan } | { ok: false; errors: string[] };

/**
 * Each row finds its task: by 编号 when it has one, else by title. What a row leaves empty
 * (领域, 开始时间, 权重) keeps the task's value, or for a new task takes the default: 综合, the
 * import day (the deadline, if that is earlier), 1. Status and 销号 day are never the sheet's.
 */
function plan(sheet: TaskSheet, existing: readonly Task[], today: Ymd, problems: Problem[]): ImportPlan {
  const byId = new Map(existing.map((t) => [t.id, t]));
  const byTitle = new Map<string, Task[]>();
  for (const t of existing) byTitle.set(titleKey(t.title), [...(byTitle.get(titleKey(t.title)) ?? []), t]);

  const claimed = new Map<string, number>();
  const update: Task[] = [];
  const createdWithId: Task[] = [];
  const create: Omit<Task, 'id'>[] = [];
  const fresh: SheetTask[] = [];

  for (const row of sheet.tasks) {
    let task: Task | undefined;
    if (row.id !== undefined) {
      task = byId.get(row.id);
    } else {
      const named = byTitle.get(titleKey(row.title)) ?? [];
      if (named.length > 1) {
        problems.push({ row: row.row, field: 'title', what: M.ambiguousTitle(named.map((t) => t.id)) });
        continue;
      }
      task = named[0];
    }
    if (task === undefined) {
      fresh.push(row);
      continue;
    }
    const other = claimed.get(task.id);
    if (other !== undefined) {
      problems.push({ row: row.row, field: row.id === undefined ? 'title' : 'id', what: M.sameTask(other, task.id) });
      continue;
    }
    claimed.set(task.id, row.row);
    const start = row.start ?? task.start;
    if (start > row.deadline) {
      problems.push({ row: row.row, field: 'deadline', what: M.deadlineBeforeOldStart(row.deadline, start) });
      continue;
    }
    update.push({ ...task, ...fields(row), domain: row.domain ?? task.domain, start, weight: row.weight ?? task.weight });
  }

  // The store numbers new tasks from its counter and skips the ids in use, not the ids this sheet
  // is about to take (nor those earlier sheets gave without moving the counter): the two could meet.
  const unnumbered = fresh.filter((r) => r.id === undefined);
  for (const row of fresh) {
    const created = { ...fields(row), domain: row.domain ?? '综合', start: row.start ?? (today < row.deadline ? today : row.deadline), weight: row.weight ?? 1, status: 'open' as const };
    if (row.id === undefined) {
      create.push(created);
    } else if (unnumbered.length > 0) {
      problems.push({ row: row.row, field: 'id', what: M.idCollision(row.id) });
    } else {
      const task = { id: row.id, ...created };
      update.push(task);
      createdWithId.push(task);
    }
  }
  return { sheet: sheet.sheet, update, create, createdWithId };
}

function fields(row: SheetTask): Pick<Task, 'title' | 'deadline' | 'target' | 'townships'> {
  return { title: row.title, deadline: row.deadline, target: row.target, townships: row.townships };
}

/**
 * Reads a 任务分解表 — the first worksheet with a header row — against the county's townships and
 * tasks. Any bad row fails the whole import: a sheet half imported would be worse than none.
 */
export function importTaskSheet(
  grids: readonly SheetGrid[],
  county: { townships: readonly Township[]; tasks: readonly Task[]; today: Ymd },
): SheetImport {
  const garbled = garbledCells(grids);
  if (garbled.length > 0) {
    const listed = garbled.slice(0, GARBLED_LISTED).map((c) => workbookMessages.garbledCell(c.sheet, c.row, columnLetter(c.col)));
    return { ok: false, errors: [workbookMessages.garbled(listed, garbled.length)] };
  }
  const read = readSheet(grids, county.townships, county.today);
  if (read.sheet === undefined) return { ok: false, errors: read.general };
  const problems = [...read.problems];
  const planned = plan(read.sheet, county.tasks, county.today, problems);
  if (problems.length > 0) return { ok: false, errors: format(problems, read.sheet.columns) };
  return { ok: true, plan: planned };
}

/** Up to this many garbled cells are named; a sheet garbled throughout gets a count. */
const GARBLED_LISTED = 10;

/**
 * Cells holding U+FFFD, the character a decoder puts where bytes were not text in its encoding:
 * the sheet was made from a file read in the wrong encoding (a GBK CSV opened as UTF-8, or an XML
 * part declaring GBK, which exceljs reads as UTF-8), and the names it held are gone. Checked
 * before the header, which a garbled sheet would not have.
 */
function garbledCells(grids: readonly SheetGrid[]): { sheet: string; row: number; col: number }[] {
  const found: { sheet: string; row: number; col: number }[] = [];
  for (const grid of grids) {
    grid.rows.forEach((cells, r) => {
      cells.forEach((cell, c) => {
        // A merge's cells share its value: the merge is named once, at its top-left cell.
        if (cell.mergedFrom === undefined && typeof cell.value === 'string' && cell.value.includes('\uFFFD')) found.push({ sheet: grid.name, row: r + 1, col: c + 1 });
      });
    });
  }
  return found;
}

function format(problems: readonly Problem[], columns: ReadonlyMap<Field, Column>): string[] {
  return problems
    .map((p, order) => ({ p, order, col: p.field === undefined ? undefined : columns.get(p.field) }))
    .sort((a, b) => a.p.row - b.p.row || (a.col?.col ?? 0) - (b.col?.col ?? 0) || a.order - b.order)
    .map(({ p, col }) => (col === undefined ? M.atRow(p.row, p.what) : M.at(p.row, col.letter, col.header, p.what)));
}
