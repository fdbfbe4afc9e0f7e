/**
 * 催办: a leader nudges the lagging townships' groups through the outbox, once per township a
 * day — the day it goes out — and is told truly when it will go out; its text is made when it is
 * sent, so a township that finished in the meantime is not chased.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshersFor } from '../../commands/index.js';
import { createLogger } from '../../src/core/logger.js';
import { createOutbox, type Outbox } from '../../src/outbox/index.js';
import { type Poster } from '../../src/core/platform.js';
import { renderText } from '../../src/render/plain.js';
import { createKeys } from '../../src/store/keys.js';
import { testCounty } from '../fixtures/county.js';
import { admin, clerk, hongxingClerk, leader, openTestBot, type TestBot } from '../helpers/bot.js';
import type { County } from '../../src/domain/model.js';
import { recordingOutbox } from '../helpers/recording-outbox.js';

const county: County = {
  ...testCounty,
  people: [...testCounty.people, { platform: 'wecom', user: 'lilianluo', name: '李联络', roles: [], township: '城关镇' }],
};

/** Monday 23 November 2026, inside office hours (08:30–18:00). */
const MONDAY_MORNING = '2026-11-23T09:00:00+08:00';

let bot: TestBot;
const outbox = recordingOutbox();
const { posts, queued } = outbox;


beforeEach(async () => {
  outbox.clear();
  bot = await openTestBot(import.meta.url, county, MONDAY_MORNING, { posts });
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
    expect(reply).toContain('已向东城街道、红星乡的工作群发出催办');
    expect(reply).toContain('柳河乡、青山镇还没有绑定工作群');
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

    expect(again).toContain('红星乡今天已催办过');
    expect(queued.filter((p) => p.chat === '红星乡工作群')).toHaveLength(1);
  });

  it('is for leaders and admins only', async () => {
    const reply = await bot.say(clerk, '催办 T2');

    expect(reply).toContain('只有领导和管理员');
    expect(queued).toEqual([]);
  });

  it('says when there is nothing to nudge, and which township it did not know', async () => {
    expect(await bot.say(leader, '催办 T6')).toContain('已销号，不用催办');
    expect(await bot.say(leader, '催办 西城')).toContain('看不懂「西城」：请写任务编号（如 T4）或乡镇名称（如 城关镇）');
  });
});

describe('催办 after office hours', () => {
  it('says it goes out at 08:30 the next working day, not that it went out', async () => {
    bot.clock.set('2026-11-23T18:50:00+08:00');
    const reply = await bot.say(leader, '催办 T2');

    expect(reply).not.toContain('已向');
    expect(reply).toContain('现在不是工作时间，催办将在明天08:30发到');
    expect(reply).toContain('到时已经完成的任务不再催');
  });

  it('names the day when the next working day is not tomorrow', async () => {
    bot.clock.set('2026-11-27T18:50:00+08:00');
    expect(await bot.say(leader, '催办 T2')).toContain('催办将在11月30日（星期一）08:30发到');
  });

  it('counts as a 催办 of the day it goes out: the next morning it is not sent again', async () => {
    bot.clock.set('2026-11-23T18:50:00+08:00');
    await bot.say(leader, '催办 红星乡');
    const evening = await bot.say(leader, '催办 红星乡');
    bot.clock.set('2026-11-24T09:10:00+08:00');
    const morning = await bot.say(admin, '催办 红星乡');

    expect(evening).toContain('红星乡明天08:30的催办已经排好；一个乡镇一天只催办一次，这次不再另发。');
    expect(morning).toContain('红星乡今天已催办过');
    expect(queued.filter((p) => p.chat === '红星乡工作群').map((p) => p.key)).toEqual(['nudge/2026-11-24/红星乡/console/红星乡工作群']);
  });

  it('says nothing went out yet when no server is delivering (typed with duban say), also when asked again', async () => {
    outbox.delivering = false;
    const reply = await bot.say(leader, '催办 T2');
    const again = await bot.say(leader, '催办 红星乡');

    expect(reply).not.toContain('已向');
    expect(reply).toContain('现在没有运行中的督办助手服务，还没有发出');
    expect(again).toContain('红星乡的催办已经排进发送队列，还没有发出');
    expect(again).not.toContain('已催办过');
  });

  it('says what is arranged, not that it went out, when asked again before office hours the same day', async () => {
    bot.clock.set('2026-11-24T07:10:00+08:00');
    await bot.say(leader, '催办 T2');
    const again = await bot.say(leader, '催办 红星乡');

    expect(again).toContain('红星乡今天08:30的催办已经排好；一个乡镇一天只催办一次，这次不再另发。');
  });
});

describe('a 催办 held until it goes out', () => {
  let outbox: Outbox;
  let sent: { chat: string; text: string }[];

  beforeEach(() => {
    sent = [];
    const poster: Poster = {
      parts: () => 1,
      pauseMs: 0,
      sendPart(group, message) {
        sent.push({ chat: group.chat, text: renderText(message) });
        return Promise.resolve();
      },
    };
    outbox = createOutbox({
      redis: bot.db.redis,
      queuePrefix: createKeys(`${bot.db.prefix}:bot`).queuePrefix(),
      store: bot.store,
      posters: { console: poster },
      log: createLogger('silent'),
      refreshers: refreshersFor({ store: bot.store, calendar: bot.calendar }),
      now: () => bot.clock.now,
    });
  });
  afterEach(async () => {
    await outbox.close();
  });

  /** The leader's 催办 queued in the real outbox (the console groups: WeCom is off here), not yet delivered. */
  async function nudgeIntoOutbox(said: string): Promise<string[]> {
    await bot.say(leader, said);
    return (await outbox.enqueue(queued)).added;
  }

  it('is said as things stand when it is sent: a township that finished meanwhile is not chased', async () => {
    bot.clock.set('2026-11-23T18:50:00+08:00');
    const keys = await nudgeIntoOutbox('催办 T2');
    await bot.say(clerk, '上报 T2 完成');
    bot.clock.set('2026-11-24T08:30:00+08:00');
    outbox.start();
    const states = await outbox.settled(keys, 10_000);

    expect(sent.map((s) => s.chat).sort()).toEqual(['东城街道工作群', '红星乡工作群']);
    expect(sent.find((s) => s.chat === '红星乡工作群')?.text).toContain('T2 软弱涣散党组织整顿转化');
    expect(states.get('nudge/2026-11-24/城关镇/console/城关镇工作群')).toBe('dropped');
  });

  it('lists only the tasks still lagging when it is sent', async () => {
    const keys = await nudgeIntoOutbox('催办 红星乡');
    const before = renderText(queued[0]!.message);
    await bot.say(hongxingClerk, '上报 T2 完成');
    outbox.start();
    await outbox.settled(keys, 10_000);

    expect(before).toContain('T2 软弱涣散党组织整顿转化');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).not.toContain('T2 软弱涣散党组织整顿转化');
    expect(sent[0]?.text).toContain('T4');
  });

  it('may be asked for again the same day when the one before had nothing left to say', async () => {
    const keys = await nudgeIntoOutbox('催办 T2');
    await bot.say(hongxingClerk, '上报 T2 完成');
    outbox.start();
    await outbox.settled(keys, 10_000);
    const dropped = queued.find((p) => p.chat === '红星乡工作群');
    const again = await outbox.enqueue([dropped!]);

    expect(again.added).toEqual([dropped!.key]);
  });
});
