/**
 * 新建任务 for some townships, and for a deadline the holiday calendar does not know yet (issue 11,
 * point 8), through the router and real Redis as an admin would type it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { admin, clerk, openTestBot, type TestBot } from '../helpers/bot.js';

let bot: TestBot;

beforeEach(async () => {
  bot = await openTestBot(import.meta.url);
});
afterEach(async () => {
  await bot.close();
});

const dongchengClerk = { platform: 'console' as const, chat: '东城街道工作群', user: '东城联络员' };

describe('新建任务 for some townships', () => {
  it.each([
    '新建任务 阵地建设 截止12月31日 目标每村1个 乡镇：城关镇、红星乡',
    '新建任务 阵地建设 截止12月31日 目标每村1个 乡镇:城关镇,红星乡',
    '新建任务　阵地建设　截止１２月３１日　目标每村１个　乡镇：城关，红星乡',
  ])('gives 「%s」 to those two townships only, and says so', async (said) => {
    const reply = await bot.say(admin, said);

    expect(reply).toContain('已新建任务 T7 阵地建设');
    expect(reply).toContain('适用：城关镇、红星乡');
    expect(await bot.store.task('T7')).toMatchObject({ townships: ['城关镇', '红星乡'] });
    expect(await bot.say(clerk, '任务')).toContain('T7 阵地建设');
    expect(await bot.say(dongchengClerk, '任务')).not.toContain('T7');
    expect(await bot.say(dongchengClerk, '上报 T7 1个')).toContain('不是东城街道的任务');
  });

  it('gives a task to every township but the ones named after 除…以外', async () => {
    const reply = await bot.say(admin, '新建任务 阵地建设 截止12月31日 除城关镇、红星乡以外');

    expect(reply).toContain('适用：除城关镇、红星乡以外的3个乡镇');
    expect(await bot.store.task('T7')).toMatchObject({ townships: ['东城街道', '柳河乡', '青山镇'] });
    expect(await bot.say(clerk, '任务')).not.toContain('T7');
    expect(await bot.say(dongchengClerk, '任务')).toContain('T7 阵地建设');
  });

  it('says 全部乡镇 when no township is named', async () => {
    expect(await bot.say(admin, '新建任务 阵地建设 截止12月31日')).toContain('适用：全部乡镇');
    expect(await bot.store.task('T7')).toMatchObject({ townships: 'all' });
  });

  it('refuses a township the county does not have, with the list of those it has and an example that works, and creates nothing', async () => {
    const reply = await bot.say(admin, '新建任务 阵地建设 截止12月31日 乡镇：城关镇、城南镇');

    expect(reply).toContain('没有找到乡镇「城南镇」，现有乡镇：城关镇、东城街道、红星乡、柳河乡、青山镇');
    expect(reply).toContain('正确格式：新建任务 任务名称 截止日期');
    const example = /例如：(.+)/.exec(reply)?.[1] ?? '';
    expect(example).toBe('新建任务 阵地建设 截止12月31日 乡镇：城关镇、东城街道');
    expect(await bot.store.task('T7')).toBeUndefined();
    expect(await bot.say(admin, example)).toContain('适用：城关镇、东城街道');
  });

  it('refuses to leave out every township', async () => {
    const reply = await bot.say(admin, '新建任务 阵地建设 截止12月31日 除城关镇、红星乡、青山镇、柳河乡、东城街道以外');
    expect(reply).toContain('除去这些乡镇以后就没有乡镇了');
    expect(await bot.store.task('T7')).toBeUndefined();
  });

  it('refuses 乡镇： with no names after it', async () => {
    expect(await bot.say(admin, '新建任务 阵地建设 截止12月31日 乡镇：')).toContain('「乡镇：」后面缺少乡镇名称');
  });
});

describe('新建任务 that would start wrong', () => {
  it('refuses a deadline already past, which would make every township 🔴 at once, and creates nothing', async () => {
    const reply = await bot.say(admin, '新建任务 党员冬训 截止2026年11月1日');

    expect(reply).toContain('截止日期11月1日已经过去了，新建的任务要在今天或以后截止');
    expect(reply).toContain('例如：');
    expect(await bot.store.task('T7')).toBeUndefined();
  });

  it('refuses a second open task of the same title, naming the first', async () => {
    await bot.say(admin, '新建任务 阵地建设 截止12月31日');
    const again = await bot.say(admin, '新建任务 阵地建设 截止12月31日 目标每村1个');

    expect(again).toContain('已经有同名的任务：T7「阵地建设」');
    expect(await bot.store.task('T8')).toBeUndefined();
  });
});

describe('新建任务 with a deadline beyond the holiday calendar', () => {
  it('creates the task and warns that working days are estimated for that year', async () => {
    const reply = await bot.say(admin, '新建任务 阵地建设 截止2027年3月31日');
    expect(reply).toContain('已新建任务 T7 阵地建设');
    expect(reply).toContain('注意：2027年的法定节假日安排还没有收录，工作日先按周一至周五估算');
    expect(await bot.store.task('T7')).toMatchObject({ deadline: '2027-03-31' });
  });

  it('does not warn for a year the calendar knows', async () => {
    expect(await bot.say(admin, '新建任务 阵地建设 截止12月31日')).not.toContain('注意');
  });
});
