/**
 * A task sheet's rows under its header: which are tasks (not blank, a heading or a remark), each
 * read whole through its cells, with the checks across rows (repeated titles and ids, per-village
 * targets for townships without villages).
 */
import * as z from 'zod';
import type { Target, TaskDomain, Township, Ymd } from '../domain/model.js';
import { sheetMessages as M } from '../messages/index.js';
import { idOf, isBlank, readDate, readDomain, readId, readStart, readTarget, readTitle, readTownships, readWeight, textOf, titleKey, townshipIndex, type Read, type TownshipIndex } from './cells.js';
import { cellAt, type SheetCell, type SheetGrid, type SheetValue } from './grid.js';
import { findHeader, HEADER_SCAN_ROWS, HEADERS, REQUIRED, TASK_FIELDS, type Column, type Field, type Header } from './headers.js';

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

export interface Problem {
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

export function readSheet(grids: readonly SheetGrid[], townships: readonly Township[], today: Ymd): SheetRead {
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
