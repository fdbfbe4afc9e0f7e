/**
 * What an admin reads about a setup file that does not load (zh-CN): where each problem is (entry,
 * field, line), what is wrong and the right form; and the file refused before it is read as YAML
 * (its size or encoding, issue 12).
 */
import { COUNT_UNITS } from '../domain/model.js';
import { MAX_LADDER_DAYS, MAX_LADDER_RUNGS, MAX_OVERDUE_REPEAT_DAYS, MAX_EXTENSION_GRACE_DAYS } from '../domain/schedule.js';
import { fileSize, PLATFORM_NAMES } from './vocabulary.js';

const SAVE_AS_UTF8 = '请另存为 UTF-8 编码：在记事本里点「文件」→「另存为」，下方的「编码」选「UTF-8」，保存后再载入';

export const setupFile = {
  /** One problem: where it is, what is wrong, and the line to look at. */
  problem: (where: string, what: string, line?: number): string =>
    `${where}：${what}${line === undefined ? '' : `（第${String(line)}行）`}`,
  entry: (section: string, index: number, label?: string): string =>
    `${section} 第${String(index + 1)}项${label === undefined ? '' : `（${label}）`}`,
  item: (index: number): string => `第${String(index + 1)}项`,
  field: (entry: string, field: string): string => `${entry}${/[\x21-\x7e]$/.test(entry) ? ' ' : ''}的 ${field}`,

  fileType: (fileName: string): string =>
    `不认识的文件类型「${fileName}」：设置文件的名字应以 .yaml、.yml 或 .json 结尾`,
  emptyFile: '设置文件是空的：请参照 examples/sample-county.yaml 填写',
  syntaxAt: (line: number, col: number, what: string, source: string): string =>
    `第${String(line)}行第${String(col)}列：${what}${source === '' ? '' : `（这一行是「${source}」）`}`,
  syntax: {
    BAD_INDENT: '缩进不对，同一层的各项要从同一列开始',
    TAB_AS_INDENT: '不能用 Tab 键缩进，请改用空格',
    DUPLICATE_KEY: '同一层里有重复的字段',
    MISSING_CHAR: '缺少必要的符号（引号、括号、逗号或冒号）',
    MULTILINE_IMPLICIT_KEY: '看不懂这一行：字段应写成「字段: 值」（冒号后有空格），{ } 里的各项之间用逗号隔开',
    BLOCK_AS_IMPLICIT_KEY: '看不懂这一行：字段应写成「字段: 值」（冒号后有空格）',
    BLOCK_IN_FLOW: '{ } 或 [ ] 里面不能再换行缩进，各项之间用逗号隔开',
    UNEXPECTED_TOKEN: '这里有多余的符号',
    MULTIPLE_DOCS: '文件里只能有一份设置，请删去多余的「---」',
    BAD_DQ_ESCAPE: '双引号里的反斜杠 \\ 用法不对，换成单引号试试',
    BAD_SCALAR_START: '这个值以特殊符号开头，请给它加上引号',
  },
  syntaxOther: '写法有误',
  syntaxMissing: {
    quote: '缺少配对的引号',
    comma: '前后两项之间缺少逗号',
    colonSpace: '冒号后面要有空格',
    value: '字段名后面缺少冒号和值',
    comment: '「#」注释前面要有空格',
  },
  syntaxClose: (bracket: string): string => `缺少收尾的「${bracket}」，或者这里缩进不够`,
  unreadable: (reason: string): string => `读不出设置文件的内容：${reason}`,
  root: '设置文件最外层应写成「字段: 值」，包含 county、townships、groups、people、tasks',

  required: '必须填写',
  blank: '不能为空',
  text: '应为文字；纯数字的编号请加引号，例如 "0123"',
  number: '应为数字',
  list: '应为列表：每项一行，以「- 」开头，或写成 [甲, 乙]',
  object: '应写成「字段: 值」的形式',
  oneOf: (values: readonly string[], input: string): string => `应为 ${values.join('、')} 其中之一，不能是「${input}」`,
  invalid: '写法不对',
  unknownField: (guess: string | undefined, allowed: readonly string[]): string =>
    guess === undefined ? `没有这个字段，可以写的字段有 ${allowed.join('、')}` : `没有这个字段，是不是 ${guess}？`,

  noTownships: '至少要有一个乡镇',
  nameChars: '不能包含 { } 或换行',
  villages: '应为不小于0的整数',
  duplicateName: (other: number): string => `与第${String(other + 1)}项重名`,
  duplicateKey: (key: string, other: number): string => `「${key}」已是第${String(other + 1)}项的名称或 id`,
  noTownship: (ref: string, guess?: string): string =>
    `找不到乡镇「${ref}」${guess === undefined ? '' : `，是不是「${guess}」？`}`,

  groupNeither: '要写 township（乡镇工作群）或 role: leaders（领导群）其中一个',
  groupBoth: 'township 和 role 只能写一个：乡镇工作群写 township，领导群写 role: leaders',
  url: '应为以 https:// 或 http:// 开头的网址',
  webhookConsole: `console（${PLATFORM_NAMES.console}）里的群不需要 webhook`,
  /** `origin`: the platform's API origin, as the adapter calls it. */
  webhookWecom: (origin: string): string => `${PLATFORM_NAMES.wecom}群的 webhook 应是群机器人（消息推送）的完整地址，形如 ${origin}/cgi-bin/webhook/send?key=…`,
  webhookDingtalk: (origin: string): string => `${PLATFORM_NAMES.dingtalk}群的 webhook 应是自定义机器人的完整地址，形如 ${origin}/robot/send?access_token=…`,
  secretNotDingtalk: `只有${PLATFORM_NAMES.dingtalk}（dingtalk）自定义机器人需要加签 secret`,
  secretWithoutWebhook: `写了加签 secret 就要同时写${PLATFORM_NAMES.dingtalk}自定义机器人的 webhook`,
  duplicateGroup: (other: number): string => `与第${String(other + 1)}项是同一个群，一个群只能写一次`,
  duplicatePerson: (other: number): string => `与第${String(other + 1)}项是同一个人，一个人只能写一次`,

  taskId: '应写成 T 加序号，例如 T3',
  duplicateTask: (other: number): string => `与第${String(other + 1)}项的编号相同，任务编号不能重复`,
  date: '日期应写成 YYYY-MM-DD，例如 2026-12-31',
  noSuchDay: (date: string): string => `没有「${date}」这一天`,
  startAfterDeadline: (start: string, deadline: string): string =>
    `开始日期 ${start} 晚于截止日期 ${deadline}`,
  target: '应写成 { percent: 100 }、{ count: 3, per: village } 或 { done: true } 其中一种',
  targetMany: (kinds: readonly string[]): string => `${kinds.join('、')} 只能写一个`,
  percent: '应为大于0、不大于100的数字',
  count: '应为大于0的整数',
  done: '应写成 done: true',
  perWithoutCount: '只有 count 目标才能写 per',
  unit: `应为计数的量词：${COUNT_UNITS.join('、')}（人写「名」，例如 unit: 名）`,
  unitWithoutCount: '只有 count 目标才能写 unit',
  taskTownships: '应写 all（全部乡镇），或乡镇列表，例如 [城关镇, 红星乡]',
  taskTownshipsEmpty: '不能是空列表；全部乡镇请写 all',
  weight: '应为大于0的数字',

  year: '应为年份，例如 2027',
  noVillages: (townships: readonly string[]): string =>
    `每村计的目标分给了没有村（社区）的${townships.map((t) => `「${t}」`).join('、')}；` +
    '请填上它的 villages，或者不把这个任务分给它',
  restAndWork: (date: string): string => `${date} 也写在了 rest 里，一天只能是休息日或调休上班日之一`,

  clockTime: '时间应写成「时:分」（24小时制），例如 09:00、14:30',
  officeHours: '应写成 { start: "08:30", end: "18:00" }',
  officeHoursOrder: (start: string, end: string): string => `上班时间 start 应早于下班时间 end，现在是 ${start}–${end}`,
  timeOutsideOfficeHours: (time: string, start: string, end: string): string =>
    `每天发提醒、预警的时间 ${time} 不在工作时间 ${start}–${end} 之内，这样每天的消息都要等到工作时间才会发出；` +
    `请把 time 改到 ${start} 至 ${end} 之间（不含 ${end}），或者调整 office_hours`,
  ladderDay: `应为 0 到 ${String(MAX_LADDER_DAYS)} 之间的整数：截止前第几个工作日提醒，0 是截止当天`,
  ladderEmpty: '至少要写一个天数，例如 [5, 3, 1, 0]',
  ladderTooMany: `最多写 ${String(MAX_LADDER_RUNGS)} 个天数`,
  ladderRepeat: (other: number): string => `与第${String(other + 1)}项重复`,
  flag: '应写成 true（是）或 false（否）',
  extensionGraceDays: `应为 0 到 ${String(MAX_EXTENSION_GRACE_DAYS)} 之间的整数：截止日之后还能申请延期的工作日数；0 表示最晚在截止当天申请`,
  overdueRepeatDays: `应为 0 到 ${String(MAX_OVERDUE_REPEAT_DAYS)} 之间的整数：逾期的任务在逾期后第一个工作日提醒，之后每隔几天再提醒一次；0 表示只提醒一次`,

  /** `duban load`: a setup file refused before it is read as YAML (issue 12). */
  bytes: {
    tooLarge: (bytes: number, limit: number): string =>
      `设置文件有 ${fileSize(bytes)}，超过了 ${fileSize(limit)} 的上限（一个县的设置文件通常只有几十 KB）：请确认选对了文件`,
    utf16: (endian: 'le' | 'be'): string =>
      `设置文件是 UTF-16 编码（记事本里叫「${endian === 'le' ? 'UTF-16 LE」或「Unicode' : 'UTF-16 BE」或「Unicode big endian'}」），读不了。${SAVE_AS_UTF8}`,
    notUtf8: (line: number): string =>
      `设置文件不是 UTF-8 编码，从第${String(line)}行起读不出来（常见的原因是用记事本存成了「ANSI」，也就是 GBK 编码）。${SAVE_AS_UTF8}`,
    garbled: (line: number): string =>
      `设置文件第${String(line)}行有乱码「\uFFFD」：这个文件曾被按错误的编码打开又保存过，这些字已经丢失。请把它们改回原来的字（或找到原来的文件），用 UTF-8 编码保存后再载入`,
    aliases: '设置文件里的锚点和引用（& 和 *）展开后太多，读不了：请把各项直接写出来，不要用 & 和 *',
    tooManyProblems: (shown: number): string => `已列出 ${String(shown)} 处问题，后面的没有再查：请先改好这些，再载入一次`,
    tooDeep: '设置文件里的列表和字段一层套一层，套得太深，读不了：一个县的设置只需要四五层，请检查缩进和括号 [ ] { } 是否多写了',
  },

  /** Who the ledger says closed a task that a reloaded setup file newly marks `closed`. */
  reporter: '设置文件',
} as const;
