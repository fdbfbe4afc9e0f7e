/**
 * Every example the bot shows — in 帮助, in a usage reply, in a hint — and every example the
 * README and the shipped 任务分解表 show works for the person it is shown to, where they are shown
 * it, in the demo county (`npm run demo`, built around the day the test says it is).
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/core/logger.js';
import type { Speaker } from '../../src/adapters/console/index.js';
import { splitCommand } from '../../src/domain/parse/index.js';
import { commands } from '../../commands/index.js';
import { requiredAmount } from '../../src/domain/targets.js';
import { openDemoBot, type TestBot } from '../helpers/bot.js';
import type { Posts } from '../../src/core/posts.js';

/** Two days far apart: the demo is built around whichever day it starts. */
const DAYS = ['2026-12-02T10:00:00+08:00', '2027-06-15T10:00:00+08:00'];

/** 催办 goes nowhere here; the outbox takes every post. */
const posts: Posts = {
  enqueue: (queued) => Promise.resolve({ added: queued.map((p) => p.key), already: [], platformOff: [] }),
  delivering: () => Promise.resolve(true),
};

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

const demoOn = async (day: string): Promise<TestBot> => {
  bot = await openDemoBot(import.meta.url, day, { posts, publicUrl: 'http://127.0.0.1:3000', log });
  return bot;
};

const WORDS = commands.flatMap((c) => c.words);

/** The bot's log: the router says there, at debug, when a message was refused and why. */
const logged: string[] = [];
const log = createLogger('debug', (line) => { logged.push(line); });
const LoggedSchema = z.object({ msg: z.string(), reason: z.string().optional() });

/**
 * Why the bot did not do what `say` asked, or undefined when the command did its work: a refusal
 * of any kind (the router logs each), or a report accepted as a correction, which lowers what the
 * township had reported — not what an example should do.
 */
async function refusedBecause(b: TestBot, speaker: Speaker, example: string): Promise<string | undefined> {
  const from = logged.length;
  const reply = await b.say(speaker, example);
  const refusal = logged.slice(from).map((line) => LoggedSchema.parse(JSON.parse(line))).find((line) => line.msg === 'message refused');
  if (refusal) return `refused (${refusal.reason ?? '?'}): ${reply}`;
  return /^已更正/.test(reply) ? `a correction: ${reply}` : undefined;
}

/** The examples a reply shows: after 例如：(split at 、) and in 发送「…」. */
function examplesIn(reply: string): string[] {
  const found: string[] = [];
  for (const line of reply.split('\n')) {
    const shown = /例如：(.+)$/.exec(line)?.[1];
    if (shown !== undefined) found.push(...shown.replace(/[）。]+$/, '').split('、'));
    for (const m of line.matchAll(/发送「([^」]+)」/g)) if (m[1] !== undefined) found.push(m[1]);
  }
  return found;
}

/**
 * Runs examples as `speaker`, one after another as a person would try them; those that change the
 * county's shape (销号, 绑定) last, so they cannot spoil the others. Returns those refused, with why.
 */
async function tryAll(b: TestBot, speaker: Speaker, examples: Iterable<string>): Promise<string[]> {
  const reshaping = (e: string): boolean => /^(?:销号|绑定)/.test(e);
  const unique = [...new Set(examples)];
  const failed: string[] = [];
  for (const example of [...unique.filter((e) => !reshaping(e)), ...unique.filter(reshaping)]) {
    const why = await refusedBecause(b, speaker, example);
    if (why !== undefined) failed.push(`${example} → ${why}`);
  }
  return failed;
}

const PEOPLE = { 'the clerk of 城关镇': '联络员', 'a leader': '书记', 'an admin': '管理员' } as const;
const PLACES = { "城关镇's group": '城关镇工作群', "红星乡's group": '红星乡工作群', "the leaders' group": '领导群', 'a direct chat': undefined } as const;

/** Wrong inputs that draw each hint the bot gives here: every command word alone and with a bad task, and an unknown word. */
function wrongInputs(helpExamples: readonly string[]): string[] {
  const bare = helpExamples.filter((e) => e.startsWith('上报 ')).map((e) => e.slice('上报 '.length));
  const ids = helpExamples.flatMap((e) => /\bT\d+\b/.exec(e) ?? []);
  return ['你好', ...commands.flatMap((c) => [c.words[0] ?? c.name, `${c.words[0] ?? c.name} 0`]), ...bare, ...ids, '上报 T3 八成', '上报 T2 3个'];
}

describe.each(DAYS)('in the demo county on %s', (day) => {
  describe.each(Object.entries(PEOPLE))('%s', (_who, user) => {
    it.each(Object.entries(PLACES))('can run every example of 帮助 and of every hint, in %s', async (_where, chat) => {
      const b = await demoOn(day);
      const speaker: Speaker = { platform: 'console', user, ...(chat === undefined ? {} : { chat }) };
      const help = examplesIn(await b.say(speaker, '帮助'));
      expect(help.length).toBeGreaterThan(3);
      const hints: string[] = [];
      for (const wrong of wrongInputs(help)) hints.push(...examplesIn(await b.say(speaker, wrong)));
      expect(await tryAll(b, speaker, [...help, ...hints])).toEqual([]);
    });
  });

  it('names in 帮助 no task the township has finished, and a percent task in percent', async () => {
    const b = await demoOn(day);
    const clerk: Speaker = { platform: 'console', chat: '城关镇工作群', user: '联络员' };
    const reports = examplesIn(await b.say(clerk, '帮助')).filter((e) => e.startsWith('上报 '));
    const township = (await b.store.townships()).find((t) => t.name === '城关镇');
    if (!township) throw new Error('the demo county has no 城关镇');
    const ids = reports.map((e) => e.split(' ')[1] ?? '');
    const progress = await b.store.progress(ids);
    for (const id of ids) {
      const task = await b.store.task(id);
      if (!task) throw new Error(`帮助 names ${id}, which the county does not have`);
      expect(progress.get(id)?.get(township.id)?.amount ?? 0, `${id} is finished`).toBeLessThan(requiredAmount(task.target, township));
    }
    expect(reports.some((e) => /^上报 T\d+ \d+%$/.test(e))).toBe(true);
  });

  it('shows a township clerk, in a group not bound yet, a 绑定 naming their own township', async () => {
    const b = await demoOn(day);
    const hint = await b.say({ platform: 'console', chat: '新建的群', user: '联络员' }, '任务');
    expect(examplesIn(hint)).toEqual(['绑定 城关镇']);
  });

  it('shows the admin, in a group not bound yet, a 绑定 that binds it', async () => {
    const b = await demoOn(day);
    const someone: Speaker = { platform: 'console', chat: '新建的群', user: '某干部' };
    const hint = await b.say(someone, '任务');
    expect(hint).toContain('还没有绑定乡镇');
    const examples = examplesIn(hint);
    expect(examples).toHaveLength(1);
    expect(await tryAll(b, { ...someone, user: '管理员' }, examples)).toEqual([]);
    expect(await b.say(someone, '任务')).not.toContain('还没有绑定乡镇');
  });
});

// ─── What the README and the shipped workbook show ─────────────────────────────────────────────

const README = readFileSync('README.md', 'utf8');

/** A section of the README, from its heading to the next heading of its level. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  const level = /^#+/.exec(heading)?.[0] ?? '##';
  const end = README.indexOf(`\n${level} `, start + heading.length + 1);
  return README.slice(start, end === -1 ? undefined : end);
}

const spans = (s: string): string[] => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');

/** The chat-command table: each command's examples and who may use them. */
const TABLE = section('## Chat commands')
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| command') && !line.startsWith('| ---'))
  .map((line) => {
    const [word = '', examples = '', who = ''] = line.split(' | ').map((cell) => cell.replace(/^\| /, ''));
    return { word, examples: spans(examples), who };
  });

/** Who the table says uses a command, speaking where the table says: the 城关镇 clerk in its group unless it says otherwise. */
function speakerFor(text: string): Speaker {
  const said = splitCommand(text, WORDS);
  const command = commands.find((c) => c.words.some((w) => w === said?.word));
  const who = TABLE.find((row) => command?.words[0] === row.word)?.who ?? 'all';
  if (who.includes('leader')) return who.includes('direct chat') ? { platform: 'console', user: '书记' } : { platform: 'console', chat: '领导群', user: '书记' };
  if (who.includes('admin')) return { platform: 'console', chat: '城关镇工作群', user: '管理员' };
  return { platform: 'console', chat: '城关镇工作群', user: '联络员' };
}

/** The examples of the README: the table's, what is typed with @督办助手, the demo's first steps, and `duban say` lines. */
function readmeExamples(): { speaker: Speaker; text: string }[] {
  const mentioned = spans(README).filter((s) => s.startsWith('@督办助手 ')).map((s) => s.slice('@督办助手 '.length));
  const demo = section('## Two commands');
  const firstSteps = spans(demo.slice(demo.indexOf('Try '), demo.indexOf('; switch')));
  const said = [...README.matchAll(/npx duban say --platform console (?:--chat (\S+) )?--user (\S+) (.+)$/gm)].map((m) => ({
    speaker: { platform: 'console' as const, user: m[2] ?? '', ...(m[1] === undefined ? {} : { chat: m[1] }) },
    text: m[3] ?? '',
  }));
  const typed = [...TABLE.flatMap((row) => row.examples), ...mentioned, ...firstSteps].map((text) => ({ speaker: speakerFor(text), text }));
  return [...typed, ...said];
}

describe.each(DAYS)('the README, in the demo county on %s', (day) => {
  it('has examples only its readers can run, each as the person the table says', async () => {
    const examples = readmeExamples();
    expect(examples.map((e) => e.text)).toEqual(expect.arrayContaining(['上报 T2 80% 已整顿8个村', '帮助', '看板', '排名 图']));
    const b = await demoOn(day);
    const bySpeaker = new Map<string, { speaker: Speaker; texts: string[] }>();
    for (const { speaker, text } of examples) {
      const key = `${speaker.chat ?? ''}/${speaker.user}`;
      const entry = bySpeaker.get(key) ?? { speaker, texts: [] };
      entry.texts.push(text);
      bySpeaker.set(key, entry);
    }
    const failed: string[] = [];
    // The clerk's first: the admin's 绑定 领导群 would turn the clerk's group into the leaders'.
    const order = [...bySpeaker.values()].sort((a, b) => Number(a.speaker.user === '管理员') - Number(b.speaker.user === '管理员'));
    for (const { speaker, texts } of order) failed.push(...(await tryAll(b, speaker, texts)));
    expect(failed).toEqual([]);
  });
});

describe('the note of the shipped 任务分解表', () => {
  it('has examples the clerk of every township can run in its group', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile('examples/任务分解表.xlsx');
    const cells: string[] = [];
    workbook.worksheets[0]?.eachRow((row) => {
      row.eachCell((cell) => {
        if (typeof cell.value === 'string') cells.push(cell.value);
      });
    });
    const examples = cells.flatMap((c) => [...c.matchAll(/「(上报 [^」]+)」/g)].map((m) => m[1] ?? ''));
    expect(examples.length).toBeGreaterThan(1);
    const b = await demoOn(DAYS[0] ?? '');
    const failed: string[] = [];
    for (const township of await b.store.townships()) {
      const group: Speaker = { platform: 'console', chat: `${township.name}测试群`, user: '管理员' };
      await b.say(group, `绑定 ${township.name}`);
      // A workbook is printed once for every township: its examples show the form, and may well be
      // below what a township has reported by now (a correction is still taken).
      const refused = (await tryAll(b, { ...group, user: `${township.name}联络员` }, examples)).filter((f) => !f.includes('→ a correction:'));
      failed.push(...refused.map((f) => `${township.name}: ${f}`));
    }
    expect(failed).toEqual([]);
  });
});
