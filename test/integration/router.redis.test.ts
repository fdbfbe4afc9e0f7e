import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineCommand, noArgs } from '../../src/core/command.js';
import { createLogger } from '../../src/core/logger.js';
import { checkCommands, createRouter } from '../../src/core/router.js';
import { consoleMessage } from '../../src/adapters/console/index.js';
import { renderText } from '../../src/render/text.js';
import { StoreUnavailableError } from '../../src/core/errors.js';
import { clerk, openTestBot, type TestBot } from '../helpers/bot.js';

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

describe('the router when Redis is gone', () => {
  it('raises StoreUnavailableError instead of answering, so the caller can answer 503', async () => {
    const redis = await bot.db.connect();
    const { createBot } = await import('../../src/bot.js');
    const offline = await createBot(redis, { log: createLogger('silent'), prefix: `${bot.db.prefix}:bot` });
    redis.disconnect();
    await expect(offline.route(consoleMessage(clerk, '上报 T2 80%'))).rejects.toThrow(StoreUnavailableError);
  });
});
