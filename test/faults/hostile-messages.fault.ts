/**
 * 10,000 random and hostile messages through the router on real Redis (docs/design.md §3: wrong input
 * gets a short Chinese reply — never silence, never a stack trace, never a half-written record;
 * §2: rights). Texts are random unicode, emoji, control characters, full-width forms, strings up
 * to 64 KB, markup and injection, and near-misses of every command; senders are clerks,
 * strangers, leaders and admins, in bound and unbound groups and direct chats, on every platform.
 * Now and then an earlier message is delivered again.
 *
 * After each message: the reply is there and reads as a reply (no apology for an internal
 * failure, no stack trace, no `Error`, `undefined` or `NaN` it did not get from the sender, no
 * markup of the sender's that WeCom or DingTalk would act on); a
 * non-admin changed no task, group, person or township; and whatever reached the ledger is a
 * valid report of an existing, open task by that sender in that group's township, within the
 * range its target accepts — or a reversal of that sender's own report.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleMessage } from '../../src/adapters/console/index.js';
import { sourceOf, type IncomingMessage, type OutgoingMessage } from '../../src/core/types.js';
import type { Task, ChatPlatform, County } from '../../src/domain/model.js';
import { normalizeText } from '../../src/domain/parse/index.js';
import { text as messages } from '../../src/messages/index.js';
import { dingtalkMarkdown } from '../../src/adapters/dingtalk/render.js';
import { renderText } from '../../src/render/plain.js';
import { wecomReply } from '../../src/adapters/wecom/render.js';
import { createKeys } from '../../src/store/keys.js';
import { testCounty } from '../fixtures/county.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';
import { invalidEntry, LIVE_MARKUP, said, SMELLS, STACK_FRAME } from '../helpers/hostile-text.js';

/** Bound to 城关镇 in the test county. */
const WECOM_GROUP = 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw';
const county: County = {
  ...testCounty,
  groups: [...testCounty.groups, { platform: 'dingtalk', chat: 'cidHongxing==', township: '红星乡' }],
  people: [...testCounty.people, { platform: 'wecom', user: 'zhaoguanli', name: '赵管理', roles: ['admin'] }, { platform: 'dingtalk', user: '1665000009', name: '王书记', roles: ['leader'] }],
};

// ---- who speaks, and where ----

interface Who {
  platform: ChatPlatform;
  /** A group chat; absent: a direct chat. */
  chat?: string;
  user: string;
}

const inTownshipGroups: Who[] = [
  { platform: 'console', chat: '城关镇工作群', user: '联络员' },
  { platform: 'console', chat: '红星乡工作群', user: '红星联络员' },
  // Anyone in a township's group reports for it (docs/design.md §2), known to the setup or not.
  { platform: 'console', chat: '东城街道工作群', user: '路人甲' },
  { platform: 'console', chat: '城关镇工作群', user: '红星联络员' },
  { platform: 'wecom', chat: WECOM_GROUP, user: 'lilianluo' },
  { platform: 'dingtalk', chat: 'cidHongxing==', user: '1665000001' },
];
const elsewhere: Who[] = [
  { platform: 'console', chat: '领导群', user: '联络员' },
  { platform: 'console', user: '联络员' },
  { platform: 'console', user: '路人乙' },
  { platform: 'console', chat: '没绑定的群', user: '联络员' },
  { platform: 'console', chat: '没绑定的群', user: '路人丙' },
  { platform: 'wecom', user: 'lilianluo' },
  { platform: 'dingtalk', chat: 'cidUnbound==', user: '1665000002' },
];
const leaders: Who[] = [
  { platform: 'console', chat: '领导群', user: '书记' },
  { platform: 'console', user: '书记' },
  { platform: 'console', chat: '城关镇工作群', user: '书记' },
  { platform: 'dingtalk', user: '1665000009' },
];
const admins: Who[] = [
  { platform: 'console', chat: '城关镇工作群', user: '管理员' },
  { platform: 'console', user: '管理员' },
  { platform: 'console', chat: '没绑定的群', user: '管理员' },
  { platform: 'console', chat: '领导群', user: '管理员' },
  { platform: 'wecom', chat: WECOM_GROUP, user: 'zhaoguanli' },
];
/** Made-up platforms' ids: any chat, any user (one might even be someone the setup names). */
const anyone: fc.Arbitrary<Who> = fc.record(
  {
    platform: fc.constantFrom<ChatPlatform>('console', 'wecom', 'dingtalk'),
    chat: fc.oneof(fc.constantFrom('城关镇工作群', '领导群', WECOM_GROUP), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })),
    user: fc.oneof(fc.constantFrom('联络员', '书记', '管理员', 'lilianluo'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })),
  },
  { requiredKeys: ['platform', 'user'] },
);

let bot: TestBot;
let lastId = 0;

beforeEach(async () => {
  // 催办 hands posts to the outbox; here they are only counted, so nothing leaves the test.
  bot = await openTestBot(import.meta.url, county, '2026-11-23T09:00:00+08:00', { posts: { enqueue: (posts) => Promise.resolve({ added: posts.map((p) => p.key), already: [], platformOff: [] }), delivering: () => Promise.resolve(true) }, publicUrl: 'http://127.0.0.1:1' });
});
afterEach(async () => {
  await bot.close();
});

/** What a non-admin must not change: the county's tasks, groups, people and townships. */
async function setup(): Promise<string> {
  return JSON.stringify(await Promise.all([bot.store.tasks(), bot.store.groups(), bot.store.people(), bot.store.townships()]));
}

async function ledgerLength(tasks: readonly Task[]): Promise<number> {
  const keys = createKeys(`${bot.db.prefix}:bot`);
  const lengths = await Promise.all(tasks.map((t) => bot.db.redis.xlen(keys.ledger(t.id))));
  return lengths.reduce((a, b) => a + b, 0);
}

interface Said {
  message: IncomingMessage;
  reply: OutgoingMessage;
}

/** One message through the router, with every check; `earlier` holds what was said before, for redeliveries. */
async function speak(who: Who, words: string, earlier: Said[], again: number | undefined): Promise<void> {
  const previous = again === undefined || earlier.length === 0 ? undefined : earlier[again % earlier.length];
  const message = previous?.message ?? consoleMessage({ platform: who.platform, ...(who.chat === undefined ? {} : { chat: who.chat }), user: who.user }, words, `hostile-${String(++lastId)}`);
  const { platform, id: chat, type } = message.chat;
  const [person, group, tasks, before] = await Promise.all([
    bot.store.person(platform, message.sender.id),
    type === 'group' ? bot.store.group(platform, chat) : Promise.resolve(undefined),
    bot.store.tasks(),
    setup(),
  ]);
  const ledgerBefore = await ledgerLength(tasks);

  const reply = await bot.route(message);

  const shown = renderText(reply);
  // What the sender typed, now or earlier: an admin's 新建任务 may have named a task `undefined`,
  // and every reply listing that task says so, rightly.
  const input = [message.text, normalizeText(message.text), ...tasks.map((t) => t.title)].join('\n');
  expect(reply.lines.length, 'reply lines').toBeGreaterThan(0);
  expect(shown.trim(), 'reply text').not.toBe('');
  expect(shown, 'an apology for an internal failure').not.toContain(messages.apology);
  for (const smell of SMELLS) if (shown.includes(smell)) expect(input, `reply says "${smell}": ${shown.slice(0, 200)}`).toContain(smell);
  if (STACK_FRAME.test(shown)) expect(input).toMatch(STACK_FRAME);
  // As the platforms show it, whatever markup the sender typed stays text: no @-everyone, no live link or tag.
  for (const rendered of [wecomReply(reply), dingtalkMarkdown(reply).text]) expect(rendered, 'markup from the sender in a reply').not.toMatch(LIVE_MARKUP);

  if (previous) {
    // A redelivery: the first answer again, and nothing written twice.
    expect(reply, 'the answer to a redelivery').toEqual(previous.reply);
    expect(await ledgerLength(tasks), 'ledger entries written by a redelivery').toBe(ledgerBefore);
    expect(await setup()).toBe(before);
    return;
  }
  earlier.push({ message, reply });

  if (!person?.roles.includes('admin')) expect(await setup(), `a non-admin changed the setup, saying: ${words.slice(0, 100)}`).toBe(before);
  const after = await ledgerLength(await bot.store.tasks());
  if (after === ledgerBefore) return;
  expect(after - ledgerBefore, 'ledger entries written by one message').toBe(1);
  const ledger = await bot.store.ledger((await bot.store.tasks()).map((t) => t.id));
  const written = ledger.filter((e) => e.source === sourceOf(message));
  expect(written).toHaveLength(1);
  const entry = written[0]!;
  expect(invalidEntry(entry, message, person?.roles.includes('admin') === true, group, tasks, ledger, county), `ledger entry from "${words.slice(0, 100)}": ${JSON.stringify(entry)}`).toBeUndefined();
}

/** `runs` messages from `speakers`; now and then (1 in 20) an earlier one is delivered again. */
async function property(speakers: fc.Arbitrary<Who>, runs: number): Promise<void> {
  const earlier: Said[] = [];
  const again = fc.oneof({ arbitrary: fc.constant(undefined), weight: 19 }, { arbitrary: fc.nat(), weight: 1 });
  await fc.assert(
    fc.asyncProperty(speakers, said, again, async (who, words, redeliver) => {
      await speak(who, words, earlier, redeliver);
    }),
    { numRuns: runs },
  );
}

describe('random and hostile messages through the router', () => {
  it('are each answered sensibly from township groups, and record only valid reports', async () => {
    await property(fc.constantFrom(...inTownshipGroups), 3000);
  }, 240_000);

  it('are each answered sensibly from unbound groups, the leaders\' group and direct chats, and change nothing', async () => {
    await property(fc.constantFrom(...elsewhere), 2000);
  }, 240_000);

  it('are each answered sensibly for leaders, who change no task or binding', async () => {
    await property(fc.constantFrom(...leaders), 1500);
  }, 240_000);

  it('are each answered sensibly for admins, whose reports are as valid as anyone\'s', async () => {
    await property(fc.constantFrom(...admins), 1500);
  }, 240_000);

  it('are each answered sensibly for anyone in any chat on any platform', async () => {
    await property(anyone, 2000);
  }, 240_000);
});
