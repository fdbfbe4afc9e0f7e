/**
 * The 任务分解表 in and the 台账, ranking and task table out, through exceljs and real Redis:
 * the shipped example, broken sheets, and what `duban import` / `duban export` print.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentRanking } from '../../src/core/board.js';
import { createWorkCalendar } from '../../src/domain/calendar.js';
import { beijingInstant } from '../../src/domain/dates.js';
import type { Reporter, Task, County } from '../../src/domain/model.js';
import { exportTable, type ExportKind } from '../../src/excel/export.js';
import { importTaskWorkbook } from '../../src/excel/import.js';
import { tableBuffer } from '../../src/excel/write.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore, type Store } from '../../src/store/redis-store.js';
import type { ReportInput } from '../../src/store/types.js';
import { runDuban } from '../helpers/cli.js';
import { openTestRedis, type TestRedis } from '../helpers/redis.js';
import { dataRow, SAMPLE_HEADERS, sampleCounty, sheetBytes, taskSheetSpec, type CellInput, type SheetSpec } from '../helpers/task-sheet.js';

const TODAY = '2026-11-22';
const EXAMPLE = 'examples/任务分解表.xlsx';

let db: TestRedis;
let dir: string;
let n = 0;
const county = sampleCounty();

beforeAll(async () => {
  db = await openTestRedis(import.meta.url);
  dir = await mkdtemp(join(tmpdir(), 'duban-excel-'));
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

/** A store of its own, holding the sample county (or the given one). */
async function loaded(c: County = county): Promise<Store> {
  n += 1;
  const store = createRedisStore(db.redis, createKeys(`${db.prefix}:${String(n)}`));
  await store.loadCounty(c);
  return store;
}

const byId = (a: Task, b: Task): number => a.id.localeCompare(b.id, 'en', { numeric: true });

async function importFile(store: Store, data: Uint8Array) {
  return importTaskWorkbook(store, data, TODAY, county.name);
}

describe('importing the shipped 任务分解表', () => {
  it('gives back the sample county’s tasks exactly, updating each by its title', async () => {
    const store = await loaded();
    const outcome = await importFile(store, await readFile(EXAMPLE));

    expect(outcome.ok && outcome.message).toBe('已导入「示范县」任务分解表：新建 0 项、更新 12 项（T1、T2、T3、T4、T5、T6、T7、T8、T9、T10、T11、T12）。');
    expect([...(await store.tasks())].sort(byId)).toEqual([...county.tasks].sort(byId));
  });

  it('creates the same tasks, numbered T1 to T12 in sheet order, in a county loaded without tasks', async () => {
    const store = await loaded({ ...county, tasks: [] });
    const outcome = await importFile(store, await readFile(EXAMPLE));

    expect(outcome.ok && outcome.created.map((t) => t.id)).toEqual(county.tasks.map((t) => t.id));
    expect([...(await store.tasks())].sort(byId)).toEqual([...county.tasks].sort(byId));
  });

  it('changes nothing when imported again', async () => {
    const store = await loaded();
    await importFile(store, await readFile(EXAMPLE));
    const keys = (await db.redis.keys(`${db.prefix}:${String(n)}:*`)).sort();
    const tasks = await store.tasks();

    await importFile(store, await readFile(EXAMPLE));
    expect(await store.tasks()).toEqual(tasks);
    expect((await db.redis.keys(`${db.prefix}:${String(n)}:*`)).sort()).toEqual(keys);
  });

  it('updates by 编号 and title, adds the rows it does not know under new numbers, and keeps every status', async () => {
    const store = await loaded();
    const closed = { ...county.tasks[0], status: 'closed', closedOn: '2026-11-01' } as Task;
    await store.saveTask(closed);
    const spec = taskSheetSpec(county);
    const rows: CellInput[][] = spec.rows.map((r) => [...r]);
    // T2 by its 编号 under a new title, a new task at the end.
    rows[1] = ['T2', '软弱涣散村党组织整顿', ...rows[1]!.slice(2)];
    rows.push([13, '基层党建述职评议', '综合', '各乡镇', '完成', null, '2026年12月底', 1, null]);

    const outcome = await importFile(store, await sheetBytes({ ...spec, rows }));
    expect(outcome.ok && outcome.message).toMatch(/^已导入「示范县」任务分解表：新建 1 项（T13）、更新 12 项（T1、T2、/);
    expect(await store.task('T1')).toEqual(closed);
    expect((await store.task('T2'))?.title).toBe('软弱涣散村党组织整顿');
    expect(await store.task('T13')).toEqual({
      id: 'T13', title: '基层党建述职评议', domain: '综合', start: TODAY, deadline: '2026-12-31', target: { kind: 'done' }, townships: 'all', weight: 1, status: 'open',
    });
  });
});

describe('importing a broken 任务分解表', () => {
  it('names every bad row and column, in Chinese, and imports nothing', async () => {
    const store = await loaded({ ...county, tasks: [] });
    const spec = taskSheetSpec(county);
    const rows: CellInput[][] = spec.rows.map((r) => [...r]);
    rows[0]![6] = '2026-13-01'; // 完成时限
    rows[1]![3] = '城关镇、红心乡'; // 责任单位
    rows[2]![1] = null; // 任务名称
    rows[3]![4] = '尽快完成'; // 目标
    rows[5]![1] = rows[4]![1]!; // the title of the row above
    const broken: SheetSpec = { ...spec, rows };

    const outcome = await importFile(store, await sheetBytes(broken));
    expect(outcome.ok ? [] : outcome.errors).toEqual([
      `第${String(dataRow(broken, 0))}行 G列「完成时限」：没有「2026-13-01」这一天；请写成日期，例如 2026-12-31、2026年12月31日，也可以写 12月底、年底`,
      `第${String(dataRow(broken, 1))}行 D列「责任单位」：找不到乡镇「红心乡」，是不是「红星乡」？本县的乡镇有：${(await store.townships()).map((t) => t.name).join('、')}`,
      `第${String(dataRow(broken, 2))}行 B列「任务名称」：没有填写；每行写一项任务，任务名称必填`,
      `第${String(dataRow(broken, 3))}行 E列「目标」：看不懂目标「尽快完成」；请写成 100%（百分比）、每村3个（每个村的个数）、3个（每个乡镇的个数）或 完成（只看是否完成）`,
      `第${String(dataRow(broken, 5))}行 B列「任务名称」：与第${String(dataRow(broken, 4))}行的任务同名；同一张表里任务名称不能重复`,
    ]);
    expect(await store.tasks()).toEqual([]);
  });

  it('reads a merged two-row header in full-width text with full-width dates, and points at the bad date by its column', async () => {
    const store = await loaded();
    const before = await store.tasks();
    const spec: SheetSpec = {
      title: '示范县２０２６年基层党建重点任务分解表',
      groups: [null, null, null, '时间要求', '时间要求', null],
      headers: ['序号', '任务\n名称', '责任单位＊', '开始时间', '完成时限：', '目　标'],
      rows: [
        [1, '党员冬训', '各乡镇（街道）', '２０２６年１１月１日', '２０２６年１２月３１日', '１００％'],
        [2, '村级活动场所提升', '城关镇、红星乡', '２０２６年１１月１日', '２０２６年２月３０日', '每村１处'],
      ],
    };
    const outcome = await importFile(store, await sheetBytes(spec));
    expect(outcome.ok ? [] : outcome.errors).toEqual([
      `第${String(dataRow(spec, 1))}行 E列「完成时限：」：没有「２０２６年２月３０日」这一天；请写成日期，例如 2026-12-31、2026年12月31日，也可以写 12月底、年底`,
    ]);
    expect(await store.tasks()).toEqual(before);

    const fixed = { ...spec, rows: [spec.rows[0]!, [...spec.rows[1]!.slice(0, 4), '２０２６年１２月３１日', '每村１处']] };
    const done = await importFile(store, await sheetBytes(fixed));
    expect(done.ok && done.created.map((t) => [t.title, t.start, t.deadline, t.target, t.townships])).toEqual([
      ['党员冬训', '2026-11-01', '2026-12-31', { kind: 'percent', percent: 100 }, 'all'],
      ['村级活动场所提升', '2026-11-01', '2026-12-31', { kind: 'count', count: 1, per: 'village', unit: '处' }, ['城关镇', '红星乡']],
    ]);
  });

  it('reads a percent-formatted 目标 cell as the percent it shows', async () => {
    const store = await loaded({ ...county, tasks: [] });
    const spec: SheetSpec = { headers: ['任务名称', '责任单位', '目标', '完成时限'], rows: [['党员冬训', '各乡镇', { percent: 100 }, { date: '2026-12-31' }]] };
    const outcome = await importFile(store, await sheetBytes(spec));
    expect(outcome.ok && outcome.created[0]?.target).toEqual({ kind: 'percent', percent: 100 });
  });
});

// ---------------------------------------------------------------------------------------------

const wang: Reporter = { platform: 'wecom', user: 'wangfang', name: '王芳' };
const liu: Reporter = { platform: 'dingtalk', user: 'liuyang', name: '刘洋' };

let seq = 0;
const report = (fields: Partial<ReportInput>): ReportInput => {
  seq += 1;
  return { task: 'T2', township: '城关镇', amount: 50, value: '50%', note: '', by: wang, at: '2026-11-02T09:00:00.000+08:00', source: `wecom:msg-${String(seq)}`, ...fields };
};

async function withReports(): Promise<Store> {
  const store = await loaded();
  await store.recordReport(report({ task: 'T3', township: '红星乡', amount: 12, value: '12个', note: '已储备12名', by: liu, at: '2026-10-30T16:05:00.000+08:00' }));
  await store.recordReport(report({ task: 'T2', amount: 80, value: '八成', note: '已完成8个村', at: '2026-11-03T10:30:00.000+08:00' }));
  await store.recordReport(report({ task: 'T6', township: '红星乡', amount: 1, value: '完成', by: liu, at: '2026-11-05T08:45:00.000+08:00' }));
  await store.recordReport(report({ task: 'T2', amount: 60, value: '60%', at: '2026-11-04T11:00:00.000+08:00' }));
  return store;
}

const source = (store: Store, today = TODAY) => ({ store, calendar: createWorkCalendar(), today });

async function exported(store: Store, kind: ExportKind, month?: string, today = TODAY): Promise<ExcelJS.Worksheet> {
  const outcome = await exportTable(kind, source(store, today), county.name, month);
  if (!outcome.ok) throw new Error(outcome.message);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await tableBuffer(outcome.table)) as unknown as ExcelJS.Buffer);
  const ws = workbook.worksheets[0];
  if (!ws) throw new Error('no worksheet');
  return ws;
}

/** Data rows under the title and the header, as plain values. */
function body(ws: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  for (let r = 3; r <= ws.rowCount; r += 1) rows.push((ws.getRow(r).values as unknown[]).slice(1));
  return rows;
}
const headers = (ws: ExcelJS.Worksheet): unknown[] => (ws.getRow(2).values as unknown[]).slice(1);

/** What a Beijing clock read at `at`, as exceljs reads a date-time cell back (wall clock in UTC fields). */
const wallClock = (at: string): string => beijingInstant(new Date(at)).slice(0, 16);
const cellClock = (value: unknown): string => (value instanceof Date ? value.toISOString().slice(0, 16) : String(value));

describe('exporting the ledger', () => {
  it('writes every entry in Redis, oldest first, with its Beijing time as a real date-time', async () => {
    const store = await withReports();
    const ledger = await store.ledger((await store.tasks()).map((t) => t.id));
    const ws = await exported(store, 'ledger');

    expect(headers(ws)).toEqual(['时间', '乡镇', '任务编号', '任务名称', '上报值', '折算进度', '说明', '上报人', '平台', '类型', '来源消息']);
    const rows = body(ws);
    expect(rows).toHaveLength(ledger.length);
    const sorted = [...ledger].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    expect(rows.map((r) => cellClock(r[0]))).toEqual(sorted.map((e) => wallClock(e.at)));
    expect(rows.map((r) => [r[1], r[2], r[4], r[5], r[6], r[7], r[8], r[9], r[10]])).toEqual([
      ['红星乡', 'T3', '12个', '12/27名', '已储备12名', '刘洋', '钉钉', '上报', sorted[0]!.source],
      ['城关镇', 'T2', '八成', '80%', '已完成8个村', '王芳', '企业微信', '上报', sorted[1]!.source],
      ['城关镇', 'T2', '60%', '60%', '', '王芳', '企业微信', '更正', sorted[2]!.source],
      ['红星乡', 'T6', '完成', '完成', '', '刘洋', '钉钉', '上报', sorted[3]!.source],
    ]);
    expect(ws.getCell('A3').numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(cellClock(ws.getCell('A3').value)).toBe('2026-10-30T16:05');
  });

  it('keeps only the month asked for', async () => {
    const store = await withReports();
    const rows = body(await exported(store, 'ledger', '2026-10'));
    expect(rows.map((r) => r[2])).toEqual(['T3']);
  });

  it('prints, frozen under its bold header, on A4 landscape one page wide', async () => {
    const ws = await exported(await withReports(), 'ledger');
    expect(ws.getCell('A1').value).toBe('示范县工作台账');
    expect(ws.getCell('A2').font.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, printTitlesRow: '2:2' });
    expect(ws.getColumn(4).width).toBeGreaterThanOrEqual(20);
  });
});

describe('exporting the ranking and the task table', () => {
  it('ranks this month so far, each score a number shown out of 100 in 分', async () => {
    const store = await withReports();
    const ws = await exported(store, 'ranking');
    expect(ws.getCell('A1').value).toBe('示范县2026年11月各乡镇任务完成排名（截至2026年11月22日）');
    expect(headers(ws)).toEqual(['名次', '乡镇', '得分', '任务数', '按期完成', '逾期完成', '滞后', '逾期', '名次变化', '最近上报']);
    const rows = body(ws);
    expect(rows).toHaveLength(county.townships.length);
    expect(rows[0]?.slice(0, 2)).toEqual([1, '红星乡']);
    expect(ws.getCell('C3').numFmt).toBe('0.0"分"');
    const top = (await currentRanking(source(store))).rows[0]!;
    expect(ws.getCell('C3').value).toBe(top.score / 10);
  });

  it('ranks a finished month from the ledger as it stood then', async () => {
    const ws = await exported(await withReports(), 'ranking', '2026-10');
    expect(ws.getCell('A1').value).toBe('示范县2026年10月各乡镇任务完成排名');
    expect(body(ws)[0]?.slice(0, 2)).toEqual([1, '红星乡']);
  });

  it('shows each township’s light and progress per task, with real dates', async () => {
    const ws = await exported(await withReports(), 'tasks');
    const head = headers(ws);
    expect(head.slice(0, 9)).toEqual(['编号', '任务名称', '领域', '责任单位', '目标', '开始时间', '完成时限', '权重', '状态']);
    expect(head.slice(9).sort()).toEqual(county.townships.map((t) => t.name).sort());
    const rows = body(ws);
    const t2 = rows.find((r) => r[0] === 'T2');
    const at = (name: string): unknown => t2?.[head.indexOf(name)];
    expect(at('城关镇')).toBe('🟡滞后 60%');
    expect(at('东城街道')).toBe('—');
    expect(t2?.[6]).toEqual(new Date('2026-11-30T00:00:00.000Z'));
    const t6 = rows.find((r) => r[0] === 'T6');
    // Reported done in November, after its deadline: late, and said so.
    expect(t6?.[head.indexOf('红星乡')]).toBe('✅逾期完成');
    expect(t6?.[head.indexOf('城关镇')]).toBe('🔴逾期 未报');
  });

  it('shows a finished month’s task table with each task open or closed as it was then', async () => {
    const store = await withReports();
    const admin: Reporter = { platform: 'console', user: 'admin', name: '赵管理' };
    await store.recordTaskEvent({ task: 'T2', kind: 'closed', on: '2026-10-20', by: admin, at: '2026-10-20T10:00:00.000+08:00', source: 'console:c1' });
    await store.recordTaskEvent({ task: 'T2', kind: 'reopened', on: '2026-11-20', by: admin, at: '2026-11-20T10:00:00.000+08:00', source: 'console:r1' });
    const status = async (month: string): Promise<unknown> => body(await exported(store, 'tasks', month)).find((r) => r[0] === 'T2')?.[8];
    expect(await status('2026-10')).toBe('已销号');
    expect(await status('2026-11')).toBe('进行中');
  });

  it('writes a task table the import reads back without changing a task', async () => {
    const store = await withReports();
    const outcome = await exportTable('tasks', source(store), county.name);
    if (!outcome.ok) throw new Error(outcome.message);
    const before = await store.tasks();
    const back = await importFile(store, await tableBuffer(outcome.table));
    expect(back.ok && [back.created.length, back.updated.length]).toEqual([0, 12]);
    expect(await store.tasks()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------

const duban = (...argv: string[]) => runDuban(`${db.prefix}:cli`, ...argv);

describe('duban import and duban export', () => {
  it('asks for the county first', async () => {
    const { code, err } = await duban('import', EXAMPLE);
    expect(code).toBe(1);
    expect(err).toContain('先运行：npx duban load examples/sample-county.yaml');
  });

  it('imports the example and says what it did', async () => {
    expect((await duban('load', 'examples/sample-county.yaml')).code).toBe(0);
    const { code, out } = await duban('import', EXAMPLE);
    expect(code).toBe(0);
    expect(out).toContain('已导入「示范县」任务分解表：新建 0 项、更新 12 项');
  });

  it('refuses a broken sheet with exit code 1 and lists its problems', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const file = join(dir, 'broken.xlsx');
    const spec: SheetSpec = { headers: [...SAMPLE_HEADERS], rows: [[1, '任务', '农村', '某某镇', '100%', null, '2026-12-31', 1, null]] };
    await writeFile(file, await sheetBytes(spec));
    const { code, err } = await duban('import', file);
    expect(code).toBe(1);
    expect(err).toContain('没有导入任何任务');
    expect(err).toContain('第2行 D列「责任单位」：找不到乡镇「某某镇」');
  });

  it('says a text file named .xlsx is not an Excel workbook, and how to make one', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const file = join(dir, 'not-excel.xlsx');
    await writeFile(file, '序号,任务名称,责任单位\n1,党员冬训,各乡镇\n');
    const { code, err } = await duban('import', file);
    expect(code).toBe(1);
    expect(err).toContain('没有导入：这是文本文件（例如 CSV 或网页），不是 Excel 工作簿');
    expect(err).toContain('「另存为」Excel 工作簿（.xlsx）');
  });

  it.each(['ledger', 'ranking', 'tasks'])('exports the %s and says how many rows it wrote', async (kind) => {
    await duban('load', 'examples/sample-county.yaml');
    const file = join(dir, `${kind}.xlsx`);
    const { code, out } = await duban('export', kind, '--out', file);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^已导出 \\d+ 行到 ${file}`));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.worksheets[0]?.getRow(2).getCell(1).font.bold).toBe(true);
  });

  it.each([
    [['export', 'ledger'], '请用 --out 写明导出到哪个文件'],
    [['export', 'sheet', '--out', 'x.xlsx'], '不能导出「sheet」，可选 ledger、ranking、tasks'],
    [['export', '--out', 'x.xlsx'], '请写明要导出什么'],
    [['export', 'ledger', '--out', 'x.xlsx', '--month', '2026-13'], '--month 应写成 YYYY-MM，例如 2026-11'],
    [['export', 'ledger', '--out', 'x.csv'], '--out 的文件名应以 .xlsx 结尾'],
    [['import'], '请给出一个任务分解表（.xlsx）'],
    [['import', 'examples/sample-county.yaml'], '不是 .xlsx 文件'],
  ])('answers %j with the usage and an example, exit 2', async (argv, message) => {
    const { code, err } = await duban(...argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).toContain('用法：duban');
  });
});
