/**
 * 签收 (docs/glossary.md): where the county turns it on, a new task is announced (交办) to each
 * assigned township's groups; the township signs it once; a township still unsigned a working day
 * later is reminded once in its bundled post; leaders see who has not signed; reloads undo nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import reminders from '../../jobs/reminders.js';
import { createLogger } from '../../src/core/logger.js';
import { planSlot } from '../../src/core/scheduler.js';
import { announceTasks, loadAndAnnounce } from '../../src/core/sign-off.js';
import type { County, Task } from '../../src/domain/model.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { exportTable } from '../../src/excel/export.js';
import { importTaskWorkbook } from '../../src/excel/import.js';
import { renderText } from '../../src/render/plain.js';
import { testCounty } from '../fixtures/county.js';
import { admin, clerk, hongxingClerk, leader, openTestBot, type TestBot } from '../helpers/bot.js';
import { sheetBytes, taskSheetSpec } from '../helpers/task-sheet.js';
import { recordingOutbox } from '../helpers/recording-outbox.js';

/** Monday 23 November 2026, office hours. */
const MONDAY = '2026-11-23T10:00:00+08:00';
const NEW_TASK = '新建任务 新时代文明实践站建设 截止12月31日 目标100% 适用城关镇、红星乡';
const SIGN_ON = { ...DEFAULT_SCHEDULE, signOff: true };
const NO_CALENDAR = { rest: [], work: [], years: [] };

let bot: TestBot;
const outbox = recordingOutbox();
const { posts, queued, postedTo } = outbox;


async function open(county: County = testCounty, signOff = true): Promise<void> {
  outbox.clear();
  bot = await openTestBot(import.meta.url, county, MONDAY, { posts });
  await bot.store.loadCounty(county, NO_CALENDAR, signOff ? SIGN_ON : DEFAULT_SCHEDULE);
}

/** Creates the new task as the admin and returns its id. */
async function created(): Promise<string> {
  const reply = await bot.say(admin, NEW_TASK);
  const id = /已新建任务 (T\d+)/.exec(reply)?.[1];
  expect(id, reply).toBeDefined();
  return id ?? '';
}

afterEach(async () => {
  await bot.close();
});

describe('the 交办 notice', () => {
  beforeEach(async () => {
    await open();
  });

  it('goes to each assigned township’s groups on 新建任务, asking for 签收, and the admin is told', async () => {
    const reply = await bot.say(admin, NEW_TASK);

    expect(reply).toContain('已新建任务 T7');
    expect(reply).toContain('已向2个乡镇的工作群交办，请各乡镇签收');
    expect(postedTo('城关镇工作群')).toEqual(['【交办：T7 新时代文明实践站建设】\n县里新交办任务T7「新时代文明实践站建设」。\n目标：全部完成；截止12月31日。\n收到后请 @我 回复「签收 T7」']);
    expect(postedTo('红星乡工作群')).toHaveLength(1);
    // 城关镇's WeCom group too; 东城街道 is not assigned the task.
    expect(postedTo('wrkSFfCgAALFgnrSsWU38puiv4yvExuw')).toHaveLength(1);
    expect(postedTo('东城街道工作群')).toEqual([]);
    expect(queued.find((p) => p.chat === '城关镇工作群')?.message.mentions).toEqual(['联络员']);
  });

  it('goes out for the tasks a 任务分解表 creates on import, not for the ones it updates', async () => {
    const fresh: Task = { ...testCounty.tasks[0]!, id: 'T99', title: '党员志愿服务队组建', townships: ['红星乡'] };
    const sheet = await sheetBytes(taskSheetSpec({ ...testCounty, tasks: [testCounty.tasks[1]!, fresh] }));
    const outcome = await importTaskWorkbook(bot.store, sheet, '2026-11-23', testCounty.name);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;

    const announced = await announceTasks(bot.store, posts, outcome.created, bot.clock.now);

    expect(announced).toEqual({ tasks: 1, townships: 1 });
    expect(postedTo('红星乡工作群')).toEqual([expect.stringContaining('请 @我 回复「签收 T7」')]);
    expect(postedTo('城关镇工作群')).toEqual([]);
  });

  it('goes out on `duban load` for a task new to the county only, never again on a reload, and signatures stay', async () => {
    const id = await created();
    await bot.say(clerk, `签收 ${id}`);
    const before = queued.length;
    const listed: Task = { ...testCounty.tasks[0]!, id: 'T20', title: '党支部标准化建设', townships: ['东城街道'] };
    const county = { ...testCounty, tasks: [...(await bot.store.tasks()), listed] };

    expect(await loadAndAnnounce(bot.store, posts, { county, calendar: NO_CALENDAR, schedule: SIGN_ON }, bot.clock.now)).toEqual({ tasks: 1, townships: 1 });
    expect(postedTo('东城街道工作群')).toEqual([expect.stringContaining('请 @我 回复「签收 T20」')]);
    expect(await loadAndAnnounce(bot.store, posts, { county, calendar: NO_CALENDAR, schedule: SIGN_ON }, bot.clock.now)).toEqual({ tasks: 0, townships: 0 });
    expect(queued).toHaveLength(before + 1);
    expect(await bot.say(clerk, `签收 ${id}`)).toContain('已由李联络在今天10:00为城关镇签收，不用再签');
    expect(await bot.say(leader, `进度 ${id}`)).toMatch(/红星乡：[^\n]*（未签收）/);
    expect(await bot.say(leader, `进度 ${id}`)).not.toMatch(/城关镇：[^\n]*（未签收）/);
  });
});

describe('with 签收 off (the default)', () => {
  beforeEach(async () => {
    await open(testCounty, false);
  });

  it('announces nothing, answers 签收 that the county does not use it, and 帮助 does not list it', async () => {
    const reply = await bot.say(admin, NEW_TASK);

    expect(reply).not.toContain('签收');
    expect(queued).toEqual([]);
    expect(await bot.say(clerk, '签收 T7')).toBe('本县没有启用签收，交办的任务不用签收，直接按时上报进度就可以。');
    expect(await bot.say(clerk, '帮助')).not.toContain('签收');
  });
});

describe('签收', () => {
  beforeEach(async () => {
    await open();
  });

  it('is listed in 帮助 with the township’s own unsigned task as its example', async () => {
    const id = await created();
    expect(await bot.say(clerk, '帮助')).toContain(`签收 ${id}`);
  });

  it('records one signed entry however often the message comes, and a second 签收 says who signed and when', async () => {
    const id = await created();

    const first = await bot.say(clerk, `签收 ${id}`, 'msg-sign-1');
    expect(first).toBe(`城关镇已签收${id}「新时代文明实践站建设」，截止12月31日。请按时完成并上报进度。`);
    expect(await bot.say(clerk, `签收 ${id}`, 'msg-sign-1')).toBe(first);
    bot.clock.set('2026-11-23T11:30:00+08:00');
    expect(await bot.say(admin, `签收 ${id.slice(1)}`)).toBe(`${id}「新时代文明实践站建设」已由李联络在今天10:00为城关镇签收，不用再签。`);

    const entries = (await bot.store.ledger([id])).filter((e) => e.kind === 'signed');
    expect(entries.map((e) => [e.kind, 'township' in e ? e.township : '', e.by.name])).toEqual([['signed', '城关镇', '李联络']]);
  });

  it('answers each wrong input with the problem, the right form and the township’s own unsigned task', async () => {
    const id = await created();
    const hint = `正确格式：签收 任务编号\n例如：签收 ${id}`;

    expect(await bot.say(clerk, '签收 T42')).toBe(`没有找到任务「T42」；本乡镇待签收的有：${id}。\n${hint}`);
    expect(await bot.say(clerk, '签收 T1')).toBe(`T1「农村党员群众服务中心新改扩建」不是向城关镇新交办的任务，不用签收；本乡镇待签收的有：${id}。\n${hint}`);
    expect(await bot.say(clerk, '签收 T5')).toBe(`T5「红色驿站规范化建设」不是城关镇的任务，不用签收；本乡镇待签收的有：${id}。\n${hint}`);
    expect(await bot.say(clerk, '签收 T6')).toBe(`T6「党员信息采集」已销号，不用签收；本乡镇待签收的有：${id}。\n${hint}`);
    expect(await bot.say(clerk, '签收')).toBe(`缺少要签收的任务编号。\n${hint}`);
    expect(await bot.say(leader, `签收 ${id}`)).toContain('乡镇');
  });

  it('says when the township has nothing left to sign', async () => {
    const id = await created();
    await bot.say(clerk, `签收 ${id}`);
    expect(await bot.say(clerk, '签收 T1')).toBe('T1「农村党员群众服务中心新改扩建」不是向城关镇新交办的任务，不用签收；本乡镇目前没有待签收的任务。\n正确格式：签收 任务编号');
  });
});

describe('leaders see who has not signed', () => {
  beforeEach(async () => {
    await open();
  });

  it('in 待办, with how many working days each township has left it, beside the extension requests', async () => {
    const id = await created();
    await bot.say(hongxingClerk, `签收 ${id}`);
    await bot.say(clerk, '申请延期 T2 12月31日 村两委换届推迟');
    bot.clock.set('2026-11-25T10:00:00+08:00');

    const reply = await bot.say(leader, '待办');

    expect(reply).toContain('延期申请#1 城关镇 T2「软弱涣散党组织整顿转化」');
    expect(reply).toContain(`未签收的交办任务（1项）：\n${id}「新时代文明实践站建设」 城关镇（已2个工作日）`);
    expect(reply).not.toMatch(/红星乡（/);
  });

  it('in 进度, beside each unsigned township’s row', async () => {
    const id = await created();
    await bot.say(clerk, `签收 ${id}`);

    const reply = await bot.say(leader, `进度 ${id}`);

    expect(reply).toMatch(/红星乡：未上报（未签收）/);
    expect(reply).not.toMatch(/城关镇：[^\n]*（未签收）/);
  });

  it('in the exported 台账, one row per 签收', async () => {
    const id = await created();
    await bot.say(clerk, `签收 ${id}`);
    await bot.say(hongxingClerk, `签收 ${id}`);

    const ledger = await exportTable('ledger', { store: bot.store, calendar: bot.calendar, today: '2026-11-23' }, testCounty.name);

    const rows = ledger.ok ? ledger.table.rows.filter((r) => r[2] === id).map((r) => [r[1], r[3], r[7], r[9]]) : [];
    expect(rows).toEqual([
      ['城关镇', '新时代文明实践站建设', '李联络', '签收'],
      ['红星乡', '新时代文明实践站建设', '周联络', '签收'],
    ]);
  });
});

describe('the reminder in the township’s bundled post', () => {
  beforeEach(async () => {
    await open();
  });

  it('comes once, a whole working day after the 交办, and never again', async () => {
    const id = await created();
    await bot.say(hongxingClerk, `签收 ${id}`);
    const posted = new Set<string>();
    const deps = { store: bot.store, calendar: bot.calendar, log: createLogger('silent') };
    const slot = async (day: string): Promise<string[]> => {
      const outcome = await planSlot([reminders], new Date(`${day}T09:00:00+08:00`), deps, (keys) => Promise.resolve(new Set(keys.filter((k) => posted.has(k)))));
      const out = outcome.ran ? outcome.posts : [];
      for (const p of out) for (const k of [p.key, ...(p.covers ?? [])]) posted.add(k);
      return out.filter((p) => p.chat === '城关镇工作群' || p.chat === '红星乡工作群').map((p) => `${p.chat}: ${renderText(p.message)}`);
    };
    const line = `${id}「新时代文明实践站建设」交办已2个工作日，城关镇还没有签收：请 @我 回复「签收 ${id}」`;

    // Tuesday: not a whole working day yet.
    expect((await slot('2026-11-24')).filter((p) => p.includes('签收'))).toEqual([]);
    // Wednesday: 城关镇 is reminded, inside its bundled post; 红星乡 signed.
    const wednesday = await slot('2026-11-25');
    expect(wednesday.filter((p) => p.includes(line))).toHaveLength(1);
    expect(wednesday.find((p) => p.includes(line))).toMatch(/^城关镇工作群: 【城关镇督办提醒/);
    expect(wednesday.filter((p) => p.startsWith('红星乡工作群') && p.includes('签收'))).toEqual([]);
    // Thursday: not again.
    expect((await slot('2026-11-26')).filter((p) => p.includes('签收'))).toEqual([]);
  });
});
