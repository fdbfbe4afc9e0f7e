/**
 * The scheduled jobs over real Redis, run at chosen days of the 2026 official calendar: what
 * each group would receive. The runner (working days, office hours, keys, outbox) is not part
 * of this: each job's `run` is called directly, as the runner calls it.
 *
 * Days used (chinese-days 2026): 11-23 Mon … 11-27 Fri, 11-29 Sun, 11-30 Mon, 12-01 Tue (the
 * first working day of December), 12-02 Wed, 12-07 Mon; no holiday in November or December.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Speaker } from '../../src/adapters/console/index.js';
import calendarGuard from '../../jobs/calendar-guard.js';
import { jobs } from '../../jobs/index.js';
import leadersDigest from '../../jobs/leaders-digest.js';
import monthlyRanking from '../../jobs/monthly-ranking.js';
import reminders from '../../jobs/reminders.js';
import { loadBoard } from '../../src/core/board.js';
import type { Job, JobContext, JobPost } from '../../src/core/job.js';
import { createLogger } from '../../src/core/logger.js';
import { beijingDate } from '../../src/domain/dates.js';
import { createWorkCalendar } from '../../src/domain/calendar.js';
import type { Task, WorkCalendar, County } from '../../src/domain/model.js';
import { text } from '../../src/messages/index.js';
import { renderText } from '../../src/render/plain.js';
import { testCounty } from '../fixtures/county.js';
import { admin, clerk, hongxingClerk, leader, openTestBot, type TestBot } from '../helpers/bot.js';
import { DEFAULT_SCHEDULE, type ScheduleSettings } from '../../src/domain/schedule.js';
import { cronOf } from '../../src/core/scheduler.js';

let bot: TestBot;

afterEach(async () => {
  await bot.close();
});

const wecomGroup = 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw';
const dongchengClerk: Speaker = { platform: 'console', chat: '东城街道工作群', user: '东城联络员' };

/** What the runner hands a job at 09:00 Beijing time on `day`. */
function contextOn(day: string, calendar: WorkCalendar = bot.calendar, settings: ScheduleSettings = DEFAULT_SCHEDULE): JobContext {
  const now = new Date(`${day}T09:00:00+08:00`);
  const today = beijingDate(now);
  const store = bot.store;
  return { jobName: 'test', now, today, store, calendar, log: createLogger('silent'), settings, board: () => loadBoard({ store, calendar, today }) };
}

const run = (job: Job, day: string, calendar?: WorkCalendar, settings?: ScheduleSettings): Promise<JobPost[]> => job.run(contextOn(day, calendar, settings));

/** The posts for one chat (console unless the WeCom group is asked for). */
const postsTo = (posts: readonly JobPost[], chat: string): JobPost[] => posts.filter((p) => p.group.chat === chat);

/** The one message a chat receives, as plain text. */
function textTo(posts: readonly JobPost[], chat: string): string {
  const mine = postsTo(posts, chat);
  expect(mine).toHaveLength(1);
  return renderText(mine[0]!.message);
}

/** The order in which task ids appear in a message. */
const order = (message: string, ids: readonly string[]): string[] =>
  ids.filter((id) => message.includes(` ${id} `)).sort((a, b) => message.indexOf(` ${a} `) - message.indexOf(` ${b} `));

const at = (iso: string): void => {
  bot.clock.set(iso);
};

describe('the job list', () => {
  beforeEach(async () => {
    bot = await openTestBot(import.meta.url);
  });

  it('runs every job at the county\'s time, 09:00 Beijing time by default, reminders within the day and the ranking within a week', () => {
    expect(jobs.map((j) => j.name)).toEqual(['monthly-ranking', 'reminders', 'leaders-digest', 'calendar-guard']);
    for (const job of jobs) expect([cronOf(job, DEFAULT_SCHEDULE), job.timezone]).toEqual(['0 9 * * *', 'Asia/Shanghai']);
    for (const job of jobs) expect(cronOf(job, { ...DEFAULT_SCHEDULE, time: '08:45' })).toBe('45 8 * * *');
    expect(reminders.graceMs).toBe(9 * 3_600_000);
    expect(monthlyRanking.graceMs).toBe(7 * 24 * 3_600_000);
  });
});

describe('a township’s reminder: what is due soon', () => {
  const task = (id: string, title: string, deadline: string, target: Task['target']): Task => ({
    id, title, domain: '综合', start: '2026-11-01', deadline, target, townships: 'all', weight: 1, status: 'open',
  });
  // On Monday 2026-11-23: T7 is due today (0), T8 tomorrow (1), T9 in 2, T10 in 3 and T2 in 5 working days.
  const ladderCounty: County = {
    ...testCounty,
    people: [...testCounty.people, { platform: 'wecom', user: 'wangfang', name: '王芳', roles: [], township: '城关镇' }],
    tasks: [
      ...testCounty.tasks,
      task('T7', '党员冬训', '2026-11-23', { kind: 'percent', percent: 100 }),
      task('T8', '党群服务站点挂牌', '2026-11-24', { kind: 'count', count: 5, per: 'township' }),
      task('T9', '党费收缴自查', '2026-11-25', { kind: 'done' }),
      task('T10', '组织生活会准备', '2026-11-26', { kind: 'percent', percent: 100 }),
      task('T11', '年度述职材料', '2026-11-29', { kind: 'done' }),
      task('T12', '入党积极分子培养', '2026-11-23', { kind: 'count', count: 4, per: 'township', unit: '名' }),
    ],
  };

  beforeEach(async () => {
    bot = await openTestBot(import.meta.url, ladderCounty);
  });

  it('follows the county\'s own ladder', async () => {
    const message = textTo(await run(reminders, '2026-11-23', undefined, { ...DEFAULT_SCHEDULE, ladder: [2, 0] }), '城关镇工作群');
    expect(order(message, ['T1', 'T2', 'T3', 'T4', 'T5', 'T7', 'T8', 'T9', 'T10', 'T11'])).toEqual(['T7', 'T9']);
  });

  it('lists the tasks due in 5, 3, 1 and 0 working days, nearest first, and skips 2', async () => {
    const message = textTo(await run(reminders, '2026-11-23'), '城关镇工作群');
    expect(order(message, ['T1', 'T2', 'T3', 'T4', 'T5', 'T7', 'T8', 'T9', 'T10', 'T11'])).toEqual(['T7', 'T8', 'T10', 'T2']);
    expect(message).toContain('【城关镇督办提醒（11月23日）】\n即将截止（5项）');
  });

  it('says when each task is due as the ladder counts — 明天截止 the day before — and as the 截止 reply says it', async () => {
    const message = textTo(await run(reminders, '2026-11-23'), '城关镇工作群');
    expect(message).toMatch(/T7 党员冬训：今天截止；/);
    expect(message).toMatch(/T8 党群服务站点挂牌：明天截止；/);
    expect(message).toMatch(/T10 组织生活会准备：还剩3个工作日，11月26日截止；/);
    expect(message).toMatch(/T2 软弱涣散党组织整顿转化：还剩5个工作日，11月30日截止；/);
    expect(await bot.say(clerk, '截止 T2')).toContain('剩5个工作日');
    expect(await bot.say(clerk, '截止 T8')).toContain('明天截止');
  });

  it('says what is missing: the count still short, the percent reported, or nothing reported', async () => {
    await bot.say(clerk, '上报 T8 3个');
    await bot.say(clerk, '上报 T10 60%');
    const message = textTo(await run(reminders, '2026-11-23'), '城关镇工作群');
    expect(message).toMatch(/T8 党群服务站点挂牌：.*；已报 3\/5，还差2个/);
    expect(message).toMatch(/T10 组织生活会准备：.*；已报 60%/);
    expect(message).toMatch(/T7 党员冬训：今天截止；未上报/);
    expect(message).toMatch(/🟡 T7 /);
  });

  it('counts what is missing in the target’s own unit: people in 名', async () => {
    await bot.say(clerk, '上报 T12 1名');
    expect(textTo(await run(reminders, '2026-11-23'), '城关镇工作群')).toMatch(/T12 入党积极分子培养：今天截止；已报 1\/4，还差3名/);
  });

  it('leaves done tasks out of the township that finished them, and only that one', async () => {
    await bot.say(clerk, '上报 T2 100%');
    const posts = await run(reminders, '2026-11-23');
    expect(textTo(posts, '城关镇工作群')).not.toContain(' T2 ');
    expect(textTo(posts, '红星乡工作群')).toContain(' T2 ');
  });

  it('sends one message to each township group, on every platform, and none to the leaders', async () => {
    const posts = await run(reminders, '2026-11-23');
    expect(posts.map((p) => `${p.group.platform}:${p.group.chat}`).sort()).toEqual(
      ['console:东城街道工作群', 'console:城关镇工作群', 'console:红星乡工作群', `wecom:${wecomGroup}`].sort(),
    );
    expect(renderText(postsTo(posts, wecomGroup)[0]!.message)).toBe(textTo(posts, '城关镇工作群'));
  });

  it('@-s the township’s own people on the group’s platform, and nobody where it has none', async () => {
    const posts = await run(reminders, '2026-11-23');
    expect(postsTo(posts, '城关镇工作群')[0]!.message.mentions).toEqual(['联络员']);
    expect(postsTo(posts, wecomGroup)[0]!.message.mentions).toEqual(['wangfang']);
    expect(postsTo(posts, '红星乡工作群')[0]!.message.mentions).toEqual(['红星联络员']);
    expect(postsTo(posts, '东城街道工作群')[0]!.message.mentions).toBeUndefined();
  });

  it('ends with how to report, in the first task’s own unit', async () => {
    const message = textTo(await run(reminders, '2026-11-23'), '城关镇工作群');
    expect(message.split('\n').at(-1)).toBe('有新进展请在群里 @我 上报，例如：上报 T7 80%');
  });

  it('reminds on the last working day before a deadline that falls on a Sunday', async () => {
    const message = textTo(await run(reminders, '2026-11-27'), '城关镇工作群');
    expect(message).toMatch(/T11 年度述职材料：11月29日截止，今天是最后一个工作日；未上报/);
    expect(order(message, ['T2', 'T11'])).toEqual(['T11', 'T2']);
  });

  it('puts what is due and what is overdue into one message a day', async () => {
    // Tuesday 24 November: T7 and T12 overdue since yesterday, T4 (8月31日) a twelfth week; T8 due today.
    const posts = await run(reminders, '2026-11-24');
    const message = textTo(posts, '红星乡工作群');
    expect(message).toContain('即将截止（');
    expect(message).toContain('🟡 T8 党群服务站点挂牌：今天截止');
    expect(message).toContain('已过截止日期、尚未完成（3项）');
    expect(message).toContain('🔴 T7 党员冬训：已逾期1天（11月23日截止）');
    expect(message).toContain('🔴 T4 “五基三化”提升年行动：已逾期85天（8月31日截止）');
    expect(posts.filter((p) => p.group.chat === '红星乡工作群')).toHaveLength(1);
  });
});

describe('a township’s reminder beyond the holiday calendar', () => {
  beforeEach(async () => {
    const t2027: Task = { id: 'T9', title: '党员冬训', domain: '综合', start: '2026-12-01', deadline: '2027-01-05', target: { kind: 'percent', percent: 100 }, townships: 'all', weight: 1, status: 'open' };
    bot = await openTestBot(import.meta.url, { ...testCounty, tasks: [t2027] });
  });

  it('marks a count of working days that reaches into an unknown year （估）, and explains it below', async () => {
    // Tuesday 29 December 2026: five working days after it up to 5 January, counting Monday to Friday in 2027.
    const message = textTo(await run(reminders, '2026-12-29'), '城关镇工作群');
    expect(message).toContain('T9 党员冬训：还剩5个工作日（估），2027年1月5日截止');
    expect(message.split('\n').at(-1)).toBe(text.estimatedNote(2027));
  });

  it('and the full warning list with it', async () => {
    at('2026-12-29T10:00:00+08:00');
    expect(await bot.say(leader, '预警 全部')).toContain(text.estimatedNote(2027));
  });
});

describe('a township’s reminder: what is overdue', () => {
  beforeEach(async () => {
    bot = await openTestBot(import.meta.url);
    // 城关镇 is done with everything; 红星乡 reported half of T2 (due 11月30日) and nothing on T4
    // (due 8月31日, warned on 9月1日 and every Tuesday since).
    for (const said of ['上报 T1 完成', '上报 T2 100%', '上报 T3 完成', '上报 T4 完成']) await bot.say(clerk, said);
    await bot.say(hongxingClerk, '上报 T2 50%');
  });

  it('tells the township group on the first working day after the deadline how long and what is missing, @-ing its people', async () => {
    const posts = await run(reminders, '2026-12-01');
    const hongxing = textTo(posts, '红星乡工作群');
    expect(hongxing).toContain('【红星乡督办提醒（12月1日）】');
    expect(hongxing).toContain('已过截止日期、尚未完成（2项）');
    expect(hongxing).toContain('🔴 T2 软弱涣散党组织整顿转化：已逾期1天（11月30日截止）；已报 50%');
    expect(hongxing).toContain('🔴 T4 “五基三化”提升年行动：已逾期92天（8月31日截止）；未上报');
    expect(hongxing.split('\n').at(-1)).toBe('有新进展请在群里 @我 上报，例如：上报 T4 完成；逾期如有特殊情况，请与县委组织部沟通');
    expect(postsTo(posts, '红星乡工作群')[0]!.message.mentions).toEqual(['红星联络员']);
  });

  it('tells it again a week later, not on the working days between', async () => {
    const days = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-07', '2026-12-08'];
    const warned: string[] = [];
    for (const day of days) if (postsTo(await run(reminders, day), '红星乡工作群').some((p) => renderText(p.message).includes('🔴 T2 '))) warned.push(day);
    expect(warned).toEqual(['2026-12-01', '2026-12-08']);
  });

  it('follows the county’s interval, and tells it only once with 0', async () => {
    const every = (n: number) => ({ ...DEFAULT_SCHEDULE, overdueRepeatDays: n });
    const warnsOn = async (day: string, n: number) => (await run(reminders, day, undefined, every(n))).some((p) => renderText(p.message).includes('🔴 T2 '));
    expect([await warnsOn('2026-12-08', 14), await warnsOn('2026-12-15', 14)]).toEqual([false, true]);
    expect([await warnsOn('2026-12-01', 0), await warnsOn('2026-12-08', 0), await warnsOn('2026-12-15', 0)]).toEqual([true, false, false]);
  });

  it('posts nothing to a township group with nothing overdue or due soon', async () => {
    const posts = await run(reminders, '2026-12-01');
    expect(postsTo(posts, '城关镇工作群')).toEqual([]);
    expect(postsTo(posts, wecomGroup)).toEqual([]);
    // 12月2日: no deadline on the ladder, no first day or week of an overdue task.
    expect(await run(reminders, '2026-12-02')).toEqual([]);
  });
});

describe('the leaders’ daily digest', () => {
  beforeEach(async () => {
    bot = await openTestBot(import.meta.url);
    for (const said of ['上报 T1 完成', '上报 T2 100%', '上报 T3 完成', '上报 T4 完成']) await bot.say(clerk, said);
    await bot.say(hongxingClerk, '上报 T2 50%');
  });

  it('gives the leaders one screen: counts, the townships most behind, the longest overdue, and where the full list is', async () => {
    const posts = await run(leadersDigest, '2026-11-23');
    expect(posts.map((p) => p.group.chat)).toEqual(['领导群']);
    const lines = textTo(posts, '领导群').split('\n');
    expect(lines.length).toBeLessThanOrEqual(15);
    expect(lines[0]).toBe('【预警摘要（11月23日）】');
    expect(lines[1]).toBe('🔴逾期4项（4个乡镇），🟡滞后13项（4个乡镇）');
    expect(lines).toContain('问题较多的乡镇：');
    // The most flagged first, then in 拼音 order as everywhere else.
    expect(lines.filter((l) => /^\u3000\S+：🔴\d/.test(l)).map((l) => l.slice(1).split('：')[0])).toEqual(['东城街道', '红星乡', '柳河乡', '青山镇']);
    expect(lines).toContain('逾期最久：');
    expect(lines.at(-1)).toBe('完整清单：在领导群发「预警 全部」，或私聊我发「看板」。');
    expect(textTo(posts, '领导群')).not.toContain('城关镇');
    expect(posts[0]!.message.mentions).toBeUndefined();
  });

  it('says what changed since the last working day: tasks newly overdue, tasks newly done', async () => {
    at('2026-11-30T15:00:00+08:00');
    await bot.say(dongchengClerk, '上报 T2 完成');
    // Tuesday 1 December, compared with Monday 09:00: T2 fell overdue for 红星乡, 柳河乡 and 青山镇; 东城街道 finished it.
    const lines = textTo(await run(leadersDigest, '2026-12-01'), '领导群').split('\n');
    expect(lines[2]).toBe('较上个工作日：新逾期3项，新完成1项');
    const quiet = textTo(await run(leadersDigest, '2026-11-25'), '领导群').split('\n');
    expect(quiet[2]).toBe('较上个工作日：没有新逾期，没有新完成');
  });

  it('fits one phone screen for a county of 60 townships', async () => {
    const townships = Array.from({ length: 60 }, (_, i) => ({ id: `乡镇${String(i + 1)}`, name: `乡镇${String(i + 1)}`, villages: 10 }));
    await bot.store.loadCounty({ ...testCounty, townships, groups: [{ platform: 'console', chat: '领导群', role: 'leaders' }] }, {});
    const lines = textTo(await run(leadersDigest, '2026-11-23'), '领导群').split('\n');
    expect(lines[1]).toBe('🔴逾期60项（60个乡镇），🟡滞后180项（60个乡镇）');
    expect(lines.length).toBeLessThanOrEqual(15);
  });

  it('posts nothing when no task is overdue or behind', async () => {
    for (const id of ['T1', 'T2', 'T3', 'T4', 'T5']) await bot.say(admin, `销号 ${id}`);
    expect(await run(leadersDigest, '2026-11-23')).toEqual([]);
  });

  it('is there on demand for leaders, and 预警 全部 lists every township’s items', async () => {
    const digest = await bot.say(leader, '预警');
    expect(digest).toContain('【预警摘要（11月23日）】');
    const all = await bot.say(leader, '预警 全部');
    expect(all).toContain('【预警清单（11月23日）】');
    expect(all).toContain('4个乡镇有预警：🔴逾期4项，🟡滞后13项');
    expect(all).toContain('　🟡 T2 软弱涣散党组织整顿转化：还剩5个工作日，11月30日截止；已报 50%');
    expect(await bot.say(clerk, '预警')).toContain('只有领导和管理员');
  });
});

describe('the monthly ranking', () => {
  beforeEach(async () => {
    bot = await openTestBot(import.meta.url, testCounty, '2026-10-20T10:00:00+08:00');
    // October: 红星乡 ahead. November: 城关镇 overtakes it.
    await bot.say(clerk, '上报 T2 50%');
    await bot.say(hongxingClerk, '上报 T2 80%');
    at('2026-11-20T10:00:00+08:00');
    await bot.say(clerk, '上报 T2 100%');
    await bot.say(clerk, '上报 T1 完成');
    await bot.say(dongchengClerk, '上报 T5 1个');
  });

  it('is posted on the first working day of the month, to every township group and the leaders', async () => {
    const posts = await run(monthlyRanking, '2026-12-01');
    expect(posts.map((p) => p.group.chat).sort()).toEqual(['东城街道工作群', '城关镇工作群', '红星乡工作群', '领导群', wecomGroup].sort());
    expect(textTo(posts, '领导群')).toContain('【2026年11月任务完成情况通报】');
  });

  it('carries the ranking chart: one picture for all township groups, and the leaders\' own', async () => {
    const posts = await run(monthlyRanking, '2026-12-01');
    const pictureOf = (chat: string) => posts.find((p) => p.group.chat === chat)?.message.image?.base64;
    const townships = new Set(posts.filter((p) => p.group.chat !== '领导群').map((p) => p.message.image?.base64));

    expect(townships.size).toBe(1);
    expect(pictureOf('领导群')).not.toBe(pictureOf('城关镇工作群'));
    expect(Buffer.from(pictureOf('领导群') ?? '', 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('is keyed by the month, so a run on a later day of the first week posts nothing new', async () => {
    const first = await run(monthlyRanking, '2026-12-01');
    const later = await run(monthlyRanking, '2026-12-03');
    expect(first.every((p) => p.part === 'month-2026-11')).toBe(true);
    expect(later.map((p) => [p.part, p.group.chat])).toEqual(first.map((p) => [p.part, p.group.chat]));
  });

  it('is not posted once the first week of the month is over', async () => {
    expect(await run(monthlyRanking, '2026-12-09')).toEqual([]);
  });

  it('points out the township’s own line with the change since last month, and marks no bottom three there', async () => {
    const posts = await run(monthlyRanking, '2026-12-01');
    const own = textTo(posts, '城关镇工作群');
    expect(own).toMatch(/^👉 1\. 城关镇 \d+\.\d分 ↑1$/m);
    expect(own).toMatch(/^2\. 红星乡 \d+\.\d分 ↓1$/m);
    expect(own.match(/👉/g)).toHaveLength(1);
    expect(textTo(posts, '红星乡工作群')).toMatch(/^👉 2\. 红星乡 /m);
    for (const chat of ['城关镇工作群', '红星乡工作群', '东城街道工作群']) {
      expect(textTo(posts, chat)).not.toContain('后三位');
      expect(textTo(posts, chat)).not.toContain('🔴');
    }
  });

  it('marks the bottom three in township groups too when the county chose so', async () => {
    const posts = await run(monthlyRanking, '2026-12-01', undefined, { ...DEFAULT_SCHEDULE, bottomMarksInTownshipGroups: true });
    expect(textTo(posts, '东城街道工作群')).toContain('⚠️后三位');
    expect(textTo(posts, '东城街道工作群')).not.toContain('仅在领导群');
  });

  it('marks the bottom three and each township’s overdue count for the leaders only', async () => {
    const leaders = textTo(await run(monthlyRanking, '2026-12-01'), '领导群');
    expect(leaders.match(/⚠️后三位/g)).toHaveLength(4); // three marks and the note
    expect(leaders).toMatch(/^1\. 城关镇 \S+ ↑1 🔴1$/m);
    expect(leaders).not.toContain('👉');
  });

  it('keeps the posted ranking when reports and the setup file change later', async () => {
    const first = await run(monthlyRanking, '2026-12-01');
    expect(await bot.store.rankingSnapshot('2026-11')).toBeDefined();
    at('2026-12-01T10:00:00+08:00');
    await bot.say(hongxingClerk, '上报 T2 100%');
    // A different weight would change every score if November were computed again.
    await bot.store.loadCounty({ ...testCounty, tasks: testCounty.tasks.map((t) => (t.id === 'T2' ? { ...t, weight: 1 } : t)) }, {});
    const again = await run(monthlyRanking, '2026-12-01');
    expect(again.map((p) => renderText(p.message))).toEqual(first.map((p) => renderText(p.message)));
  });
});

describe('the monthly ranking of a county that has recorded nothing yet', () => {
  beforeEach(async () => {
    bot = await openTestBot(import.meta.url);
  });

  it('is not posted', async () => {
    expect(await run(monthlyRanking, '2026-12-01')).toEqual([]);
  });
});

describe('the calendar guard', () => {
  beforeEach(async () => {
    bot = await openTestBot(import.meta.url);
  });

  it('is quiet in November, while next year is not needed yet', async () => {
    expect(await run(calendarGuard, '2026-11-23')).toEqual([]);
    expect(await run(calendarGuard, '2026-11-30')).toEqual([]);
  });

  it('tells the leaders’ group from 1 December that next year’s holidays are missing and how to fix it, @-ing the admins', async () => {
    const posts = await run(calendarGuard, '2026-12-01');
    expect(posts.map((p) => p.group.chat)).toEqual(['领导群']);
    expect(posts[0]?.message.mentions).toEqual(['管理员']);
    const message = textTo(posts, '领导群');
    expect(message).toContain('【请补充2027年节假日安排】');
    expect(message).toContain('按周一至周五估算');
    expect(message).toContain('（估）');
    expect(message).toContain('更新到新版本');
    expect(message).toContain('calendar');
  });

  it('keys the post by its week, so the runner posts it once a week', async () => {
    const part = async (day: string): Promise<string | undefined> => (await run(calendarGuard, day))[0]?.part;
    expect(await part('2026-12-01')).toBe('week-2026-11-30');
    expect(await part('2026-12-04')).toBe('week-2026-11-30');
    expect(await part('2026-12-07')).toBe('week-2026-12-07');
  });

  it('is quiet once next year is in the calendar', async () => {
    const with2027 = createWorkCalendar({ rest: ['2027-01-01'], years: [2027] });
    expect(await run(calendarGuard, '2026-12-01', with2027)).toEqual([]);
  });
});
