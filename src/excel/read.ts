/**
 * An .xlsx workbook → plain grids of what each cell shows (src/excel/task-sheet.ts reads them).
 * The only place that knows exceljs's reading side (docs/architecture.md §4.3), so it can be swapped
 * for a fork: its cell value union and UTC-midnight dates end here. What reaches exceljs was
 * inspected first (src/excel/inspect.ts).
 */
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { workbookMessages } from '../messages/index.js';
import { inspectWorkbook, MAX_COLUMNS, MAX_ROWS, RefusedWorkbookError, type Merge } from './inspect.js';
import type { SheetCell, SheetGrid, SheetValue } from './grid.js';

export { RefusedWorkbookError };

/**
 * What exceljs's sheet reader may skip (its README, "Reading XLSX": ignoreNodes): all but the cell
 * data. It expands data validations and `<col>` ranges cell by cell (a dropdown on a whole column
 * is a million entries; `A1:XFD1048576` never finishes) and checks merges pairwise (16,000 merges
 * take 40 s); the merges are applied here from the inspection instead.
 */
const IGNORED_NODES = [
  'sheetPr', 'dimension', 'sheetViews', 'sheetFormatPr', 'cols', 'autoFilter', 'mergeCells', 'rowBreaks', 'hyperlinks', 'pageMargins',
  'dataValidations', 'pageSetup', 'headerFooter', 'printOptions', 'picture', 'drawing', 'sheetProtection', 'tableParts', 'conditionalFormatting', 'extLst',
];

/**
 * The visible sheets as grids, every row and column of them: a workbook over the limits of
 * src/excel/inspect.ts is refused (`RefusedWorkbookError`) before exceljs reads it.
 */
export async function readWorkbook(data: Uint8Array): Promise<SheetGrid[]> {
  const { parts, sheets } = await inspectWorkbook(data);
  // Only the inspected parts, inflated and checked, reach exceljs, stored: it inflates nothing of the file's itself.
  const zip = new JSZip();
  for (const [path, bytes] of parts) zip.file(path, bytes);
  const stored = await zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its input as an ArrayBuffer and reads any Node buffer.
    await workbook.xlsx.load(stored as unknown as ExcelJS.Buffer, { ignoreNodes: IGNORED_NODES });
  } catch (error) {
    throw new RefusedWorkbookError(workbookMessages.unreadable, { cause: error });
  }
  const merges = new Map(sheets.map((s) => [s.name, s.merges]));
  return workbook.worksheets.filter((ws) => ws.state === 'visible').map((ws) => gridOf(ws, merges.get(ws.name) ?? []));
}

const EMPTY: SheetCell = { value: null };

/**
 * Rows as long as their last cell holding a value (ragged: a cell past a row's end is empty), and
 * every cell of a merge showing its top-left cell's value, as Excel displays it.
 */
function gridOf(ws: ExcelJS.Worksheet, merges: readonly Merge[]): SheetGrid {
  const rows: SheetCell[][] = [];
  const put = (row: number, col: number, cell: SheetCell): void => {
    while (rows.length < row) rows.push([]);
    const cells = rows[row - 1] ?? [];
    while (cells.length < col - 1) cells.push(EMPTY);
    cells[col - 1] = cell;
  };
  ws.eachRow((row, r) => {
    row.eachCell((cell, c) => {
      const value = valueOf(cell.value, cell.numFmt);
      if (value !== null) put(r, c, { value });
    });
  });
  for (const { top, left, bottom, right } of merges) {
    const value = rows[top - 1]?.[left - 1]?.value ?? null;
    // One object for all of a merge's cells: a merge over a whole table is one value, not one per cell.
    const merged: SheetCell = { value, mergedFrom: { row: top, col: left } };
    for (let r = top; r <= bottom; r += 1) for (let c = left; c <= right; c += 1) if (r !== top || c !== left) put(r, c, merged);
  }
  // Never cut to fit: the inspection refuses a workbook over these, so a larger grid is a bug here.
  if (rows.length > MAX_ROWS || rows.some((cells) => cells.length > MAX_COLUMNS)) throw new Error(`sheet ${ws.name} is larger than its inspection allowed`);
  return { name: ws.name, rows };
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
