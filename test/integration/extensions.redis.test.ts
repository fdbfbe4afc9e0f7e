/**
 * 申请延期 and the leaders' 同意 / 不同意 (docs/design.md §3): a numbered request to the leaders'
 * group, one decision, the township told, and a granted deadline that is that township's alone —
 * in its light, its replies, the ranking, the exports, and a past month replayed from the ledger.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import leadersDigest from '../../jobs/leaders-digest.js';
import type { Speaker } from '../../src/adapters/console/index.js';
import { loadBoard, pastRanking } from '../../src/core/board.js';
import { createLogger } from '../../src/core/logger.js';
import { beijingDate } from '../../src/domain/dates.js';
import type { County } from '../../src/domain/model.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { exportTable } from '../../src/excel/export.js';
import { renderText } from '../../src/render/plain.js';
import { testCounty } from '../fixtures/county.js';
import { admin, clerk, hongxingClerk, leader, leaderDirect, openTestBot, type TestBot } from '../helpers/bot.js';
import { recordingOutbox } from '../helpers/recording-outbox.js';

/** Monday 23 November 2026, office hours; T2 is due on Monday 30 November for every township. */
const MONDAY = '2026-11-23T09:00:00+08:00';

/** A second leader, who may decide what the first asked as a township's member. */
const county: County = {
  ...testCounty,
  people: [...testCounty.people, { platform: 'console', user: '部长', name: '李部长', roles: ['leader'] }],
};
const minister: Speaker = { platform: 'console', chat: '领导群', user: '部长' };

let bot: TestBot;
const outbox = recordingOutbox();
const { posts, queued, postedTo } = outbox;


beforeEach(async () => {
  outbox.clear();
  bot = await openTestBot(import.meta.url, county, MONDAY, { posts });
});
afterEach(async () => {
  await bot.close();
});

/** Asks for T2 until 12月31日 as 城关镇's clerk and returns the request's number. */
async function ask(reason = '村两委换届推迟'): Promise<number> {
  const reply = await bot.say(clerk, `申请延期 T2 12月31日 ${reason}`);
  const number = /延期申请#(\d+)/.exec(reply)?.[1];
  expect(number, reply).toBeDefined();
  return Number(number);
}

describe('申请延期', () => {
  it('is numbered, confirmed to the township, and posted to the leaders’ group with how to answer it', async () => {
    const reply = await bot.say(clerk, '申请延期 T2 12月31日 村两委换届推迟');

    expect(reply).toBe('已提交延期申请#1：T2「软弱涣散党组织整顿转化」截止11月30日 → 12月31日。领导答复后会在本群告诉大家。');
    expect(postedTo('领导群')).toEqual([
      '【延期申请#1】\n延期申请#1 城关镇 T2「软弱涣散党组织整顿转化」 11月30日 → 12月31日，理由：村两委换届推迟；回复「同意 1」或「不同意 1 理由」',
    ]);
  });

  it('takes the date and the reason written together, after a comma, or with 至', async () => {
    expect(await bot.say(clerk, '申请延期 T2 至12月31日，村两委换届推迟')).toContain('已提交延期申请#1');
    expect(await bot.say(hongxingClerk, '申请延期 2 12月31日村两委换届推迟')).toContain('已提交延期申请#2');
  });

  it('is one open request per task and township, and answers a redelivered message as the first time', async () => {
    await bot.say(clerk, '申请延期 T2 12月31日 村两委换届推迟', 'm-1');
    expect(await bot.say(clerk, '申请延期 T2 12月31日 村两委换届推迟', 'm-1')).toContain('已提交延期申请#1');
    expect(await bot.say(clerk, '申请延期 T2 12月20日 另有原因')).toBe('T2「软弱涣散党组织整顿转化」已有一条延期申请#1（延到12月31日）在等领导答复，答复前不能再申请。');
    expect((await bot.store.ledger(['T2'])).filter((e) => e.kind === 'extension-requested')).toHaveLength(1);
    expect(queued).toHaveLength(1);
  });

  it('refuses a date not after the deadline, with an example that works for this township', async () => {
    const reply = await bot.say(clerk, '申请延期 T2 11月28日 来不及');

    expect(reply).toContain('延期到的日期要晚于现在的截止日期11月30日');
    expect(reply).toContain('例如：申请延期 T2 12月14日 村两委换届推迟');
    expect(await bot.say(clerk, '申请延期 T2 12月14日 村两委换届推迟')).toContain('已提交延期申请');
  });

  it('says what is missing: the date, the reason, or which task', async () => {
    expect(await bot.say(clerk, '申请延期')).toContain('缺少任务编号、延期到的日期和理由');
    expect(await bot.say(clerk, '申请延期 T2')).toContain('缺少延期到的日期');
    expect(await bot.say(clerk, '申请延期 T2 12月31日')).toContain('缺少理由');
    expect(await bot.say(clerk, '申请延期 T2 下下周 忙')).toContain('看不懂日期「下下周」');
  });

  it('is for the township’s own tasks only, and not for a finished or closed one', async () => {
    // The example is a task of its own that the 上报 examples do not finish.
    const mine = '正确格式：申请延期 任务编号 日期 理由\n例如：申请延期 T3 2027年1月14日 村两委换届推迟';
    expect(await bot.say(clerk, '申请延期 T5 12月31日 忙')).toBe(`T5「红色驿站规范化建设」不是城关镇的任务，只能为本乡镇的任务申请延期。\n${mine}`);
    expect(await bot.say(clerk, '申请延期 T6 12月31日 忙')).toBe(`T6「党员信息采集」已销号，不用延期。\n${mine}`);
    await bot.say(clerk, '上报 T2 完成');
    expect(await bot.say(clerk, '申请延期 T2 12月31日 忙')).toContain('城关镇已经完成T2「软弱涣散党组织整顿转化」，不用延期。\n正确格式：申请延期 任务编号 日期 理由\n例如：申请延期 T');
    expect(await bot.say(leader, '申请延期 T2 12月31日 忙')).toContain('要在乡镇工作群里 @我');
  });

  it('is taken up to the deadline day, and for the county’s working days of grace after it', async () => {
    bot.clock.set('2026-11-30T17:00:00+08:00');
    expect(await bot.say(clerk, '申请延期 T2 12月31日 村两委换届推迟')).toContain('已提交延期申请#1');

    bot.clock.set('2026-12-01T09:00:00+08:00');
    expect(await bot.say(hongxingClerk, '申请延期 T2 12月31日 忙')).toContain(
      'T2「软弱涣散党组织整顿转化」截止11月30日，申请延期最晚在11月30日提出，现在已经过了，请直接联系组织部说明情况。\n正确格式：申请延期 任务编号 日期 理由\n例如：申请延期 T3 2027年1月14日 村两委换届推迟',
    );
    await bot.store.loadCounty(county, { rest: [], work: [], years: [] }, { ...DEFAULT_SCHEDULE, extensionGraceDays: 2 });
    expect(await bot.say(hongxingClerk, '申请延期 T2 12月31日 忙')).toContain('已提交延期申请#2');
  });
});

describe('同意', () => {
  it('gives the township its own deadline, tells its group, and leaves the others’ as they were', async () => {
    const n = await ask();
    const reply = await bot.say(leader, `同意 ${String(n)}`);

    expect(reply).toBe('已同意延期申请#1：城关镇 T2「软弱涣散党组织整顿转化」截止改为12月31日（已延期，原11月30日）。已通知城关镇工作群。');
    expect(postedTo('城关镇工作群')).toEqual(['【延期申请#1已同意】\n王书记同意了延期申请#1：T2「软弱涣散党组织整顿转化」本乡镇的截止日期改为12月31日（已延期，原11月30日）。']);
    expect(postedTo('wrkSFfCgAALFgnrSsWU38puiv4yvExuw')).toHaveLength(1);

    expect(await bot.say(clerk, '截止 T2')).toContain('截止12月31日（已延期，原11月30日），剩');
    expect(await bot.say(hongxingClerk, '截止 T2')).toContain('截止11月30日，剩');
    expect(await bot.say(leader, '进度 T2')).toContain('城关镇：未上报（延期至12月31日）');

    bot.clock.set('2026-12-02T09:00:00+08:00');
    const board = await loadBoard({ store: bot.store, calendar: bot.calendar, today: '2026-12-02' });
    const task = board.tasks.find((t) => t.id === 'T2')!;
    const cell = (id: string) => board.cell(task, board.townships.find((t) => t.id === id)!);
    expect(cell('城关镇').standing.light).toBe('behind');
    expect(cell('红星乡').standing.light).toBe('overdue');
    expect(await bot.say(clerk, '任务')).toContain('截止12月31日（已延期，原11月30日）');
  });

  it('is answered in the leaders’ group or a direct chat, by leaders and admins, never on one’s own request', async () => {
    const n = await ask();
    expect(await bot.say(clerk, `同意 ${String(n)}`)).toContain('只有领导和管理员');
    expect(await bot.say(admin, `同意 ${String(n)}`)).toContain('请在领导群里 @我，或私聊我发送');

    const own = Number(/#(\d+)/.exec(await bot.say({ ...leader, chat: '城关镇工作群' }, '申请延期 T1 2027年1月31日 冬季施工'))?.[1]);
    expect(await bot.say(leaderDirect, `同意 ${String(own)}`)).toBe(`延期申请#${String(own)}是您本人提出的，请由其他领导答复。`);
    expect(await bot.say(minister, `同意 ${String(own)}`)).toContain('已同意');
  });

  it('is given once: a second answer says who decided, when and how', async () => {
    const n = await ask();
    await bot.say(leader, `同意 ${String(n)}`);
    bot.clock.set('2026-11-23T10:30:00+08:00');

    expect(await bot.say(minister, `不同意 ${String(n)} 时间太长`)).toBe('延期申请#1已由王书记在今天09:00同意，不能再改。');
    expect((await bot.store.ledger(['T2'])).filter((e) => e.kind === 'extension-granted' || e.kind === 'extension-refused')).toHaveLength(1);
  });

  it('names the requests that wait when the number is unknown', async () => {
    expect(await bot.say(leader, '同意 9')).toBe('没有编号为9的延期申请，目前没有等待答复的申请。\n正确格式：同意 申请编号');
    await ask();
    expect(await bot.say(leader, '同意 9')).toBe('没有编号为9的延期申请，等待答复的有#1（「待办」可以查看详情）。\n正确格式：同意 申请编号\n例如：同意 1');
    expect(await bot.say(leader, '同意 九')).toContain('「九」不是申请编号，编号是一个数字');
    expect(await bot.say(leader, '同意')).toContain('缺少申请编号');
  });

  it('is kept by a reload of the setup file', async () => {
    await bot.say(leader, `同意 ${String(await ask())}`);
    await bot.store.loadCounty(county, { rest: [], work: [], years: [] });
    expect(await bot.say(clerk, '截止 T2')).toContain('截止12月31日（已延期，原11月30日）');
  });
});

describe('不同意', () => {
  it('keeps the deadline, and tells the township why', async () => {
    const n = await ask();
    const reply = await bot.say(leader, `不同意 ${String(n)} 请按原定时间完成`);

    expect(reply).toBe('已答复不同意延期申请#1：城关镇 T2「软弱涣散党组织整顿转化」仍按11月30日截止。已通知城关镇工作群。');
    expect(postedTo('城关镇工作群')).toEqual(['【延期申请#1未同意】\n王书记没有同意延期申请#1：T2「软弱涣散党组织整顿转化」仍按11月30日截止。\n理由：请按原定时间完成']);
    expect(await bot.say(clerk, '截止 T2')).toContain('截止11月30日，剩');
    expect(await bot.say(clerk, '申请延期 T2 12月15日 再次申请')).toContain('已提交延期申请#2');
  });

  it('wants a reason', async () => {
    const n = await ask();
    expect(await bot.say(leader, `不同意 ${String(n)}`)).toContain('缺少理由');
    expect(await bot.say(leader, `不同意 ${String(n)}`)).toContain(`例如：不同意 ${String(n)} 请按原定时间完成`);
  });
});

describe('待办', () => {
  it('lists the open requests with their numbers and ages, and says when there are none', async () => {
    expect(await bot.say(leader, '待办')).toBe('目前没有等待答复的申请，也没有等待审核的完成上报。');
    await ask();
    bot.clock.set('2026-11-26T09:00:00+08:00');
    await bot.say(hongxingClerk, '申请延期 T2 12月20日 人手不足');

    const reply = await bot.say(leaderDirect, '待办');
    expect(reply).toContain('【待办（2项）】');
    expect(reply).toContain('延期申请#1 城关镇 T2「软弱涣散党组织整顿转化」 11月30日 → 12月31日，理由：村两委换届推迟（李联络提出，已等3个工作日）');
    expect(reply).toContain('延期申请#2 红星乡 T2「软弱涣散党组织整顿转化」 11月30日 → 12月20日，理由：人手不足（周联络提出，今天）');
    expect(reply).toContain('回复「同意 1」或「不同意 1 理由」');
    await bot.say(leader, '同意 1');
    expect(await bot.say(leader, '待办')).not.toContain('#1');
  });
});

describe('the leaders’ daily digest', () => {
  it('names a request left unanswered for two working days', async () => {
    await ask();
    const digestOn = async (day: string): Promise<string> => {
      const now = new Date(`${day}T09:00:00+08:00`);
      const today = beijingDate(now);
      const store = bot.store;
      const out = await leadersDigest.run({ jobName: 'leaders-digest', now, today, store, calendar: bot.calendar, log: createLogger('silent'), settings: DEFAULT_SCHEDULE, board: () => loadBoard({ store, calendar: bot.calendar, today }) });
      return out.map((p) => renderText(p.message)).join('\n');
    };
    expect(await digestOn('2026-11-24')).not.toContain('延期申请#1');
    const digest = await digestOn('2026-11-25');
    expect(digest).toContain('2个工作日以上未答复：延期申请#1（城关镇 T2，2个工作日）；在领导群或私聊里用「待办」查看并答复。');
    expect(digest.split('\n').length).toBeLessThanOrEqual(15);
  });
});

describe('done late', () => {
  it('shows a completion after the township’s deadline as ✅逾期完成, counted apart in the ranking', async () => {
    bot.clock.set('2026-12-02T10:00:00+08:00');
    await bot.say(clerk, '上报 T2 完成');
    const tasks = await bot.say(clerk, '任务');
    expect(tasks).toContain('✅ T2 软弱涣散党组织整顿转化：100%，逾期完成，截止11月30日');
    expect(await bot.say(clerk, '上报 T2 完成')).toContain('✅逾期完成，截止11月30日');

    const ranking = await exportTable('ranking', { store: bot.store, calendar: bot.calendar, today: '2026-12-02' }, county.name);
    expect(ranking.ok && ranking.table.rows.find((r) => r[1] === '城关镇')?.slice(4, 6)).toEqual([0, 1]);
  });

  it('is not late when the township finishes by the deadline it was granted', async () => {
    await bot.say(leader, `同意 ${String(await ask())}`);
    bot.clock.set('2026-12-02T10:00:00+08:00');
    await bot.say(clerk, '上报 T2 完成');
    const board = await loadBoard({ store: bot.store, calendar: bot.calendar, today: '2026-12-02' });
    const cell = board.cell(board.tasks.find((t) => t.id === 'T2')!, board.townships.find((t) => t.id === '城关镇')!);
    expect(cell.standing.light).toBe('done');
  });
});

describe('the ledger', () => {
  it('keeps every step, and the 台账 export shows them with their dates and reasons', async () => {
    const n = await ask();
    await bot.say(leader, `不同意 ${String(n)} 请按原定时间完成`);
    await bot.say(leader, `同意 ${String(await ask('换届推迟，已报县委'))}`);

    const kinds = (await bot.store.ledger(['T2'])).map((e) => e.kind);
    expect(kinds).toEqual(['extension-requested', 'extension-refused', 'extension-requested', 'extension-granted']);
    const ledger = await exportTable('ledger', { store: bot.store, calendar: bot.calendar, today: '2026-11-23' }, county.name);
    const rows = ledger.ok ? ledger.table.rows.map((r) => [r[1], r[2], r[4], r[6], r[9]]) : [];
    expect(rows).toEqual([
      ['城关镇', 'T2', '11月30日→12月31日', '村两委换届推迟', '申请延期'],
      ['城关镇', 'T2', '维持11月30日', '请按原定时间完成', '不同意延期'],
      ['城关镇', 'T2', '11月30日→12月31日', '换届推迟，已报县委', '申请延期'],
      ['城关镇', 'T2', '截止改为12月31日', '', '同意延期'],
    ]);
  });

  it('replays a finished month with the deadlines in force then', async () => {
    // T2 due 16 November. Granted in November: November's ranking counts 城关镇 to 12月31日;
    // 红星乡, granted only in December (the county allows 20 working days of grace), is overdue
    // in it. Both are overdue on T4 since August.
    const early = { ...county, tasks: county.tasks.map((t) => (t.id === 'T2' ? { ...t, deadline: '2026-11-16' } : t)) };
    await bot.store.loadCounty(early, { rest: [], work: [], years: [] }, { ...DEFAULT_SCHEDULE, extensionGraceDays: 20 });
    bot.clock.set('2026-11-10T09:00:00+08:00');
    await bot.say(leader, `同意 ${String(await ask())}`);
    await bot.say(clerk, '上报 T2 50%');
    await bot.say(hongxingClerk, '上报 T2 50%');
    bot.clock.set('2026-12-01T09:00:00+08:00');
    expect(await bot.say(hongxingClerk, '申请延期 T2 12月31日 忙')).toContain('已提交延期申请#2');
    await bot.say(leader, '同意 2');

    const source = { store: bot.store, calendar: bot.calendar, today: '2026-12-01' };
    const overdue = (ranking: Awaited<ReturnType<typeof pastRanking>>, id: string) => ranking?.rows.find((r) => r.township === id)?.overdue;
    const november = await pastRanking(source, '2026-11');
    expect([overdue(november, '城关镇'), overdue(november, '红星乡')]).toEqual([1, 2]);
    const december = await exportTable('ranking', source, county.name);
    expect(december.ok && december.table.rows.filter((r) => r[1] === '城关镇' || r[1] === '红星乡').map((r) => r[7])).toEqual([1, 1]);
  });
});
