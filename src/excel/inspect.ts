/**
 * What an .xlsx holds, found out before anything reads it whole (issue 12). A workbook is a zip of
 * XML parts; exceljs inflates each part into one string and builds an object per row and cell (and
 * per cell of a merge, a data validation or a `<col>` range), so a 0.4 MB file could cost gigabytes
 * or never finish. Here yauzl reads the sizes the zip's central directory declares and refuses an
 * entry that inflates past its declared size (a zip bomb may lie); saxes streams each sheet's XML
 * to count its rows, columns and cells. Only the parts the import reads are inflated and kept, and
 * nothing else reaches exceljs.
 */
import { SaxesParser } from 'saxes';
import yauzl from 'yauzl';
import { workbookMessages } from '../messages/index.js';
import { columnLetter } from './grid.js';

// ---------------------------------------------------------------------------------------------
// Limits (README "CLI" → duban import). Each is far above a real 任务分解表 — a county's sheet has
// tens to hundreds of task rows and about ten columns — and keeps exceljs under a few hundred MB.

/** The file as stored: the sample is 9 KB; pasted pictures (never read) may take a few MB. */
export const MAX_WORKBOOK_BYTES = 20 * 1024 * 1024;
/**
 * The parts read (the workbook, its sheets, shared strings and styles), uncompressed: exceljs holds
 * each as one string while it parses, and deflate packs repeated XML a thousandfold.
 */
export const MAX_CONTENT_BYTES = 10 * 1024 * 1024;
/** Rows of all sheets together, to a sheet's last row holding anything: ten times a large county's tasks. */
export const MAX_ROWS = 10_000;
/** Columns of a sheet, to the last one holding anything: a sheet with a column per township stays under 60. */
export const MAX_COLUMNS = 100;
/**
 * Every row and cell the file writes, filled or only formatted, and every cell inside a merge:
 * exceljs keeps an object of about 400 bytes for each (measured), so this is about 80 MB.
 */
export const MAX_CELLS = 200_000;

// ---------------------------------------------------------------------------------------------

/** Why a workbook was refused, in words for the admin (src/messages/excel.ts). */
export class RefusedWorkbookError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RefusedWorkbookError';
  }
}

const W = workbookMessages;

export interface Merge {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export interface SheetFacts {
  /** The sheet's name as the workbook lists it (exceljs's `worksheet.name`). */
  name: string;
  /** The last row and column holding anything: a row, a cell (even empty), or part of a merge. */
  rows: number;
  columns: number;
  merges: Merge[];
}

export interface InspectedWorkbook {
  /** The parts exceljs needs to read cell values, by path in the zip. */
  parts: Map<string, Uint8Array>;
  sheets: SheetFacts[];
}

/**
 * The parts read, as exceljs names them (lib/xlsx/xlsx.js matches these paths): the workbook and
 * its relations (sheet names and order), styles (number formats: dates and percents), shared
 * strings and sheets. Drawings, comments, tables, pictures and themes stay compressed and unread.
 */
const READ_PARTS = /^(?:xl\/workbook\.xml|xl\/_rels\/workbook\.xml\.rels|xl\/styles\.xml|xl\/sharedStrings\.xml|xl\/worksheets\/sheet\d+\.xml)$/;
const SHEET_PART = /^xl\/worksheets\/sheet\d+\.xml$/;

/** `PK\x03\x04`, the local file header every zip starts with (APPNOTE.TXT §4.3.7). */
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** The OLE2 compound file header: an Excel 97–2003 .xls, or an .xlsx encrypted by a password. */
const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const startsWith = (data: Uint8Array, magic: readonly number[]): boolean => magic.every((byte, i) => data[i] === byte);

/** Reads the zip's directory and the parts the import needs, within the limits above; throws `RefusedWorkbookError`. */
export async function inspectWorkbook(data: Uint8Array): Promise<InspectedWorkbook> {
  if (data.length > MAX_WORKBOOK_BYTES) throw new RefusedWorkbookError(W.tooLarge(data.length, MAX_WORKBOOK_BYTES));
  if (!startsWith(data, ZIP_MAGIC)) throw new RefusedWorkbookError(startsWith(data, OLE2_MAGIC) ? W.oldXls : looksLikeText(data) ? W.notWorkbook : W.unreadable);
  const parts = await readParts(Buffer.from(data.buffer, data.byteOffset, data.length));
  // A zip without a workbook: a .docx, or an archive renamed.
  if (!parts.has('xl/workbook.xml')) throw new RefusedWorkbookError(W.unreadable);
  const names = sheetNames(parts);
  const scans = [...parts].filter(([path]) => SHEET_PART.test(path)).map(([path, xml]) => scanSheet(names.get(path) ?? path, xml));
  const sheets = scans.map((s) => s.facts);
  checkLimits(sheets, scans.reduce((sum, s) => sum + s.cells, 0));
  return { parts, sheets };
}

/** A CSV or an HTML table saved as .xlsx (some systems export those): text in its first bytes. */
function looksLikeText(data: Uint8Array): boolean {
  const head = data.subarray(0, 512);
  return head.length > 0 && head.every((byte) => byte >= 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d);
}

async function readParts(zipBytes: Buffer): Promise<Map<string, Uint8Array>> {
  let zip: yauzl.ZipFile;
  try {
    // validateEntrySizes (the default, set here to say so): an entry that inflates past its declared size errors mid-stream.
    zip = await yauzl.fromBufferPromise(zipBytes, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (error) {
    throw new RefusedWorkbookError(W.unreadable, { cause: error });
  }
  try {
    const wanted: yauzl.Entry[] = [];
    let declared = 0;
    for await (const entry of zip.eachEntry()) {
      if (!READ_PARTS.test(entry.fileName.replace(/^\//, ''))) continue;
      wanted.push(entry);
      declared += entry.uncompressedSize;
    }
    // Refused on the sizes the directory declares, before a byte is inflated.
    if (declared > MAX_CONTENT_BYTES) throw new RefusedWorkbookError(W.tooMuchContent(declared, MAX_CONTENT_BYTES));
    const parts = new Map<string, Uint8Array>();
    for (const entry of wanted) parts.set(entry.fileName.replace(/^\//, ''), await inflate(zip, entry));
    return parts;
  } catch (error) {
    if (error instanceof RefusedWorkbookError) throw error;
    // A damaged zip, an encrypted entry, or one that inflates to more than it declares.
    throw new RefusedWorkbookError(W.unreadable, { cause: error });
  } finally {
    zip.close();
  }
}

async function inflate(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Uint8Array> {
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------
// XML

/** The tag's name without its namespace prefix: `x:row` is a `row`. */
const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

function xmlEvents(xml: Uint8Array, onTag: (name: string, attributes: Readonly<Record<string, string>>) => void): void {
  const parser = new SaxesParser({ position: false });
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(tag.attributes)) if (typeof value === 'string') attributes[key] = value;
    onTag(localName(tag.name), attributes);
  });
  try {
    // Non-fatal decoding: a part in another encoding is caught by the cells it garbles (src/excel/task-sheet.ts).
    parser.write(new TextDecoder().decode(xml)).close();
  } catch (error) {
    throw new RefusedWorkbookError(W.unreadable, { cause: error });
  }
}

/**
 * Sheet parts to the names the workbook gives them: `<sheet name r:id>` in xl/workbook.xml, and
 * the relation of that id to its part in xl/_rels/workbook.xml.rels (a path under xl/, or from the root).
 */
function sheetNames(parts: ReadonlyMap<string, Uint8Array>): Map<string, string> {
  const targets = new Map<string, string>();
  const rels = parts.get('xl/_rels/workbook.xml.rels');
  if (rels !== undefined) {
    xmlEvents(rels, (name, attrs) => {
      if (name === 'Relationship' && attrs.Id !== undefined && attrs.Target !== undefined) {
        targets.set(attrs.Id, attrs.Target.startsWith('/') ? attrs.Target.slice(1) : `xl/${attrs.Target}`);
      }
    });
  }
  const names = new Map<string, string>();
  const workbook = parts.get('xl/workbook.xml');
  if (workbook !== undefined) {
    xmlEvents(workbook, (name, attrs) => {
      if (name !== 'sheet' || attrs.name === undefined) return;
      const id = Object.entries(attrs).find(([key]) => key !== 'sheetId' && localName(key) === 'id')?.[1];
      const part = id === undefined ? undefined : targets.get(id);
      if (part !== undefined) names.set(part, attrs.name);
    });
  }
  return names;
}

/** `AB12` → row 12, column 28; undefined for anything else. */
function cellRef(ref: string | undefined): { row: number; col: number } | undefined {
  const match = /^\$?([A-Za-z]{1,7})\$?(\d{1,10})$/.exec(ref ?? '');
  if (match === null) return undefined;
  const [, letters = '', digits = ''] = match;
  let col = 0;
  for (const letter of letters.toUpperCase()) col = col * 26 + letter.charCodeAt(0) - 64;
  return { row: Number(digits), col };
}

function mergeOf(ref: string | undefined): Merge | undefined {
  const [from, to = from] = (ref ?? '').split(':');
  const a = cellRef(from);
  const b = cellRef(to);
  if (a === undefined || b === undefined) return undefined;
  return { top: Math.min(a.row, b.row), left: Math.min(a.col, b.col), bottom: Math.max(a.row, b.row), right: Math.max(a.col, b.col) };
}

/**
 * A sheet's extent and cost, streamed: rows and cells are counted as they are written, numbered by
 * their `r` or, where the file leaves it out (the format allows that), as the next one.
 */
function scanSheet(name: string, xml: Uint8Array): { facts: SheetFacts; cells: number } {
  let rows = 0;
  let columns = 0;
  let cells = 0;
  let row = 0;
  let col = 0;
  const merges: Merge[] = [];
  xmlEvents(xml, (tag, attrs) => {
    if (tag === 'row') {
      const r = Number(attrs.r);
      row = Number.isInteger(r) && r > 0 ? r : row + 1;
      col = 0;
      cells += 1;
      rows = Math.max(rows, row);
    } else if (tag === 'c') {
      const at = cellRef(attrs.r);
      col = at?.col ?? col + 1;
      cells += 1;
      rows = Math.max(rows, at?.row ?? row);
      columns = Math.max(columns, col);
    } else if (tag === 'mergeCell') {
      const merge = mergeOf(attrs.ref);
      if (merge === undefined) return;
      merges.push(merge);
      cells += (merge.bottom - merge.top + 1) * (merge.right - merge.left + 1);
      rows = Math.max(rows, merge.bottom);
      columns = Math.max(columns, merge.right);
    }
  });
  return { facts: { name, rows, columns, merges }, cells };
}

/** Rows and columns first: they are what an admin sees and can fix; the cell count catches the rest. */
function checkLimits(sheets: readonly SheetFacts[], cells: number): void {
  const rows = sheets.reduce((sum, s) => sum + s.rows, 0);
  if (rows > MAX_ROWS) {
    const used = sheets.filter((s) => s.rows > 0).sort((a, b) => b.rows - a.rows);
    throw new RefusedWorkbookError(W.tooManyRows(rows, MAX_ROWS, used));
  }
  const wide = sheets.find((s) => s.columns > MAX_COLUMNS);
  if (wide !== undefined) throw new RefusedWorkbookError(W.tooManyColumns(wide.name, wide.columns, columnLetter(wide.columns), MAX_COLUMNS));
  if (cells > MAX_CELLS) throw new RefusedWorkbookError(W.tooManyCells(cells, MAX_CELLS));
}
