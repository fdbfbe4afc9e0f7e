/**
 * The fault suite's hostile messages over WeCom's long connection (docs/protocols/wecom.md §10): the
 * bot in websocket mode against the fake long-connection server (test/helpers/fake-wecom-ws.ts),
 * on real Redis, logging as in production (every line through the JSON logger and its redaction).
 *
 * - Messages: random and hostile texts from the generators of hostile-messages.fault.ts
 *   (test/helpers/hostile-text.ts), as text and as text-and-picture callbacks, from clerks,
 *   strangers, leaders and admins in bound and unbound groups and single chats; now and then one
 *   is delivered again later, or several times at once (same msgid, new req_id); and twenty at a
 *   time. After each: one answer to each delivery, a finished stream whose content reads as a
 *   reply (the checks of hostile-messages.fault.ts); a redelivery answered with the same stream;
 *   a non-admin changed nothing; the ledger took only valid reports; no error logged; and
 *   throughout, one connection, subscribed once.
 * - Payloads: callbacks whose body is not a WeCom message. Each is ignored, or answered as the
 *   picture it might be, or (when it is still a message) answered as one; none records anything,
 *   and a normal report is recorded afterwards.
 * - Frames: a server breaking the protocol (frames that are not JSON or are binary, no req_id,
 *   unknown commands, acks for nothing, events that are not a kick, frames over the 1 MiB the client
 *   reads or not UTF-8). After each, the bot answers the next message, on a new connection if the
 *   frame cost it its own.
 *
 * No timing is asserted: every wait is a poll with a generous limit.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWecom } from '../../src/adapters/wecom/index.js';
import { streamIdOf } from '../../src/adapters/wecom/inbound.js';
import { normalize } from '../../src/adapters/wecom/normalize.js';
import { parsePayload } from '../../src/adapters/wecom/schema.js';
import { createLogger } from '../../src/core/logger.js';
import type { Inbound } from '../../src/core/platform.js';
import { sourceOf, type IncomingMessage } from '../../src/core/types.js';
import { isReportEntry, type County, type Task } from '../../src/domain/model.js';
import { normalizeText } from '../../src/domain/parse/index.js';
import { text as messages } from '../../src/messages/index.js';
import { createKeys } from '../../src/store/keys.js';
import { testCounty } from '../fixtures/county.js';
import { openTestBot, type TestBot } from '../helpers/bot.js';
import { startFakeWecomWs, type FakeWecomWs } from '../helpers/fake-wecom-ws.js';
import { INJECTIONS, invalidEntry, LIVE_MARKUP, said, SMELLS, STACK_FRAME } from '../helpers/hostile-text.js';
import { changes, snapshot } from './helpers/snapshot.js';

const BOT = 'aibHostileSocket01';
const SECRET = 'hostileSocketSecret01';
/** Bound to 城关镇 in the test county. */
const CHENGGUAN = 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw';
const HONGXING = 'wrkHongxingHostileSocket00000001';
const LEADERS = 'wrkLeadersHostileSocket000000001';
const UNBOUND = 'wrkUnboundHostileSocket000000001';

const county: County = {
  ...testCounty,
  groups: [...testCounty.groups, { platform: 'wecom', chat: HONGXING, township: '红星乡' }, { platform: 'wecom', chat: LEADERS, role: 'leaders' }],
  people: [
    ...testCounty.people,
    { platform: 'wecom', user: 'lilianluo', name: '李联络', roles: [], township: '城关镇' },
    { platform: 'wecom', user: 'zhoulianluo', name: '周联络', roles: [], township: '红星乡' },
    { platform: 'wecom', user: 'wangshuji', name: '王书记', roles: ['leader'] },
    { platform: 'wecom', user: 'zhaoguanli', name: '赵管理', roles: ['admin'] },
  ],
};

/** Every wait: long enough for a reconnect and a 64 KB message on a busy machine. */
const PATIENCE_MS = 20_000;

// ---- who speaks, and where ----

interface Who {
  /** A group's chatid; absent: a single chat. */
  chat?: string;
  user: string;
}

const inTownshipGroups: Who[] = [
  { chat: CHENGGUAN, user: 'lilianluo' },
  { chat: HONGXING, user: 'zhoulianluo' },
  // Anyone in a township's group reports for it (docs/design.md §2), known to the setup or not.
  { chat: CHENGGUAN, user: 'lurenjia' },
  { chat: CHENGGUAN, user: 'zhoulianluo' },
];
const elsewhere: Who[] = [
  { chat: UNBOUND, user: 'lilianluo' },
  { chat: UNBOUND, user: 'lurenbing' },
  { chat: LEADERS, user: 'lilianluo' },
  { user: 'lilianluo' },
  { user: 'lurenyi' },
];
const leaders: Who[] = [{ chat: LEADERS, user: 'wangshuji' }, { user: 'wangshuji' }, { chat: CHENGGUAN, user: 'wangshuji' }];
const admins: Who[] = [{ chat: CHENGGUAN, user: 'zhaoguanli' }, { user: 'zhaoguanli' }, { chat: UNBOUND, user: 'zhaoguanli' }, { chat: LEADERS, user: 'zhaoguanli' }];
/** Made-up chatids and userids (one might even be someone the setup names). */
const anyone: fc.Arbitrary<Who> = fc.record(
  {
    chat: fc.oneof(fc.constantFrom(CHENGGUAN, LEADERS, UNBOUND), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })),
    user: fc.oneof(fc.constantFrom('lilianluo', 'wangshuji', 'zhaoguanli'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })),
  },
  { requiredKeys: ['user'] },
);

// ---- how WeCom wraps what they say ----

interface Shape {
  /** Text and picture (`mixed`), the text before or after the picture; else plain `text`. */
  mixed: 'no' | 'text first' | 'picture first';
  /** `chattype` is documented on every message; without it a chatid makes a group. */
  chattype: boolean;
  /** WeCom keeps the @ in text.content, ended by U+2005. */
  mention: string;
}
const shape: fc.Arbitrary<Shape> = fc.record({
  mixed: fc.constantFrom<Shape['mixed']>('no', 'no', 'no', 'text first', 'picture first'),
  chattype: fc.boolean(),
  mention: fc.constantFrom('', '@督办助手\u2005', '@督办助手 '),
});

const PICTURE = { msgtype: 'image', image: { url: 'https://example.invalid/picture.png' } };

/** A callback body as WeCom sends it for `content` from `who`. */
function payload(msgid: string, who: Who, content: string, how: Shape): Record<string, unknown> {
  const where = who.chat === undefined ? (how.chattype ? { chattype: 'single' } : {}) : { chatid: who.chat, ...(how.chattype ? { chattype: 'group' } : {}) };
  const common = { msgid, aibotid: BOT, ...where, from: { userid: who.user } };
  const words = { msgtype: 'text', text: { content: how.mention + content } };
  if (how.mixed === 'no') return { ...common, ...words };
  return { ...common, msgtype: 'mixed', mixed: { msg_item: how.mixed === 'text first' ? [words, PICTURE] : [PICTURE, words] } };
}

/** The message the router is given for a body, by the adapter's own parser. */
function asMessage(body: unknown): IncomingMessage {
  const inbound = normalize(parsePayload(body));
  if (inbound.kind !== 'message') throw new Error(`not a message but ${inbound.kind}: ${JSON.stringify(body).slice(0, 200)}`);
  return inbound.message;
}

// ---- the bot, the server, and what the bot logs ----

let bot: TestBot;
let server: FakeWecomWs;
let inbound: Inbound | undefined;
let logged: string[] = [];
let lastId = 0;

beforeEach(async () => {
  logged = [];
  // What production logs (info and up), kept here rather than on stderr.
  const log = createLogger('info', (line) => { logged.push(line); });
  server = await startFakeWecomWs({ bots: { [BOT]: SECRET } });
  // 催办 hands posts to the outbox; here they are only counted, so nothing leaves the test.
  bot = await openTestBot(import.meta.url, county, '2026-11-23T09:00:00+08:00', { log, posts: { enqueue: (posts) => Promise.resolve({ added: posts.map((p) => p.key), already: [], platformOff: [] }), delivering: () => Promise.resolve(true) }, publicUrl: 'http://127.0.0.1:1' });
  // Pings every second: under 64 KB messages in the same process, a quicker heartbeat could count a busy connection as dead.
  const adapter = createWecom(
    { mode: 'websocket', botId: BOT, botSecret: SECRET, wsUrl: server.url, apiBase: 'http://127.0.0.1:1' },
    { store: bot.store, log, socket: { instance: 'hostile', leaseMs: 10_000, tickMs: 1000, heartbeatMs: 1000, ackTimeoutMs: 5000, backoff: { firstMs: 20, maxMs: 200 } } },
  );
  inbound = adapter.receive(bot.route);
  inbound.start();
  await server.waitFor(() => server.live(BOT) === 1, PATIENCE_MS);
});
afterEach(async () => {
  await inbound?.stop();
  inbound = undefined;
  await server.close();
  await bot.close();
});

/** The log lines at level error: a message the bot could not handle, or an answer it could not send. */
const errorsLogged = (): string[] => logged.filter((line) => line.includes('"level":"error"'));

// ---- the checks ----

interface Stream {
  id: string;
  finish?: boolean | undefined;
  content?: string | undefined;
}

/**
 * The answers to callback `reqId`: one stream, and after it at most one picture (a chart asked for
 * with 排名 图, which the stream cannot carry over this connection).
 */
function expectOneAnswer(reqId: string, what: string): void {
  const replies = server.responds(reqId);
  expect(replies.filter((r) => r.body.msgtype === 'stream'), what).toHaveLength(1);
  expect(replies[0]?.body.msgtype, `${what}: the stream first`).toBe('stream');
  expect(replies.length, `${what}: a picture at most after it`).toBeLessThanOrEqual(2);
}

/** The one answer to callback `reqId`, once it came: acked, and a stream. */
async function answerTo(reqId: string): Promise<Stream> {
  await server.waitFor(() => server.responds(reqId).length > 0, PATIENCE_MS);
  expectOneAnswer(reqId, `answers to callback ${reqId}`);
  const reply = server.responds(reqId)[0]!;
  expect(reply.errcode, 'the fake\'s ack of the answer').toBe(0);
  if (reply.body.msgtype !== 'stream') throw new Error(`expected a stream, got ${JSON.stringify(reply.body).slice(0, 200)}`);
  return reply.body.stream;
}

/** The answer to message `msgid`, whichever delivery of it (a connection may have died since) was answered. */
async function answerToMessage(msgid: string): Promise<Stream> {
  const delivery = () => server.callbacks(BOT).find((c) => c.body.msgid === msgid && c.answered);
  await server.waitFor(() => delivery() !== undefined, PATIENCE_MS);
  return answerTo(delivery()!.reqId);
}

/** A finished stream that reads as a reply (hostile-messages.fault.ts's checks); `input` is what the sender wrote, now or earlier. */
function expectReadsAsReply(stream: Stream, input: string): void {
  expect(stream.finish, 'a finished stream').toBe(true);
  const shown = stream.content ?? '';
  expect(shown.trim(), 'reply text').not.toBe('');
  for (const failure of [messages.apology, messages.notHandled, messages.busy]) expect(shown, 'an apology for an internal failure').not.toContain(failure);
  for (const smell of SMELLS) if (shown.includes(smell)) expect(input, `reply says "${smell}": ${shown.slice(0, 200)}`).toContain(smell);
  if (STACK_FRAME.test(shown)) expect(input).toMatch(STACK_FRAME);
  // As WeCom shows it, whatever markup the sender typed stays text: no @-everyone, no live link or tag.
  expect(shown, 'markup from the sender in a reply').not.toMatch(LIVE_MARKUP);
}

/** What a non-admin must not change: the county's tasks, groups, people and townships. */
async function setup(): Promise<string> {
  return JSON.stringify(await Promise.all([bot.store.tasks(), bot.store.groups(), bot.store.people(), bot.store.townships()]));
}

async function ledgerLength(tasks: readonly Task[]): Promise<number> {
  const keys = createKeys(`${bot.db.prefix}:bot`);
  const lengths = await Promise.all(tasks.map((t) => bot.db.redis.xlen(keys.ledger(t.id))));
  return lengths.reduce((a, b) => a + b, 0);
}

async function reportsOfT2(): Promise<number> {
  return (await bot.store.ledger(['T2'])).filter(isReportEntry).length;
}

/** Every delivery so far answered exactly once, and never redelivered: no connection was lost. */
function expectOneAnswerEach(): void {
  for (const delivery of server.callbacks(BOT)) {
    expect(delivery.redelivered, `callback ${delivery.reqId} was redelivered: a connection was lost`).toBe(false);
    expectOneAnswer(delivery.reqId, `answers to callback ${delivery.reqId} (msgid ${String(delivery.body.msgid).slice(0, 40)})`);
  }
}

// ---- messages ----

interface Said {
  body: Record<string, unknown>;
  stream: Stream;
}

/**
 * One message over the connection, delivered `copies` times at once (WeCom redelivers when an
 * answer is late), with every check; `earlier` holds what was said before, for redeliveries.
 */
async function speak(who: Who, words: string, how: Shape, copies: number, earlier: Said[], again: number | undefined): Promise<void> {
  const previous = again === undefined || earlier.length === 0 ? undefined : earlier[again % earlier.length];
  const body = previous?.body ?? payload(`hostile-ws-${String(++lastId)}`, who, words, how);
  const message = asMessage(body);
  const { id: chat, type } = message.chat;
  const [person, group, tasks, before] = await Promise.all([
    bot.store.person('wecom', message.sender.id),
    type === 'group' ? bot.store.group('wecom', chat) : Promise.resolve(undefined),
    bot.store.tasks(),
    setup(),
  ]);
  const ledgerBefore = await ledgerLength(tasks);

  const reqIds = await Promise.all(Array.from({ length: copies }, () => server.deliver(BOT, body, { timeoutMs: PATIENCE_MS })));
  const streams = await Promise.all(reqIds.map(answerTo));
  const stream = streams[0]!;
  for (const other of streams) expect(other, 'the answers to copies of one message delivered at once').toEqual(stream);

  expect(stream.id, 'the stream of a message is named by its msgid').toBe(streamIdOf(message.messageId));
  // What the sender typed, now or earlier: an admin's 新建任务 may have named a task `undefined`,
  // and every reply listing that task says so, rightly.
  const sent = JSON.stringify(body);
  const input = [sent, message.text, normalizeText(message.text), ...tasks.map((t) => t.title)].join('\n');
  expectReadsAsReply(stream, input);

  if (previous) {
    // A redelivery: the first answer again, and nothing written twice.
    expect(stream, 'the answer to a redelivery').toEqual(previous.stream);
    expect(await ledgerLength(tasks), 'ledger entries written by a redelivery').toBe(ledgerBefore);
    expect(await setup()).toBe(before);
    return;
  }
  earlier.push({ body, stream });

  const admin = person?.roles.includes('admin') === true;
  if (!admin) expect(await setup(), `a non-admin changed the setup, saying: ${message.text.slice(0, 100)}`).toBe(before);
  const after = await ledgerLength(await bot.store.tasks());
  if (after === ledgerBefore) return;
  expect(after - ledgerBefore, 'ledger entries written by one message').toBe(1);
  const ledger = await bot.store.ledger((await bot.store.tasks()).map((t) => t.id));
  const written = ledger.filter((e) => e.source === sourceOf(message));
  expect(written).toHaveLength(1);
  const entry = written[0]!;
  expect(invalidEntry(entry, message, admin, group, tasks, ledger, county), `ledger entry from "${message.text.slice(0, 100)}": ${JSON.stringify(entry)}`).toBeUndefined();
}

/**
 * `runs` messages from `speakers`, one after another; now and then (1 in 10) one is delivered two
 * to four times at once, and (1 in 10) an earlier one is delivered again. Then: every delivery
 * answered once, one connection subscribed once, no error logged.
 */
async function property(speakers: fc.Arbitrary<Who>, runs: number): Promise<void> {
  const earlier: Said[] = [];
  const again = fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: fc.nat(), weight: 1 });
  const copies = fc.oneof({ arbitrary: fc.constant(1), weight: 9 }, { arbitrary: fc.integer({ min: 2, max: 4 }), weight: 1 });
  await fc.assert(
    fc.asyncProperty(speakers, said, shape, copies, again, async (who, words, how, times, redeliver) => {
      await speak(who, words, how, times, earlier, redeliver);
    }),
    // Shrinking would replay messages into a bot that remembers the first run: the first counterexample says more.
    { numRuns: runs, endOnFailure: true },
  );
  expect(earlier.length, 'messages said').toBeGreaterThan(runs / 2);
  expectOneAnswerEach();
  expect(server.subscribes(BOT), 'subscribes').toBe(1);
  expect(server.connections(), 'connections').toBe(1);
  expect(errorsLogged()).toEqual([]);
}

/**
 * `bursts` times, `size` messages from non-admins delivered at once, as a busy morning's groups
 * send them. Then each delivery answered once and sensibly, the setup as it was, and each ledger
 * entry valid and the only one of its message.
 */
async function together(speakers: fc.Arbitrary<Who>, bursts: number, size: number): Promise<void> {
  const batch = fc.array(fc.tuple(speakers, said, shape), { minLength: size, maxLength: size });
  await fc.assert(
    fc.asyncProperty(batch, async (spoken) => {
      const bodies = spoken.map(([who, words, how]) => payload(`hostile-ws-${String(++lastId)}`, who, words, how));
      const sent = bodies.map(asMessage);
      const tasks = await bot.store.tasks();
      const [before, ledgerBefore, groups] = await Promise.all([
        setup(),
        bot.store.ledger(tasks.map((t) => t.id)),
        Promise.all(sent.map((m) => (m.chat.type === 'group' ? bot.store.group('wecom', m.chat.id) : Promise.resolve(undefined)))),
      ]);

      const streams = await Promise.all(bodies.map(async (body) => answerTo(await server.deliver(BOT, body, { timeoutMs: PATIENCE_MS }))));

      const titles = tasks.map((t) => t.title);
      streams.forEach((stream, i) => {
        const message = sent[i]!;
        expect(stream.id, 'the stream of a message is named by its msgid').toBe(streamIdOf(message.messageId));
        expectReadsAsReply(stream, [JSON.stringify(bodies[i]), message.text, normalizeText(message.text), ...titles].join('\n'));
      });
      expect(await setup(), 'the setup after messages from non-admins').toBe(before);
      const ledger = await bot.store.ledger(tasks.map((t) => t.id));
      const known = new Set(ledgerBefore.map((e) => `${e.task}/${e.id}`));
      const written = ledger.filter((e) => !known.has(`${e.task}/${e.id}`));
      for (const entry of written) {
        const i = sent.findIndex((m) => sourceOf(m) === entry.source);
        expect(i, `a ledger entry from no message of the burst: ${JSON.stringify(entry)}`).toBeGreaterThanOrEqual(0);
        const message = sent[i]!;
        expect(written.filter((e) => e.source === entry.source), `ledger entries written by "${message.text.slice(0, 100)}"`).toHaveLength(1);
        expect(invalidEntry(entry, message, false, groups[i], tasks, ledger, county), `ledger entry from "${message.text.slice(0, 100)}": ${JSON.stringify(entry)}`).toBeUndefined();
      }
    }),
    { numRuns: bursts, endOnFailure: true },
  );
  expect(server.callbacks(BOT), 'deliveries').toHaveLength(bursts * size);
  expectOneAnswerEach();
  expect(server.subscribes(BOT), 'subscribes').toBe(1);
  expect(errorsLogged()).toEqual([]);
}

describe('random and hostile messages over the long connection', () => {
  it('are each answered once, sensibly, from township groups, and record only valid reports', async () => {
    await property(fc.constantFrom(...inTownshipGroups), 200);
  }, 120_000);

  it('are each answered once, sensibly, from unbound groups, the leaders\' group and single chats, and change nothing', async () => {
    await property(fc.constantFrom(...elsewhere), 100);
  }, 120_000);

  it('are each answered once, sensibly, for leaders, who change no task or binding', async () => {
    await property(fc.constantFrom(...leaders), 60);
  }, 120_000);

  it('are each answered once, sensibly, for admins, whose reports are as valid as anyone\'s', async () => {
    await property(fc.constantFrom(...admins), 100);
  }, 120_000);

  it('are each answered once, sensibly, for anyone in any chat', async () => {
    await property(anyone, 100);
  }, 120_000);

  it('are each answered once, sensibly, when twenty arrive at once from clerks, strangers and leaders, and record only valid reports', async () => {
    await together(fc.constantFrom(...inTownshipGroups, ...elsewhere, ...leaders), 20, 20);
  }, 120_000);
});

// ---- payloads ----

const REPORT = '@督办助手\u2005上报 T2 55%';
/** A clerk's report in 城关镇's group, which the bot would record: the base every broken body is made from. */
const report = (msgid: string): Record<string, unknown> => ({ msgid, aibotid: BOT, chatid: CHENGGUAN, chattype: 'group', from: { userid: 'lilianluo' }, msgtype: 'text', text: { content: REPORT } });
const without = (body: Record<string, unknown>, field: string): Record<string, unknown> => Object.fromEntries(Object.entries(body).filter(([key]) => key !== field));

/** JSON nested `depth` deep, written out by hand: JSON.stringify cannot write it (it recurses), JSON.parse reads it. */
const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepArray = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** What the bot does with a callback: nothing, the sentence that it reads text only, or the answer to a message. */
type Outcome = 'ignored' | 'text only' | 'answered';

interface Broken {
  what: string;
  /** An object goes as the fake's callback; a string is the body's JSON, written into the frame verbatim. */
  body: Record<string, unknown> | string;
  outcome: Outcome;
}

const TEN_KB = 10 * 1024;

/** `text` with `part` replaced by `by`; it must be there. */
function replaced(text: string, part: string, by: string): string {
  if (!text.includes(part)) throw new Error(`"${part}" is not in ${text}`);
  return text.replace(part, by);
}

/** Callback bodies that are not a message WeCom sends, each made from a fresh report so that a mistake would record it. */
function brokenBodies(): Broken[] {
  let n = 0;
  const base = () => report(`broken-${String(++n)}`);
  const mixed = (items: unknown): Record<string, unknown> => ({ ...without(base(), 'text'), msgtype: 'mixed', mixed: { msg_item: items } });
  const fromJson = (json: string): Record<string, unknown> => JSON.parse(json) as Record<string, unknown>;
  const msgid = () => `broken-${String(++n)}`;
  return [
    // Not a message at all.
    { what: 'an empty object', body: {}, outcome: 'ignored' },
    { what: 'null', body: 'null', outcome: 'ignored' },
    { what: 'an empty array', body: '[]', outcome: 'ignored' },
    { what: 'an array holding a report', body: JSON.stringify([base()]), outcome: 'ignored' },
    { what: 'a number', body: '42', outcome: 'ignored' },
    { what: 'true', body: 'true', outcome: 'ignored' },
    { what: 'a report as a JSON string', body: JSON.stringify(JSON.stringify(base())), outcome: 'ignored' },
    { what: 'objects nested 100,000 deep', body: deepObject(100_000), outcome: 'ignored' },
    { what: 'arrays nested 100,000 deep', body: deepArray(100_000), outcome: 'ignored' },
    { what: 'a report whose text is nested 100,000 deep', body: replaced(JSON.stringify(base()), `{"content":${JSON.stringify(REPORT)}}`, deepObject(100_000)), outcome: 'ignored' },
    // Missing what every message carries.
    { what: 'no msgid', body: without(base(), 'msgid'), outcome: 'ignored' },
    { what: 'no from', body: without(base(), 'from'), outcome: 'ignored' },
    { what: 'no msgtype', body: without(base(), 'msgtype'), outcome: 'ignored' },
    { what: 'msgtype text without text', body: without(base(), 'text'), outcome: 'ignored' },
    { what: 'a group message without its chatid', body: without(base(), 'chatid'), outcome: 'ignored' },
    // Wrong types: numbers where strings go, null, arrays, strings where objects go.
    { what: 'a numeric msgid', body: { ...base(), msgid: 12345 }, outcome: 'ignored' },
    { what: 'an empty msgid', body: { ...base(), msgid: '' }, outcome: 'ignored' },
    { what: 'a null msgid', body: { ...base(), msgid: null }, outcome: 'ignored' },
    { what: 'from as a string', body: { ...base(), from: 'lilianluo' }, outcome: 'ignored' },
    { what: 'from as an array', body: { ...base(), from: [{ userid: 'lilianluo' }] }, outcome: 'ignored' },
    { what: 'from null', body: { ...base(), from: null }, outcome: 'ignored' },
    { what: 'a numeric userid', body: { ...base(), from: { userid: 10001 } }, outcome: 'ignored' },
    { what: 'an empty userid', body: { ...base(), from: { userid: '' } }, outcome: 'ignored' },
    { what: 'a numeric msgtype', body: { ...base(), msgtype: 1 }, outcome: 'ignored' },
    { what: 'a null msgtype', body: { ...base(), msgtype: null }, outcome: 'ignored' },
    { what: 'msgtype as an array', body: { ...base(), msgtype: ['text'] }, outcome: 'ignored' },
    { what: 'text as a string', body: { ...base(), text: REPORT }, outcome: 'ignored' },
    { what: 'a numeric text.content', body: { ...base(), text: { content: 55 } }, outcome: 'ignored' },
    { what: 'a null text.content', body: { ...base(), text: { content: null } }, outcome: 'ignored' },
    { what: 'text.content as an array', body: { ...base(), text: { content: [REPORT] } }, outcome: 'ignored' },
    { what: 'a numeric chatid', body: { ...base(), chatid: 12345 }, outcome: 'ignored' },
    { what: 'an empty chatid', body: { ...base(), chatid: '' }, outcome: 'ignored' },
    { what: 'a null chatid', body: { ...base(), chatid: null }, outcome: 'ignored' },
    { what: 'a chattype WeCom does not have', body: { ...base(), chattype: 'channel' }, outcome: 'ignored' },
    { what: 'a numeric chattype', body: { ...base(), chattype: 2 }, outcome: 'ignored' },
    { what: 'a numeric aibotid', body: { ...base(), aibotid: 1 }, outcome: 'ignored' },
    { what: 'a numeric response_url', body: { ...base(), response_url: 1 }, outcome: 'ignored' },
    { what: 'msgid, from and msgtype only under __proto__', body: fromJson(`{"__proto__":${JSON.stringify(base())},"text":{"content":${JSON.stringify(REPORT)}}}`), outcome: 'ignored' },
    { what: 'a userid only under from.__proto__', body: fromJson(JSON.stringify({ ...base(), from: {} }).replace('"from":{}', '"from":{"__proto__":{"userid":"lilianluo"}}')), outcome: 'ignored' },
    // Text and picture, broken.
    { what: 'msg_item as an object', body: mixed({ msgtype: 'text', text: { content: REPORT } }), outcome: 'ignored' },
    { what: 'msg_item holding numbers, strings and null', body: mixed([1, REPORT, null]), outcome: 'ignored' },
    { what: 'a text item whose content is a number', body: mixed([{ msgtype: 'text', text: { content: 55 } }]), outcome: 'ignored' },
    { what: 'mixed without mixed', body: { ...without(base(), 'text'), msgtype: 'mixed' }, outcome: 'ignored' },
    // Kinds that are no message to answer over the long connection.
    { what: 'a stream refresh', body: { ...without(base(), 'text'), msgtype: 'stream', stream: { id: streamIdOf('broken-stream') } }, outcome: 'ignored' },
    { what: 'an enter_chat event in a message callback', body: { ...without(base(), 'text'), msgtype: 'event', event: { eventtype: 'enter_chat' } }, outcome: 'ignored' },
    { what: 'a disconnected_event in a message callback', body: { ...without(base(), 'text'), msgtype: 'event', event: { eventtype: 'disconnected_event' } }, outcome: 'ignored' },
    { what: 'an event that is a string', body: { ...without(base(), 'text'), msgtype: 'event', event: 'enter_chat' }, outcome: 'ignored' },
    // A msgtype the bot does not read: the sentence that it reads text only, even with a report in it.
    { what: 'an unknown msgtype without text', body: { ...without(base(), 'text'), msgtype: 'hologram' }, outcome: 'text only' },
    { what: 'an unknown msgtype carrying a report', body: { ...base(), msgtype: 'hologram' }, outcome: 'text only' },
    { what: 'msgtype TEXT in capitals', body: { ...base(), msgtype: 'TEXT' }, outcome: 'text only' },
    { what: 'an empty msgtype', body: { ...base(), msgtype: '' }, outcome: 'text only' },
    // WeCom's ids are tens of characters (src/adapters/wecom/schema.ts bounds them): one of 10 KB is no message of WeCom's.
    { what: 'a voice message with a 10 KB chatid', body: { ...without(base(), 'text'), chatid: 'x'.repeat(TEN_KB), msgtype: 'voice', voice: { content: REPORT } }, outcome: 'ignored' },
    // Still a message, though nothing like WeCom's: answered, and not recorded.
    { what: 'a report in a group whose chatid is 10 KB', body: { ...base(), chatid: `wrk${'群'.repeat(TEN_KB / 3)}` }, outcome: 'ignored' },
    { what: 'a report with a 10 KB userid in a single chat', body: { ...without(base(), 'chatid'), chattype: 'single', from: { userid: 'u'.repeat(TEN_KB) } }, outcome: 'ignored' },
    { what: 'a report in a single chat that names 城关镇\'s chatid', body: { ...base(), chattype: 'single' }, outcome: 'answered' },
    { what: 'a 10 KB msgid in a single chat', body: { ...without(base(), 'chatid'), chattype: 'single', msgid: `m${'i'.repeat(TEN_KB)}` }, outcome: 'ignored' },
    { what: 'a report in a single chat with fields WeCom never sends, null and nested 2,000 deep', body: { ...without(base(), 'chatid'), chattype: 'single', quote: null, create_time: 'yesterday', extra: JSON.parse(deepObject(2000)) as unknown }, outcome: 'answered' },
    { what: 'text and picture items mixed with hostile ones', body: { ...mixed([PICTURE, { msgtype: 'text' }, { msgtype: 'markdown', text: { content: REPORT } }, ...INJECTIONS.map((content) => ({ msgtype: 'text', text: { content } })), { msgtype: 'text', text: { content: '' } }]) }, outcome: 'answered' },
    { what: 'text and picture with 5,000 pictures and a 帮助', body: mixed([...Array.from({ length: 5000 }, () => PICTURE), { msgtype: 'text', text: { content: '帮助' } }]), outcome: 'answered' },
    { what: 'text and picture with no items', body: mixed([]), outcome: 'answered' },
    { what: 'a message whose msgid and text are markup', body: { ...base(), msgid: msgid() + '<@all>', chatid: UNBOUND, text: { content: '<@all> [点我](javascript:alert(1)) <font color="warning">红</font>' } }, outcome: 'answered' },
  ];
}

/** Keys a callback may change without recording anything: send budgets and the connection's lease. */
const BOOKKEEPING = /:(?:budget|lease):/;

describe('callbacks whose body is not a WeCom message', () => {
  it('are ignored, answered as a picture would be, or answered as a message, record nothing, and a report is recorded afterwards', async () => {
    // A message answered once; delivered again after each broken body, its answer says the bot read everything before it.
    const probe = { msgid: 'probe-help', aibotid: BOT, chattype: 'single', from: { userid: 'lilianluo' }, msgtype: 'text', text: { content: '帮助' } };
    const help = await answerTo(await server.deliver(BOT, probe));
    const reportsBefore = await reportsOfT2();

    for (const broken of brokenBodies()) {
      const before = await snapshot(bot.db.redis, bot.db.prefix);
      const tasks = await setup();
      let reqId: string;
      if (typeof broken.body === 'string') {
        reqId = `raw-${String(++lastId)}`;
        await server.sendRaw(BOT, `{"cmd":"aibot_msg_callback","headers":{"req_id":"${reqId}"},"body":${broken.body}}`);
      } else {
        reqId = await server.deliver(BOT, broken.body);
      }
      let allowed = (key: string): boolean => BOOKKEEPING.test(key);
      if (broken.outcome !== 'ignored') {
        const stream = await answerTo(reqId);
        const body = broken.body as Record<string, unknown>;
        expect(stream.id, broken.what).toBe(streamIdOf(String(body.msgid)));
        expectReadsAsReply(stream, JSON.stringify(body));
        if (broken.outcome === 'text only') expect(stream.content, broken.what).toContain(messages.textOnly);
        else expect(stream.content, broken.what).not.toContain(messages.textOnly);
        // An answered message keeps its answer for a redelivery, by its stream and by its source.
        if (broken.outcome === 'answered') {
          const kept = [`:callback-reply:wecom:${streamIdOf(String(body.msgid))}`, `:reply:wecom:${String(body.msgid)}`];
          allowed = (key) => BOOKKEEPING.test(key) || kept.some((end) => key.endsWith(end));
        }
      }
      expect(await answerTo(await server.deliver(BOT, probe)), `the bot after ${broken.what}`).toEqual(help);
      const changed = changes(before, await snapshot(bot.db.redis, bot.db.prefix)).filter((key) => !allowed(key));
      expect(changed, `what ${broken.what} changed`).toEqual([]);
      expect(await setup(), broken.what).toBe(tasks);
      expect(server.responds(reqId), `answers to ${broken.what}`).toHaveLength(broken.outcome === 'ignored' ? 0 : 1);
    }

    expect(await reportsOfT2(), 'reports recorded from broken bodies').toBe(reportsBefore);
    const last = await answerTo(await server.deliver(BOT, { ...report('after-broken'), text: { content: '@督办助手\u2005上报 T2 80%' } }));
    expect(last.content).toContain('80%');
    expect(await reportsOfT2()).toBe(reportsBefore + 1);
    expect(server.callbacks(BOT).filter((c) => c.redelivered), 'redeliveries: a connection was lost').toEqual([]);
    expect(server.subscribes(BOT)).toBe(1);
    expect(errorsLogged()).toEqual([]);
  }, 60_000);

  it('are random JSON or a stranger\'s message with a field replaced by random JSON, and each is ignored or answered once, sensibly, recording nothing', async () => {
    const probe = { msgid: 'probe-tasks', aibotid: BOT, chattype: 'single', from: { userid: 'lilianluo' }, msgtype: 'text', text: { content: '任务' } };
    const tasks = await answerTo(await server.deliver(BOT, probe));
    const stranger = (msgid: string): Record<string, unknown> => ({ ...report(msgid), chatid: UNBOUND, from: { userid: 'lurenbing' } });
    const FIELDS = ['msgid', 'aibotid', 'chatid', 'chattype', 'from', 'msgtype', 'text', 'response_url', 'mixed'] as const;
    const broken = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.tuple(fc.constantFrom(...FIELDS), fc.jsonValue()).map(([field, value]) => ({ ...stranger(`random-${String(++lastId)}`), [field]: value })),
    );
    const before = await snapshot(bot.db.redis, bot.db.prefix);
    const setupBefore = await setup();
    await fc.assert(
      fc.asyncProperty(broken, async (body) => {
        let reqId: string;
        if (typeof body === 'string') {
          reqId = `raw-${String(++lastId)}`;
          await server.sendRaw(BOT, `{"cmd":"aibot_msg_callback","headers":{"req_id":"${reqId}"},"body":${body}}`);
        } else {
          reqId = await server.deliver(BOT, body);
        }
        expect(await answerTo(await server.deliver(BOT, probe))).toEqual(tasks);
        const answers = server.responds(reqId);
        expect(answers.length, 'answers to one callback').toBeLessThanOrEqual(1);
        if (typeof body === 'string') expect(answers, 'answers to a body that is no message').toEqual([]);
        const answer = answers[0];
        if (answer === undefined) return;
        expect(answer.errcode).toBe(0);
        if (answer.body.msgtype !== 'stream') throw new Error(`expected a stream, got ${answer.body.msgtype}`);
        expectReadsAsReply(answer.body.stream, JSON.stringify(body));
      }),
      { numRuns: 120, endOnFailure: true },
    );
    const changed = changes(before, await snapshot(bot.db.redis, bot.db.prefix)).filter((key) => !/:(?:budget|lease|callback-reply|reply):/.test(key));
    expect(changed, 'what random bodies changed').toEqual([]);
    expect(await setup()).toBe(setupBefore);
    expect(server.subscribes(BOT)).toBe(1);
    expect(errorsLogged()).toEqual([]);
  }, 60_000);
});

// ---- frames ----

/** A message callback in a frame as WeCom writes it, for frames that break it. */
const callbackFrame = (reqId: string, body: unknown): Record<string, unknown> => ({ cmd: 'aibot_msg_callback', headers: { req_id: reqId }, body });

let probes = 0;
/** A normal report of T2 (a new percentage each time), answered and recorded: the bot goes on. */
async function stillAnswers(after: string): Promise<void> {
  const percent = 1 + (++probes % 99);
  const msgid = `frame-probe-${String(probes)}`;
  const reports = await reportsOfT2();
  await server.deliver(BOT, { ...report(msgid), text: { content: `@督办助手\u2005上报 T2 ${String(percent)}%` } }, { timeoutMs: PATIENCE_MS });
  const stream = await answerToMessage(msgid);
  expect(stream.content, `the answer to a report after ${after}`).toContain(`${String(percent)}%`);
  expect(await reportsOfT2(), `reports after ${after}`).toBe(reports + 1);
}

/** Writes each frame verbatim, then checks that the bot still answers a report on the same connection. */
async function survivesOnOneConnection(frames: ReadonlyArray<{ what: string; data: string | Buffer; binary?: boolean }>): Promise<void> {
  const reports = await reportsOfT2();
  for (const { what, data, binary } of frames) {
    await server.sendRaw(BOT, data, binary === undefined ? {} : { binary });
    await stillAnswers(what);
  }
  // Only the probes were recorded: nothing a broken frame carried.
  expect(await reportsOfT2()).toBe(reports + frames.length);
  expect(server.subscribes(BOT), 'subscribes').toBe(1);
  expect(server.connections(), 'connections').toBe(1);
  expect(server.closes, 'closed connections').toEqual([]);
  // An answer the bot sent on its own would be recorded against a req_id the fake never used.
  expect(server.responds().filter((r) => r.errcode !== 0), 'answers to frames that were no callback').toEqual([]);
  expectOneAnswerEach();
}

describe('a server that breaks the protocol', () => {
  it('sends frames that are not JSON, or JSON that is not a frame, and the bot ignores them on the same connection', async () => {
    const report55 = JSON.stringify(callbackFrame('not-json', report('not-json')));
    await survivesOnOneConnection([
      { what: 'plain words', data: 'not json' },
      { what: 'an empty text frame', data: '' },
      { what: 'whitespace', data: ' \n\t' },
      { what: 'a NUL', data: '\u0000' },
      { what: 'an opening brace', data: '{' },
      { what: 'a callback cut short', data: report55.slice(0, report55.length / 2) },
      { what: 'a callback behind a byte-order mark', data: `\uFEFF${report55}` },
      { what: 'two callbacks in one frame', data: report55 + report55 },
      { what: 'NaN', data: 'NaN' },
      { what: 'null', data: 'null' },
      { what: 'a number', data: '42' },
      { what: 'a string', data: '"aibot_msg_callback"' },
      { what: 'an array of callbacks', data: `[${report55}]` },
      { what: 'objects nested 100,000 deep', data: deepObject(100_000) },
      { what: 'arrays nested 100,000 deep', data: deepArray(100_000) },
    ]);
  });

  it('sends binary frames, and the bot goes on on the same connection', async () => {
    await survivesOnOneConnection([
      { what: 'random bytes', data: randomBytes(512) },
      { what: 'an empty binary frame', data: Buffer.alloc(0) },
      { what: 'bytes that are not UTF-8', data: Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]) },
      { what: 'a zip file\'s header', data: Buffer.from('504b0304140000000800', 'hex') },
    ]);
  });

  it('sends frames without headers.req_id or with an unknown cmd, and the bot ignores them on the same connection', async () => {
    const body = (msgid: string) => report(msgid);
    await survivesOnOneConnection([
      { what: 'a callback without headers', data: JSON.stringify({ cmd: 'aibot_msg_callback', body: body('no-headers') }) },
      { what: 'a callback with empty headers', data: JSON.stringify({ cmd: 'aibot_msg_callback', headers: {}, body: body('empty-headers') }) },
      { what: 'a callback with null headers', data: JSON.stringify({ cmd: 'aibot_msg_callback', headers: null, body: body('null-headers') }) },
      { what: 'a callback with headers as a string', data: JSON.stringify({ cmd: 'aibot_msg_callback', headers: 'req_id', body: body('string-headers') }) },
      { what: 'a callback with an empty req_id', data: JSON.stringify(callbackFrame('', body('empty-req-id'))) },
      { what: 'a callback with a numeric req_id', data: JSON.stringify({ cmd: 'aibot_msg_callback', headers: { req_id: 7 }, body: body('numeric-req-id') }) },
      { what: 'a callback with reqId for req_id', data: JSON.stringify({ cmd: 'aibot_msg_callback', headers: { reqId: 'camel' }, body: body('camel-req-id') }) },
      { what: 'a command nobody knows', data: JSON.stringify({ cmd: 'aibot_hologram', headers: { req_id: 'unknown-cmd' }, body: body('unknown-cmd') }) },
      { what: 'an empty cmd', data: JSON.stringify({ cmd: '', headers: { req_id: 'empty-cmd' }, body: body('empty-cmd') }) },
      { what: 'a numeric cmd', data: JSON.stringify({ cmd: 1, headers: { req_id: 'numeric-cmd' }, body: body('numeric-cmd') }) },
      { what: 'a callback cmd in capitals', data: JSON.stringify({ cmd: 'AIBOT_MSG_CALLBACK', headers: { req_id: 'capitals' }, body: body('capitals') }) },
      { what: 'a ping from the server', data: JSON.stringify({ cmd: 'ping', headers: { req_id: 'server-ping' } }) },
      { what: 'a subscribe from the server', data: JSON.stringify({ cmd: 'aibot_subscribe', headers: { req_id: 'server-subscribe' }, body: { bot_id: BOT, secret: 'not ours' } }) },
      { what: 'a reply from the server', data: JSON.stringify({ cmd: 'aibot_respond_msg', headers: { req_id: 'server-reply' }, body: { msgtype: 'stream', stream: { id: 'x', finish: true, content: '<@all>' } } }) },
    ]);
  });

  it('acks req_ids the bot never sent, twice or with nonsense, and the bot ignores the acks on the same connection', async () => {
    await stillAnswers('nothing yet');
    const earlier = server.callbacks(BOT).at(-1)?.reqId ?? '';
    expect(server.responds(earlier)).toHaveLength(1);
    await survivesOnOneConnection([
      { what: 'an ack for a req_id never sent', data: JSON.stringify({ headers: { req_id: 'never-sent' }, errcode: 0, errmsg: 'ok' }) },
      { what: 'a refusal for a req_id never sent', data: JSON.stringify({ headers: { req_id: 'never-sent-either' }, errcode: 40001, errmsg: 'invalid credential' }) },
      { what: 'an ack with a body for a req_id never sent', data: JSON.stringify({ headers: { req_id: 'upload-never-started' }, errcode: 0, errmsg: 'ok', body: { upload_id: 'x', media_id: 'y' } }) },
      { what: 'a second ack of an answer already acked', data: JSON.stringify({ headers: { req_id: earlier }, errcode: 0, errmsg: 'ok' }) },
      { what: 'a late refusal of an answer already acked', data: JSON.stringify({ headers: { req_id: earlier }, errcode: 45009, errmsg: 'api freq out of limit' }) },
      { what: 'an ack whose errcode is a string', data: JSON.stringify({ headers: { req_id: 'string-errcode' }, errcode: '0', errmsg: 'ok' }) },
      { what: 'an ack whose errcode is a fraction', data: JSON.stringify({ headers: { req_id: 'fraction-errcode' }, errcode: 0.5 }) },
      { what: 'an ack whose errmsg is an object', data: JSON.stringify({ headers: { req_id: 'object-errmsg' }, errcode: 0, errmsg: { text: 'ok' } }) },
    ]);
  });

  it('sends event callbacks that are not a kick, and the bot stays on its connection without answering them', async () => {
    const event = (eventtype: unknown) => ({ msgid: `event-${String(++lastId)}`, create_time: 1_790_000_000, aibotid: BOT, chatid: CHENGGUAN, chattype: 'group', from: { userid: 'lilianluo' }, msgtype: 'event', event: { eventtype } });
    const eventFrame = (reqId: string, body: unknown) => JSON.stringify({ cmd: 'aibot_event_callback', headers: { req_id: reqId }, body });
    await survivesOnOneConnection([
      { what: 'enter_chat', data: eventFrame('enter-chat', { ...event('enter_chat'), chattype: 'single', chatid: undefined }) },
      { what: 'a template card event', data: eventFrame('card', event('template_card_event')) },
      { what: 'a feedback event', data: eventFrame('feedback', event('feedback_event')) },
      { what: 'an event WeCom has not invented yet', data: eventFrame('future', event('hologram_event')) },
      { what: 'DISCONNECTED_EVENT in capitals', data: eventFrame('capitals', event('DISCONNECTED_EVENT')) },
      { what: 'a disconnected_event that is a string, not an object', data: eventFrame('string-event', { ...event('x'), event: 'disconnected_event' }) },
      { what: 'an eventtype that is a number', data: eventFrame('numeric-event', event(1)) },
      { what: 'an event callback whose body is a report', data: eventFrame('report-event', report('report-as-event')) },
      { what: 'an event callback without a body', data: JSON.stringify({ cmd: 'aibot_event_callback', headers: { req_id: 'no-body' } }) },
      { what: 'an event callback with a null body', data: eventFrame('null-body', null) },
    ]);
    expect(server.responds().map((r) => r.reqId).filter((reqId) => !reqId.startsWith('callback-')), 'answers to events').toEqual([]);
  });

  it('sends a frame over the 1 MiB the bot reads, and the bot closes with 1009, connects again, answers once the message that was in flight, and goes on', async () => {
    await stillAnswers('the start');
    const reports = await reportsOfT2();
    // A report whose text pads the frame to one byte over 1 MiB.
    const frame = (total: number): string => {
      const empty = JSON.stringify(callbackFrame('too-big', { ...report('too-big'), text: { content: '' } }));
      return JSON.stringify(callbackFrame('too-big', { ...report('too-big'), text: { content: 'x'.repeat(total - Buffer.byteLength(empty)) } }));
    };
    const tooBig = frame(1024 * 1024 + 1);
    expect(Buffer.byteLength(tooBig)).toBe(1024 * 1024 + 1);
    // A report on its way when the frame comes: answered before the socket closes, or delivered again to the next connection.
    await server.deliver(BOT, { ...report('in-flight'), text: { content: '@督办助手\u2005上报 T2 66%' } });
    await server.sendRaw(BOT, tooBig);
    await server.waitFor(() => server.closes.length === 1 && server.live(BOT) === 1, PATIENCE_MS);
    expect(server.closes.map((c) => c.code)).toEqual([1009]);
    expect((await answerToMessage('in-flight')).content).toContain('66%');
    const inFlight = server.callbacks(BOT).filter((c) => c.body.msgid === 'in-flight');
    expect(inFlight.flatMap((c) => server.responds(c.reqId)).filter((r) => r.errcode === 0), 'answers to the message in flight').toHaveLength(1);
    expect(await reportsOfT2()).toBe(reports + 1);
    await stillAnswers('a frame over 1 MiB');

    await server.sendRaw(BOT, randomBytes(1024 * 1024 + 1));
    await server.waitFor(() => server.closes.length === 2 && server.live(BOT) === 1, PATIENCE_MS);
    expect(server.closes.map((c) => c.code)).toEqual([1009, 1009]);
    await stillAnswers('a binary frame over 1 MiB');

    expect(server.subscribes(BOT)).toBe(3);
    expect(server.callbacks(BOT).filter((c) => c.body.msgid === 'too-big')).toEqual([]);
    expect(server.responds('too-big')).toEqual([]);
  });

  it('sends frames of exactly 1 MiB, and the bot reads them on the same connection: a report with a field WeCom never sends, and one whose text fills the frame', async () => {
    const reports = await reportsOfT2();
    const padded = (reqId: string, field: 'padding' | 'text'): Record<string, unknown> => {
      const head = field === 'text' ? `${REPORT} ` : '';
      const make = (fill: string) => ({ ...report(reqId), ...(field === 'text' ? { text: { content: head + fill } } : { padding: fill }) });
      const fill = 'x'.repeat(1024 * 1024 - Buffer.byteLength(JSON.stringify(callbackFrame(reqId, make('')))));
      const body = make(fill);
      expect(Buffer.byteLength(JSON.stringify(callbackFrame(reqId, body)))).toBe(1024 * 1024);
      return body;
    };
    expect((await answerTo(await server.deliver(BOT, padded('padding', 'padding'), { reqId: 'padding' }))).content).toContain('55%');
    expect(await reportsOfT2()).toBe(reports + 1);
    // The router reads no text past 4,000 characters: it says the message is too long, and records nothing.
    const tooLong = await answerTo(await server.deliver(BOT, padded('long-text', 'text'), { reqId: 'long-text' }));
    expectReadsAsReply(tooLong, REPORT);
    expect(tooLong.content).toContain('太长');
    expect(tooLong.content).not.toContain('x'.repeat(100));
    expect(await reportsOfT2()).toBe(reports + 1);
    expect(server.closes).toEqual([]);
    expect(server.subscribes(BOT)).toBe(1);
  });

  it('sends a text frame that is not UTF-8, and the bot closes with 1007, connects again and goes on', async () => {
    await stillAnswers('the start');
    const bytes = Buffer.concat([Buffer.from(JSON.stringify(callbackFrame('bad-utf8', report('bad-utf8'))).slice(0, -3)), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    await server.sendRaw(BOT, bytes, { binary: false });
    await server.waitFor(() => server.closes.length === 1 && server.live(BOT) === 1, PATIENCE_MS);
    expect(server.closes.map((c) => c.code)).toEqual([1007]);
    await stillAnswers('a text frame that is not UTF-8');
    expect(server.subscribes(BOT)).toBe(2);
  });
});
