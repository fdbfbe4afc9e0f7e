/**
 * An .xlsx workbook → plain grids of what each cell shows (src/domain/task-sheet.ts reads them).
 * The only place that knows exceljs's reading side (research/libs.md §9), so it can be swapped
 * for a fork: its cell value union, UTC-midnight dates and merged cells end here.
 */
import ExcelJS from 'exceljs';
import type { SheetCell, SheetGrid, SheetValue } from '../domain/task-sheet.js';

/** A file exceljs cannot open: not an .xlsx (an old .xls, a CSV, a damaged download). */
export class UnreadableWorkbookError extends Error {
  constructor(cause: unknown) {
    super('读不出这个 Excel 文件：它不是 .xlsx 格式，或者已经损坏。旧的 .xls 文件请先在 Excel 或 WPS 里「另存为」.xlsx 再导入。', { cause });
    this.name = 'UnreadableWorkbookError';
  }
}

/** A task table has hundreds of rows; a sheet styled down to row 1,048,576 should not take minutes. */
const MAX_ROWS = 10_000;
const MAX_COLUMNS = 100;

export async function readWorkbook(data: Uint8Array): Promise<SheetGrid[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its input as an ArrayBuffer and reads any Node buffer.
    await workbook.xlsx.load(Buffer.from(data) as unknown as ExcelJS.Buffer);
  } catch (error) {
    throw new UnreadableWorkbookError(error);
  }
  return workbook.worksheets.filter((ws) => ws.state === 'visible').map(gridOf);
}

function gridOf(ws: ExcelJS.Worksheet): SheetGrid {
  const rows: SheetCell[][] = [];
  const height = Math.min(ws.rowCount, MAX_ROWS);
  const width = Math.min(ws.columnCount, MAX_COLUMNS);
  for (let r = 1; r <= height; r += 1) {
    const row: SheetCell[] = [];
    for (let c = 1; c <= width; c += 1) row.push(cellOf(ws.getCell(r, c)));
    rows.push(row);
  }
  return { name: ws.name, rows };
}

function cellOf(cell: ExcelJS.Cell): SheetCell {
  // A merged cell's value sits on its master, the merge's top-left cell.
  const master = cell.isMerged ? cell.master : cell;
  const value = valueOf(master.value, master.numFmt);
  if (master === cell || master.address === cell.address) return { value };
  return { value, mergedFrom: { row: Number(master.row), col: Number(master.col) } };
}

const ymdOf = (d: Date): string =>
  `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;

/** What the cell shows: rich text as its text, a formula as its result, a date (UTC midnight in exceljs) as its day. */
function valueOf(value: ExcelJS.CellValue, numFmt: string | undefined): SheetValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    // A percent cell holds 1 for 100 %: the sheet means what it shows.
    if (numFmt?.includes('%') === true) return `${String(Math.round(value * 1e6) / 1e4)}%`;
    return value;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : { date: ymdOf(value) };
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('error' in value) return value.error;
  if ('formula' in value || 'sharedFormula' in value) {
    const result: unknown = value.result;
    if (result === undefined || result === null) return null;
    if (typeof result === 'object' && 'error' in result) return typeof result.error === 'string' ? result.error : '#ERROR!';
    return valueOf(result as ExcelJS.CellValue, numFmt);
  }
  if ('text' in value) return value.text;
  return null;
}
