import { describe, expect, it } from 'vitest';
import { ledgerTable, rankingTable, tasksTable } from '../../../src/excel/tables.js';
import { amountText, targetText, townshipsText } from '../../../src/messages/index.js';
import type { LedgerEntry, ReportEntry, Progress, Reporter, Target, Township } from '../../../src/domain/model.js';
import type { RankingSnapshot } from '../../../src/domain/ranking.js';
import { importTaskSheet } from '../../../src/excel/task-sheet.js';
import { taskOf } from '../../fixtures/county.js';
import { calendarStub } from '../../helpers/calendar-stub.js';

const calendar = calendarStub();

const townships: Township[] = [
  { id: 'cg', name: '城关镇', villages: 12 },
  { id: 'hx', name: '红星乡', villages: 9 },
  { id: 'dc', name: '东城街道', villages: 5 },
];

const task = taskOf;

const wang: Reporter = { platform: 'wecom', user: 'wangfang', name: '王芳' };

const entry = (id: string, fields: Partial<ReportEntry>): ReportEntry => ({
  id,
  task: 'T1',
  township: 'cg',
  kind: 'report',
  amount: 50,
  value: '50%',
  note: '',
  by: wang,
  at: '2026-11-10T09:00:00.000+08:00',
  source: `wecom:${id}`,
  ...fields,
});

describe('the ledger table', () => {
  const tasks = [task('T1'), task('T2', { title: '后备干部储备', target: { kind: 'count', count: 3, per: 'village' } })];
  const entries = [
    entry('1762736400000-0', { task: 'T1', at: '2026-11-10T09:00:00.000+08:00', value: '八成', amount: 80, note: '已完成8个村' }),
    entry('1761924600000-0', { task: 'T2', township: 'hx', at: '2026-10-31T23:30:00.000+08:00', value: '12个', amount: 12 }),
    entry('1761928200000-0', { task: 'T2', township: 'hx', at: '2026-10-31T16:30:00.000Z', value: '10个', amount: 10, kind: 'correction', by: { platform: 'dingtalk', user: 'u1', name: '刘洋' } }),
    entry('1762740000000-0', { task: 'T1', at: '2026-11-10T10:00:00.000+08:00', value: '', amount: null, kind: 'reversal', reverses: '1762736400000-0' }),
  ];

  it('lists every entry oldest first, whichever task it belongs to, with what was typed and what it counted for', () => {
    const table = ledgerTable({ county: '示范县', entries, tasks, townships });
    expect(table.title).toBe('示范县工作台账');
    expect(table.columns.map((c) => c.header)).toEqual(['时间', '乡镇', '任务编号', '任务名称', '上报值', '折算进度', '说明', '上报人', '平台', '类型', '来源消息']);
    expect(table.rows).toEqual([
      [{ instant: '2026-10-31T23:30:00.000+08:00' }, '红星乡', 'T2', '后备干部储备', '12个', '12/27个', '', '王芳', '企业微信', '上报', 'wecom:1761924600000-0'],
      [{ instant: '2026-10-31T16:30:00.000Z' }, '红星乡', 'T2', '后备干部储备', '10个', '10/27个', '', '刘洋', '钉钉', '更正', 'wecom:1761928200000-0'],
      [{ instant: '2026-11-10T09:00:00.000+08:00' }, '城关镇', 'T1', '任务T1', '八成', '80%', '已完成8个村', '王芳', '企业微信', '上报', 'wecom:1762736400000-0'],
      [{ instant: '2026-11-10T10:00:00.000+08:00' }, '城关镇', 'T1', '任务T1', '', '未上报', '', '王芳', '企业微信', '撤回', 'wecom:1762740000000-0'],
    ]);
  });

  it('keeps a month’s entries by the Beijing calendar: 00:30 on 1 November in Beijing is November', () => {
    const table = ledgerTable({ county: '示范县', entries, tasks, townships, month: '2026-11' });
    expect(table.title).toBe('示范县工作台账（2026年11月）');
    expect(table.rows.map((r) => r[0])).toEqual([
      { instant: '2026-10-31T16:30:00.000Z' },
      { instant: '2026-11-10T09:00:00.000+08:00' },
      { instant: '2026-11-10T10:00:00.000+08:00' },
    ]);
  });

  it('formats time columns as date-times', () => {
    expect(ledgerTable({ county: '示范县', entries: [], tasks, townships }).columns[0]).toMatchObject({ header: '时间', format: 'datetime' });
  });

  it('shows 销号 and 恢复 as rows of their own, for no one township and with no value', () => {
    const admin: Reporter = { platform: 'console', user: 'admin', name: '赵管理' };
    const closed: LedgerEntry = { id: '1762743600000-0', task: 'T1', kind: 'closed', by: admin, at: '2026-11-10T11:00:00.000+08:00', source: 'console:c1' };
    const reopened: LedgerEntry = { ...closed, id: '1762747200000-0', kind: 'reopened', closedOn: '2026-11-10', at: '2026-11-10T12:00:00.000+08:00', source: 'console:r1' };
    const table = ledgerTable({ county: '示范县', entries: [...entries, reopened, closed], tasks, townships, month: '2026-11' });
    expect(table.rows.slice(-2)).toEqual([
      [{ instant: '2026-11-10T11:00:00.000+08:00' }, '', 'T1', '任务T1', '', '', '', '赵管理', '终端', '销号', 'console:c1'],
      [{ instant: '2026-11-10T12:00:00.000+08:00' }, '', 'T1', '任务T1', '', '', '', '赵管理', '终端', '恢复', 'console:r1'],
    ]);
  });
});

describe('the ranking table', () => {
  const ranking: RankingSnapshot = {
    month: '2026-11',
    asOf: '2026-11-20',
    rows: [
      { township: 'hx', name: '红星乡', score: 875, rank: 1, previousRank: 3, tasks: 4, done: 2, doneLate: 1, behind: 1, overdue: 0, lastAt: '2026-11-18T10:00:00.000+08:00', bottom: false },
      { township: 'cg', name: '城关镇', score: 500, rank: 2, previousRank: 1, tasks: 4, done: 1, doneLate: 0, behind: 2, overdue: 1, bottom: false },
      { township: 'dc', name: '东城街道', score: 500, rank: 3, tasks: 2, done: 0, doneLate: 0, behind: 0, overdue: 2, bottom: true },
    ],
  };

  it('has a line per township with its score out of 100, to show in 分 as chat does, its completions on time and late, and how it moved', () => {
    const table = rankingTable({ county: '示范县', ranking, final: false });
    expect(table.title).toBe('示范县2026年11月各乡镇任务完成排名（截至2026年11月20日）');
    expect(table.columns.map((c) => [c.header, c.format])).toEqual([
      ['名次', 'integer'],
      ['乡镇', 'text'],
      ['得分', 'score'],
      ['任务数', 'integer'],
      ['按期完成', 'integer'],
      ['逾期完成', 'integer'],
      ['滞后', 'integer'],
      ['逾期', 'integer'],
      ['名次变化', 'text'],
      ['最近上报', 'datetime'],
    ]);
    expect(table.rows).toEqual([
      [1, '红星乡', 87.5, 4, 2, 1, 1, 0, '↑2', { instant: '2026-11-18T10:00:00.000+08:00' }],
      [2, '城关镇', 50, 4, 1, 0, 2, 1, '↓1', null],
      [3, '东城街道', 50, 2, 0, 0, 0, 2, '新', null],
    ]);
  });

  it('says no "as of" for a finished month', () => {
    expect(rankingTable({ county: '示范县', ranking, final: true }).title).toBe('示范县2026年11月各乡镇任务完成排名');
  });
});

describe('the task table', () => {
  const progress = (amount: number): Progress => ({ amount, at: '2026-11-10T09:00:00.000+08:00', entry: '1-0', by: wang });
  const tasks = [
    task('T10', { title: '红色驿站', domain: '社区', townships: ['dc'], target: { kind: 'count', count: 3, per: 'township' }, deadline: '2026-12-31' }),
    task('T2', { title: '后备干部储备', target: { kind: 'count', count: 3, per: 'village' }, weight: 2 }),
    task('T1', { title: '夜校', deadline: '2026-11-10', target: { kind: 'done' }, status: 'closed' }),
  ];
  const table = tasksTable({
    county: '示范县',
    today: '2026-11-20',
    tasks,
    townships,
    progress: new Map([
      ['T2', new Map([['cg', progress(36)], ['hx', progress(9)]])],
      ['T1', new Map([['cg', progress(1)]])],
    ]),
    deadlines: new Map([['T2', new Map([['hx', '2027-01-15']])]]),
    calendar,
  });

  it('has the task’s own columns, then one per township', () => {
    expect(table.title).toBe('示范县任务推进表（截至2026年11月20日）');
    expect(table.columns.map((c) => c.header)).toEqual(['编号', '任务名称', '领域', '责任单位', '目标', '开始时间', '完成时限', '权重', '状态', '城关镇', '红星乡', '东城街道']);
    expect(table.columns.filter((c) => c.format === 'date').map((c) => c.header)).toEqual(['开始时间', '完成时限']);
  });

  it('orders tasks by number and shows each township’s light, word and progress, its own deadline where it was extended, and — where the task is not its', () => {
    expect(table.rows).toEqual([
      ['T1', '夜校', '农村', '各乡镇', '完成', { date: '2026-09-01' }, { date: '2026-11-10' }, 1, '已销号', '✅完成', '🔴逾期 未报', '🔴逾期 未报'],
      ['T2', '后备干部储备', '农村', '各乡镇', '每村3个', { date: '2026-09-01' }, { date: '2026-12-31' }, 2, '进行中', '✅完成', '🟡滞后 9/27个（延期至2027年1月15日）', '🟡滞后 未报'],
      ['T10', '红色驿站', '社区', '东城街道', '3个', { date: '2026-09-01' }, { date: '2026-12-31' }, 1, '进行中', '—', '—', '🟡滞后 未报'],
    ]);
  });
});

describe('wording shared with the import', () => {
  it.each<Target>([
    { kind: 'percent', percent: 100 },
    { kind: 'percent', percent: 80 },
    { kind: 'count', count: 3, per: 'village' },
    { kind: 'count', count: 2, per: 'township' },
    { kind: 'done' },
  ])('writes the target %j so that the import reads it back', (target) => {
    const grid = {
      name: '任务推进表',
      rows: [
        ['任务名称', '责任单位', '目标', '完成时限'].map((value) => ({ value })),
        ['任务', townshipsText(task('T1', { townships: ['cg', 'dc'] }), townships), targetText(target), '2026-12-31'].map((value) => ({ value })),
      ],
    };
    const read = importTaskSheet([grid], { townships, tasks: [], today: '2026-11-20' });
    expect(read.ok && read.plan.create[0]).toMatchObject({ target, townships: ['cg', 'dc'] });
  });

  it('shows amounts in the target’s unit', () => {
    expect(amountText({ kind: 'percent', percent: 100 }, 80, 100)).toBe('80%');
    expect(amountText({ kind: 'count', count: 3, per: 'village' }, 12.5, 36)).toBe('12.5/36个');
    expect(amountText({ kind: 'done' }, 1, 1)).toBe('完成');
    expect(amountText({ kind: 'done' }, 0.5, 1)).toBe('50%');
    expect(amountText({ kind: 'done' }, 0, 1)).toBe('未完成');
  });
});
