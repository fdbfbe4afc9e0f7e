/**
 * AB角 over real Redis: a township's A set in the setup file or by 设置AB角 gets its reminders and
 * 催办; 请假 hands them to the B until the leave's last day (that day included) and tells the
 * township's group who covers, 销假 hands them back; with no B, the admins are told once. A reload
 * of the setup file undoes neither a leave nor an AB角 set in chat; the 台账, the leaders' digest
 * and the dashboard show the leaves. Days are the test's clock: Monday 23 November 2026 on.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Speaker } from '../../src/adapters/console/index.js';
import leadersDigest from '../../jobs/leaders-digest.js';
import reminders from '../../jobs/reminders.js';
import { loadBoard } from '../../src/core/board.js';
import type { Job, JobPost } from '../../src/core/job.js';
import type { Post } from '../../src/core/posts.js';
import { createLogger } from '../../src/core/logger.js';
import { beijingDate } from '../../src/domain/dates.js';
import type { County } from '../../src/domain/model.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { exportTable } from '../../src/excel/export.js';
import { tableBuffer } from '../../src/excel/write.js';
import { renderText } from '../../src/render/plain.js';
import { createApp } from '../../src/server/app.js';
import { parseSetup } from '../../src/setup/index.js';
import { admin, clerk, leader, leaderDirect, openTestBot, type TestBot } from '../helpers/bot.js';
import { listen } from '../helpers/http.js';
import { recordingOutbox } from '../helpers/recording-outbox.js';

/** 城关镇's B, and one more of its people. */
const backup: Speaker = { platform: 'console', chat: '城关镇工作群', user: '备岗' };
const adminDirect: Speaker = { platform: 'console', user: '管理员' };
const clerkDirect: Speaker = { platform: 'console', user: '联络员' };

/** 城关镇: 李联络 (A), 王备岗 (B), 孙干事. */
const SETUP = `county: 测试县
townships:
  - { name: 城关镇, villages: 12 }
  - { name: 红星乡, villages: 9 }
groups:
  - { platform: console, chat: 城关镇工作群, township: 城关镇 }
  - { platform: console, chat: 红星乡工作群, township: 红星乡 }
  - { platform: console, chat: 领导群, role: leaders }
people:
  - { platform: console, user: 联络员, name: 李联络, township: 城关镇, cover: A }
  - { platform: console, user: 备岗, name: 王备岗, township: 城关镇, cover: B }
  - { platform: console, user: 干事, name: 孙干事, township: 城关镇 }
  - { platform: console, user: 红星联络员, name: 周联络, township: 红星乡 }
  - { platform: console, user: 书记, name: 王书记, roles: [leader] }
  - { platform: console, user: 管理员, name: 赵管理, roles: [admin] }
tasks:
  - { id: T2, title: 软弱涣散党组织整顿转化, start: 2026-01-01, deadline: 2026-11-30, target: { percent: 100 } }
  - { id: T4, title: “五基三化”提升年行动, start: 2026-03-01, deadline: 2026-08-31, target: { done: true } }
`;

function setup(text = SETUP): Extract<ReturnType<typeof parseSetup>, { ok: true }> {
  const result = parseSetup(text, 'county.yaml');
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result;
}

/** The same county without AB角: everyone of 城关镇 @-ed, as before. */
const UNMARKED = SETUP.replace(', cover: A }', ' }').replace(', cover: B }', ' }');

const MONDAY = '2026-11-23T09:00:00+08:00';

let bot: TestBot | undefined;
const outbox = recordingOutbox();
const { posts, queued } = outbox;


async function open(county: County = setup().county, start = MONDAY): Promise<TestBot> {
  outbox.clear();
  bot = await openTestBot(import.meta.url, county, start, { posts });
  return bot;
}

afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

const on = (b: TestBot, day: string): void => {
  b.clock.set(`${day}T09:00:00+08:00`);
};

/** A job as the runner calls it at 09:00 on `day`. */
function runJob(b: TestBot, job: Job, day: string): Promise<JobPost[]> {
  const now = new Date(`${day}T09:00:00+08:00`);
  const today = beijingDate(now);
  const { store, calendar } = b;
  return job.run({ jobName: job.name, now, today, store, calendar, log: createLogger('silent'), settings: DEFAULT_SCHEDULE, board: () => loadBoard({ store, calendar, today }) });
}

/** Whom 城关镇's reminder @-s on `day` in its console group. */
async function remindedOn(b: TestBot, day: string): Promise<readonly string[] | undefined> {
  const post = (await runJob(b, reminders, day)).find((p) => p.group.chat === '城关镇工作群');
  if (!post) throw new Error(`no reminder for 城关镇 on ${day}`);
  return post.message.mentions;
}

/** Whom a 催办 of 城关镇 @-s now. */
async function nudged(b: TestBot): Promise<readonly string[] | undefined> {
  outbox.clear();
  await b.say(leader, '催办 城关镇');
  return queued.find((p) => p.chat === '城关镇工作群')?.message.mentions;
}

const postsTo = (chat: string, kind: string): Post[] => queued.filter((p) => p.chat === chat && p.key.startsWith(`${kind}/`));

describe('a township’s A', () => {
  it('is the only one its reminders and 催办 @, when the setup file marks it', async () => {
    const b = await open();
    expect(await remindedOn(b, '2026-11-23')).toEqual(['联络员']);
    expect(await nudged(b)).toEqual(['联络员']);
  });

  it('leaves everyone of a township @-ed where no A is marked, as before AB角', async () => {
    const b = await open(setup(UNMARKED).county);
    expect(await remindedOn(b, '2026-11-23')).toEqual(['备岗', '干事', '联络员']);
  });

  it('can be set by an admin in chat, who is told who gets the reminders, and a reload of a file that marks no one there keeps it', async () => {
    const b = await open(setup(UNMARKED).county);
    const reply = await b.say(adminDirect, '设置AB角 城关镇 A 孙干事 B 王备岗');
    expect(reply).toContain('已设置：城关镇 A角 孙干事，B角 王备岗');
    expect(reply).toContain('今后只@孙干事；孙干事请假期间转给王备岗');
    expect(await remindedOn(b, '2026-11-23')).toEqual(['干事']);

    const again = setup(UNMARKED);
    await b.store.loadCounty(again.county, again.calendar, again.schedule);
    expect(await remindedOn(b, '2026-11-23')).toEqual(['干事']);
  });

  it('set in chat gives way to a setup file that marks someone in that township', async () => {
    const b = await open(setup(UNMARKED).county);
    await b.say(adminDirect, '设置AB角 城关镇 A 孙干事');
    const file = setup();
    await b.store.loadCounty(file.county, file.calendar, file.schedule);
    expect(await remindedOn(b, '2026-11-23')).toEqual(['联络员']);
  });

  it('is shown, with who there is to choose from, for the township alone; in its own group the name may be left out', async () => {
    const b = await open();
    const shown = await b.say(admin, '设置AB角');
    expect(shown).toContain('城关镇：A角 李联络，B角 王备岗。');
    expect(shown).toContain('城关镇的人员有：李联络、王备岗、孙干事。');
    expect(await b.say(adminDirect, '设置AB角 城关 A 王备岗 B 李联络')).toContain('已设置：城关镇 A角 王备岗，B角 李联络');
    expect(await b.say(adminDirect, '设置AB角 城关镇 取消')).toContain('已取消城关镇的AB角');
    expect(await remindedOn(b, '2026-11-23')).toEqual(['备岗', '干事', '联络员']);
  });

  it('may be set only by an admin', async () => {
    const b = await open();
    expect(await b.say(leaderDirect, '设置AB角 城关镇 A 孙干事')).toContain('只有管理员可以设置AB角');
  });
});

describe('请假', () => {
  it('hands the reminders and 催办 to the B, and tells the township’s group who covers, the B @-ed', async () => {
    const b = await open();
    const reply = await b.say(clerk, '请假 至11月25日');
    expect(reply).toContain('已请假：至11月25日（这一天也算在请假内），11月26日（星期四）起督办提醒、预警和催办恢复发给你');
    expect(reply).toContain('请假期间，城关镇的督办提醒、预警和催办转给B角王备岗');

    const [notice, ...more] = postsTo('城关镇工作群', 'leave');
    expect(more).toEqual([]);
    expect(renderText(notice!.message)).toContain('城关镇A角李联络请假至11月25日（含当天）');
    expect(renderText(notice!.message)).toContain('期间督办提醒、预警和催办由B角王备岗接收');
    expect(notice!.message.mentions).toEqual(['备岗']);
    expect(postsTo('领导群', 'no-cover')).toEqual([]);

    expect(await nudged(b)).toEqual(['备岗']);
    expect(await remindedOn(b, '2026-11-23')).toEqual(['备岗']);
  });

  it('is taken in a direct chat too', async () => {
    const b = await open();
    expect(await b.say(clerkDirect, '请假 11月25日')).toContain('已请假');
    expect(await remindedOn(b, '2026-11-23')).toEqual(['备岗']);
  });

  it('lasts through its last day and ends by itself the day after', async () => {
    const b = await open();
    await b.say(clerk, '请假 至11月25日');
    expect(await remindedOn(b, '2026-11-25')).toEqual(['备岗']);
    expect(await remindedOn(b, '2026-11-27')).toEqual(['联络员']);
    on(b, '2026-11-26');
    expect(await b.say(clerk, '销假')).toContain('你的请假到11月25日已经结束');
  });

  it('moves its last day when asked again', async () => {
    const b = await open();
    await b.say(clerk, '请假 至11月24日');
    expect(await b.say(clerk, '请假 至11月27日')).toContain('已改好：至11月27日');
    expect(await remindedOn(b, '2026-11-27')).toEqual(['备岗']);
  });

  it('without a B, @-s nobody meanwhile and tells the admins once, whatever the A asks again that day', async () => {
    const b = await open(setup(SETUP.replace(', cover: B }', ' }')).county);
    const reply = await b.say(clerk, '请假 至11月25日');
    expect(reply).toContain('城关镇没有B角：请假期间督办提醒、预警和催办照常发到工作群，但不@任何人；我已告诉管理员设置B角。');
    await b.say(clerk, '请假 至11月27日');

    const [told, ...again] = postsTo('领导群', 'no-cover');
    expect(again).toEqual([]);
    expect(told!.message.mentions).toEqual(['管理员']);
    expect(renderText(told!.message)).toContain('城关镇A角李联络请假至11月25日，城关镇没有B角，期间督办提醒、预警和催办不@任何人。');
    expect(renderText(told!.message)).toContain('请管理员设置B角，例如：设置AB角 城关镇 A 李联络 B 王备岗');
    expect(await remindedOn(b, '2026-11-23')).toBeUndefined();
  });
});

describe('销假', () => {
  it('hands the reminders back to the A at once, and tells the township’s group', async () => {
    const b = await open();
    await b.say(clerk, '请假 至11月30日');
    on(b, '2026-11-25');
    expect(await b.say(clerk, '销假')).toBe('已销假：城关镇的督办提醒、预警和催办从今天起恢复发给你。');
    expect(renderText(postsTo('城关镇工作群', 'leave-back')[0]!.message)).toContain('城关镇A角李联络已销假');
    expect(await remindedOn(b, '2026-11-25')).toEqual(['联络员']);
  });

  it('says there is no leave to end when there is none', async () => {
    const b = await open();
    expect(await b.say(clerk, '销假')).toBe('你现在没有请假，提醒照常发给你，不用销假。');
  });
});

describe('a wrong 请假 or 设置AB角', () => {
  it('from someone who is not the A says who may, with the form the A would send', async () => {
    const b = await open();
    const fromB = await b.say(backup, '请假 至11月25日');
    expect(fromB).toBe('请假要由乡镇的A角（主办联络员）本人发送，如「请假 至11月30日」，期间督办提醒、预警和催办转给B角。你是城关镇的B角：A角请假时，提醒会转给你。');
    expect(await b.say(leader, '销假')).toContain('你不是哪个乡镇的A角；AB角由管理员设置。');
    expect(await remindedOn(b, '2026-11-23')).toEqual(['联络员']);
  });

  it('with a day already past names the day, the form and a day ahead', async () => {
    const b = await open();
    expect(await b.say(clerk, '请假 至2026-11-20')).toBe('请假的最后一天11月20日已经过去了，要写今天或以后的日期。\n正确格式：请假 至日期（这一天也算在请假内）\n例如：请假 至11月30日');
    expect(await b.say(clerk, '请假 下周')).toBe('看不懂日期「下周」。\n正确格式：请假 至日期（这一天也算在请假内）\n例如：请假 至11月30日');
  });

  it('with a name the township lacks lists who there is and a form built from them', async () => {
    const b = await open();
    expect(await b.say(adminDirect, '设置AB角 城关镇 A 张三 B 王备岗')).toBe(
      '城关镇没有「张三」。城关镇的人员有：李联络、王备岗、孙干事。\n正确格式：设置AB角 城关镇 A 姓名 B 姓名\n例如：设置AB角 城关镇 A 李联络 B 王备岗',
    );
    expect(await b.say(adminDirect, '设置AB角 城关镇 A 王备岗 B 王备岗')).toBe('A角和B角不能是同一个人（王备岗）。');
  });

  it('with no township outside a township’s group, or one the county lacks, names it, the form and a township of the county', async () => {
    const b = await open();
    const usage = '正确格式：设置AB角 乡镇名称 A 姓名 B 姓名（不设B角就不写 B；只写乡镇名称是查看现状，写「取消」是不再区分AB角）';
    expect(await b.say(adminDirect, '设置AB角 A 李联络')).toBe(`缺少乡镇名称。\n${usage}\n例如：设置AB角 城关镇`);
    expect(await b.say(adminDirect, '设置AB角 青山镇 A 李联络')).toBe(`没有找到乡镇「青山镇」，现有乡镇：城关镇、红星乡。\n${usage}\n例如：设置AB角 城关镇`);
    expect(await b.say(adminDirect, '设置AB角 城关镇 B 王备岗')).toBe(`只写了B角，缺少A角：B角是在A角请假时代岗的。\n${usage}\n例如：设置AB角 城关镇`);
  });
});

describe('帮助', () => {
  it('shows 请假 and 销假 to the A only, with a day ahead, and 设置AB角 to admins', async () => {
    const b = await open();
    const own = await b.say(clerk, '帮助');
    expect(own).toContain('请假 A角请假，期间督办提醒、预警和催办转给B角，例如：请假 至11月30日');
    expect(own).toContain('销假 A角提前结束请假，例如：销假');
    expect(own).not.toContain('设置AB角');
    expect(await b.say(backup, '帮助')).not.toContain('请假');
    expect(await b.say(admin, '帮助')).toContain('设置AB角 设置乡镇的A角（主办联络员）和B角（备岗），例如：设置AB角 城关镇');
  });
});

describe('a setup file or a task workbook loaded again', () => {
  it('keeps a leave: the B still covers, and its A can still end it', async () => {
    const b = await open();
    await b.say(clerk, '请假 至11月30日');
    const file = setup();
    await b.store.loadCounty(file.county, file.calendar, file.schedule);
    await b.store.importTasks([], [{ title: '党员冬训', domain: '综合', start: '2026-11-01', deadline: '2026-12-31', target: { kind: 'done' }, townships: 'all', weight: 1, status: 'open' }]);
    expect(await remindedOn(b, '2026-11-25')).toEqual(['备岗']);
    on(b, '2026-11-25');
    expect(await b.say(clerk, '销假')).toContain('已销假');
  });
});

describe('what leaders see', () => {
  it('the 台账 export has a 请假记录 sheet: each leave with its last day and who covered, and each 销假', async () => {
    const b = await open();
    await b.say(clerk, '请假 至11月30日');
    on(b, '2026-11-25');
    await b.say(clerk, '销假');
    const outcome = await exportTable('ledger', { store: b.store, calendar: b.calendar, today: '2026-11-25' }, '测试县');
    if (!outcome.ok) throw new Error(outcome.message);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await tableBuffer(outcome.table, ...(outcome.more ?? []))) as unknown as ExcelJS.Buffer);
    const sheet = workbook.getWorksheet('请假记录');
    if (!sheet) throw new Error('no 请假记录 sheet');
    expect(sheet.getCell('A1').value).toBe('测试县AB角请假记录');
    expect((sheet.getRow(2).values as unknown[]).slice(1)).toEqual(['时间', '乡镇', '事项', '请假至', '代岗（B角）', '经办人', '平台', '来源消息']);
    const rows = [3, 4].map((r) => (sheet.getRow(r).values as unknown[]).slice(2, 7));
    expect(rows).toEqual([
      ['城关镇', '请假', new Date('2026-11-30T00:00:00.000Z'), '王备岗', '李联络'],
      ['城关镇', '销假', undefined, undefined, '李联络'],
    ]);
    expect(workbook.worksheets[0]?.name).toBe('工作台账');
  });

  it('the leaders’ digest and 预警 say whose A is away and who covers', async () => {
    const b = await open();
    await b.say(clerk, '请假 至11月25日');
    const digest = (await runJob(b, leadersDigest, '2026-11-24')).find((p) => p.group.chat === '领导群');
    expect(renderText(digest!.message)).toContain('请假：城关镇 李联络（至11月25日），王备岗代岗');
    on(b, '2026-11-24');
    expect(await b.say(leader, '预警')).toContain('请假：城关镇 李联络（至11月25日），王备岗代岗');
    const after = (await runJob(b, leadersDigest, '2026-11-26')).find((p) => p.group.chat === '领导群');
    expect(renderText(after!.message)).not.toContain('请假');
  });

  it('the dashboard says whose A is away and who covers', async () => {
    outbox.clear();
    bot = await openTestBot(import.meta.url, setup().county, MONDAY, { posts, publicUrl: 'https://duban.example.gov.cn' });
    const b = bot;
    await b.say(clerk, '请假 至11月25日');
    const log = createLogger('silent');
    const server = await listen(createApp({ log, redisUp: () => b.store.ping(), dashboard: { store: b.store, calendar: b.calendar, log, publicUrl: 'https://duban.example.gov.cn', now: () => b.clock.now } }));
    try {
      const link = /https?:\/\/\S+/.exec(await b.say(leaderDirect, '看板'))?.[0] ?? '';
      const { pathname, search } = new URL(link);
      const get = (path: string, cookie = ''): Promise<Response> => fetch(`${server.base}${path}`, { headers: { 'x-forwarded-proto': 'https', cookie }, redirect: 'manual' });
      const cookie = (await get(`${pathname}${search}`)).headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      expect(await (await get('/dashboard', cookie)).text()).toContain('请假：城关镇 李联络（至11月25日），王备岗代岗');
    } finally {
      await server.close();
    }
  });
});
