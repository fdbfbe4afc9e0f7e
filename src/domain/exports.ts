/**
 * The tables `duban export` writes (docs/design.md §6): the ledger (工作台账), a month's ranking and the
 * task table (任务推进表), as rows of plain values. src/excel/write.ts turns a table into a
 * workbook; nothing here knows Excel. No I/O, no clock: the day and the data come in.
 */
import { beijingMonth, instantMs } from './dates.js';
import { standing } from './lights.js';
import { isReportEntry, type EntryKind, type Instant, type LedgerEntry, type Light, type Progress, type Target, type Task, type Township, type WorkCalendar, type Ym, type Ymd } from './model.js';
import { rankChange, type RankingRow, type RankingSnapshot } from './ranking.js';
import { assignedTo, completion, requiredAmount, unitOf } from './targets.js';
import { text } from '../messages.js';

/** A cell: text, a number, a civil date, or an instant shown as Beijing wall-clock time. */
export type ExportValue = string | number | { date: Ymd } | { instant: Instant } | null;

/** `score`: a ranking score out of 100, shown with one decimal and 分 as the chat replies show it. */
export type ColumnFormat = 'text' | 'integer' | 'number' | 'score' | 'date' | 'datetime';

export interface ExportColumn {
  header: string;
  /** In characters, as Excel measures column widths; a Chinese character takes about two. */
  width: number;
  format: ColumnFormat;
}

export interface ExportTable {
  /** The worksheet's name. */
  sheet: string;
  /** The line above the header. */
  title: string;
  columns: ExportColumn[];
  rows: ExportValue[][];
}

const col = (header: string, width: number, format: ColumnFormat = 'text'): ExportColumn => ({ header, width, format });

const LIGHT_WORDS: Readonly<Record<Light, string>> = {
  done: '✅完成',
  'on-pace': '🟢正常',
  behind: '🟡滞后',
  overdue: '🔴逾期',
};

const KIND_WORDS: Readonly<Record<EntryKind, string>> = { report: '上报', correction: '更正', reversal: '撤回', closed: '销号', reopened: '恢复' };
const PLATFORM_WORDS: Readonly<Record<string, string>> = { wecom: '企业微信', dingtalk: '钉钉', console: '终端' };

/** `2026年11月22日`. */
const longDay = (d: Ymd): string => `${d.slice(0, 4)}年${String(Number(d.slice(5, 7)))}月${String(Number(d.slice(8, 10)))}日`;

const trim = (n: number): string => String(Math.round(n * 100) / 100);

/** How far an amount is, in the target's unit: `80%`, `8/12个`, `30/36名`, `完成`. */
export function amountText(target: Target, amount: number, required: number): string {
  switch (target.kind) {
    case 'percent':
      return `${trim(amount)}%`;
    case 'count':
      return `${trim(amount)}/${trim(required)}${unitOf(target)}`;
    case 'done':
      return amount >= 1 ? '完成' : amount > 0 ? `${String(Math.round(amount * 100))}%` : '未完成';
  }
}

/** A target written as the 任务分解表 import reads it back: `100%`, `每村3名`, `2个`, `完成`. */
export function targetText(target: Target): string {
  switch (target.kind) {
    case 'percent':
      return `${trim(target.percent)}%`;
    case 'count':
      return target.per === 'village' ? `每村${trim(target.count)}${unitOf(target)}` : `${trim(target.count)}${unitOf(target)}`;
    case 'done':
      return '完成';
  }
}

/** `各乡镇`, or the townships' names: what the import reads in a 责任单位 column. */
export function townshipsText(task: Task, townships: readonly Township[]): string {
  if (task.townships === 'all') return '各乡镇';
  const names = new Map(townships.map((t) => [t.id, t.name]));
  return task.townships.map((id) => names.get(id) ?? id).join('、');
}

const byTaskId = (a: Task, b: Task): number => a.id.localeCompare(b.id, 'en', { numeric: true });

/** Stream ids `ms-seq` order entries recorded in the same millisecond. */
function compareEntries(a: LedgerEntry, b: LedgerEntry): number {
  const byTime = instantMs(a.at) - instantMs(b.at);
  if (byTime !== 0) return byTime;
  const [am = 0, as = 0] = a.id.split('-').map(Number);
  const [bm = 0, bs = 0] = b.id.split('-').map(Number);
  return am - bm || as - bs;
}

// ---------------------------------------------------------------------------------------------

/**
 * Every ledger entry, oldest first; with `month`, those recorded in that Beijing month. The
 * value is as typed, the 折算进度 is the amount it set in the target's unit.
 */
export function ledgerTable(input: {
  county: string;
  entries: readonly LedgerEntry[];
  tasks: readonly Task[];
  townships: readonly Township[];
  month?: Ym;
}): ExportTable {
  const tasks = new Map(input.tasks.map((t) => [t.id, t]));
  const townships = new Map(input.townships.map((t) => [t.id, t]));
  const entries = input.entries
    .filter((e) => input.month === undefined || beijingMonth(new Date(instantMs(e.at))) === input.month)
    .sort(compareEntries);
  const rows = entries.map((e): ExportValue[] => {
    const task = tasks.get(e.task);
    const by = [e.by.name, PLATFORM_WORDS[e.by.platform] ?? e.by.platform, KIND_WORDS[e.kind], e.source];
    // 销号 and 恢复 concern the task in every township and carry no value.
    if (!isReportEntry(e)) return [{ instant: e.at }, '', e.task, task?.title ?? '', '', '', '', ...by];
    const township = townships.get(e.township);
    const shown =
      e.amount === null
        ? '未上报'
        : task && township
          ? amountText(task.target, e.amount, requiredAmount(task.target, township))
          : trim(e.amount);
    return [{ instant: e.at }, township?.name ?? e.township, e.task, task?.title ?? '', e.value, shown, e.note, ...by];
  });
  return {
    sheet: '工作台账',
    title: `${input.county}工作台账${input.month === undefined ? '' : `（${text.monthName(input.month)}）`}`,
    columns: [
      col('时间', 17, 'datetime'),
      col('乡镇', 12),
      col('任务编号', 9),
      col('任务名称', 30),
      col('上报值', 10),
      col('折算进度', 12),
      col('说明', 30),
      col('上报人', 9),
      col('平台', 9),
      col('类型', 6),
      col('来源消息', 24),
    ],
    rows,
  };
}

/** `↑2`, `↓1`, `—`, or `新` for a township not ranked the month before. */
function changeText(row: RankingRow): string {
  const moved = rankChange(row);
  if (moved === undefined) return text.rankNew;
  return moved > 0 ? text.rankUp(moved) : moved < 0 ? text.rankDown(-moved) : text.rankSame;
}

/** A month's ranking; `final` for a finished month, whose title says no "as of". */
export function rankingTable(input: { county: string; ranking: RankingSnapshot; final: boolean }): ExportTable {
  const { ranking } = input;
  const asOf = input.final ? '' : `（截至${longDay(ranking.asOf)}）`;
  return {
    sheet: '月度排名',
    title: `${input.county}${text.monthName(ranking.month)}各乡镇任务完成排名${asOf}`,
    columns: [
      col('名次', 6, 'integer'),
      col('乡镇', 14),
      col('得分', 9, 'score'),
      col('任务数', 8, 'integer'),
      col('完成', 7, 'integer'),
      col('滞后', 7, 'integer'),
      col('逾期', 7, 'integer'),
      col('名次变化', 9),
      col('最近上报', 17, 'datetime'),
    ],
    rows: ranking.rows.map((r): ExportValue[] => [
      r.rank,
      r.name,
      r.score / 10,
      r.tasks,
      r.done,
      r.behind,
      r.overdue,
      changeText(r),
      r.lastAt === undefined ? null : { instant: r.lastAt },
    ]),
  };
}

/** A township's cell in the task table: light, word and amount; `—` where the task is not its. */
function standingText(task: Task, township: Township, progress: Progress | undefined, today: Ymd, calendar: WorkCalendar): string {
  if (!assignedTo(task, township.id)) return '—';
  const required = requiredAmount(task.target, township);
  const share = progress === undefined ? 0 : completion(progress.amount, required);
  const { light } = standing({ task, completion: share, today, calendar });
  if (light === 'done') return LIGHT_WORDS.done;
  return `${LIGHT_WORDS[light]} ${progress === undefined ? '未报' : amountText(task.target, progress.amount, required)}`;
}

/**
 * The task table (任务推进表): one row per task with its own columns — written as the import reads
 * them, so an exported table can be edited and imported back — then one column per township with
 * its light and progress on `today`.
 */
export function tasksTable(input: {
  county: string;
  today: Ymd;
  tasks: readonly Task[];
  townships: readonly Township[];
  progress: ReadonlyMap<string, ReadonlyMap<string, Progress>>;
  calendar: WorkCalendar;
}): ExportTable {
  const { today, townships, calendar } = input;
  const rows = [...input.tasks].sort(byTaskId).map((task): ExportValue[] => [
    task.id,
    task.title,
    task.domain,
    townshipsText(task, townships),
    targetText(task.target),
    { date: task.start },
    { date: task.deadline },
    task.weight,
    task.status === 'open' ? '进行中' : '已销号',
    ...townships.map((t) => standingText(task, t, input.progress.get(task.id)?.get(t.id), today, calendar)),
  ]);
  return {
    sheet: '任务推进表',
    title: `${input.county}任务推进表（截至${longDay(today)}）`,
    columns: [
      col('编号', 6),
      col('任务名称', 30),
      col('领域', 6),
      col('责任单位', 18),
      col('目标', 10),
      col('开始时间', 11, 'date'),
      col('完成时限', 11, 'date'),
      col('权重', 5, 'number'),
      col('状态', 7),
      ...townships.map((t) => col(t.name, Math.max(12, Array.from(t.name).length * 2 + 2))),
    ],
    rows,
  };
}
