/**
 * What Excel shows and says (zh-CN): the problems a 任务分解表 import reports (by row, column
 * letter and header), a workbook refused before it is read, the outcome of `duban export`, and
 * the exported sheets' names, titles, headers and cell words. Lights, entry kinds, platforms and
 * rank changes are the vocabulary's, in their short form where a cell is narrow.
 */
import { TASK_DOMAINS, type Light, type Target, type Task, type Township, type Ym, type Ymd } from '../domain/model.js';
import { unitOf } from '../domain/targets.js';
import { text as chat } from './chat.js';
import { fileSize, LIGHTS, longDay, monthName, NOT_DONE, percentOf, SCORE_UNIT, TASK_STATUS, trimNumber } from './vocabulary.js';

// ---------------------------------------------------------------------------------------------
// Import (`duban import`): the 任务分解表's problems

const DOMAINS = TASK_DOMAINS.join('、');
/** The 责任单位 of a task for all townships: the export writes it, the import reads it back. */
const ALL_TOWNSHIPS = '各乡镇';

/** Up to this many township names are listed when one is not found; a county of 2,000 gets a count. */
const KNOWN_LISTED = 30;
const IDS_LISTED = 20;

function idList(tasks: readonly Task[]): string {
  if (tasks.length === 0) return '';
  const ids = tasks.slice(0, IDS_LISTED).map((t) => t.id);
  return `（${ids.join('、')}${tasks.length > IDS_LISTED ? ' 等' : ''}）`;
}

export const sheetMessages = {
  at: (row: number, letter: string, header: string, what: string): string => `第${String(row)}行 ${letter}列「${header}」：${what}`,
  atRow: (row: number, what: string): string => `第${String(row)}行：${what}`,

  /** `scanned`: how many rows from the top were searched. */
  noHeader: (sheets: readonly string[], scanned: number): string =>
    `在${sheets.map((s) => `「${s}」`).join('、')}的前 ${String(scanned)} 行里没有找到表头。` +
    '任务分解表要有一行表头，写明各列是什么，例如：序号｜任务名称｜责任单位｜目标｜完成时限',
  noSheets: '这个 Excel 文件里没有工作表',
  missingColumn: (sheet: string, row: number, header: string, aliases: readonly string[], hint: string): string =>
    `工作表「${sheet}」第${String(row)}行的表头里没有「${header}」列（也可以叫 ${aliases.join('、')}）；${hint}`,
  noRows: (sheet: string, row: number): string => `工作表「${sheet}」第${String(row)}行的表头下面没有任务`,

  missing: '没有填写',
  noSuchDay: (text: string): string => `没有「${text}」这一天`,
  unknownDate: (text: string): string => `看不懂日期「${text}」`,
  unknownTarget: (text: string): string => `看不懂目标「${text}」`,
  bareNumber: (text: string): string => `目标「${text}」没有写单位`,
  unknownDomain: (text: string): string => `没有「${text}」这个领域`,
  badWeight: (text: string): string => `权重「${text}」不是大于0的数字`,
  badId: (text: string): string => `编号「${text}」写法不对`,
  noTownship: (ref: string, guess: string | undefined): string =>
    `找不到乡镇「${ref}」${guess === undefined ? '' : `，是不是「${guess}」？`}`,
  knownTownships: (names: readonly string[]): string =>
    names.length <= KNOWN_LISTED ? `本县的乡镇有：${names.join('、')}` : `本县共 ${String(names.length)} 个乡镇，名称以设置文件为准`,
  startAfterDeadline: (start: Ymd, deadline: Ymd): string => `开始时间 ${start} 晚于完成时限 ${deadline}`,
  deadlineBeforeOldStart: (deadline: Ymd, start: Ymd): string =>
    `完成时限 ${deadline} 早于这项任务原来的开始时间 ${start}；请在「开始时间」列一并写上新的开始时间`,
  noVillages: (names: readonly string[]): string =>
    `按村计的目标分给了没有村（社区）的${names.map((n) => `「${n}」`).join('、')}；请改成按乡镇计的目标（如 3个），或者不把这项任务分给它`,
  duplicateTitle: (other: number): string => `与第${String(other)}行的任务同名；同一张表里任务名称不能重复`,
  duplicateId: (other: number): string => `与第${String(other)}行的编号相同；同一张表里编号不能重复`,
  sameTask: (other: number, id: string): string => `与第${String(other)}行是同一项任务 ${id}；一项任务只能写一行`,
  ambiguousTitle: (ids: readonly string[]): string =>
    `已有 ${ids.join('、')} 几项任务都叫这个名字，不知道要更新哪一项；请在「编号」列写明，例如 ${ids[0] ?? 'T3'}`,
  idCollision: (id: string): string =>
    `本县还没有任务 ${id}，而表里另有不写编号、要新建的任务，自动编号可能与 ${id} 重复；` +
    '请把新任务的编号都留空（导入时自动编号），或者都写上编号',

  hint: {
    id: '编号应写成 T 加序号，例如 T3；新任务可以不写编号，导入时自动编号',
    title: '每行写一项任务，任务名称必填',
    townships: `请写乡镇名称，多个用「、」隔开，例如 城关镇、红星乡；全部乡镇承担的写「${ALL_TOWNSHIPS}」`,
    deadline: '请写成日期，例如 2026-12-31、2026年12月31日，也可以写 12月底、年底',
    start: '请写成日期，例如 2026-03-01；不写就从导入当天开始',
    target: '请写成 100%（百分比）、每村3个（每个村的个数）、3个（每个乡镇的个数）或 完成（只看是否完成）',
    domain: `可选：${DOMAINS}；不写就是综合`,
    weight: '请写大于0的数字，例如 2；不写就是 1',
  },
  /** What a missing required column is for. */
  column: {
    title: '请加上这一列，每行写一项任务的名称',
    townships: `请加上这一列，写每项任务由哪些乡镇承担；全部乡镇承担的写「${ALL_TOWNSHIPS}」`,
    deadline: '请加上这一列，写每项任务的截止日期，例如 2026-12-31',
    target: '请加上这一列，写每项任务的目标，例如 100%、每村3个、3个 或 完成',
  },

  imported: (county: string, created: readonly Task[], updated: readonly Task[]): string =>
    `已导入「${county}」任务分解表：新建 ${String(created.length)} 项${idList(created)}、更新 ${String(updated.length)} 项${idList(updated)}。`,
} as const;

// ---------------------------------------------------------------------------------------------
// A workbook refused before it is read whole (src/excel/inspect.ts)

/** `duban import`: a workbook refused before it is read whole (issue 12). */
export const workbookMessages = {
  tooLarge: (bytes: number, limit: number): string =>
    `这个文件有 ${fileSize(bytes)}，超过了导入的上限 ${fileSize(limit)}（一张任务分解表通常只有几十 KB）：请确认选对了文件，或删去表里的图片后另存再导入`,
  tooMuchContent: (bytes: number, limit: number): string =>
    `这个文件解压后的表格内容有 ${fileSize(bytes)}，超过了导入的上限 ${fileSize(limit)}（一张任务分解表通常不到 1 MB）：请只留下任务分解表这一张工作表，另存为新的 .xlsx 再导入`,
  tooManyRows: (total: number, limit: number, sheets: readonly { name: string; rows: number }[]): string =>
    `这个文件${sheets.length === 1 ? `的工作表「${sheets[0]?.name ?? ''}」` : `的 ${String(sheets.length)} 张工作表（${sheets.slice(0, 3).map((s) => `「${s.name}」${String(s.rows)} 行`).join('、')}${sheets.length > 3 ? ' 等' : ''}）`}` +
    `共有 ${String(total)} 行，超过了一次导入最多 ${String(limit)} 行的上限：请删去表格下面多余的行（包括只设了格式的空行），或把任务分成几个文件分批导入`,
  tooManyColumns: (sheet: string, columns: number, letter: string, limit: number): string =>
    `工作表「${sheet}」用到了第 ${String(columns)} 列（${letter}列），超过了导入最多 ${String(limit)} 列的上限：请删去表格右边多余的列（包括只设了格式的空列）`,
  tooManyCells: (cells: number, limit: number): string =>
    `这个文件写了 ${String(cells)} 个单元格（包括只设了格式的空单元格和合并的单元格），超过了导入最多 ${String(limit)} 个的上限：请删去多余的行、列和工作表后再导入`,
  oldXls: '这是旧版的 .xls 文件（或者设了打开密码的文件），不是 .xlsx：请在 Excel 或 WPS 里打开它，去掉打开密码，「另存为」Excel 工作簿（.xlsx）再导入',
  notWorkbook: '这是文本文件（例如 CSV 或网页），不是 Excel 工作簿：请在 Excel 或 WPS 里打开它，「另存为」Excel 工作簿（.xlsx）再导入',
  unreadable: '读不出这个 Excel 文件：它不是 .xlsx 格式，或者已经损坏。旧的 .xls 文件请先在 Excel 或 WPS 里「另存为」.xlsx 再导入。',
  garbledCell: (sheet: string, row: number, letter: string): string => `工作表「${sheet}」第${String(row)}行 ${letter}列`,
  garbled: (cells: readonly string[], total: number): string =>
    `有 ${String(total)} 个单元格里是乱码「\uFFFD」：${cells.join('、')}${total > cells.length ? ' 等' : ''}。` +
    '这些字在做成 Excel 表之前就按错了编码（常见于从 GBK 编码的 CSV 或文本里导入、粘贴），原来的字已经丢失：' +
    '请从原始文件重新制作这张表，在 Excel 或 WPS 里打开原始文件时选对编码（简体中文 GBK 或 UTF-8），再另存为 .xlsx 导入',
} as const;

// ---------------------------------------------------------------------------------------------
// Export (`duban export`)

export const exportMessages = {
  future: (month: Ym): string => `${monthName(month)}还没到，没有可导出的内容`,
  noRecords: (month: Ym): string => chat.commands.ranking.noRecords(month),
  exported: (rows: number, file: string): string => `已导出 ${String(rows)} 行到 ${file}`,
} as const;

/** How far an amount is, in the target's unit: `80%`, `8/12个`, `30/36名`, `完成`. */
export function amountText(target: Target, amount: number, required: number): string {
  switch (target.kind) {
    case 'percent':
      return `${trimNumber(amount)}%`;
    case 'count':
      return `${trimNumber(amount)}/${trimNumber(required)}${unitOf(target)}`;
    case 'done':
      return amount >= 1 ? LIGHTS.done.short : amount > 0 ? percentOf(amount) : NOT_DONE;
  }
}

/** A target written as the 任务分解表 import reads it back: `100%`, `每村3名`, `2个`, `完成`. */
export function targetText(target: Target): string {
  switch (target.kind) {
    case 'percent':
      return `${trimNumber(target.percent)}%`;
    case 'count':
      return target.per === 'village' ? `每村${trimNumber(target.count)}${unitOf(target)}` : `${trimNumber(target.count)}${unitOf(target)}`;
    case 'done':
      return '完成';
  }
}


/** `各乡镇`, or the townships' names: what the import reads in a 责任单位 column. */
export function townshipsText(task: Task, townships: readonly Township[]): string {
  if (task.townships === 'all') return ALL_TOWNSHIPS;
  const names = new Map(townships.map((t) => [t.id, t.name]));
  return task.townships.map((id) => names.get(id) ?? id).join('、');
}

/** The exported sheets: their names, titles and column headers, and the words in their cells. */
export const tableWords = {
  /** A light in a cell of the 任务推进表: `🟡滞后`. */
  light: (light: Light): string => `${LIGHTS[light].icon}${LIGHTS[light].short}`,
  /** A township's cell where the task is not its. */
  notAssigned: '—',
  /** After a township's light, where a grant moved its deadline: `（延期至12月31日）`. */
  extendedTo: (deadline: Ymd): string => `（延期至${longDay(deadline)}）`,
  status: TASK_STATUS,

  ledger: {
    sheet: '工作台账',
    title: (county: string, month: Ym | undefined): string => `${county}工作台账${month === undefined ? '' : `（${monthName(month)}）`}`,
    head: {
      at: '时间',
      township: '乡镇',
      taskId: '任务编号',
      task: '任务名称',
      value: '上报值',
      shown: '折算进度',
      note: '说明',
      by: '上报人',
      platform: '平台',
      kind: '类型',
      source: '来源消息',
    },
  },
  ranking: {
    sheet: '月度排名',
    /** `asOf`: the day of an unfinished month's ranking; a finished month's says no "as of". */
    title: (county: string, month: Ym, asOf: Ymd | undefined): string =>
      `${county}${monthName(month)}各乡镇任务完成排名${asOf === undefined ? '' : `（截至${longDay(asOf)}）`}`,
    head: {
      rank: '名次',
      township: '乡镇',
      score: '得分',
      tasks: '任务数',
      done: `按期${LIGHTS.done.short}`,
      doneLate: LIGHTS['done-late'].short,
      behind: LIGHTS.behind.short,
      overdue: LIGHTS.overdue.short,
      change: '名次变化',
      lastAt: '最近上报',
    },
  },
  tasks: {
    sheet: '任务推进表',
    title: (county: string, today: Ymd): string => `${county}任务推进表（截至${longDay(today)}）`,
    /** Written as the import reads them, so an exported table can be edited and imported back. */
    head: {
      id: '编号',
      title: '任务名称',
      domain: '领域',
      townships: '责任单位',
      target: '目标',
      start: '开始时间',
      deadline: '完成时限',
      weight: '权重',
      status: '状态',
    },
  },
} as const;

/** The printed workbook: who made it, the page footer (Excel's &P and &N codes), a score's number format. */
export const workbookPage = {
  creator: '督办助手',
  footer: '第 &P 页，共 &N 页',
  // The unit in the format, not in the cell: the score stays a number that sorts and sums.
  scoreFormat: `0.0"${SCORE_UNIT}"`,
} as const;
