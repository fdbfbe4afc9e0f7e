/**
 * 10,000 random and hostile messages through the router on real Redis (docs/design.md §3: wrong input
 * gets a short Chinese reply — never silence, never a stack trace, never a half-written record;
 * §2: rights). Texts are random unicode, emoji, control characters, full-width forms, strings up
 * to 64 KB, markup and injection, and near-misses of every command; senders are clerks,
 * strangers, leaders and admins, in bound and unbound groups and direct chats, on every platform.
 * Now and then an earlier message is delivered again.
 *
 * After each message: the reply is there and reads as a reply (no apology for an internal
 * failure, no stack trace, no `Error`, `undefined` or `NaN` it did not get from the sender, no
 * markup of the sender's that WeCom or DingTalk would act on); a
 * non-admin changed no task, group, person or township; and whatever reached the ledger is a
 * valid report of an existing, open task by that sender in that group's township, within the
 * range its target accepts — or a reversal of that sender's own report.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleMessage } from '../../src/adapters/console/index.js';
import { sourceOf, type IncomingMessage, type OutgoingMessage } from '../../src/core/types.js';
import { isReportEntry, type LedgerEntry, type Task, type ChatPlatform, type County, type Group } from '../../src/domain/model.js';
import { requiredAmount } from '../../src/domain/targets.js';
import { normalizeText } from '../../src/domain/parse/index.js';
import { text as messages } from '../../src/messages/index.js';
import { dingtalkMarkdown } from '../../src/adapters/dingtalk/render.js';
import { renderText } from '../../src/render/plain.js';
import { wecomReply } from '../../src/adapters/wecom/render.js';
import { createKeys } from '../../src/store/keys.js';
import { testCounty } from '../fixtures/county.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';

/** Bound to 城关镇 in the test county. */
const WECOM_GROUP = 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw';
const county: County = {
  ...testCounty,
  groups: [...testCounty.groups, { platform: 'dingtalk', chat: 'cidHongxing==', township: '红星乡' }],
  people: [...testCounty.people, { platform: 'wecom', user: 'zhaoguanli', name: '赵管理', roles: ['admin'] }, { platform: 'dingtalk', user: '1665000009', name: '王书记', roles: ['leader'] }],
};

/** A count target may be reported up to twice over before the bot calls it a typo (domain/targets.ts). */
const COUNT_TYPO_FACTOR = 2;

// ---- who speaks, and where ----

interface Who {
  platform: ChatPlatform;
  /** A group chat; absent: a direct chat. */
  chat?: string;
  user: string;
}

const inTownshipGroups: Who[] = [
  { platform: 'console', chat: '城关镇工作群', user: '联络员' },
  { platform: 'console', chat: '红星乡工作群', user: '红星联络员' },
  // Anyone in a township's group reports for it (docs/design.md §2), known to the setup or not.
  { platform: 'console', chat: '东城街道工作群', user: '路人甲' },
  { platform: 'console', chat: '城关镇工作群', user: '红星联络员' },
  { platform: 'wecom', chat: WECOM_GROUP, user: 'lilianluo' },
  { platform: 'dingtalk', chat: 'cidHongxing==', user: '1665000001' },
];
const elsewhere: Who[] = [
  { platform: 'console', chat: '领导群', user: '联络员' },
  { platform: 'console', user: '联络员' },
  { platform: 'console', user: '路人乙' },
  { platform: 'console', chat: '没绑定的群', user: '联络员' },
  { platform: 'console', chat: '没绑定的群', user: '路人丙' },
  { platform: 'wecom', user: 'lilianluo' },
  { platform: 'dingtalk', chat: 'cidUnbound==', user: '1665000002' },
];
const leaders: Who[] = [
  { platform: 'console', chat: '领导群', user: '书记' },
  { platform: 'console', user: '书记' },
  { platform: 'console', chat: '城关镇工作群', user: '书记' },
  { platform: 'dingtalk', user: '1665000009' },
];
const admins: Who[] = [
  { platform: 'console', chat: '城关镇工作群', user: '管理员' },
  { platform: 'console', user: '管理员' },
  { platform: 'console', chat: '没绑定的群', user: '管理员' },
  { platform: 'console', chat: '领导群', user: '管理员' },
  { platform: 'wecom', chat: WECOM_GROUP, user: 'zhaoguanli' },
];
/** Made-up platforms' ids: any chat, any user (one might even be someone the setup names). */
const anyone: fc.Arbitrary<Who> = fc.record(
  {
    platform: fc.constantFrom<ChatPlatform>('console', 'wecom', 'dingtalk'),
    chat: fc.oneof(fc.constantFrom('城关镇工作群', '领导群', WECOM_GROUP), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })),
    user: fc.oneof(fc.constantFrom('联络员', '书记', '管理员', 'lilianluo'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })),
  },
  { requiredKeys: ['platform', 'user'] },
);

// ---- what they say ----

const INJECTIONS = [
  '<@all>', '@all', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '**加粗**', '__下划线__', '[点我](javascript:alert(1))',
  '![x](http://127.0.0.1:1/x.png)', '<font color="warning">红</font>', '# 标题', '> 引用', '`代码`', '```\n代码块\n```', '---',
  "'; DROP TABLE tasks; --", '" OR 1=1 --', '{{7*7}}', '${process.exit(1)}', '%s%s%s%n', '\\u0000', '../../../../etc/passwd',
  '\u202Egnp.exe', '\u200B\u200B\u200B', '\uFEFF', '@督办助手 @督办助手 @督办助手', 'EVAL "return 1" 0', 'FLUSHALL', '*3\r\n$3\r\nSET\r\n',
  '__proto__', 'constructor', '{"__proto__":{"admin":true}}', 'toString', 'null', 'undefined', 'NaN', 'Error',
];
const injection = fc.constantFrom(...INJECTIONS);

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

const near: fc.Arbitrary<string> = fc.oneof(
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
const fullWidth = (s: string): string => s.replace(/[\x21-\x7e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
const control = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 8 });
/** Control characters dropped into a text at some place. */
const sprinkled = fc.tuple(near, control, fc.nat()).map(([s, c, at]) => s.slice(0, at % (s.length + 1)) + c + s.slice(at % (s.length + 1)));
/** Up to 64 KB (UTF-8) of one piece repeated, behind a command word or not. */
const huge = fc
  .tuple(fc.constantFrom('', '上报 T2 80% ', '新建任务 ', '绑定 ', '进度 ', '@督办助手 '), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.integer({ min: 1024, max: 64 * 1024 }))
  .map(([head, piece, bytes]) => head + piece.repeat(Math.max(1, Math.floor((bytes - Buffer.byteLength(head)) / Buffer.byteLength(piece)))));
const decorated = fc
  .tuple(fc.constantFrom('', '@督办助手 ', '＠督办助手　', '@督办助手\u2005', '/', '\u200B', '  ', '\n'), near, fc.constantFrom('', ' ', '\n', '。', '!!', '\u200B'))
  .map(([head, s, tail]) => head + s + tail);

/** Reports that may well be right, so that the ledger checks have entries to look at. */
const plausible = fc
  .tuple(
    fc.constantFrom('上报', '报', '@督办助手 上报'),
    fc.constantFrom('T1', 'T2', 'T3', 'T4', 'T5', '2', 't3', '3号', '软弱涣散'),
    fc.oneof(fc.integer({ min: 0, max: 110 }).map((n) => `${String(n)}%`), fc.integer({ min: 0, max: 80 }).map((n) => `${String(n)}个`), fc.constantFrom('完成', '八成', '12/36', '5/12', '3/10')),
    fc.oneof(fc.constant(''), note),
  )
  .map(([w, t, v, n]) => `${w} ${t} ${v} ${n}`);

const said: fc.Arbitrary<string> = fc.oneof(
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
const SMELLS = ['Error', 'undefined', 'NaN', '[object Object]', 'stack', 'ioredis', 'ZodError'];
const STACK_FRAME = /\bat .+[(\s](?:file:|node:|\/)[^\s)]*:\d+:\d+/;
/** Markup that would act in a WeCom or DingTalk reply: a mention, a tag, a link (the bot's replies use none of them). */
const LIVE_MARKUP = /<@|<\/?(?:script|img|font|a)\b|\]\(/i;

let bot: TestBot;
let lastId = 0;

beforeEach(async () => {
  // 催办 hands posts to the outbox; here they are only counted, so nothing leaves the test.
  bot = await openTestBot(import.meta.url, county, '2026-11-23T09:00:00+08:00', { posts: { enqueue: (posts) => Promise.resolve({ added: posts.map((p) => p.key), already: [], platformOff: [] }), delivering: () => Promise.resolve(true) }, publicUrl: 'http://127.0.0.1:1' });
});
afterEach(async () => {
  await bot.close();
});

/** What a non-admin must not change: the county's tasks, groups, people and townships. */
async function setup(): Promise<string> {
  return JSON.stringify(await Promise.all([bot.store.tasks(), bot.store.groups(), bot.store.people(), bot.store.townships()]));
}

async function ledgerLength(tasks: readonly Task[]): Promise<number> {
  const keys = createKeys(`${bot.db.prefix}:bot`);
  const lengths = await Promise.all(tasks.map((t) => bot.db.redis.xlen(keys.ledger(t.id))));
  return lengths.reduce((a, b) => a + b, 0);
}

/** Why `entry` is not an entry the bot may have written for `message`, or undefined when it is: a report, or an admin's 销号 or 恢复. */
function invalidEntry(entry: LedgerEntry, message: IncomingMessage, admin: boolean, group: Group | undefined, tasks: readonly Task[], ledger: readonly LedgerEntry[]): string | undefined {
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

interface Said {
  message: IncomingMessage;
  reply: OutgoingMessage;
}

/** One message through the router, with every check; `earlier` holds what was said before, for redeliveries. */
async function speak(who: Who, words: string, earlier: Said[], again: number | undefined): Promise<void> {
  const previous = again === undefined || earlier.length === 0 ? undefined : earlier[again % earlier.length];
  const message = previous?.message ?? consoleMessage({ platform: who.platform, ...(who.chat === undefined ? {} : { chat: who.chat }), user: who.user }, words, `hostile-${String(++lastId)}`);
  const { platform, id: chat, type } = message.chat;
  const [person, group, tasks, before] = await Promise.all([
    bot.store.person(platform, message.sender.id),
    type === 'group' ? bot.store.group(platform, chat) : Promise.resolve(undefined),
    bot.store.tasks(),
    setup(),
  ]);
  const ledgerBefore = await ledgerLength(tasks);

  const reply = await bot.route(message);

  const shown = renderText(reply);
  // What the sender typed, now or earlier: an admin's 新建任务 may have named a task `undefined`,
  // and every reply listing that task says so, rightly.
  const input = [message.text, normalizeText(message.text), ...tasks.map((t) => t.title)].join('\n');
  expect(reply.lines.length, 'reply lines').toBeGreaterThan(0);
  expect(shown.trim(), 'reply text').not.toBe('');
  expect(shown, 'an apology for an internal failure').not.toContain(messages.apology);
  for (const smell of SMELLS) if (shown.includes(smell)) expect(input, `reply says "${smell}": ${shown.slice(0, 200)}`).toContain(smell);
  if (STACK_FRAME.test(shown)) expect(input).toMatch(STACK_FRAME);
  // As the platforms show it, whatever markup the sender typed stays text: no @-everyone, no live link or tag.
  for (const rendered of [wecomReply(reply), dingtalkMarkdown(reply).text]) expect(rendered, 'markup from the sender in a reply').not.toMatch(LIVE_MARKUP);

  if (previous) {
    // A redelivery: the first answer again, and nothing written twice.
    expect(reply, 'the answer to a redelivery').toEqual(previous.reply);
    expect(await ledgerLength(tasks), 'ledger entries written by a redelivery').toBe(ledgerBefore);
    expect(await setup()).toBe(before);
    return;
  }
  earlier.push({ message, reply });

  if (!person?.roles.includes('admin')) expect(await setup(), `a non-admin changed the setup, saying: ${words.slice(0, 100)}`).toBe(before);
  const after = await ledgerLength(await bot.store.tasks());
  if (after === ledgerBefore) return;
  expect(after - ledgerBefore, 'ledger entries written by one message').toBe(1);
  const ledger = await bot.store.ledger((await bot.store.tasks()).map((t) => t.id));
  const written = ledger.filter((e) => e.source === sourceOf(message));
  expect(written).toHaveLength(1);
  const entry = written[0]!;
  expect(invalidEntry(entry, message, person?.roles.includes('admin') === true, group, tasks, ledger), `ledger entry from "${words.slice(0, 100)}": ${JSON.stringify(entry)}`).toBeUndefined();
}

/** `runs` messages from `speakers`; now and then (1 in 20) an earlier one is delivered again. */
async function property(speakers: fc.Arbitrary<Who>, runs: number): Promise<void> {
  const earlier: Said[] = [];
  const again = fc.oneof({ arbitrary: fc.constant(undefined), weight: 19 }, { arbitrary: fc.nat(), weight: 1 });
  await fc.assert(
    fc.asyncProperty(speakers, said, again, async (who, words, redeliver) => {
      await speak(who, words, earlier, redeliver);
    }),
    { numRuns: runs },
  );
}

describe('random and hostile messages through the router', () => {
  it('are each answered sensibly from township groups, and record only valid reports', async () => {
    await property(fc.constantFrom(...inTownshipGroups), 3000);
  }, 240_000);

  it('are each answered sensibly from unbound groups, the leaders\' group and direct chats, and change nothing', async () => {
    await property(fc.constantFrom(...elsewhere), 2000);
  }, 240_000);

  it('are each answered sensibly for leaders, who change no task or binding', async () => {
    await property(fc.constantFrom(...leaders), 1500);
  }, 240_000);

  it('are each answered sensibly for admins, whose reports are as valid as anyone\'s', async () => {
    await property(fc.constantFrom(...admins), 1500);
  }, 240_000);

  it('are each answered sensibly for anyone in any chat on any platform', async () => {
    await property(anyone, 2000);
  }, 240_000);
});
