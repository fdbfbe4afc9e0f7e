/**
 * Workbooks no spreadsheet program would write, for the import's defences: a part swapped for
 * hostile XML, and central-directory sizes that lie. The zip is written by hand (APPNOTE.TXT §4.3:
 * local headers, then the central directory and its end record) because a zip library writes
 * honest sizes; contents are deflated with node's zlib.
 */
import { readFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import JSZip from 'jszip';

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** The uncompressed size the headers declare, when not the real one. */
  declaredSize?: number;
}

export function zipOf(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const packed = deflateRawSync(entry.data);
    const size = entry.declaredSize ?? entry.data.length;
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: deflate
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The parts of an .xlsx (by default the shipped example), to change some and zip again. */
export async function partsOf(xlsx: Uint8Array = readFileSync('examples/任务分解表.xlsx')): Promise<Map<string, Uint8Array>> {
  const zip = await JSZip.loadAsync(xlsx);
  const parts = new Map<string, Uint8Array>();
  for (const file of Object.values(zip.files)) if (!file.dir) parts.set(file.name, await file.async('uint8array'));
  return parts;
}

const SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">';

/** A sheet part: `body` between `<sheetData>` and `</sheetData>`, `after` following it (merges, validations). */
export function sheetXml(body: string, after = ''): Buffer {
  return Buffer.from(`${SHEET_HEAD}<sheetData>${body}</sheetData>${after}</worksheet>`, 'utf8');
}

/** `rows` copies of `row` as a sheet part, built as one buffer: a bomb's sheet, without a string of its size. */
export function repeatedSheetXml(row: string, rows: number): Buffer {
  const head = Buffer.from(`${SHEET_HEAD}<sheetData>`, 'utf8');
  const tail = Buffer.from('</sheetData></worksheet>', 'utf8');
  return Buffer.concat([head, Buffer.alloc(Buffer.byteLength(row) * rows, row), tail]);
}
