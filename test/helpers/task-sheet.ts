/**
 * 任务分解表 workbooks for tests and for `examples/任务分解表.xlsx`: a county's tasks laid out as a
 * county office lays them out — a merged title row, a header, Excel date cells, a merged remark at
 * the bottom — and any variation a test needs (a two-row header, full-width text, broken cells).
 *
 * Regenerate the example after changing examples/sample-county.yaml:
 *   npx tsc && node dist/test/helpers/task-sheet.js
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import { targetText, townshipsText } from '../../src/messages/index.js';
import type { Task, County } from '../../src/domain/model.js';
import { parseSetup } from '../../src/setup/index.js';

/** A cell to write: a Date or `{ date }` becomes an Excel date cell, `{ percent }` a percent-formatted number. */
export type CellInput = string | number | boolean | Date | null | { date: string } | { percent: number };

export interface SheetSpec {
  name?: string;
  /** A title row above the header, merged across the table. */
  title?: string;
  /**
   * A row above `headers`, making a two-row header: equal neighbours merge across (时间要求 over
   * 开始时间 and 完成时限); a column whose entry is null has its header merged down over both rows.
   */
  groups?: readonly (string | null)[];
  headers: readonly string[];
  rows: readonly (readonly CellInput[])[];
  /** A remark row under the table, merged across it. */
  note?: string;
  /** More merges, in data-row terms: `{ col: 4, from: 0, to: 2 }` merges column D over data rows 0–2. */
  mergeDown?: readonly { col: number; from: number; to: number }[];
  /** Number format of date cells; Chinese offices like 2026年12月31日. */
  dateFormat?: string;
}

/** The Excel row number of data row `index` (0-based) in a sheet built from `spec`. */
export function dataRow(spec: SheetSpec, index: number): number {
  return (spec.title === undefined ? 0 : 1) + (spec.groups === undefined ? 1 : 2) + index + 1;
}

const THIN: Partial<ExcelJS.Border> = { style: 'thin' };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };

function write(cell: ExcelJS.Cell, value: CellInput, dateFormat: string): void {
  if (value instanceof Date) {
    cell.value = value;
    cell.numFmt = dateFormat;
  } else if (value !== null && typeof value === 'object' && 'date' in value) {
    cell.value = new Date(`${value.date}T00:00:00.000Z`);
    cell.numFmt = dateFormat;
  } else if (value !== null && typeof value === 'object') {
    cell.value = value.percent / 100;
    cell.numFmt = '0%';
  } else {
    cell.value = value;
  }
}

export function sheetWorkbook(spec: SheetSpec): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  // Fixed, so regenerating the example changes the file only when its content changes.
  workbook.created = workbook.modified = new Date('2026-02-20T00:00:00Z');
  workbook.creator = '县委组织部组织科';
  const ws = workbook.addWorksheet(spec.name ?? '任务分解表', {
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const width = spec.headers.length;
  const dateFormat = spec.dateFormat ?? 'yyyy"年"m"月"d"日"';
  let row = 1;

  if (spec.title !== undefined) {
    const cell = ws.getCell(row, 1);
    cell.value = spec.title;
    cell.font = { bold: true, size: 16 };
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
    ws.getRow(row).height = 32;
    ws.mergeCells(row, 1, row, width);
    row += 1;
  }

  const headerStyle = (cell: ExcelJS.Cell): void => {
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = BORDER;
  };
  if (spec.groups !== undefined) {
    const groups = spec.groups;
    for (let c = 1; c <= width; c += 1) {
      const group = groups[c - 1] ?? null;
      if (group === null) {
        ws.getCell(row, c).value = spec.headers[c - 1] ?? null;
        ws.mergeCells(row, c, row + 1, c);
      } else {
        ws.getCell(row + 1, c).value = spec.headers[c - 1] ?? null;
        if (groups[c - 2] !== group) {
          ws.getCell(row, c).value = group;
          let end = c;
          while (end < width && groups[end] === group) end += 1;
          if (end > c) ws.mergeCells(row, c, row, end);
        }
      }
      headerStyle(ws.getCell(row, c));
      headerStyle(ws.getCell(row + 1, c));
    }
    row += 2;
  } else {
    spec.headers.forEach((h, i) => {
      const cell = ws.getCell(row, i + 1);
      cell.value = h;
      headerStyle(cell);
    });
    row += 1;
  }

  const first = row;
  for (const values of spec.rows) {
    values.forEach((v, i) => {
      const cell = ws.getCell(row, i + 1);
      write(cell, v, dateFormat);
      cell.alignment = { vertical: 'middle', wrapText: true };
      cell.border = BORDER;
    });
    row += 1;
  }
  for (const m of spec.mergeDown ?? []) ws.mergeCells(first + m.from, m.col, first + m.to, m.col);

  if (spec.note !== undefined) {
    const cell = ws.getCell(row, 1);
    cell.value = spec.note;
    cell.alignment = { vertical: 'top', wrapText: true };
    ws.getRow(row).height = 48;
    ws.mergeCells(row, 1, row, width);
  }
  return workbook;
}

export async function sheetBytes(spec: SheetSpec): Promise<Buffer> {
  return Buffer.from(await sheetWorkbook(spec).xlsx.writeBuffer());
}

export const SAMPLE_HEADERS = ['序号', '任务名称', '领域', '责任单位', '目标', '开始时间', '完成时限', '权重', '备注'] as const;

export interface TaskSheetOptions {
  title?: string;
  /** How a task's target is written, by task id; otherwise as the export writes it (100%, 每村3个). */
  targets?: Readonly<Record<string, string>>;
  /** 备注 per task id. */
  notes?: Readonly<Record<string, string>>;
  /** What 责任单位 says for a task of every township. */
  allTownships?: string;
  note?: string;
}

/** The county's tasks as a one-row-header 任务分解表 with a 序号 column (row numbers, not ids). */
export function taskSheetSpec(county: County, options: TaskSheetOptions = {}): SheetSpec {
  const row = (task: Task, i: number): CellInput[] => [
    i + 1,
    task.title,
    task.domain,
    task.townships === 'all' ? (options.allTownships ?? '各乡镇（街道）') : townshipsText(task, county.townships),
    options.targets?.[task.id] ?? targetText(task.target),
    { date: task.start },
    { date: task.deadline },
    task.weight,
    options.notes?.[task.id] ?? null,
  ];
  return {
    name: '任务分解表',
    title: options.title ?? `${county.name}2026年基层党建重点任务分解表`,
    headers: SAMPLE_HEADERS,
    rows: county.tasks.map(row),
    note: options.note,
  };
}

/** The sample county of examples/sample-county.yaml. */
export function sampleCounty(): County {
  const result = parseSetup(readFileSync('examples/sample-county.yaml', 'utf8'), 'sample-county.yaml');
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.county;
}

/** The shipped example: targets and remarks worded as the county's documents word them. */
export function sampleSheetSpec(county: County = sampleCounty()): SheetSpec {
  return taskSheetSpec(county, {
    targets: {
      T1: '每村建成1个',
      T3: '每个村至少储备3名',
      T4: '每村1所',
      T5: '百分之百',
      T7: '建成3个',
      T8: '每个乡镇培育2个',
      T12: '培育1个',
    },
    notes: {
      T2: '确保12月前全面整顿到位',
      T3: '每个村至少储备3名后备干部',
      T6: '8月底前完成“五基三化”提升年行动各项工作任务',
      T7: '城市基层党建，只下达街道',
      T8: '一村一特色，一支部一品牌',
      T12: '着力培育至少1个“红色业委会”“红色物业”典型小区',
    },
    note:
      '备注：1. 责任单位为「各乡镇（街道）」的，由全县13个乡镇（街道）共同承担。' +
      '2. 各乡镇（街道）在工作群里@督办助手报送进度，按百分比的任务报百分比，例如「上报 T5 80%」，按个数的任务报个数，例如「上报 T1 3个」；' +
      '县委组织部每月通报完成排名，一月一通报。',
  });
}

function styleSample(workbook: ExcelJS.Workbook): void {
  const ws = workbook.worksheets[0];
  if (!ws) return;
  [6, 36, 7, 34, 18, 14, 14, 6, 30].forEach((width, i) => {
    ws.getColumn(i + 1).width = width;
  });
  ws.views = [{ state: 'frozen', ySplit: 2 }];
  ws.pageSetup.printTitlesRow = '2:2';
  // A4 (exceljs's PaperSize is a const enum isolated modules cannot read).
  Object.assign(ws.pageSetup, { paperSize: 9 });
}

// `node dist/test/helpers/task-sheet.js` writes the example; importing this file does nothing.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  const workbook = sheetWorkbook(sampleSheetSpec());
  styleSample(workbook);
  writeFileSync('examples/任务分解表.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
  process.stdout.write('wrote examples/任务分解表.xlsx\n');
}
