/**
 * The chat commands, as a township clerk's, a leader's and an admin's working day uses them:
 * through the router and real Redis, as `duban say` drives it. Assertions read the replies a person would see, and the
 * ledger an auditor would inspect.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/store/keys.js';
import { testCounty } from '../fixtures/county.js';
import { admin, clerk, hongxingClerk, leader, leaderDirect, openTestBot, type TestBot } from '../helpers/bot.js';
import { isReportEntry } from '../../src/domain/model.js';

let bot: TestBot;

beforeEach(async () => {
  bot = await openTestBot(import.meta.url);
});
afterEach(async () => {
  await bot.close();
});

const ledgerLength = (task: string): Promise<number> => bot.db.redis.xlen(createKeys(`${bot.db.prefix}:bot`).ledger(task));

describe('a clerk reporting progress', () => {
  it.each([
    ['上报 T2 80%', '80%'],
    ['报 2 八成', '80%'],
    ['上报 T2 百分之八十五', '85%'],
    ['上报　Ｔ２　８０％', '80%'],
    ['@督办助手 上报 t2 60%', '60%'],
    ['/上报 2号 60%', '60%'],
    ['上报 软弱涣散 70%', '70%'],
    ['上报 T1 8个', '8/12（67%）'],
    ['上报 T1 9/12', '9/12（75%）'],
    ['上报 T3 完成', '36/36（100%）'],
    ['上报 T4 完成', '已完成'],
  ])('records 「%s」 and confirms %s', async (said, shown) => {
    const reply = await bot.say(clerk, said);
    expect(reply).toContain('已记录');
    expect(reply).toContain('城关镇');
    expect(reply).toContain(shown);
  });

  it('confirms with the light, the time left and the current rank', async () => {
    const reply = await bot.say(clerk, '上报 T2 100% 全部整顿到位');
    expect(reply).toContain('✅已完成');
    expect(reply).toMatch(/2026年11月排名：第1名（共5个乡镇）/);
  });

  it('writes one ledger entry per report and keeps the note', async () => {
    await bot.say(clerk, '上报 T2 50% 已完成6个村');
    await bot.say(clerk, '上报 T2 70%');
    expect(await ledgerLength('T2')).toBe(2);
    const entries = (await bot.store.ledger(['T2'])).filter(isReportEntry);
    expect(entries.map((e) => [e.township, e.amount, e.note, e.by.name])).toEqual([
      ['城关镇', 50, '已完成6个村', '李联络'],
      ['城关镇', 70, '', '李联络'],
    ]);
  });

  it('records a redelivered message once and answers it the same way', async () => {
    const first = await bot.say(clerk, '上报 T2 80%', 'msg-1');
    const again = await bot.say(clerk, '上报 T2 80%', 'msg-1');
    expect(again).toBe(first);
    expect(await ledgerLength('T2')).toBe(1);
  });

  it('keeps a lower report as a correction without overwriting the first', async () => {
    await bot.say(clerk, '上报 T2 80%');
    const reply = await bot.say(clerk, '上报 T2 60%');
    expect(reply).toContain('已更正');
    expect(reply).toContain('原为 80%');
    expect((await bot.store.ledger(['T2'])).map((e) => e.kind)).toEqual(['report', 'correction']);
  });

  it('records the report for the group’s own township, whoever sends it', async () => {
    await bot.say(hongxingClerk, '上报 T2 40%');
    const progress = await bot.store.progress(['T2']);
    expect(progress.get('T2')?.get('红星乡')?.amount).toBe(40);
    expect(progress.get('T2')?.get('城关镇')).toBeUndefined();
  });
});

describe('a clerk typing something wrong', () => {
  it.each([
    ['上报 T2', '缺少进度', '例如：上报 T2 80%、上报 T1 6个、上报 T4 完成'],
    ['上报 T2 150%', '超出范围', '正确格式：上报 任务编号 进度'],
    ['上报 T2 很多', '看不懂进度「很多」', '例如：'],
    ['上报 T99 80%', '没有找到任务「T99」', '发送「任务」'],
    ['上报 T2 12个', '这项任务按百分比上报', '例如：'],
    ['上报 T5 1个', '不是城关镇的任务', ''],
    ['上报 T6 完成', '已销号', ''],
    ['上报 T1 13/12', '完成数不能大于总数', ''],
  ])('answers 「%s」 with what is wrong and the right form', async (said, problem, hint) => {
    const reply = await bot.say(clerk, said);
    expect(reply).toContain(problem);
    expect(reply).toContain(hint);
    expect(reply).not.toContain('已记录');
  });

  it('records nothing for a wrong input', async () => {
    await bot.say(clerk, '上报 T2 150%');
    expect(await ledgerLength('T2')).toBe(0);
  });

  it('points an unknown word to 帮助', async () => {
    expect(await bot.say(clerk, '你好')).toContain('发送「帮助」');
  });

  it('answers a bare mention with the list of commands', async () => {
    const reply = await bot.say(clerk, '@督办助手');
    expect(reply).toContain('上报');
    expect(reply).toContain('例如：上报 T2 80%、上报 T1 6个、上报 T4 完成');
  });

  it('refuses a report in the leaders’ group and in a direct chat', async () => {
    expect(await bot.say(leader, '上报 T2 80%')).toContain('要在乡镇工作群里');
    expect(await bot.say({ platform: 'console', user: '联络员' }, '上报 T2 80%')).toContain('要在乡镇工作群里');
  });

  it('asks for the group to be bound before taking reports in an unknown group', async () => {
    expect(await bot.say({ platform: 'console', chat: '新建的群', user: '联络员' }, '上报 T2 80%')).toContain('还没有绑定乡镇');
  });
});

describe('taking a report back', () => {
  it('restores the earlier value and keeps both entries in the ledger', async () => {
    await bot.say(clerk, '上报 T2 40%');
    await bot.say(clerk, '上报 T2 90%');
    const reply = await bot.say(clerk, '撤回');
    expect(reply).toContain('已撤回');
    expect(reply).toContain('40%');
    expect((await bot.store.ledger(['T2'])).map((e) => e.kind)).toEqual(['report', 'report', 'reversal']);
    expect((await bot.store.progress(['T2'])).get('T2')?.get('城关镇')?.amount).toBe(40);
  });

  it('says there is nothing to take back before any report', async () => {
    expect(await bot.say(clerk, '撤回')).toContain('没有找到你最近的上报');
  });

  it('answers a redelivered 撤回 as it answered the first', async () => {
    await bot.say(clerk, '上报 T2 40%');
    const first = await bot.say(clerk, '撤回', 'undo-1');
    expect(await bot.say(clerk, '撤回', 'undo-1')).toBe(first);
    expect((await bot.store.ledger(['T2'])).map((e) => e.kind)).toEqual(['report', 'reversal']);
  });

  it('answers a redelivered report with its first answer, even after it was taken back', async () => {
    const first = await bot.say(clerk, '上报 T2 90%', 'report-1');
    await bot.say(clerk, '撤回');
    expect(await bot.say(clerk, '上报 T2 90%', 'report-1')).toBe(first);
    expect(await ledgerLength('T2')).toBe(2);
  });

  it('refuses after 30 minutes', async () => {
    await bot.say(clerk, '上报 T2 40%');
    bot.clock.set('2026-11-23T09:31:00+08:00');
    expect(await bot.say(clerk, '撤回')).toContain('超过30分钟');
  });

  it('refuses when someone reported the same task later', async () => {
    await bot.say(clerk, '上报 T2 40%');
    await bot.say(admin, '上报 T2 50%');
    expect(await bot.say(clerk, '撤回')).toContain('在你之后已有新的上报');
  });
});

describe('asking what is due and how things stand', () => {
  it('lists the township’s open tasks nearest deadline first, with lights', async () => {
    await bot.say(clerk, '上报 T2 95%');
    const reply = await bot.say(clerk, '任务');
    expect(reply).toContain('城关镇的任务（进行中4项）');
    const order = ['T4', 'T2', 'T1', 'T3'].map((id) => reply.indexOf(` ${id} `));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(reply).toMatch(/🔴 T4 .*已逾期84天/);
    expect(reply).not.toContain('T5');
    expect(reply).not.toContain('T6');
  });

  it('counts working days to a deadline', async () => {
    // After 2026-11-23 (Mon) up to 11-30 (Mon): five working days, as the reminder ladder counts.
    expect(await bot.say(clerk, '截止 T2')).toContain('剩5个工作日');
  });

  it('shows a clerk their own township and the county total for one task', async () => {
    await bot.say(clerk, '上报 T2 100%');
    await bot.say(hongxingClerk, '上报 T2 30%');
    const reply = await bot.say(clerk, '进度 T2');
    expect(reply).toContain('城关镇：100%');
    expect(reply).not.toContain('红星乡');
    expect(reply).toContain('全县：1/5个乡镇已完成，2个已上报');
  });

  it('shows a leader every township for one task', async () => {
    await bot.say(hongxingClerk, '上报 T2 30%');
    const reply = await bot.say(leader, '进度 T2');
    for (const name of ['城关镇', '红星乡', '青山镇', '柳河乡', '东城街道']) expect(reply).toContain(name);
  });
});

describe('the ranking', () => {
  beforeEach(async () => {
    await bot.say(clerk, '上报 T2 100%');
    await bot.say(clerk, '上报 T1 12个');
    await bot.say(hongxingClerk, '上报 T2 50%');
  });

  it('ranks townships by weighted completion', async () => {
    const reply = await bot.say(clerk, '排名');
    expect(reply).toContain('2026年11月完成情况排名');
    expect(reply.indexOf('1. 城关镇')).toBeGreaterThan(-1);
    expect(reply.indexOf('2. 红星乡')).toBeGreaterThan(-1);
  });

  it('marks the bottom three only where only leaders read it', async () => {
    expect(await bot.say(clerk, '排名')).not.toContain('后三位');
    expect(await bot.say({ ...clerk, user: '书记' }, '排名')).not.toContain('后三位');
    expect(await bot.say(leader, '排名')).toContain('⚠️后三位');
    expect(await bot.say(leaderDirect, '排名')).toContain('⚠️后三位');
  });

  it('ranks townships on one task', async () => {
    const reply = await bot.say(leader, '排名 T2');
    expect(reply).toMatch(/1\. ✅ 城关镇：100%/);
    expect(reply).toMatch(/2\. 🟡 红星乡：50%/);
  });

  it('gives townships with equal completion of one task an equal place, and the next place counts them all', async () => {
    await bot.say(hongxingClerk, '上报 T2 100%');
    const reply = await bot.say(leader, '排名 T2');
    expect(reply).toMatch(/^1\. ✅ 城关镇：100%$/m);
    expect(reply).toMatch(/^1\. ✅ 红星乡：100%$/m);
    for (const name of ['青山镇', '柳河乡', '东城街道']) expect(reply).toMatch(new RegExp(`^3\\. \\S+ ${name}：未上报$`, 'm'));
  });

  it('gives last month’s ranking from the ledger as it stood at the month’s end', async () => {
    bot.clock.set('2026-12-02T09:00:00+08:00');
    await bot.say(hongxingClerk, '上报 T2 100%');
    const reply = await bot.say(leader, '排名 上月');
    expect(reply).toContain('2026年11月完成情况排名');
    expect(reply).toContain('1. 城关镇');
    expect(reply).toContain('2. 红星乡');
  });
});

describe('an admin', () => {
  it('binds a new group to a township, and then reports count for it', async () => {
    const chat = { platform: 'console' as const, chat: '青山镇新群', user: '管理员' };
    expect(await bot.say(chat, '绑定 青山镇')).toContain('已将本群绑定为「青山镇」工作群');
    await bot.say({ ...chat, user: '某干部' }, '上报 T2 20%');
    expect((await bot.store.progress(['T2'])).get('T2')?.get('青山镇')?.amount).toBe(20);
  });

  it('marks a group as the leaders’ group', async () => {
    await bot.say(clerk, '上报 T2 100%');
    await bot.say(hongxingClerk, '上报 T2 50%');
    expect(await bot.say({ platform: 'console', chat: '县委常委群', user: '管理员' }, '绑定 领导群')).toContain('领导群');
    expect(await bot.say({ platform: 'console', chat: '县委常委群', user: '某领导' }, '排名')).toContain('⚠️后三位');
  });

  it('creates a task with the next free id and closes it', async () => {
    const created = await bot.say(admin, '新建任务 阵地建设 截止12月31日 目标每村1个 领域农村');
    expect(created).toContain('已新建任务 T7 阵地建设');
    expect(created).toContain('12月31日');
    expect(await bot.say(clerk, '任务')).toContain('T7 阵地建设');
    expect(await bot.say(admin, '销号 T7')).toContain('已销号');
    expect(await bot.say(clerk, '上报 T7 完成')).toContain('已销号');
  });

  it('is the only one who may bind, create or close', async () => {
    expect(await bot.say(clerk, '绑定 红星乡')).toContain('只有管理员可以');
    expect(await bot.say(leader, '新建任务 测试 截止12月31日')).toContain('只有管理员可以');
    expect(await bot.say(clerk, '销号 T2')).toContain('只有管理员可以');
    expect((await bot.store.task('T2'))?.status).toBe('open');
  });

  it('gets the usage back for a task without a deadline', async () => {
    expect(await bot.say(admin, '新建任务 阵地建设')).toContain('缺少截止日期');
  });
});

describe('someone outside a township group', () => {
  it('is asked to bind an unknown group before it lists tasks', async () => {
    expect(await bot.say({ platform: 'console', chat: '新群', user: '某人' }, '任务')).toContain('还没有绑定乡镇');
  });

  it('is pointed to the township group in a direct chat', async () => {
    expect(await bot.say({ platform: 'console', user: '某人' }, '任务')).toContain('请在乡镇工作群里 @我');
  });

  it('sees their own township’s tasks in a direct chat when the setup file names it', async () => {
    expect(await bot.say({ platform: 'console', user: '联络员' }, '任务')).toContain('城关镇的任务');
  });

  it('sees the county’s tasks as a leader in a direct chat', async () => {
    expect(await bot.say(leaderDirect, '任务')).toMatch(/全县的任务（进行中5项）[\s\S]*\/5个乡镇完成/);
  });
});

describe('count tasks and corner cases from review', () => {
  it('refuses a percent on a count task, since 28.8 cadres cannot be checked against a roster', async () => {
    const reply = await bot.say(clerk, '报 3 八成');
    expect(reply).toContain('这项任务按个数上报（目标36个），「八成」不是个数');
    expect(reply).toContain('例如：上报 T3 18个');
    expect(reply).not.toContain('已记录');
  });

  it('refuses a fraction of another total and a count that looks like a typo', async () => {
    expect(await bot.say(clerk, '上报 T3 12/13')).toContain('总数对不上');
    expect(await bot.say(clerk, '上报 T3 500个')).toContain('多出太多');
    expect(await ledgerLength('T3')).toBe(0);
  });

  it('takes a fraction of the township’s own total as a count', async () => {
    expect(await bot.say(clerk, '上报 T3 24/36')).toContain('24/36（67%）');
  });

  it('refuses 撤回 of a task that was not the person’s last report', async () => {
    await bot.say(clerk, '上报 T1 5个');
    await bot.say(clerk, '上报 T2 30%');
    expect(await bot.say(clerk, '撤回 T1')).toContain('你最近一次上报的是 T2，不是 T1');
    expect(await bot.say(clerk, '撤回 T2')).toContain('已撤回');
  });

  it('lists in 帮助 only what this person may do here', async () => {
    const inLeadersGroup = await bot.say(leader, '帮助');
    expect(inLeadersGroup).toContain('排名');
    expect(inLeadersGroup).not.toContain('上报 T3');
    expect(await bot.say(admin, '帮助')).toContain('新建任务');
    expect(await bot.say(clerk, '帮助')).not.toContain('新建任务');
  });

  it('says so when asked for a month with no records at all', async () => {
    expect(await bot.say(leader, '排名 上月')).toContain('没有任何上报记录');
  });

  it('does not rank a month that has not come', async () => {
    expect(await bot.say(leader, '排名 2027年1月')).toContain('还没到');
  });
});

describe('reloading the setup file', () => {
  it('keeps a task closed in chat closed, and a group bound in chat bound', async () => {
    await bot.say(admin, '销号 T2');
    await bot.say({ platform: 'console', chat: '青山镇新群', user: '管理员' }, '绑定 青山镇');
    await bot.store.loadCounty(testCounty, {});
    expect(await bot.store.task('T2')).toMatchObject({ status: 'closed', closedOn: '2026-11-23' });
    expect(await bot.say({ platform: 'console', chat: '青山镇新群', user: '某干部' }, '上报 T1 2个')).toContain('已记录：青山镇');
  });
});
