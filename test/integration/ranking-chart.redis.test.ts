/**
 * `排名 图` through the router and real Redis: which picture each reader gets. The counts of
 * overdue and lagging tasks beside each score are for leaders; a township group sees the colours.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleMessage, type Speaker } from '../../src/adapters/console/index.js';
import { currentRanking } from '../../src/core/board.js';
import { beijingDate } from '../../src/domain/dates.js';
import { text } from '../../src/messages/index.js';
import { chartImage } from '../../src/render/chart.js';
import { clerk, hongxingClerk, leader, leaderDirect, openTestBot, type TestBot } from '../helpers/bot.js';

let bot: TestBot;

beforeEach(async () => {
  bot = await openTestBot(import.meta.url);
  await bot.say(clerk, '上报 T2 100%');
  await bot.say(hongxingClerk, '上报 T2 50%');
});
afterEach(async () => {
  await bot.close();
});

const pictureFor = async (speaker: Speaker): Promise<string | undefined> => (await bot.route(consoleMessage(speaker, '排名 图'))).image?.base64;

/** This month's ranking chart as the bot draws it, with or without the counts. */
async function chart(counts: boolean): Promise<string | undefined> {
  const ranking = await currentRanking({ store: bot.store, calendar: bot.calendar, today: beijingDate(bot.clock.now) });
  return (await chartImage(ranking, { title: text.rankingTitle(ranking.month, ranking.asOf, false), counts })).image?.base64;
}

describe('排名', () => {
  it('shows a township group no township’s 🔴 count, and the leaders each one’s', async () => {
    await bot.say(hongxingClerk, '上报 T4 50%');
    expect(await bot.say(clerk, '排名')).not.toContain('🔴');
    expect(await bot.say(leader, '排名')).toMatch(/红星乡 .*🔴\d/);
  });
});

describe('排名 图', () => {
  it('shows a township clerk the colours only, without any township’s overdue or lagging count', async () => {
    const coloursOnly = await chart(false);
    expect(coloursOnly).not.toBe(await chart(true));
    expect(await pictureFor(clerk)).toBe(coloursOnly);
  });

  it('shows a leader asking in a township group the colours only too, as everyone there sees it', async () => {
    expect(await pictureFor({ ...clerk, user: '书记' })).toBe(await chart(false));
  });

  it('shows leaders, in their group and in a direct chat, each township’s overdue and lagging counts', async () => {
    const counted = await chart(true);
    expect(await pictureFor(leader)).toBe(counted);
    expect(await pictureFor(leaderDirect)).toBe(counted);
  });
});
