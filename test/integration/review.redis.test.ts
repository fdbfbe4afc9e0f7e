/**
 * 完成审核 (docs/design.md §3), when the county turns it on: a completion waits for a leader, who
 * passes it (办结: no more reports) or sends it back with a reason (进度 goes back to what it was,
 * the report stays in the ledger). While it waits it counts as done, so a slow reviewer costs
 * nobody a rank.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Speaker } from '../../src/adapters/console/index.js';
import { currentRanking, loadBoard } from '../../src/core/board.js';
import { leadersDigest } from '../../src/core/digest.js';
import type { County } from '../../src/domain/model.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { exportTable } from '../../src/excel/export.js';
import { renderText } from '../../src/render/plain.js';
import { testCounty } from '../fixtures/county.js';
import { clerk, hongxingClerk, leader, leaderDirect, openTestBot, type TestBot } from '../helpers/bot.js';
import { recordingOutbox } from '../helpers/recording-outbox.js';

/** Monday 23 November 2026, office hours. */
const MONDAY = '2026-11-23T09:00:00+08:00';

const county: County = {
  ...testCounty,
  people: [...testCounty.people, { platform: 'console', user: '部长', name: '李部长', roles: ['leader'] }],
};
const minister: Speaker = { platform: 'console', chat: '领导群', user: '部长' };

let bot: TestBot;
const outbox = recordingOutbox();
const { posts, postedTo } = outbox;

async function reviewing(on: boolean): Promise<void> {
  await bot.store.loadCounty(county, { rest: [], work: [], years: [] }, { ...DEFAULT_SCHEDULE, review: on });
}

beforeEach(async () => {
  outbox.clear();
  bot = await openTestBot(import.meta.url, county, MONDAY, { posts });
  await reviewing(true);
});
afterEach(async () => {
  await bot.close();
});

describe('a completion, while the county reviews them', () => {
  it('waits for a leader, says so, and still counts as done for the light and the rank', async () => {
    await bot.say(clerk, '上报 T2 60%');
    const reply = await bot.say(clerk, '上报 T2 完成');

    expect(reply).toContain('已提交领导审核，通过后办结；审核期间照常计入完成。');
    expect(await bot.say(clerk, '任务')).toContain('✅ T2 软弱涣散党组织整顿转化：100%（待审核），截止11月30日');
    expect(await bot.say(leader, '进度 T2')).toContain('城关镇：100%（待审核）');
    const ranking = await currentRanking({ store: bot.store, calendar: bot.calendar, today: '2026-11-23' });
    expect(ranking.rows.find((r) => r.township === '城关镇')?.done).toBe(1);
  });

  it('is listed in 待办 and in the leaders’ digest, with its age', async () => {
    await bot.say(clerk, '上报 T2 完成');
    bot.clock.set('2026-11-25T09:00:00+08:00');

    const todo = await bot.say(leaderDirect, '待办');
    expect(todo).toContain('待审核 城关镇 T2「软弱涣散党组织整顿转化」（李联络上报完成，已等2个工作日）');
    expect(todo).toContain('回复「通过 T2 城关镇」或「退回 T2 城关镇 理由」');
    const board = await loadBoard({ store: bot.store, calendar: bot.calendar, today: '2026-11-25' });
    const digest = await leadersDigest(board, { store: bot.store, calendar: bot.calendar, now: bot.clock.now, today: '2026-11-25' });
    expect(renderText(digest!)).toContain('待审核的完成上报：城关镇 T2（2个工作日）');
  });

  it('is not asked for review while the county does not review', async () => {
    await reviewing(false);
    expect(await bot.say(clerk, '上报 T2 完成')).not.toContain('审核');
    expect(await bot.say(leader, '待办')).toBe('目前没有等待答复的申请，也没有等待审核的完成上报。');
    expect(await bot.say(leader, '通过 T2 城关镇')).toBe('本县没有开启完成审核：乡镇上报完成即算完成，不需要通过或退回。');
    expect(await bot.say(leader, '帮助')).not.toMatch(/通过|退回/);
  });
});

describe('通过', () => {
  it('closes the township’s part of the task, tells its group, takes no more reports for it, and outlives a reload', async () => {
    await bot.say(clerk, '上报 T2 完成');
    const reply = await bot.say(leader, '通过 T2 城关镇');

    expect(reply).toBe('已审核通过：城关镇 T2「软弱涣散党组织整顿转化」办结。已通知城关镇工作群。');
    expect(postedTo('城关镇工作群')).toEqual(['【T2审核通过】\n王书记审核通过了本乡镇T2「软弱涣散党组织整顿转化」的完成情况：办结，不再上报。']);
    expect(await bot.say(clerk, '上报 T2 90%')).toBe('T2「软弱涣散党组织整顿转化」城关镇已审核通过（办结），不再上报。');
    expect(await bot.say(clerk, '撤回')).toBe('T2这次上报已审核通过（办结），不能撤回。');
    expect(await bot.say(clerk, '任务')).toContain('100%（已办结）');
    await reviewing(true);
    expect(await bot.say(clerk, '任务')).toContain('100%（已办结）');
    expect(await bot.say(minister, '通过 T2 城关镇')).toBe('T2「软弱涣散党组织整顿转化」城关镇已由王书记在今天09:00审核通过，不能再改。');
  });

  it('is for a completion waiting, by another than who reported it, in the leaders’ group or a direct chat', async () => {
    expect(await bot.say(leader, '通过 T2 城关镇')).toBe('T2「软弱涣散党组织整顿转化」城关镇没有等待审核的完成上报。目前没有等待审核的。');
    await bot.say(hongxingClerk, '上报 T2 完成');
    expect(await bot.say(leader, '通过 T2 城关镇')).toBe('T2「软弱涣散党组织整顿转化」城关镇没有等待审核的完成上报。等待审核的有：T2 红星乡。');
    expect(await bot.say(leader, '通过 T2 西城')).toContain('没有叫「西城」的乡镇');
    expect(await bot.say(leader, '通过 T2')).toContain('缺少乡镇名称');
    expect(await bot.say(clerk, '通过 T2 红星乡')).toContain('只有领导和管理员');

    await bot.say({ ...leader, chat: '城关镇工作群' }, '上报 T2 完成');
    expect(await bot.say(leaderDirect, '通过 T2 城关镇')).toBe('T2「软弱涣散党组织整顿转化」城关镇的完成是您本人上报的，请由其他领导审核。');
    expect(await bot.say(minister, '通过 T2 城关镇')).toContain('已审核通过');
  });
});

describe('帮助, where the county reviews completions', () => {
  it('shows a leader 通过 and 退回 with examples that work, one completion each', async () => {
    await bot.say(clerk, '上报 T2 完成');
    await bot.say(hongxingClerk, '上报 T2 完成');
    const help = await bot.say(leader, '帮助');

    const pass = /例如：(通过 T2 \S+)/.exec(help)?.[1];
    const send = /例如：(退回 T2 \S+ 佐证材料不全)/.exec(help)?.[1];
    expect(new Set([pass?.split(' ')[2], send?.split(' ')[2]])).toEqual(new Set(['城关镇', '红星乡']));
    expect(await bot.say(leader, pass!)).toContain('已审核通过');
    expect(await bot.say(leader, send!)).toContain('已退回');
  });
});

describe('退回', () => {
  it('puts the township back where it was, tells its group why, and keeps the report in the ledger', async () => {
    await bot.say(clerk, '上报 T2 60%');
    await bot.say(clerk, '上报 T2 完成');
    const reply = await bot.say(leader, '退回 T2 城关镇 佐证材料不全');

    expect(reply).toBe('已退回：城关镇 T2「软弱涣散党组织整顿转化」，进度恢复为60%。已通知城关镇工作群。');
    expect(postedTo('城关镇工作群')).toEqual([
      '【T2完成上报被退回】\n王书记退回了本乡镇T2「软弱涣散党组织整顿转化」的完成上报，进度恢复为60%。\n理由：佐证材料不全\n补齐后请 @我 重新上报，例如：上报 T2 完成',
    ]);
    expect(await bot.say(clerk, '进度 T2')).toContain('城关镇：60%');
    expect(await bot.say(leader, '待办')).toBe('目前没有等待答复的申请，也没有等待审核的完成上报。');

    const kinds = (await bot.store.ledger(['T2'])).map((e) => e.kind);
    expect(kinds).toEqual(['report', 'report', 'review-submitted', 'returned']);
    const ledger = await exportTable('ledger', { store: bot.store, calendar: bot.calendar, today: '2026-11-23' }, county.name);
    const returned = ledger.ok ? ledger.table.rows.find((r) => r[9] === '退回') : undefined;
    expect(returned?.slice(5, 8)).toEqual(['60%', '佐证材料不全', '王书记']);

    expect(await bot.say(clerk, '上报 T2 完成')).toContain('已提交领导审核');
  });

  it('wants a reason', async () => {
    await bot.say(clerk, '上报 T2 完成');
    expect(await bot.say(leader, '退回 T2 城关镇')).toContain('缺少理由');
  });
});
