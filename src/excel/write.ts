/**
 * An export table (src/excel/tables.ts) → an .xlsx workbook that prints: a title, a bold header
 * row that stays in view and repeats on every page, real dates, A4 landscape fitted to the width.
 * The only place that knows exceljs's writing side.
 */
import ExcelJS from 'exceljs';
import { beijingInstant } from '../domain/dates.js';
import { workbookPage } from '../messages/index.js';
import type { ColumnFormat, ExportTable, ExportValue } from './tables.js';

const NUMBER_FORMATS: Readonly<Record<ColumnFormat, string | undefined>> = {
  text: undefined,
  integer: '0',
  number: 'General',
  score: workbookPage.scoreFormat,
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm',
};

/** exceljs's PaperSize is an ambient const enum, which isolated modules cannot read: A4 is 9. */
const A4 = 9;
const TITLE_ROW = 1;
const HEADER_ROW = 2;
const THIN: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FFBFBFBF' } };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/**
 * exceljs writes a Date's UTC fields as the cell's wall-clock time, so an instant goes in as a
 * Date whose UTC fields read Beijing time: the sheet shows what the county's clocks showed.
 */
function cellValue(value: ExportValue): ExcelJS.CellValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if ('date' in value) return new Date(`${value.date}T00:00:00.000Z`);
  return new Date(`${beijingInstant(new Date(value.instant)).slice(0, 23)}Z`);
}

/** A workbook of `table`'s sheet, then one for each of `more`. */
export function tableWorkbook(table: ExportTable, ...more: readonly ExportTable[]): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = workbookPage.creator;
  for (const sheet of [table, ...more]) addSheet(workbook, sheet);
  return workbook;
}

function addSheet(workbook: ExcelJS.Workbook, table: ExportTable): void {
  const width = table.columns.length;
  const ws = workbook.addWorksheet(table.sheet, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADER_ROW }],
    pageSetup: {
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      // 0: as many pages down as the rows need.
      fitToHeight: 0,
      printTitlesRow: `${String(HEADER_ROW)}:${String(HEADER_ROW)}`,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: workbookPage.footer },
  });
  Object.assign(ws.pageSetup, { paperSize: A4 });
  ws.columns = table.columns.map((c) => ({ width: c.width }));

  const title = ws.getRow(TITLE_ROW);
  title.getCell(1).value = table.title;
  title.getCell(1).font = { bold: true, size: 14 };
  title.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
  title.height = 26;
  if (width > 1) ws.mergeCells(TITLE_ROW, 1, TITLE_ROW, width);

  const header = ws.getRow(HEADER_ROW);
  table.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7EEF7' } };
    cell.border = BORDER;
  });
  header.height = 22;

  table.rows.forEach((values, r) => {
    const row = ws.getRow(HEADER_ROW + 1 + r);
    table.columns.forEach((c, i) => {
      const cell = row.getCell(i + 1);
      cell.value = cellValue(values[i] ?? null);
      const format = NUMBER_FORMATS[c.format];
      if (format !== undefined) cell.numFmt = format;
      cell.alignment = { vertical: 'top', wrapText: c.format === 'text' };
      cell.border = BORDER;
    });
  });
  if (table.rows.length > 0) ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: HEADER_ROW, column: width } };
}

export async function tableBuffer(table: ExportTable, ...more: readonly ExportTable[]): Promise<Buffer> {
  return Buffer.from(await tableWorkbook(table, ...more).xlsx.writeBuffer());
}
