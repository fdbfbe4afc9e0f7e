import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineCommand, noArgs } from '../../src/core/command.js';
import { createLogger } from '../../src/core/logger.js';
import { checkCommands, createRouter, MESSAGE_MAX } from '../../src/core/router.js';
import { consoleMessage } from '../../src/adapters/console/index.js';
import { renderText } from '../../src/render/plain.js';
import { StoreUnavailableError } from '../../src/core/errors.js';
import { clerk, hongxingClerk, openTestBot, type TestBot } from '../helpers/bot.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await openTestBot(import.meta.url);
});
afterEach(async () => {
  await bot.close();
});

const broken = defineCommand({
  name: 'broken',
  words: ['坏了'],
  summary: '总是出错',
  action: '出错',
  usage: '坏了',
  example: '坏了',
  who: 'all',
  where: 'anywhere',
  args: noArgs,
  run: () => Promise.reject(new Error('redis exploded at key duban:secret')),
});

describe('the router', () => {
  it('answers an unexpected failure with a short apology and logs it once with the command', async () => {
    const lines: string[] = [];
    const route = createRouter({ store: bot.store, calendar: bot.calendar, log: createLogger('info', (l) => lines.push(l)), commands: [broken] });
    const reply = renderText(await route(consoleMessage(clerk, '坏了')));
    expect(reply).toContain('抱歉');
    expect(reply).not.toContain('exploded');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', command: 'broken', platform: 'console' });
  });

  it('refuses at boot a word that two commands claim', () => {
    const twin = defineCommand({ ...{ name: 'twin', words: ['坏了'], summary: '', action: '', usage: '', example: '', who: 'all', where: 'anywhere' }, args: noArgs, run: () => Promise.resolve({ lines: [] }) });
    expect(() => { checkCommands([broken, twin]); }).toThrow(/坏了/);
  });
});

describe('a message its adapter answers itself (a WeCom stream kept as "working")', () => {
  it('is not run, and gets no reply from the router, when the adapter says its answer stands', async () => {
    const message = consoleMessage(clerk, '上报 T2 85%', 'kept-elsewhere');

    expect(await bot.route(message, { unless: Promise.resolve(true) })).toBeUndefined();
    expect(await bot.store.ledger(['T2'])).toEqual([]);
  });

  it('is routed as usual, once, when the adapter has no answer of its own', async () => {
    const message = consoleMessage(clerk, '上报 T2 85%', 'nothing-kept');
    const reply = await bot.route(message, { unless: Promise.resolve(false) });

    expect(renderText(reply ?? { lines: [] })).toContain('已记录');
    expect(await bot.store.ledger(['T2'])).toHaveLength(1);
  });
});

describe('a message too long to be a command (issue 12)', () => {
  // `上报 ` and one word of 15,000 characters, about 45 KB: under the 64 KB a callback may carry.
  const huge = `上报 T2 ${'一'.repeat(15_000)}x`;

  it('is answered that it is too long, with an example, and records nothing', async () => {
    const [first, second] = (await bot.say(clerk, huge)).split('\n');
    expect(first).toBe(`这条消息太长了（超过${String(MESSAGE_MAX)}个字），我没有处理。`);
    expect(second).toMatch(/上报的说明最多200个字），例如：上报 T\d+ /);
    expect(await bot.store.ledger(['T2'])).toEqual([]);
  });

  it('leaves the next message, from another group, answered as usual', async () => {
    await bot.say(clerk, huge);
    expect(await bot.say(hongxingClerk, '帮助')).toContain('上报');
  });

  it('is read up to the limit: a report of exactly that many characters is told its note is too long', async () => {
    const head = '上报 T2 80% ';
    const atLimit = head + '很'.repeat(MESSAGE_MAX - head.length);
    expect(await bot.say(clerk, atLimit)).toContain('说明太长了，最多200个字');
    expect(await bot.say(clerk, `${atLimit}很`)).toContain('这条消息太长了');
  });

  it('counts characters, not the spaces and mention around them', async () => {
    const spaced = `@督办助手 上报 T2 80% ${'很'.repeat(100)}${' '.repeat(2 * MESSAGE_MAX)}`;
    expect(await bot.say(clerk, spaced)).toContain('已记录');
  });
});

describe('the router when Redis is gone', () => {
  it('raises StoreUnavailableError instead of answering, so the caller can answer 503', async () => {
    const redis = await bot.db.connect();
    const { compose } = await import('../../src/compose.js');
    const offline = await compose(redis, { log: createLogger('silent'), prefix: `${bot.db.prefix}:bot` });
    redis.disconnect();
    await expect(offline.route(consoleMessage(clerk, '上报 T2 80%'))).rejects.toThrow(StoreUnavailableError);
  });
});
