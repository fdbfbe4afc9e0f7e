/**
 * A typo is never recorded as another number (issue 12, point 2): through the router and real
 * Redis, as a clerk would send it after a first report, each typo is refused with the right form
 * and an example, and the progress already reported stays.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clerk, openTestBot, type TestBot } from '../helpers/bot.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await openTestBot(import.meta.url);
});
afterEach(async () => {
  await bot.close();
});

const progress = async (task: string): Promise<number | undefined> => (await bot.store.progress([task])).get(task)?.get('城关镇')?.amount;
const entries = async (task: string): Promise<number> => (await bot.store.ledger([task])).length;

describe('a typo in a report', () => {
  // T2 is a percent task of every township, 城关镇's among them.
  it.each(['1OO%', '8O%', '8 0%', '50‰', '1e2%', '0x50%', '8️⃣0️⃣%', '٨٠%'].map((typo) => ({ typo })))(
    'after 上报 T2 90%, 上报 T2 $typo is refused with the right form and an example, and 90 percent stays',
    async ({ typo }) => {
      expect(await bot.say(clerk, '上报 T2 90%')).toContain('已记录');

      const reply = await bot.say(clerk, `上报 T2 ${typo}`);

      const [problem, usage, example] = reply.split('\n');
      expect(problem).toMatch(new RegExp(`^看不懂进度「${typo}」：.+。$`, 'u'));
      expect(usage).toMatch(/^正确格式：上报 /);
      expect(example).toMatch(/^例如：上报 T2 /);
      expect(reply).not.toContain('已更正');
      expect(await progress('T2')).toBe(90);
      expect(await entries('T2')).toBe(1);
    },
  );

  it('says which zero was typed as a letter', async () => {
    expect(await bot.say(clerk, '上报 T2 1OO%')).toContain('看不懂进度「1OO%」：数字里夹着字母，请只用数字（0 不要打成字母 O）。');
  });

  it('still takes a report with its note straight after the %, as before', async () => {
    expect(await bot.say(clerk, '上报 T2 80%已完成8个村')).toContain('已记录');
    expect(await progress('T2')).toBe(80);
  });
});

describe('a value out of range', () => {
  it('on a count task says a negative count is negative, not that a percent must be 0 to 100', async () => {
    // T3 counts reserve cadres, three per village.
    const reply = await bot.say(clerk, '上报 T3 -1个');
    expect(reply.split('\n')[0]).toBe('进度「-1个」是负数，请写已完成的数，最少是 0。');
    expect(reply).not.toContain('百分比');
    expect(await entries('T3')).toBe(0);
  });

  it('on a percent task says a percent over 100 is out of range', async () => {
    expect((await bot.say(clerk, '上报 T2 120%')).split('\n')[0]).toBe('进度「120%」超出范围，百分比应在 0 到 100 之间。');
  });
});
