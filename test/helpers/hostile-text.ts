/**
 * Hostile chat input, for the tests that feed it to the bot:
 *
 * - `HOSTILE_TEXTS`: long and adversarial input, a family per way a parser could go super-linear:
 *   the same shape at any length `n` (about n characters), for the unit test that counts the
 *   parsers' work and for `npm run bench parse`, which times it;
 * - `said` and the generators it draws from: random and hostile messages (random unicode, emoji,
 *   control characters, full-width forms, strings up to 64 KB, markup and injection, near-misses
 *   of every command), for the fault suite's hostile messages through the router
 *   (test/faults/hostile-messages.fault.ts) and over WeCom's long connection
 *   (test/faults/hostile-socket.fault.ts);
 * - the checks both fault files make after each message: the words that mean a failure leaked
 *   into a reply, a stack frame, the markup a platform would act on, and whether a ledger entry is
 *   one the bot may have written.
 */
import fc from 'fast-check';
import { sourceOf, type IncomingMessage } from '../../src/core/types.js';
import { isReportEntry, type County, type Group, type LedgerEntry, type Task } from '../../src/domain/model.js';
import { requiredAmount } from '../../src/domain/targets.js';
import {
  normalizeText,
  parseDate,
  parseMonth,
  parseNewTask,
  parseReport,
  parseTarget,
  parseTaskRef,
  parseValue,
  splitCommand,
  stripMention,
} from '../../src/domain/parse/index.js';

const times = (s: string, n: number): string => s.repeat(Math.max(1, Math.round(n / s.length)));

export const HOSTILE_TEXTS: Readonly<Record<string, (n: number) => string>> = {
  // Issue 12: `上报 ` and one word, which the report parser tried a value at every position of.
  'one long word': (n) => `${times('一', n)}x`,
  'a title run into a value': (n) => `${times('阵', n)}80%`,
  'a long number': (n) => `T3 ${times('1', n)}x`,
  'a long Chinese numeral': (n) => `T3 百分之${times('八', n)}x`,
  'digits and dots': (n) => `T3 ${times('1.', n)}%`,
  'many short words': (n) => `${times('三年 ', n)}x`,
  'separators not at the end': (n) => `a${times(', ', n)}x`,
  'quotes not at the end': (n) => `x${times('"', n)}x`,
  'many 除': (n) => times('除,', n),
  'many keywords': (n) => `任务 ${times('截止', n)}`,
  'many mentions': (n) => `${times('@a ', n)}@aaaa!`,
  'full-width and spaces': (n) => times('８\u3000', n),
  'a long task id': (n) => `T${times('9', n)}`,
  'months and days': (n) => `截止${times('12月', n)}`,
};

/** The day the date parsers are given: any day does. */
const TODAY = '2026-11-23';
const WORDS = ['帮助', 'help', '上报', '报', '进度', '新建任务'];

/** Every parser chat text goes through, on `s`: what one message could cost at most. */
export function parseEverything(s: string): number {
  let answers = 0;
  const count = (result: { ok: boolean }): void => {
    if (result.ok) answers += 1;
  };
  normalizeText(s);
  stripMention(s);
  if (splitCommand(s, WORDS) !== undefined) answers += 1;
  count(parseReport(s));
  count(parseValue(s));
  count(parseTaskRef(s));
  count(parseNewTask(s, TODAY));
  count(parseDate(s, TODAY));
  count(parseMonth(s, TODAY));
  count(parseTarget(s));
  return answers;
}

// ---- random and hostile messages ----

export const INJECTIONS = [
  '<@all>', '@all', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '**加粗**', '__下划线__', '[点我](javascript:alert(1))',
  '![x](http://127.0.0.1:1/x.png)', '<font color="warning">红</font>', '# 标题', '> 引用', '`代码`', '```\n代码块\n```', '---',
  "'; DROP TABLE tasks; --", '" OR 1=1 --', '{{7*7}}', '${process.exit(1)}', '%s%s%s%n', '\\u0000', '../../../../etc/passwd',
  '\u202Egnp.exe', '\u200B\u200B\u200B', '\uFEFF', '@督办助手 @督办助手 @督办助手', 'EVAL "return 1" 0', 'FLUSHALL', '*3\r\n$3\r\nSET\r\n',
  '__proto__', 'constructor', '{"__proto__":{"admin":true}}', 'toString', 'null', 'undefined', 'NaN', 'Error',
];
export const injection = fc.constantFrom(...INJECTIONS);

const TASK_REFS = ['T1', 'T2', 't3', '3', '3号', 'T4', 'T5', 'T6', 'T0', 'T99', 'T-1', 'T2.5', 'T999999999999999999999', 'TT2', '红色驿站', '软弱涣散', '党', '任务', ''];
const taskRef = fc.oneof({ arbitrary: fc.constantFrom(...TASK_REFS), weight: 4 }, { arbitrary: injection, weight: 1 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 });

const VALUES = [
  '80%', '100%', '0%', '-5%', '101%', '999%', '100.0001%', '99.99%', '1e2%', '0x50%', 'Infinity%', 'NaN%', '%', '%%', '80', '八成', '十成', '百分之八十',
  '百分之一百零一', '负百分之五', '完成', '已完成', '没完成', '12个', '-3个', '0个', '99999999999999999999个', '12/13', '13/12', '0/0', '5/0', '-1/5', '1/-5',
  '２４个', '８０％', '半', '全部', '½', '٨٠%', '①②', '1,000个', '1_000个', '+80%', '80 %', '80%%',
];
const value = fc.oneof(
  { arbitrary: fc.constantFrom(...VALUES), weight: 4 },
  { arbitrary: fc.integer({ min: -1000, max: 1000 }).map((n) => `${String(n)}%`), weight: 2 },
  { arbitrary: fc.integer({ min: -5, max: 300 }).map((n) => `${String(n)}个`), weight: 2 },
  { arbitrary: fc.tuple(fc.integer({ min: -5, max: 200 }), fc.integer({ min: -5, max: 200 })).map(([a, b]) => `${String(a)}/${String(b)}`), weight: 2 },
  { arbitrary: fc.double().map((n) => `${String(n)}%`), weight: 1 },
);
const note = fc.oneof(fc.constant(''), injection, fc.string({ unit: 'grapheme', maxLength: 250 }));
const township = fc.constantFrom('城关镇', '红星乡', '东城街道', '不存在镇', '领导群', '领导', '', '城关', '镇');
const deadline = fc.constantFrom('截止12月31日', '截止2026-12-31', '截止年底', '截止12月底', '截止2月30日', '截止13月1日', '截止2026-11-22', '截止1999-01-01', '截止9999-12-31', '截止明天', '');
const target = fc.constantFrom('目标每村1个', '目标100%', '目标-1个', '目标0个', '目标每村99999999999个', '目标完成', '目标每镇2个', '目标200%', '目标', '');
const domain = fc.constantFrom('领域农村', '领域社区', '领域外星', '领域', '');
const scope = fc.constantFrom('乡镇：城关镇、红星乡', '乡镇:城关,红星乡', '乡镇：不存在镇', '除城关镇以外', '除城关镇、红星乡、青山镇、柳河乡、东城街道外', '乡镇：', '乡镇：全部', '');

export const near: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom('上报', '报', '上报：', '/上报', '上报T', '上 报'), taskRef, value, note).map(([w, t, v, n]) => `${w} ${t} ${v} ${n}`), weight: 8 },
  { arbitrary: fc.tuple(taskRef, value).map(([t, v]) => `上报${t}${v}`), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 30 }).map((n) => Array.from({ length: n }, () => '撤回').join(' ')), weight: 2 },
  { arbitrary: fc.constantFrom('撤回', '撤销', '撤回 T2', '撤回撤回撤回', '撤回\n撤回'), weight: 2 },
  { arbitrary: fc.tuple(fc.oneof(injection, fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('阵地建设', '')), deadline, target, domain, scope).map(([t, d, g, m, s]) => `新建任务 ${t} ${d} ${g} ${m} ${s}`), weight: 2 },
  { arbitrary: fc.oneof(township, injection).map((t) => `绑定 ${t}`), weight: 2 },
  { arbitrary: taskRef.map((t) => `销号 ${t}`), weight: 2 },
  { arbitrary: taskRef.map((t) => `恢复 ${t}`), weight: 2 },
  { arbitrary: fc.oneof(taskRef, township).map((t) => `催办 ${t}`), weight: 1 },
  { arbitrary: taskRef.map((t) => `进度 ${t}`), weight: 1 },
  { arbitrary: fc.constantFrom('排名', '排名 上月', '排名 T2', '排名 2026-13', '排名 1999-01', '排名 下月', '排名 图 图', '排行榜 全部'), weight: 1 },
  { arbitrary: fc.constantFrom('截止', '截止 T3', '截止 T99', '任务', '我的任务', '帮助', 'help', 'HELP', '?', '？', '看板', '挂图作战', 'ddl', '菜单'), weight: 2 },
);

/** Full-width forms of ASCII and the ideographic space, as Chinese input methods type them. */
export const fullWidth = (s: string): string => s.replace(/[\x21-\x7e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
export const control = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 8 });
/** Control characters dropped into a text at some place. */
const sprinkled = fc.tuple(near, control, fc.nat()).map(([s, c, at]) => s.slice(0, at % (s.length + 1)) + c + s.slice(at % (s.length + 1)));
/** Up to 64 KB (UTF-8) of one piece repeated, behind a command word or not. */
export const huge = fc
  .tuple(fc.constantFrom('', '上报 T2 80% ', '新建任务 ', '绑定 ', '进度 ', '@督办助手 '), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.integer({ min: 1024, max: 64 * 1024 }))
  .map(([head, piece, bytes]) => head + piece.repeat(Math.max(1, Math.floor((bytes - Buffer.byteLength(head)) / Buffer.byteLength(piece)))));
const decorated = fc
  .tuple(fc.constantFrom('', '@督办助手 ', '＠督办助手　', '@督办助手\u2005', '/', '\u200B', '  ', '\n'), near, fc.constantFrom('', ' ', '\n', '。', '!!', '\u200B'))
  .map(([head, s, tail]) => head + s + tail);

/** Reports that may well be right, so that the ledger checks have entries to look at. */
export const plausible = fc
  .tuple(
    fc.constantFrom('上报', '报', '@督办助手 上报'),
    fc.constantFrom('T1', 'T2', 'T3', 'T4', 'T5', '2', 't3', '3号', '软弱涣散'),
    fc.oneof(fc.integer({ min: 0, max: 110 }).map((n) => `${String(n)}%`), fc.integer({ min: 0, max: 80 }).map((n) => `${String(n)}个`), fc.constantFrom('完成', '八成', '12/36', '5/12', '3/10')),
    fc.oneof(fc.constant(''), note),
  )
  .map(([w, t, v, n]) => `${w} ${t} ${v} ${n}`);

export const said: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: plausible, weight: 6 },
  { arbitrary: near, weight: 12 },
  { arbitrary: decorated, weight: 4 },
  { arbitrary: near.map(fullWidth), weight: 3 },
  { arbitrary: sprinkled, weight: 2 },
  { arbitrary: injection, weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 120 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 120 }), weight: 2 },
  { arbitrary: control, weight: 1 },
  { arbitrary: fc.constantFrom('', ' ', '\n\n', '@督办助手', '\u3000'), weight: 1 },
  { arbitrary: huge, weight: 1 },
);

// ---- the checks ----

/** Words that mean a failure leaked into a reply, unless the sender wrote them. */
export const SMELLS = ['Error', 'undefined', 'NaN', '[object Object]', 'stack', 'ioredis', 'ZodError'];
export const STACK_FRAME = /\bat .+[(\s](?:file:|node:|\/)[^\s)]*:\d+:\d+/;
/** Markup that would act in a WeCom or DingTalk reply: a mention, a tag, a link (the bot's replies use none of them). */
export const LIVE_MARKUP = /<@|<\/?(?:script|img|font|a)\b|\]\(/i;

/** A count target may be reported up to twice over before the bot calls it a typo (domain/targets.ts). */
const COUNT_TYPO_FACTOR = 2;

/**
 * Why `entry` is not an entry the bot may have written for `message`, or undefined when it is: a
 * report of an existing, open task by that sender in that group's township, within the range its
 * target accepts (a count up to COUNT_TYPO_FACTOR times over), a reversal of that sender's own
 * report, or an admin's 销号 or 恢复. `group`, `tasks` and `ledger` as they stood before the message.
 */
export function invalidEntry(entry: LedgerEntry, message: IncomingMessage, admin: boolean, group: Group | undefined, tasks: readonly Task[], ledger: readonly LedgerEntry[], county: Pick<County, 'townships'>): string | undefined {
  if (entry.source !== sourceOf(message)) return `source ${entry.source} is not the message's`;
  if (entry.by.platform !== message.chat.platform || entry.by.user !== message.sender.id) return `recorded as ${entry.by.platform}:${entry.by.user}`;
  if (!isReportEntry(entry)) return admin ? undefined : `a ${entry.kind} event from someone who is no admin`;
  if (entry.kind === 'reversal') {
    const undone = ledger.find((e) => e.task === entry.task && e.id === entry.reverses);
    if (!undone) return `reverses ${String(entry.reverses)}, which is not in the ledger`;
    if (undone.by.platform !== entry.by.platform || undone.by.user !== entry.by.user) return 'reverses someone else\'s report';
    return undefined;
  }
  if (message.chat.type !== 'group' || group?.township === undefined || group.role === 'leaders') return 'a report from outside a township group';
  if (entry.township !== group.township) return `recorded for ${entry.township}, the group is ${group.township}'s`;
  const task = tasks.find((t) => t.id === entry.task);
  if (!task) return `task ${entry.task} does not exist`;
  if (task.status !== 'open') return `task ${entry.task} is closed`;
  if (task.townships !== 'all' && !task.townships.includes(entry.township)) return `task ${entry.task} is not ${entry.township}'s`;
  const place = county.townships.find((t) => t.id === entry.township);
  if (!place) return `township ${entry.township} does not exist`;
  const max = task.target.kind === 'count' ? requiredAmount(task.target, place) * COUNT_TYPO_FACTOR : requiredAmount(task.target, place);
  if (entry.amount === null || !Number.isFinite(entry.amount) || entry.amount < 0 || entry.amount > max) return `amount ${String(entry.amount)} is outside 0…${String(max)}`;
  if (task.target.kind === 'count' && !Number.isInteger(entry.amount)) return `a count of ${String(entry.amount)}`;
  return undefined;
}
