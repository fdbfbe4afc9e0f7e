/**
 * How replies read on a clerk's phone: a sentence that says a thing once, names what is missing,
 * counts people in 名, keeps the overdue apart from what is still to come, and explains （估） only
 * where one is shown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Task, County } from '../../src/domain/model.js';
import { testCounty } from '../fixtures/county.js';
import { admin, clerk, hongxingClerk, leader, leaderDirect, openTestBot, type TestBot } from '../helpers/bot.js';
import type { Posts } from '../../src/core/posts.js';

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

const posts: Posts = {
  enqueue: (queued) => Promise.resolve({ added: queued.map((p) => p.key), already: [], platformOff: [] }),
  delivering: () => Promise.resolve(true),
};

/** The test county, with its tasks changed as a test needs. */
async function open(change: (task: Task) => Task = (t) => t): Promise<TestBot> {
  const county: County = { ...testCounty, tasks: testCounty.tasks.map(change) };
  bot = await openTestBot(import.meta.url, county, '2026-11-23T09:00:00+08:00', { posts });
  return bot;
}

const times = (text: string, part: string): number => text.split(part).length - 1;

describe('a message without its command word', () => {
  it('is answered with the report to send, when it would be recorded in this township group', async () => {
    const b = await open();
    expect(await b.say(clerk, 'T2 80%')).toBe('要上报吗？发送「上报 T2 80%」');
    expect(await b.say(clerk, '@督办助手 t1 8个 已建成')).toBe('要上报吗？发送「上报 t1 8个 已建成」');
    expect(await b.store.ledger(['T2', 'T1'])).toEqual([]);
  });

  it('is not taken for a report where the report would be refused', async () => {
    const b = await open();
    for (const said of ['T5 80%', 'T6 完成', 'T2 12个', 'T99 80%']) expect(await b.say(clerk, said)).toContain('没看懂');
    expect(await b.say(leader, 'T2 80%')).toContain('没看懂');
    expect(await b.say(leaderDirect, 'T2 80%')).toContain('没看懂');
  });

  it('asks whether the person wants the progress of a task named by its id alone', async () => {
    const b = await open();
    expect(await b.say(leader, 'T3')).toBe('要查看进度吗？发送「进度 T3」');
    expect(await b.say(leader, '3')).toContain('没看懂');
    expect(await b.say(leader, 'T99')).toContain('没看懂');
  });

  it('points outside a township group to a command that works there', async () => {
    const b = await open();
    expect(await b.say(leader, '你好')).toContain('例如：排名');
    expect(await b.say(clerk, '你好')).toContain('例如：上报 T2 80%');
  });
});

describe('the reply to a report', () => {
  it('says 已逾期 once, with the days, for a task past its deadline', async () => {
    const b = await open();
    const reply = await b.say(clerk, '上报 T4 50%');
    expect(reply).toContain('🔴已逾期84天，截止8月31日');
    expect(times(reply, '已逾期')).toBe(1);
  });

  it('puts a space before a number but none before words: 进度 80%, 进度已完成', async () => {
    const b = await open();
    expect(await b.say(clerk, '上报 T2 80%')).toContain('，进度 80%');
    expect(await b.say(clerk, '上报 T4 完成')).toContain('，进度已完成');
  });
});

describe('a refusal', () => {
  it.each([
    ['销号 T2', clerk, '只有管理员可以给任务销号。'],
    ['绑定 红星乡', clerk, '只有管理员可以绑定工作群。'],
    ['新建任务 阵地建设 截止12月31日', clerk, '只有管理员可以新建任务。'],
    ['催办 T2', clerk, '只有领导和管理员可以催办。'],
    ['看板', { platform: 'console' as const, user: '联络员' }, '只有领导和管理员可以打开挂图作战看板。'],
  ])('of 「%s」 to a clerk reads as a sentence', async (said, speaker, sentence) => {
    const b = await open();
    expect(await b.say(speaker, said)).toContain(sentence);
  });

  it('says a task was closed before without spaces around its title', async () => {
    const b = await open();
    await b.say(admin, '销号 T2');
    expect(await b.say(admin, '销号 T2')).toBe('T2「软弱涣散党组织整顿转化」早已销号。');
  });
});

describe('a command sent without what it needs', () => {
  it.each([
    ['上报', clerk, '缺少任务编号和进度。'],
    ['上报 T2', clerk, '缺少进度。'],
    ['上报 80%', clerk, '缺少任务编号。'],
    ['销号', admin, '缺少任务编号。'],
    ['催办', leader, '缺少任务编号或乡镇名称。'],
    ['绑定', admin, '缺少乡镇名称。'],
    ['新建任务', admin, '缺少任务名称和截止日期。'],
  ])('names what 「%s」 lacks', async (said, speaker, missing) => {
    const b = await open();
    const reply = await b.say(speaker, said);
    expect(reply.split('\n')[0]).toBe(missing);
    expect(reply).not.toContain('缺少内容');
  });
});

describe('截止', () => {
  it('lists a township’s overdue tasks apart from those still to come, nearest first, and the done ones by id', async () => {
    const b = await open();
    await b.say(clerk, '上报 T3 完成');
    expect(await b.say(clerk, '截止')).toBe(
      [
        '【城关镇的截止时间】',
        '已逾期（1项）：',
        '🔴 T4 “五基三化”提升年行动：截止8月31日，已逾期84天',
        '即将截止（2项，近的在前）：',
        '🟡 T2 软弱涣散党组织整顿转化：截止11月30日，剩5个工作日',
        '🟡 T1 农村党员群众服务中心新改扩建：截止12月31日，剩28个工作日',
        '已完成：T3',
      ].join('\n'),
    );
  });

  it('shows the county a task past its deadline as overdue while a township has not done it', async () => {
    const b = await open();
    await b.say(clerk, '上报 T4 完成');
    const reply = await b.say(leader, '截止');
    expect(reply).toMatch(/已逾期（1项）：\nT4 “五基三化”提升年行动：截止8月31日，已逾期84天，4个乡镇未完成\n即将截止（4项，近的在前）：\nT2 /);
  });
});

describe('任务', () => {
  it('counts in its title what is under way apart from what is done, and lists the done ones last', async () => {
    const b = await open();
    await b.say(clerk, '上报 T2 100%');
    const reply = await b.say(clerk, '任务');
    expect(reply.split('\n')[0]).toBe('【城关镇的任务（4项：进行中3项，已完成1项）】');
    expect(reply.split('\n').at(-1)).toMatch(/^✅ T2 /);
  });

  it('in a group no one has bound says how to bind it, to everyone', async () => {
    const b = await open();
    const unbound = { platform: 'console' as const, chat: '新群', user: '某干部' };
    expect(await b.say(unbound, '任务')).toMatch(/^这个群还没有绑定乡镇。请管理员在群里 @我 发送：绑定 乡镇名称（例如：绑定 \S+）。$/);
    const forAdmin = await b.say({ ...unbound, user: admin.user }, '任务');
    expect(forAdmin).toContain('【全县的任务');
    expect(forAdmin).toContain('这个群还没有绑定乡镇');
  });
});

describe('帮助', () => {
  it('in an admin’s direct chat lists what works there, and says where the rest works', async () => {
    const b = await open();
    const reply = await b.say({ platform: 'console', user: admin.user }, '帮助');
    expect(reply.split('\n')[0]).toBe('【督办助手能做这些（直接发给我）】');
    expect(reply).toMatch(/^看板 /m);
    expect(reply).not.toMatch(/^(?:绑定|上报) /m);
    expect(reply).toContain('另有「上报」「撤回」「申请延期」，要在乡镇工作群里 @我 使用。');
    expect(reply).toContain('另有「绑定」，要在群里 @我 使用。');
  });

  it('in a group sends 看板 to a direct chat instead of offering it there', async () => {
    const b = await open();
    const reply = await b.say(leader, '帮助');
    expect(reply).not.toMatch(/^看板 /m);
    expect(reply).toContain('另有「看板」，要私聊我使用。');
    expect(await b.say(leader, '看板')).toContain('请私聊我发送');
  });
});

describe('people counted in 名', () => {
  const inMing = (t: Task): Task => (t.id === 'T3' && t.target.kind === 'count' ? { ...t, target: { ...t.target, unit: '名' } } : t);

  it('shows a target of people, a wrong report on it and its example in 名', async () => {
    const b = await open(inMing);
    const refused = await b.say(clerk, '报 3 八成');
    expect(refused).toContain('这项任务按人数上报（目标36名），「八成」不是人数，请写已完成的人数');
    expect(refused).toContain('例如：上报 T3 18名');
    expect(await b.say(clerk, '上报 T3 12/13')).toContain('这项任务的目标是36名');
    expect(await b.say(clerk, '上报 T3 500人')).toContain('比目标36名多出太多');
    expect(await b.say(clerk, '进度 T3')).toContain('目标：每村3名');
    expect(await b.say(clerk, '上报 T3 18名')).toContain('已记录：城关镇 T3 村级后备干部储备，进度 18/36名（50%）');
    expect(await b.say(clerk, '上报 T3 2')).toContain('已更正：城关镇 T3 村级后备干部储备，进度 2/36名');
  });

  it('keeps the unit of a target written 每村3名 in 新建任务', async () => {
    const b = await open();
    expect(await b.say(admin, '新建任务 党员发展 截止12月31日 目标每村2名')).toContain('目标：每村2名');
  });
});

describe('the note on estimated working days', () => {
  /** T2 due in 2027, a year the calendar has no holidays for. */
  const nextYear = (t: Task): Task => (t.id === 'T2' ? { ...t, deadline: '2027-03-31' } : t);

  it('follows a （估） on screen', async () => {
    const b = await open(nextYear);
    const reply = await b.say(clerk, '任务');
    expect(reply).toContain('（估）');
    expect(reply).toContain('注：2027年起的法定节假日安排还没有收录');
  });

  it('names the first year the calendar lacks and those after it, for a deadline further on', async () => {
    const b = await open((t) => (t.id === 'T2' ? { ...t, deadline: '2028-03-31' } : t));
    const reply = await b.say(clerk, '任务');
    expect(reply).toContain('（估）');
    expect(reply).toContain('注：2027年起的法定节假日安排还没有收录');
  });

  it('is left out where no （估） is shown: a done task, 进度', async () => {
    const b = await open(nextYear);
    const report = await b.say(clerk, '上报 T2 100%');
    expect(report).not.toContain('（估）');
    expect(report).not.toContain('注：');
    expect(await b.say(clerk, '任务')).not.toContain('注：');
    expect(await b.say(clerk, '截止')).not.toContain('注：');
    expect(await b.say(hongxingClerk, '进度 T2')).not.toContain('注：');
  });
});

describe('small answers that must be right', () => {
  it('says a month that is not one is not understood as a month, not as a missing task', async () => {
    const b = await open();
    expect(await b.say(leader, '排名 13月')).toContain('看不懂月份「13月」');
    expect(await b.say(leader, '排名 下月')).toContain('看不懂月份「下月」');
  });

  it('says a group is bound already rather than binding it again', async () => {
    const b = await open();
    expect(await b.say(admin, '绑定 城关镇')).toContain('本群已经是「城关镇」工作群，不用再绑定。');
    expect(await b.say({ ...leader, user: '管理员' }, '绑定 领导群')).toContain('本群已经是领导群，不用再绑定。');
  });

  it('counts a closed task toward the month’s score but no longer as any township’s 🔴', async () => {
    const b = await open();
    // T4 is overdue for every township but 城关镇.
    expect(await b.say(leader, '排名')).toMatch(/红星乡 \S+ 🔴1/);
    await b.say(admin, '销号 T4');
    expect(await b.say(leader, '排名')).not.toContain('🔴');
  });
});
