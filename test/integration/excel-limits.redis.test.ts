/**
 * `duban import` against workbooks no office would send on purpose: too many rows, columns or
 * cells, zip bombs honest and lying, ranges over the whole sheet, files that are not .xlsx, and
 * text garbled before it reached Excel. Each is imported whole or refused whole, before it is
 * read whole, with nothing written.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTaskWorkbook } from '../../src/excel/import.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore, type Store } from '../../src/store/redis-store.js';
import { runDuban } from '../helpers/cli.js';
import { openTestRedis, type TestRedis } from '../helpers/redis.js';
import { sampleCounty, sheetBytes, type CellInput } from '../helpers/task-sheet.js';
import { partsOf, repeatedSheetXml, sheetXml, zipOf } from '../helpers/zip.js';
import type { County } from '../../src/domain/model.js';

const TODAY = '2026-11-22';
const SHEET = 'xl/worksheets/sheet1.xml';

let db: TestRedis;
let dir: string;
let n = 0;
const county = sampleCounty();

beforeAll(async () => {
  db = await openTestRedis(import.meta.url);
  dir = await mkdtemp(join(tmpdir(), 'duban-excel-limits-'));
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

/** A store of its own holding the sample county, and what its keys hold now, to show nothing changed. */
async function loaded(c: County = county): Promise<{ store: Store; snapshot: () => Promise<string[]> }> {
  n += 1;
  const prefix = `${db.prefix}:${String(n)}`;
  const store = createRedisStore(db.redis, createKeys(prefix));
  await store.loadCounty(c);
  const snapshot = async (): Promise<string[]> => {
    const keys = (await db.redis.keys(`${prefix}:*`)).sort();
    return Promise.all(keys.map(async (key) => `${key} ${JSON.stringify(await db.redis.dump(key))}`));
  };
  return { store, snapshot };
}

const importFile = (store: Store, data: Uint8Array) => importTaskWorkbook(store, data, TODAY, county.name);

/** The shipped example with some parts replaced, zipped by hand. */
async function exampleWith(replaced: Readonly<Record<string, Uint8Array>>, declared: Readonly<Record<string, number>> = {}): Promise<Buffer> {
  const parts = await partsOf();
  for (const [name, data] of Object.entries(replaced)) parts.set(name, data);
  return zipOf([...parts].map(([name, data]) => ({ name, data, declaredSize: declared[name] })));
}

const task = (i: number): CellInput[] => [`重点任务${String(i)}`, '各乡镇', '100%', '2026-12-31'];
const HEADERS = ['任务名称', '责任单位', '目标', '完成时限'];

async function refused(data: Uint8Array, message: string | RegExp): Promise<void> {
  const { store, snapshot } = await loaded();
  const before = await snapshot();
  await expect(importFile(store, data)).rejects.toThrow(message);
  expect(await snapshot()).toEqual(before);
}

describe('a sheet over the row limit', () => {
  it('is refused whole, naming the 10,000-row limit and its own 12,001 rows, with nothing written', async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => task(i + 1));
    await refused(await sheetBytes({ headers: HEADERS, rows }), '这个文件的工作表「任务分解表」共有 12001 行，超过了一次导入最多 10000 行的上限：请删去表格下面多余的行（包括只设了格式的空行），或把任务分成几个文件分批导入');
  });

  it('is not cut short at the limit: 9,999 tasks under their header are all created', async () => {
    const { store } = await loaded({ ...county, tasks: [] });
    const rows = Array.from({ length: 9_999 }, (_, i) => task(i + 1));
    const outcome = await importFile(store, await sheetBytes({ headers: HEADERS, rows }));

    expect(outcome.ok && outcome.message).toMatch(/^已导入「示范县」任务分解表：新建 9999 项（T1、T2、.* 等）、更新 0 项。$/);
    expect((await store.tasks()).length).toBe(9_999);
    expect((await store.task('T9999'))?.title).toBe('重点任务9999');
  });

  it('counts the rows of every sheet together, and names the largest', async () => {
    const parts = await partsOf(await sheetBytes({ headers: HEADERS, rows: Array.from({ length: 6_000 }, (_, i) => task(i + 1)) }));
    const second = parts.get(SHEET)!;
    const workbook = new TextDecoder().decode(parts.get('xl/workbook.xml')).replace('</sheets>', '<sheet name="附表" sheetId="2" r:id="rIdExtra"/></sheets>');
    const rels = new TextDecoder().decode(parts.get('xl/_rels/workbook.xml.rels')).replace('</Relationships>', '<Relationship Id="rIdExtra" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>');
    parts.set('xl/workbook.xml', Buffer.from(workbook));
    parts.set('xl/_rels/workbook.xml.rels', Buffer.from(rels));
    parts.set('xl/worksheets/sheet2.xml', second);
    const data = zipOf([...parts].map(([name, bytes]) => ({ name, data: bytes })));

    await refused(data, '这个文件的 2 张工作表（「任务分解表」6001 行、「附表」6001 行）共有 12002 行，超过了一次导入最多 10000 行的上限');
  });

  it('counts a merge reaching the sheet’s last row as rows used, without building its cells', async () => {
    const sheet = new TextDecoder().decode((await partsOf()).get(SHEET)).replace(/<mergeCells count="(\d+)">/, '<mergeCells count="3"><mergeCell ref="K1:XFD1048576"/>');
    await refused(await exampleWith({ [SHEET]: Buffer.from(sheet) }), '共有 1048576 行，超过了一次导入最多 10000 行的上限');
  });
});

describe('a sheet over the column or cell limit', () => {
  it('is refused naming its last column by number and letter', async () => {
    const row = `<row r="1"><c r="A1" t="inlineStr"><is><t>任务名称</t></is></c><c r="ET1" t="inlineStr"><is><t>备注</t></is></c></row>`;
    await refused(await exampleWith({ [SHEET]: sheetXml(row) }), '工作表「任务分解表」用到了第 150 列（ET列），超过了导入最多 100 列的上限：请删去表格右边多余的列（包括只设了格式的空列）');
  });

  it('counts formatted empty cells and rows, which cost as much to read as filled ones', async () => {
    const cells = Array.from({ length: 100 }, () => '<c s="1"/>').join('');
    const body = Array.from({ length: 2_000 }, (_, r) => `<row r="${String(r + 1)}">${cells}</row>`).join('');
    await refused(await exampleWith({ [SHEET]: sheetXml(body) }), '这个文件写了 202000 个单元格（包括只设了格式的空单元格和合并的单元格），超过了导入最多 200000 个的上限');
  });
});

describe('a zip bomb', () => {
  // 64 MB of one repeated row packs into well under 1 MB: the shape of the 0.4 MB file that took 1.4 GB.
  const ROW = '<row><c t="inlineStr"><is><t>重点任务</t></is></c></row>';
  const bomb = repeatedSheetXml(ROW, Math.ceil((64 * 1024 * 1024) / Buffer.byteLength(ROW)));

  it('is refused by the sizes its directory declares, naming them and the 10 MB limit, before inflating', async () => {
    const data = await exampleWith({ [SHEET]: bomb });
    expect(data.length).toBeLessThan(1024 * 1024);
    await refused(data, /^这个文件解压后的表格内容有 64\.1 MB，超过了导入的上限 10 MB（一张任务分解表通常不到 1 MB）：请只留下任务分解表这一张工作表，另存为新的 \.xlsx 再导入$/);
  });

  it('that declares small sizes is refused when an entry inflates past them', async () => {
    const data = await exampleWith({ [SHEET]: bomb }, { [SHEET]: 1000 });
    await refused(data, '读不出这个 Excel 文件：它不是 .xlsx 格式，或者已经损坏');
  });
});

describe('ranges over the whole sheet that exceljs would expand cell by cell', () => {
  it('do not stop a real sheet importing: a dropdown on every cell and a column range past Excel’s last column', async () => {
    const sheet = new TextDecoder()
      .decode((await partsOf()).get(SHEET))
      .replace('<cols>', '<cols><col min="20" max="2000000000" width="9" customWidth="1"/>')
      .replace('<pageMargins', '<dataValidations count="1"><dataValidation type="list" allowBlank="1" sqref="A1:XFD1048576"><formula1>"a,b"</formula1></dataValidation></dataValidations><pageMargins');
    const { store } = await loaded();
    const outcome = await importFile(store, await exampleWith({ [SHEET]: Buffer.from(sheet) }));
    expect(outcome.ok && outcome.message).toBe('已导入「示范县」任务分解表：新建 0 项、更新 12 项（T1、T2、T3、T4、T5、T6、T7、T8、T9、T10、T11、T12）。');
  });
});

describe('a file that is not an .xlsx', () => {
  it('is named for what it is: an old .xls (or a password-protected file) by its OLE2 header', async () => {
    const ole2 = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(4096)]);
    await refused(ole2, '这是旧版的 .xls 文件（或者设了打开密码的文件），不是 .xlsx：请在 Excel 或 WPS 里打开它，去掉打开密码，「另存为」Excel 工作簿（.xlsx）再导入');
  });

  it('is refused as unreadable when it is a zip without a workbook in it', async () => {
    await refused(zipOf([{ name: 'word/document.xml', data: Buffer.from('<w:document/>') }]), '读不出这个 Excel 文件');
  });
});

describe('text garbled before it reached Excel', () => {
  it('is refused naming each garbled cell by sheet, row and column, with nothing written', async () => {
    const rows = [task(1), ['党员\uFFFD\uFFFD训', '各乡镇', '100%', '2026-12-31'], [...task(3).slice(0, 3), '2026-12-31'], ['重点任务4', '\uFFFD\uFFFD镇', '100%', '2026-12-31']];
    const { store, snapshot } = await loaded();
    const before = await snapshot();
    const outcome = await importFile(store, await sheetBytes({ headers: HEADERS, rows }));
    expect(outcome.ok ? [] : outcome.errors).toEqual([
      '有 2 个单元格里是乱码「\uFFFD」：工作表「任务分解表」第3行 A列、工作表「任务分解表」第5行 B列。' +
        '这些字在做成 Excel 表之前就按错了编码（常见于从 GBK 编码的 CSV 或文本里导入、粘贴），原来的字已经丢失：' +
        '请从原始文件重新制作这张表，在 Excel 或 WPS 里打开原始文件时选对编码（简体中文 GBK 或 UTF-8），再另存为 .xlsx 导入',
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('is caught when a part declares GBK, which the reader decodes as UTF-8', async () => {
    // 城关镇 in GBK, in shared strings that say they are GBK: exceljs reads every part as UTF-8.
    const gbk = Buffer.from('b3c7b9d8d5f2', 'hex');
    const strings = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="GBK"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'),
      gbk,
      Buffer.from('</t></si></sst>'),
    ]);
    const sheet = sheetXml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>');
    const { store } = await loaded();
    const outcome = await importFile(store, await exampleWith({ 'xl/sharedStrings.xml': strings, [SHEET]: sheet }));
    expect(outcome.ok ? [] : outcome.errors).toEqual([expect.stringMatching(/^有 1 个单元格里是乱码「\uFFFD」：工作表「任务分解表」第1行 A列。/)]);
  });
});

describe('duban import', () => {
  const duban = (...argv: string[]) => runDuban(`${db.prefix}:cli`, ...argv);

  it('refuses a zip bomb with exit 1, saying nothing was imported, and writes nothing', async () => {
    expect((await duban('load', 'examples/sample-county.yaml')).code).toBe(0);
    const keys = (await db.redis.keys(`${db.prefix}:cli:*`)).sort();
    const file = join(dir, 'bomb.xlsx');
    await writeFile(file, await exampleWith({ [SHEET]: repeatedSheetXml('<row><c><v>1</v></c></row>', 1_000_000) }));
    const { code, err } = await duban('import', file);
    expect(code).toBe(1);
    expect(err).toMatch(new RegExp(`^${file} 没有导入：这个文件解压后的表格内容有 2\\d(\\.\\d)? MB，超过了导入的上限 10 MB`));
    expect((await db.redis.keys(`${db.prefix}:cli:*`)).sort()).toEqual(keys);
  });

  it('refuses a file over 20 MB by its size, before reading it', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const file = join(dir, 'huge.xlsx');
    await writeFile(file, '');
    await truncate(file, 21 * 1024 * 1024);
    const { code, err } = await duban('import', file);
    expect(code).toBe(1);
    expect(err).toContain(`${file} 没有导入：这个文件有 21 MB，超过了导入的上限 20 MB`);
  });
});
