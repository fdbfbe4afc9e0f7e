/**
 * A task sheet's header: the row (or two) whose words name the columns, each word to the field it
 * means, so columns are found wherever the county's office put them.
 */
import { normalizeText, trimEndChars, trimStartChars } from '../domain/parse/index.js';
import { cellAt, columnLetter, type SheetCell, type SheetGrid } from './grid.js';

export type Field = 'id' | 'title' | 'townships' | 'deadline' | 'target' | 'domain' | 'start' | 'weight' | 'note';

/**
 * Header words of each field, the preferred first: when two columns mean one field (牵头单位
 * beside 责任单位, 序号 beside 编号), the better word wins and the other column is ignored.
 */
export const HEADERS: Readonly<Record<Field, readonly string[]>> = {
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

export const REQUIRED = ['title', 'townships', 'deadline', 'target'] as const;
/** The fields a task row is made of; 编号 and 备注 alone do not make a row a task. */
export const TASK_FIELDS = ['title', 'townships', 'deadline', 'target', 'domain', 'start', 'weight'] as const;

const FIELD_OF = new Map<string, { field: Field; rank: number }>(
  (Object.entries(HEADERS) as [Field, readonly string[]][]).flatMap(([field, words]) => words.map((w, rank) => [w, { field, rank }] as const)),
);

/** How far down a header row may sit: below a title, a subtitle, a date line and a two-row header. */
export const HEADER_SCAN_ROWS = 10;

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

export interface Header {
  sheet: string;
  /** The first and last row of the header (two for a two-row header). */
  first: number;
  last: number;
  columns: Map<Field, Column & { rank: number }>;
}

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
export function findHeader(grid: SheetGrid): Header | undefined {
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
