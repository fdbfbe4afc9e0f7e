/**
 * Undoing mistakes (issue 11, point 7): 销号 typed for the wrong task, taken back with 恢复; 撤回
 * only where the report was made; a second 撤回 that says what can still be done. Through the
 * router and real Redis, as an admin and a clerk would type it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testCounty } from '../fixtures/county.js';
import { admin, clerk, leader, openTestBot, type TestBot } from '../helpers/bot.js';

let bot: TestBot;

beforeEach(async () => {
  bot = await openTestBot(import.meta.url);
});
afterEach(async () => {
  await bot.close();
});

const status = async (id: string): Promise<string | undefined> => (await bot.store.task(id))?.status;
const kinds = async (id: string): Promise<string[]> => (await bot.store.ledger([id])).map((e) => e.kind);
const progress = async (task: string, township: string): Promise<number | undefined> => (await bot.store.progress([task])).get(task)?.get(township)?.amount;

describe('销号 and 恢复', () => {
  it('销号 says which task it closed and how to take it back', async () => {
    const reply = await bot.say(admin, '销号 T3');
    expect(reply).toContain('已销号：T3 村级后备干部储备');
    expect(reply).toContain('发送「恢复 T3」可以恢复');
  });

  it('恢复 reopens a task closed by mistake, and the township can report on it again', async () => {
    await bot.say(admin, '销号 T3');
    expect(await bot.say(clerk, '上报 T3 6个')).toContain('已销号');

    const reply = await bot.say(admin, '恢复 T3');

    expect(reply).toContain('已恢复：T3 村级后备干部储备（截止12月31日）');
    expect(await status('T3')).toBe('open');
    expect(await bot.say(clerk, '上报 T3 6个')).toContain('已记录');
  });

  it('恢复 of an open task politely says there is nothing to reopen, and writes nothing', async () => {
    expect(await bot.say(admin, '恢复 T2')).toContain('T2「软弱涣散党组织整顿转化」没有销号，不用恢复');
    expect(await kinds('T2')).toEqual([]);
  });

  it('恢复 of an unknown task says so and points to the task list', async () => {
    expect(await bot.say(admin, '恢复 T99')).toContain('没有找到任务「T99」');
  });

  it('恢复 is for admins only', async () => {
    expect(await bot.say(clerk, '恢复 T6')).toContain('只有管理员可以');
    expect(await bot.say(leader, '恢复 T6')).toContain('只有管理员可以');
    expect(await status('T6')).toBe('closed');
  });

  it('帮助 shows 恢复 to an admin only, with an example of a task that is closed', async () => {
    // The test county's T6 is closed: the one 恢复 could reopen.
    expect(await bot.say(admin, '帮助')).toContain('恢复 恢复一项已销号的任务，例如：恢复 T6');
    expect(await bot.say(clerk, '帮助')).not.toContain('恢复');
  });

  it('both go into the task’s ledger with who, when and the message they came from', async () => {
    await bot.say(clerk, '上报 T3 6个');
    await bot.say(admin, '销号 T3', 'close-1');
    bot.clock.set('2026-11-24T10:00:00+08:00');
    await bot.say(admin, '恢复 T3', 'reopen-1');

    const ledger = await bot.store.ledger(['T3']);
    expect(ledger.map((e) => [e.kind, e.by.name, e.at, e.source])).toEqual([
      ['report', '李联络', '2026-11-23T09:00:00.000+08:00', expect.any(String)],
      ['closed', '赵管理', '2026-11-23T09:00:00.000+08:00', 'console:close-1'],
      ['reopened', '赵管理', '2026-11-24T10:00:00.000+08:00', 'console:reopen-1'],
    ]);
    // The township's progress stands through both.
    expect(await progress('T3', '城关镇')).toBe(6);
  });

  it('销号 of a closed task writes nothing more', async () => {
    await bot.say(admin, '销号 T3');
    expect(await bot.say(admin, '销号 T3')).toContain('早已销号');
    expect(await kinds('T3')).toEqual(['closed']);
  });

  it('a task reopened in chat stays open when the setup file that had closed it is loaded again', async () => {
    // T6 is `closed` in the setup file.
    await bot.say(admin, '恢复 T6');
    await bot.store.loadCounty(testCounty, {});
    expect(await status('T6')).toBe('open');
  });
});

describe('the ranking of a past month', () => {
  it('leaves out a task that was closed all month and reopened after it, and counts it again from the reopening', async () => {
    // 城关镇 finishes T2 (weight 2) in October; of its other tasks active in November T3 and T4 count 1 each.
    bot.clock.set('2026-10-12T09:00:00+08:00');
    await bot.say(clerk, '上报 T2 100%');
    await bot.say(admin, '销号 T1');
    bot.clock.set('2026-12-02T09:00:00+08:00');
    expect(await bot.say(admin, '恢复 T1')).toContain('已恢复');

    // Counting T1 in November would make it 2 of 5, 40 points.
    expect(await bot.say(leader, '排名 上月')).toMatch(/城关镇 50\.0分/);
    expect(await bot.say(leader, '排名')).toMatch(/城关镇 40\.0分/);
  });
});

describe('撤回 in the right place', () => {
  const inHongxingGroup = { ...clerk, chat: '红星乡工作群' };

  it('leaves a report made in one township’s group alone when 撤回 is sent in another’s, and says where to send it', async () => {
    await bot.say(clerk, '上报 T2 80%');

    const reply = await bot.say(inHongxingGroup, '撤回');

    expect(reply).toContain('你最近的上报（T2 80%）记在城关镇名下');
    expect(reply).toContain('撤回要在城关镇的工作群里 @我 发送「撤回」');
    expect(await progress('T2', '城关镇')).toBe(80);
    expect(await kinds('T2')).toEqual(['report']);
    expect(await bot.say(clerk, '撤回')).toContain('已撤回');
  });

  it('says where to send it in a direct chat too', async () => {
    await bot.say(clerk, '上报 T2 80%');
    expect(await bot.say({ platform: 'console', user: clerk.user }, '撤回')).toContain('撤回要在城关镇的工作群里 @我 发送「撤回」');
    expect(await progress('T2', '城关镇')).toBe(80);
  });

  it('is listed by 帮助 in a township’s group only; a direct chat and the leaders’ group name it as one for township groups', async () => {
    const listed = (reply: string): boolean => reply.split('\n').some((line) => line.startsWith('撤回 '));
    expect(listed(await bot.say(clerk, '帮助'))).toBe(true);
    for (const where of [{ platform: 'console', user: clerk.user }, { ...leader }, { platform: 'console', user: leader.user }] as const) {
      const help = await bot.say(where, '帮助');
      expect(listed(help)).toBe(false);
      expect(help).toMatch(/另有(「[^」]+」)*「撤回」(「[^」]+」)*，要在乡镇工作群里 @我 使用。/);
    }
  });
});

describe('a second 撤回', () => {
  it.each([
    ['上报 T2 80%', '（T2 80%）', '上报 T2 80%'],
    ['上报 T3 6个', '（T3 6/36）', '上报 T3 18个'],
    ['上报 T4 完成', '（T4 已完成）', '上报 T4 完成'],
  ])('after 「%s」 was taken back says %s was, and how to correct it in the task’s own unit: %s', async (said, what, example) => {
    await bot.say(clerk, said);
    expect(await bot.say(clerk, '撤回')).toContain('已撤回');

    const reply = await bot.say(clerk, '撤回');

    expect(reply).toContain(`你最近的上报${what}已经撤回了。撤回只能撤回最近一次上报；如需更正，请直接重新上报，例如：${example}`);
    expect(await kinds(said.split(' ')[1] ?? '')).toEqual(['report', 'reversal']);
  });

  it('gives an example above what the township still has, so typing it never lowers its progress', async () => {
    await bot.say(clerk, '上报 T3 30个');
    await bot.say(clerk, '上报 T3 33个');
    expect(await bot.say(clerk, '撤回')).toContain('已撤回');

    expect(await bot.say(clerk, '撤回')).toContain('例如：上报 T3 36个');
  });

  it('undoes a newer report made after the first was taken back', async () => {
    await bot.say(clerk, '上报 T2 40%');
    await bot.say(clerk, '撤回');
    await bot.say(clerk, '上报 T2 60%');
    expect(await bot.say(clerk, '撤回')).toContain('已撤回');
    expect(await progress('T2', '城关镇')).toBeUndefined();
  });
});
