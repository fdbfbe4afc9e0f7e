/** 催办: a leader nudges the lagging townships' groups through the outbox, once per township a day. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Enqueue } from '../../src/core/command.js';
import type { OutboxPost } from '../../src/outbox/index.js';
import { renderText } from '../../src/render/text.js';
import type { County } from '../../src/store/types.js';
import { testCounty } from '../fixtures/county.js';
import { admin, clerk, leader, openTestBot, type TestBot } from '../helpers/bot.js';

const county: County = {
  ...testCounty,
  people: [...testCounty.people, { platform: 'wecom', user: 'lilianluo', name: '李联络', roles: [], township: '城关镇' }],
};

let bot: TestBot;
let queued: OutboxPost[];

/** The outbox's door as a recorder: a key seen before is "already", as the real one answers. */
const enqueue: Enqueue = (posts) => {
  const added: string[] = [];
  const already: string[] = [];
  for (const post of posts) {
    if (queued.some((q) => q.key === post.key)) already.push(post.key);
    else {
      queued.push(post);
      added.push(post.key);
    }
  }
  return Promise.resolve({ added, already, platformOff: [] });
};

beforeEach(async () => {
  queued = [];
  bot = await openTestBot(import.meta.url, county, '2026-11-23T09:00:00+08:00', { enqueue });
});
afterEach(async () => {
  await bot.close();
});

describe('催办', () => {
  it('nudges every group of each township whose task is not done, with its reporters @-ed', async () => {
    await bot.say(clerk, '上报 T2 100%');
    const reply = await bot.say(leader, '催办 T2');

    const chats = queued.map((p) => p.chat).sort();
    expect(chats).toEqual(['东城街道工作群', '红星乡工作群']);
    expect(reply).toContain('已向 东城街道、红星乡 的工作群发出催办');
    expect(reply).toContain('柳河乡、青山镇 还没有绑定工作群');
    const toHongxing = queued.find((p) => p.chat === '红星乡工作群');
    expect(renderText(toHongxing!.message)).toContain('T2 软弱涣散党组织整顿转化');
    expect(renderText(toHongxing!.message)).toContain('王书记提醒');
  });

  it('nudges one township about all its lagging tasks, @-ing its reporters on that platform', async () => {
    await bot.say(leader, '催办 城关镇');

    const wecom = queued.find((p) => p.platform === 'wecom');
    expect(wecom?.message.mentions).toEqual(['lilianluo']);
    expect(queued.map((p) => p.chat).sort()).toEqual(['wrkSFfCgAALFgnrSsWU38puiv4yvExuw', '城关镇工作群']);
  });

  it('does not nudge a township twice in one day, and says so', async () => {
    await bot.say(leader, '催办 T2');
    const again = await bot.say(admin, '催办 红星乡');

    expect(again).toContain('红星乡 今天已催办过');
    expect(queued.filter((p) => p.chat === '红星乡工作群')).toHaveLength(1);
  });

  it('is for leaders and admins only', async () => {
    const reply = await bot.say(clerk, '催办 T2');

    expect(reply).toContain('只有领导和管理员');
    expect(queued).toEqual([]);
  });

  it('says when there is nothing to nudge, and which township it did not know', async () => {
    expect(await bot.say(leader, '催办 T6')).toContain('已销号，不用催办');
    expect(await bot.say(leader, '催办 西城')).toContain('看不懂「西城」');
  });
});
