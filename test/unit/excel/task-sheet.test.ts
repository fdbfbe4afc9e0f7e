import { describe, expect, it } from 'vitest';
import { taskOf } from '../../fixtures/county.js';
import type { Target, Task, Township } from '../../../src/domain/model.js';
import { columnLetter, type SheetCell, type SheetGrid, type SheetValue } from '../../../src/excel/grid.js';
import { headerKey } from '../../../src/excel/headers.js';
import { importTaskSheet, type ImportPlan } from '../../../src/excel/task-sheet.js';
import { sheetMessages } from '../../../src/messages/index.js';

const TODAY = '2026-11-22';

const townships: Township[] = [
  { id: '城关镇', name: '城关镇', villages: 12 },
  { id: '红星乡', name: '红星乡', villages: 9 },
  { id: 'dc', name: '东城街道', villages: 5 },
];
/** With a township that has no villages, which per-village targets cannot be given to. */
const withNewArea: Township[] = [...townships, { id: '新区', name: '新区', villages: 0 }];

const HEADER = ['序号', '任务名称', '领域', '责任单位', '目标', '开始时间', '完成时限', '备注'];

/** A grid from plain values; `merges` marks cells covered by a merge, as the reader does. */
function grid(rows: readonly (readonly SheetValue[])[], merges: readonly [row: number, col: number, toRow: number, toCol: number][] = []): SheetGrid {
  const cells: SheetCell[][] = rows.map((row) => row.map((value) => ({ value })));
  for (const [r1, c1, r2, c2] of merges) {
    const master = cells[r1 - 1]?.[c1 - 1]?.value ?? null;
    for (let r = r1; r <= r2; r += 1) {
      for (let c = c1; c <= c2; c += 1) {
        const line = (cells[r - 1] ??= []);
        while (line.length < c) line.push({ value: null });
        if (r !== r1 || c !== c1) line[c - 1] = { value: master, mergedFrom: { row: r1, col: c1 } };
      }
    }
  }
  return { name: '任务分解表', rows: cells };
}

/** A task row under HEADER; a field given as null leaves its cell empty. */
function row(title: string | null, fields: Partial<Record<'n' | 'domain' | 'townships' | 'target' | 'start' | 'deadline' | 'note', SheetValue>> = {}): SheetValue[] {
  const at = (key: keyof typeof fields, fallback: SheetValue): SheetValue => (key in fields ? (fields[key] ?? null) : fallback);
  return [
    at('n', null),
    title,
    at('domain', '农村'),
    at('townships', '各乡镇'),
    at('target', '100%'),
    at('start', { date: '2026-03-01' }),
    at('deadline', { date: '2026-12-31' }),
    at('note', null),
  ];
}

function read(g: SheetGrid | SheetGrid[], tasks: Task[] = [], today = TODAY, county: Township[] = townships) {
  return importTaskSheet(Array.isArray(g) ? g : [g], { townships: county, tasks, today });
}

function planOf(g: SheetGrid | SheetGrid[], tasks: Task[] = [], today = TODAY): ImportPlan {
  const result = read(g, tasks, today);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.plan;
}

function errorsOf(g: SheetGrid | SheetGrid[], tasks: Task[] = [], today = TODAY, county: Township[] = townships): string[] {
  const result = read(g, tasks, today, county);
  if (result.ok) throw new Error('expected problems, the sheet was accepted');
  return result.errors;
}

const task = (id: string, fields: Partial<Task> = {}): Task => taskOf(id, { start: '2026-03-01', ...fields });

describe('finding the table', () => {
  it('reads the header under a merged title row and skips the merged remark under the table', () => {
    const g = grid(
      [
        ['示范县2026年基层党建重点任务分解表', null, null, null, null, null, null, null],
        HEADER,
        row('农村党员群众服务中心新改扩建', { n: 1, target: '每村建成1个' }),
        row('软弱涣散党组织整顿转化', { n: 2, townships: '城关镇、红星乡', note: '12月前整顿到位' }),
        ['备注：各乡镇每月25日前报送进度。', null, null, null, null, null, null, null],
      ],
      [
        [1, 1, 1, 8],
        [5, 1, 5, 8],
      ],
    );
    const plan = planOf(g);
    expect(plan.sheet).toBe('任务分解表');
    expect(plan.update).toEqual([]);
    expect(plan.create).toEqual([
      { title: '农村党员群众服务中心新改扩建', domain: '农村', start: '2026-03-01', deadline: '2026-12-31', target: { kind: 'count', count: 1, per: 'village' }, townships: 'all', weight: 1, status: 'open' },
      { title: '软弱涣散党组织整顿转化', domain: '农村', start: '2026-03-01', deadline: '2026-12-31', target: { kind: 'percent', percent: 100 }, townships: ['城关镇', '红星乡'], weight: 1, status: 'open' },
    ]);
  });

  it('finds columns by what their headers say, in any order and under other common names', () => {
    const g = grid([
      ['完成时间', '工作任务', '责任乡镇', '指标', '类别'],
      [{ date: '2026-10-31' }, '农民夜校全覆盖', '红星乡', '每村1所', '农村'],
    ]);
    expect(planOf(g).create[0]).toMatchObject({ title: '农民夜校全覆盖', deadline: '2026-10-31', townships: ['红星乡'], target: { kind: 'count', count: 1, per: 'village' } });
  });

  it('reads a header that gives a column two names, such as 目标／指标 or 完成时限、截止时间', () => {
    const g = grid([
      ['任务名称', '责任单位', '完成时限、截止时间', '目标／指标'],
      ['阵地建设', '城关镇', '2026-12-31', '1个'],
    ]);
    expect(planOf(g).create[0]).toMatchObject({ deadline: '2026-12-31', target: { kind: 'count', count: 1, per: 'township' } });
  });

  it('tolerates full-width forms, spaces, line breaks, remarks in brackets and required marks in headers', () => {
    expect(headerKey('任务\n名称')).toBe('任务名称');
    expect(headerKey(' 目　标 ')).toBe('目标');
    expect(headerKey('责任单位：')).toBe('责任单位');
    expect(headerKey('*完成时限')).toBe('完成时限');
    expect(headerKey('完成时限＊')).toBe('完成时限');
    expect(headerKey('责任单位（乡镇）')).toBe('责任单位');
    const g = grid([
      ['任务\n名称', '责任单位：', '*完成时限', '目　标'],
      ['阵地建设', '城关镇', '2026-12-31', '1个'],
    ]);
    expect(planOf(g).create).toHaveLength(1);
  });

  it('reads a header over two rows whose cells are merged, taking the lower row’s words under a group label', () => {
    // Row 2–3: 序号, 任务名称, 责任单位 merged down; 时间要求 over 开始时间 and 完成时限; 目标 merged down.
    const g = grid(
      [
        ['示范县任务分解表', null, null, null, null, null],
        ['序号', '任务名称', '责任单位', '时间要求', null, '目标'],
        [null, null, null, '开始时间', '完成时限', null],
        [1, '红色驿站规范化建设', '东城街道', '2026-04-01', '2026-12-31', '建成3个'],
      ],
      [
        [1, 1, 1, 6],
        [2, 1, 3, 1],
        [2, 2, 3, 2],
        [2, 3, 3, 3],
        [2, 4, 2, 5],
        [2, 6, 3, 6],
      ],
    );
    expect(planOf(g).create).toEqual([
      { title: '红色驿站规范化建设', domain: '综合', start: '2026-04-01', deadline: '2026-12-31', target: { kind: 'count', count: 3, per: 'township' }, townships: ['dc'], weight: 1, status: 'open' },
    ]);
  });

  it('takes the first worksheet that has a header row', () => {
    const cover = { name: '封面', rows: [[{ value: '示范县2026年任务分解表' }]] };
    const g = grid([HEADER, row('阵地建设')]);
    expect(planOf([cover, g]).sheet).toBe('任务分解表');
  });

  it('prefers 责任单位 over 牵头单位 when a sheet has both', () => {
    const g = grid([
      ['任务名称', '牵头单位', '责任单位', '完成时限', '目标'],
      ['阵地建设', '县委组织部', '红星乡', '2026-12-31', '完成'],
    ]);
    expect(planOf(g).create[0]?.townships).toEqual(['红星乡']);
  });

  it('says so when no worksheet has a header in its first rows', () => {
    const errors = errorsOf({ name: 'Sheet1', rows: [[{ value: '随便写的' }], [{ value: '什么也没有' }]] });
    expect(errors).toEqual([expect.stringContaining('在「Sheet1」的前 10 行里没有找到表头')]);
  });

  it('names each required column the header lacks, with its other names', () => {
    const errors = errorsOf(grid([['序号', '任务名称', '责任单位'], [1, '阵地建设', '城关镇']]));
    expect(errors).toEqual([
      sheetMessages.missingColumn('任务分解表', 1, '完成时限', ['截止时间', '截止日期', '完成时间', '时限'], sheetMessages.column.deadline),
      expect.stringContaining('表头里没有「目标」列（也可以叫 目标任务、任务目标'),
    ]);
  });
});

describe('rows that are not tasks', () => {
  it('skips blank rows, a row with only a 序号, section headings, remarks and rows continued by a merge', () => {
    const g = grid(
      [
        HEADER,
        ['一、农村基层党建', null, null, null, null, null, null, null],
        row('农民夜校全覆盖', { n: 1, townships: '各乡镇' }),
        row('村级后备干部储备', { n: 2, target: '每个村至少储备3名' }),
        // Row 5: the 责任单位 of row 4 merged down into it, nothing of its own but a note.
        [null, null, null, null, null, null, null, null],
        [3, null, null, null, null, null, null, null],
        [null, null, null, null, null, null, null, '此项由组织科跟进'],
        [null, '注：以上任务均按季度调度', null, null, null, null, null, null],
        // Row 9: a 序号 beside a remark merged across the task columns; row 10: a note beside a township merged down.
        [4, '以下为街道任务', null, null, null, null, null, null],
        row('红色驿站', { townships: '东城街道', target: '建成3个' }),
        [null, null, null, null, null, null, null, '街道自行安排'],
      ],
      [
        [4, 4, 5, 4],
        [9, 2, 9, 7],
        [10, 4, 11, 4],
      ],
    );
    expect(planOf(g).create.map((t) => t.title)).toEqual(['农民夜校全覆盖', '村级后备干部储备', '红色驿站']);
  });

  it('gives every row a township merged down over several rows', () => {
    const g = grid([HEADER, row('甲任务', { townships: '红星乡' }), row('乙任务', { townships: null })], [[2, 4, 3, 4]]);
    expect(planOf(g).create.map((t) => t.townships)).toEqual([['红星乡'], ['红星乡']]);
  });

  it('says the header has nothing under it when no row is a task', () => {
    expect(errorsOf(grid([HEADER, [null, null]]))).toEqual([sheetMessages.noRows('任务分解表', 1)]);
  });
});

describe('cells', () => {
  const deadlineOf = (value: SheetValue, today = TODAY): string | undefined =>
    planOf(grid([HEADER, row('任务', { deadline: value, start: null })]), [], today).create[0]?.deadline;

  it.each<[SheetValue, string]>([
    [{ date: '2026-12-31' }, '2026-12-31'],
    ['2026-12-31', '2026-12-31'],
    ['2026/12/31', '2026-12-31'],
    ['2026.12.31', '2026-12-31'],
    ['2026年12月31日', '2026-12-31'],
    ['２０２６年１２月３１日', '2026-12-31'],
    ['2026年12月底前完成', '2026-12-31'],
    ['12月底', '2026-12-31'],
    ['年底', '2026-12-31'],
    ['10月底', '2027-10-31'],
    [46387, '2026-12-31'],
  ])('reads the deadline %j as %s', (value, expected) => {
    expect(deadlineOf(value)).toBe(expected);
  });

  it.each<[string, Target]>([
    ['100%', { kind: 'percent', percent: 100 }],
    ['百分之百', { kind: 'percent', percent: 100 }],
    ['整顿转化率100%', { kind: 'percent', percent: 100 }],
    ['每村3名', { kind: 'count', count: 3, per: 'village', unit: '名' }],
    ['每个村至少储备3名', { kind: 'count', count: 3, per: 'village', unit: '名' }],
    ['每村建成1个', { kind: 'count', count: 1, per: 'village' }],
    ['每个村（社区）1个', { kind: 'count', count: 1, per: 'village' }],
    ['3个', { kind: 'count', count: 3, per: 'township' }],
    ['1处', { kind: 'count', count: 1, per: 'township', unit: '处' }],
    ['每个乡镇培育2个', { kind: 'count', count: 2, per: 'township' }],
    ['培育两个党建品牌', { kind: 'count', count: 2, per: 'township' }],
    ['完成', { kind: 'done' }],
    ['是', { kind: 'done' }],
    ['建成', { kind: 'done' }],
    ['按期完成', { kind: 'done' }],
  ])('reads the target 「%s」', (text, expected) => {
    expect(planOf(grid([HEADER, row('任务', { target: text })])).create[0]?.target).toEqual(expected);
  });

  it.each(['全部', '各乡镇', '全县', '所有乡镇', '各乡镇（街道）', '全县各乡镇(街道)', 'all'])('reads 「%s」 as every township', (text) => {
    expect(planOf(grid([HEADER, row('任务', { townships: text })])).create[0]?.townships).toBe('all');
  });

  it('reads a list of townships by name or id, whatever separates them, once each', () => {
    const g = grid([HEADER, row('任务', { townships: '城关镇，红星乡; 东城街道 城关镇、dc' })]);
    expect(planOf(g).create[0]?.townships).toEqual(['城关镇', '红星乡', 'dc']);
  });

  it('keeps a 编号 written T3 and ignores a 序号 that only counts rows', () => {
    const g = grid([HEADER, row('甲', { n: 'Ｔ３' }), row('乙', { n: 2 }), row('丙', { n: '3' })]);
    const plan = planOf(g, [task('T1'), task('T2'), task('T3')]);
    expect(plan.update.map((t) => [t.id, t.title])).toEqual([['T3', '甲']]);
    expect(plan.create.map((t) => t.title)).toEqual(['乙', '丙']);
  });

  it('makes a task 综合 without a 领域, starting on the import day or on its deadline if that is earlier', () => {
    const g = grid([HEADER, row('甲', { domain: null, start: null }), row('乙', { start: null, deadline: '2026-11-10' })]);
    expect(planOf(g).create.map((t) => [t.domain, t.start])).toEqual([
      ['综合', TODAY],
      ['农村', '2026-11-10'],
    ]);
  });

  it('reads a start without a year in the import year, not next year as a deadline would be', () => {
    expect(planOf(grid([HEADER, row('甲', { start: '3月1日' })])).create[0]?.start).toBe('2026-03-01');
  });

  it('reads a 权重 column', () => {
    const g = grid([
      ['任务名称', '责任单位', '完成时限', '目标', '权重'],
      ['甲', '各乡镇', '2026-12-31', '100%', 2],
      ['乙', '各乡镇', '2026-12-31', '100%', '1.5'],
      ['丙', '各乡镇', '2026-12-31', '100%', null],
    ]);
    expect(planOf(g).create.map((t) => t.weight)).toEqual([2, 1.5, 1]);
  });
});

describe('problems', () => {
  it('reports every bad row at once, with its row, column letter and header, in sheet order', () => {
    const g = grid([
      ['示范县任务分解表'],
      HEADER,
      row('阵地建设', { deadline: '2026-13-01' }),
      row('后备干部', { townships: '城关镇、红星' }),
      [3, null, '农村', '各乡镇', '100%', null, '2026-12-31', null],
      row('夜校', { target: '尽快' }),
      row('阵地建设 ', { target: '3' }),
      row('驿站', { domain: '城市', start: '2026-12-01', deadline: '2026-11-30' }),
      row('品牌', { townships: '新区', target: '每村2个' }),
    ]);
    expect(errorsOf(g, [], TODAY, withNewArea)).toEqual([
      '第3行 G列「完成时限」：没有「2026-13-01」这一天；请写成日期，例如 2026-12-31、2026年12月31日，也可以写 12月底、年底',
      '第4行 D列「责任单位」：找不到乡镇「红星」，是不是「红星乡」？本县的乡镇有：城关镇、红星乡、东城街道、新区',
      '第5行 B列「任务名称」：没有填写；每行写一项任务，任务名称必填',
      '第6行 E列「目标」：看不懂目标「尽快」；请写成 100%（百分比）、每村3个（每个村的个数）、3个（每个乡镇的个数）或 完成（只看是否完成）',
      '第7行 B列「任务名称」：与第3行的任务同名；同一张表里任务名称不能重复',
      '第7行 E列「目标」：目标「3」没有写单位；请写成 100%（百分比）、每村3个（每个村的个数）、3个（每个乡镇的个数）或 完成（只看是否完成）',
      '第8行 C列「领域」：没有「城市」这个领域；可选：农村、社区、机关、国企、学校、医院、两新、综合；不写就是综合',
      '第9行 E列「目标」：按村计的目标分给了没有村（社区）的「新区」；请改成按乡镇计的目标（如 3个），或者不把这项任务分给它',
    ]);
  });

  it('says a start after the deadline is wrong when the rest of the row is right', () => {
    expect(errorsOf(grid([HEADER, row('驿站', { start: '2026-12-01', deadline: '2026-11-30' })]))).toEqual([
      '第2行 F列「开始时间」：开始时间 2026-12-01 晚于完成时限 2026-11-30',
    ]);
  });

  it('reads full-width dates and headers of a merged two-row header, and still names bad cells by the header they sit under', () => {
    const g = grid(
      [
        ['序号', '任务名称', '责任单位', '时间要求', null, '目标'],
        [null, null, null, '开始时间', '完成时限：', null],
        [1, '阵地建设', '城关镇', '２０２６年３月１日', '２０２６年１２月３１日', '１００％'],
        [2, '夜校', '城关镇', '２０２６年３月１日', '２０２６年２月３０日', '１００％'],
      ],
      [
        [1, 1, 2, 1],
        [1, 2, 2, 2],
        [1, 3, 2, 3],
        [1, 4, 1, 5],
        [1, 6, 2, 6],
      ],
    );
    expect(errorsOf(g)).toEqual([expect.stringMatching(/^第4行 E列「完成时限：」：没有「２０２６年２月３０日」这一天/)]);
  });

  it('lists only the count of townships when there are too many to name', () => {
    const many = Array.from({ length: 40 }, (_, i): Township => ({ id: `乡${String(i)}`, name: `乡${String(i)}`, villages: 3 }));
    const result = importTaskSheet([grid([HEADER, row('任务', { townships: '不存在镇' })])], { townships: many, tasks: [], today: TODAY });
    expect(result.ok ? [] : result.errors).toEqual([expect.stringContaining('本县共 40 个乡镇，名称以设置文件为准')]);
  });

  it('refuses an id written wrong and the same id twice', () => {
    expect(errorsOf(grid([HEADER, row('甲', { n: 'T3a' }), row('乙', { n: 'T4' }), row('丙', { n: 't4' })]))).toEqual([
      expect.stringMatching(/^第2行 A列「序号」：编号「T3a」写法不对/),
      '第4行 A列「序号」：与第3行的编号相同；同一张表里编号不能重复',
    ]);
  });
});

describe('against the county’s tasks', () => {
  it('updates a task found by 编号 or by title, keeping its id, status and what the row leaves empty', () => {
    const existing = [
      task('T1', { title: '阵地建设', status: 'closed', closedOn: '2026-10-01', weight: 2, domain: '社区', start: '2026-02-01' }),
      task('T2', { title: '后备干部储备' }),
    ];
    const g = grid([HEADER, row('阵地建设（改）', { n: 'T1', domain: null, start: null, target: '2个' }), row('后备干部储备', { deadline: '2026-11-30' })]);
    const plan = planOf(g, existing);
    expect(plan.create).toEqual([]);
    expect(plan.update).toEqual([
      { ...existing[0], title: '阵地建设（改）', target: { kind: 'count', count: 2, per: 'township' } },
      { ...existing[1], deadline: '2026-11-30' },
    ]);
  });

  it('matches titles whatever their width and spacing', () => {
    const existing = [task('T5', { title: '党建品牌培育（一村一特色）' })];
    expect(planOf(grid([HEADER, row('党建品牌培育 (一村一特色)')]), existing).update.map((t) => t.id)).toEqual(['T5']);
  });

  it('asks for the 编号 when several tasks share the title', () => {
    const existing = [task('T1', { title: '阵地建设' }), task('T7', { title: '阵地建设' })];
    expect(errorsOf(grid([HEADER, row('阵地建设')]), existing)).toEqual([expect.stringContaining('已有 T1、T7 几项任务都叫这个名字')]);
  });

  it('refuses two rows that point at one task', () => {
    const existing = [task('T1', { title: '阵地建设' })];
    expect(errorsOf(grid([HEADER, row('阵地建设（新）', { n: 'T1' }), row('阵地建设')]), existing)).toEqual([
      '第3行 B列「任务名称」：与第2行是同一项任务 T1；一项任务只能写一行',
    ]);
  });

  it('creates a task under a new 编号 when no unnumbered new task could be given the same number', () => {
    const existing = [task('T1'), task('T2')];
    const plan = planOf(grid([HEADER, row('新任务', { n: 'T9' })]), existing);
    expect(plan.update.map((t) => t.id)).toEqual(['T9']);
    expect(plan.createdWithId.map((t) => t.id)).toEqual(['T9']);
  });

  it('refuses a new 编号 beside unnumbered new tasks, whose numbers could collide with it', () => {
    const errors = errorsOf(grid([HEADER, row('新任务甲', { n: 'T2' }), row('新任务乙')]), [task('T1'), task('T3')]);
    expect(errors).toEqual([expect.stringMatching(/^第2行 A列「序号」：本县还没有任务 T2/)]);
  });

  it('asks for a new start when the new deadline falls before the task’s old start', () => {
    const existing = [task('T1', { title: '阵地建设', start: '2026-09-01' })];
    expect(errorsOf(grid([HEADER, row('阵地建设', { start: null, deadline: '2026-08-31' })]), existing)).toEqual([
      expect.stringMatching(/^第2行 G列「完成时限」：完成时限 2026-08-31 早于这项任务原来的开始时间 2026-09-01/),
    ]);
  });
});

describe('wording', () => {
  it('names columns with Excel’s letters', () => {
    expect([1, 7, 26, 27, 52, 53].map(columnLetter)).toEqual(['A', 'G', 'Z', 'AA', 'AZ', 'BA']);
  });

  it('sums up an import with the ids created and updated', () => {
    expect(sheetMessages.imported('示范县', [task('T13'), task('T14')], [task('T1')])).toBe('已导入「示范县」任务分解表：新建 2 项（T13、T14）、更新 1 项（T1）。');
    expect(sheetMessages.imported('示范县', [], [])).toBe('已导入「示范县」任务分解表：新建 0 项、更新 0 项。');
  });
});
