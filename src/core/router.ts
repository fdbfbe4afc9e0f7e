/**
 * Turns an `IncomingMessage` into a reply: find the command word, find who is asking and where,
 * check the rights, run the command. Every outcome is a reply — a refusal, a usage hint or an
 * apology — never silence and never a stack trace.
 */
import { beijingDate } from '../domain/dates.js';
import { leadsOrAdministers, type Role, type WorkCalendar } from '../domain/model.js';
import { NOTE_MAX, normalizeText, splitCommand, stripMention } from '../domain/parse/index.js';
import { text } from '../messages/index.js';
import { isRedisAway, type DurableStore } from '../store/durable.js';
import type { HealthStore } from '../store/health.js';
import type { ReplyStore } from '../store/replies.js';
import { examplesHere, townshipToBind, type Actor, type Command, type CommandContext, type CommandStore, type DashboardLink } from './command.js';
import { orUnavailable, StoreUnavailableError, UserError } from './errors.js';
import type { Logger } from './logger.js';
import { noMetrics, type Metrics, type MessageOutcome } from './metrics.js';
import { plain, sourceOf, type IncomingMessage, type OutgoingMessage } from './types.js';
import type { Posts } from './posts.js';

export interface RouterDeps {
  /** What commands use, the replies kept for redeliveries, and whether Redis is up (an outage is not a bug). */
  store: CommandStore & ReplyStore & HealthStore & DurableStore;
  calendar: WorkCalendar;
  log: Logger;
  commands: readonly Command[];
  now?: () => Date;
  posts?: Posts;
  dashboardLink?: DashboardLink;
  /** Where messages, their answer times and the reports they record are counted; nowhere by default. */
  metrics?: Metrics;
}

/** How many messages a platform adapter takes in at once; past it, it turns them away (BusyError). */
export interface InboundBound {
  /** Messages routed at once (commands run against Redis). */
  handling: number;
  /** More messages taken in: waiting their turn, or having their reply sent. */
  waiting: number;
}

/**
 * Routing a message decodes county data and waits on about ten Redis round trips, which ioredis
 * pipelines across messages: fewer than 64 at once cut the inbound benchmark's throughput (16
 * and 32 turned away half and a quarter of its load, at the pace unbounded routing kept up with),
 * more only add memory while each waits longer. The total also caps the requests open to the
 * platform for replies (with the server's 480 connections, under 1,024 descriptors), and takes a
 * whole county reporting at once, a few hundred clerks. Each adapter turns the rest away as its
 * platform will deliver them again.
 */
export const INBOUND_BOUND: Readonly<InboundBound> = Object.freeze({ handling: 64, waiting: 256 });

const HELP_WORD = '帮助';
/**
 * How long a reply is kept for redeliveries: as long as the store's dedupe markers (a week).
 * Platforms retry within seconds to hours, and a message delivered again after its reply was
 * gone would run again — a 撤回 undoing the sender's next report, a 新建任务 making a second task.
 */
const REPLY_KEPT_SECONDS = 7 * 24 * 60 * 60;
/** A reply's picture (a chart) is large: kept an hour, the time platforms' quick retries take. */
const PICTURE_KEPT_SECONDS = 3600;
/**
 * The longest message read, in characters (after the mention and spaces are stripped). The longest
 * real command — a 新建任务 naming a large county's townships, a report with its 200-character
 * note — is a few hundred; a platform lets through 64 KB. Past this a message is answered without
 * being parsed, so what any message costs to read, and what a reply quotes of it, stays small.
 */
export const MESSAGE_MAX = 1000;
/**
 * The same before normalizing, in UTF-16 units: room for a mention, runs of spaces and characters
 * of two units around MESSAGE_MAX characters. Past it a message is refused before it is even
 * normalized, so a 64 KB body costs one length check.
 */
const RAW_MAX = 4 * MESSAGE_MAX;

/** A message's reply, and how it ended (for the counts). */
interface Answered {
  reply: OutgoingMessage;
  outcome: MessageOutcome;
}

/**
 * What the adapters call with each message: its reply, always (named apart from @koa/router's
 * `Router`, which routes HTTP) — unless the caller says, with `unless`, that another answer stands
 * for the message: then nothing, and nothing is run.
 */
export interface RouteMessage {
  (message: IncomingMessage, options: RouteOptions): Promise<OutgoingMessage | undefined>;
  (message: IncomingMessage): Promise<OutgoingMessage>;
}

export interface RouteOptions {
  /**
   * Settles true when the message is answered elsewhere (an adapter's own kept answer). Awaited
   * with the router's first reads, before any command runs: a lookup the caller starts just before
   * routing shares their round trip.
   */
  unless: Promise<boolean>;
}

/** Checks the command list once, at boot: a clash would make one command unreachable. */
export function checkCommands(commands: readonly Command[]): void {
  const seen = new Map<string, string>();
  for (const command of commands) {
    if (command.words.length === 0) throw new Error(`command ${command.name} has no words`);
    for (const word of [command.name, ...command.words]) {
      const owner = seen.get(word.toLowerCase());
      if (owner !== undefined && owner !== command.name) throw new Error(`"${word}" belongs to both ${owner} and ${command.name}`);
      seen.set(word.toLowerCase(), command.name);
    }
  }
}

export function createRouter(deps: RouterDeps): RouteMessage {
  checkCommands(deps.commands);
  const byWord = new Map<string, Command>();
  for (const command of deps.commands) for (const word of command.words) byWord.set(word.toLowerCase(), command);
  const words = [...byWord.keys()];
  const clock = deps.now ?? (() => new Date());
  const metrics = deps.metrics ?? noMetrics;
  // Commands see the store; a report it records (a new one, not a repeat) is counted here, so
  // commands know nothing of metrics.
  const store: RouterDeps['store'] = deps.metrics === undefined ? deps.store : {
    ...deps.store,
    async recordReport(input) {
      const result = await deps.store.recordReport(input);
      if (!result.repeated) metrics.reportRecorded(input.by.platform);
      return result;
    },
  };
  const routing = { ...deps, store };

  function route(message: IncomingMessage): Promise<OutgoingMessage>;
  function route(message: IncomingMessage, options: RouteOptions): Promise<OutgoingMessage | undefined>;
  async function route(message: IncomingMessage, options?: RouteOptions): Promise<OutgoingMessage | undefined> {
    // Awaited only past the first reads: a failure before them must not leave its rejection unheard.
    options?.unless.catch(() => undefined);
    const started = performance.now();
    // Anything thrown that is not an outage is a bug: counted with the apologies.
    let outcome: MessageOutcome | undefined = 'failed';
    try {
      const routed = await routeOne(message, options?.unless);
      // Answered elsewhere: the caller counts it.
      outcome = routed?.outcome;
      return routed?.reply;
    } catch (error) {
      if (error instanceof StoreUnavailableError) outcome = 'unavailable';
      throw error;
    } finally {
      if (outcome !== undefined) metrics.message(message.chat.platform, outcome, (performance.now() - started) / 1000);
    }
  }
  return route;

  async function routeOne(message: IncomingMessage, unless: Promise<boolean> | undefined): Promise<Answered | undefined> {
    const source = sourceOf(message);
    const log = deps.log.child({ platform: message.chat.platform, chat: message.chat.id, msgid: message.messageId });
    // Who and where are read while the kept reply is looked up, in the same round trip: most
    // messages are new. A kept reply leaves the reading unused (and its failure unheard).
    const context = contextFor(routing, message, clock(), log);
    context.catch(() => undefined);
    // A redelivered message gets the answer the first delivery got, even if the state has moved
    // on since (a 撤回 in between), and records nothing twice (the report script dedupes too).
    const [kept, elsewhere] = await Promise.all([orUnavailable(deps.store.reply(source)), unless ?? false]);
    if (elsewhere) return undefined;
    if (kept) {
      await orUnavailable(deps.store.keptOnReplica());
      return { reply: kept, outcome: 'duplicate' };
    }
    const answered = await answer(message, context, log);
    // The kept reply is sent, not waited for (a round trip of every message): it serves only a
    // redelivery, which comes after this answer, and it goes out in the same turn of the event
    // loop as the answer, ahead of anything this connection sends for a later message. Lost with
    // the connection, it leaves a redelivery to the report script, which records nothing twice
    // and says so. What the answer confirms, the report, was written before it.
    deps.store.saveReply(source, answered.reply, REPLY_KEPT_SECONDS, PICTURE_KEPT_SECONDS).catch((error: unknown) => { log.warn('reply not kept for a redelivery', { error }); });
    // Every write of this message (its report, its kept reply) goes over this one connection, so
    // one WAIT after the last covers them all: with replicas, nothing is confirmed that only the
    // master has (docs/design.md §7); otherwise 503, and the platform delivers it again.
    await orUnavailable(deps.store.keptOnReplica());
    return answered;
  }

  async function answer(message: IncomingMessage, context: Promise<CommandContext>, log: Logger): Promise<Answered> {
    const farTooLong = message.text.length > RAW_MAX;
    const said = farTooLong ? '' : stripMention(normalizeText(message.text));
    const tooLong = farTooLong || longerThan(said, MESSAGE_MAX);
    const split = tooLong ? undefined : splitCommand(message.text, words);
    // A bare @-mention is a call for help; anything else unknown gets pointed to 帮助.
    const command = split ? byWord.get(split.word.toLowerCase()) : said === '' ? byWord.get(HELP_WORD) : undefined;
    const rest = split?.rest ?? '';
    // Every answer that does not do what was asked says so in the log (debug): which commands
    // people get wrong, and what a test can tell apart from a reply that did its work.
    const refused = (reason: string, reply: OutgoingMessage, outcome: MessageOutcome = 'refused'): Answered => {
      log.debug('message refused', { command: command?.name, reason });
      return { reply, outcome };
    };
    try {
      const ctx = await context;
      if (tooLong) return refused('too long', text.messageTooLong(MESSAGE_MAX, NOTE_MAX, await examplesHere(ctx)));
      if (!command) return refused('no command word', await notUnderstood(ctx, said));
      const misplaced = refusal(command, ctx);
      if (misplaced !== undefined) return refused('who or where', plain(misplaced));
      return { reply: await command.handle(ctx, rest), outcome: 'replied' };
    } catch (error) {
      if (error instanceof UserError) return refused('user error', error.reply);
      // An outage is not this message's fault: let the caller answer 503 (the platform retries)
      // or exit non-zero, rather than apologise for a report that may not be recorded.
      // A failover shows as refusals from a Redis that answers PING (READONLY from a demoted
      // master, a replica that did not acknowledge): an outage all the same.
      if (error instanceof StoreUnavailableError) throw error;
      if (await isRedisAway(error, deps.store)) throw new StoreUnavailableError(error);
      log.error('command failed', { command: command?.name, error });
      return refused('failed', plain(text.apology), 'failed');
    }
  }

  /** A message without a command word: what it would be with one (`T2 80%` → 上报), or a pointer to 帮助. */
  async function notUnderstood(ctx: CommandContext, said: string): Promise<OutgoingMessage> {
    for (const command of deps.commands) {
      if (!command.suggest || refusal(command, ctx) !== undefined) continue;
      const suggestion = await command.suggest(ctx, said);
      if (suggestion !== undefined) return plain(suggestion);
    }
    return text.unknown(firstWord(said), await examplesHere(ctx));
  }
}

async function contextFor(deps: RouterDeps, message: IncomingMessage, now: Date, log: Logger): Promise<CommandContext> {
  const { store, calendar, commands } = deps;
  const { platform, id: chat, type } = message.chat;
  const [person, group, townships, tasks, settings] = await Promise.all([
    store.person(platform, message.sender.id),
    type === 'group' ? store.group(platform, chat) : Promise.resolve(undefined),
    store.townships(),
    store.tasks(),
    store.scheduleSettings(),
  ]);
  const roles = new Set<Role>(person?.roles ?? []);
  const actor: Actor = { id: message.sender.id, name: person?.name ?? message.sender.name ?? message.sender.id, person, roles };
  const township = group?.township === undefined ? undefined : townships.find((t) => t.id === group.township);
  const isLeader = leadsOrAdministers(roles);
  const leadersOnly = group?.role === 'leaders' || (type === 'direct' && isLeader);
  return { message, now, today: beijingDate(now), store, calendar, log, actor, group, township, townships, tasks, leaderView: isLeader || leadersOnly, leadersOnly, settings, commands, posts: deps.posts, dashboardLink: deps.dashboardLink };
}

/** Why this person may not run this command here, or undefined when they may. */
export function refusal(command: Command, ctx: CommandContext): string | undefined {
  return command.disabled?.(ctx) ?? forbidden(command, ctx) ?? misplaced(command, ctx);
}

/** Why this person may not run this command anywhere (their roles), or undefined when they may. */
export function forbidden(command: Command, ctx: CommandContext): string | undefined {
  const { roles } = ctx.actor;
  if (command.who === 'admin' && !roles.has('admin')) return text.adminOnly(command.action);
  if (command.who === 'leader' && !roles.has('leader') && !roles.has('admin')) return text.leaderOnly(command.action);
  return undefined;
}

/** Why this command does not work here, or undefined when it does. */
export function misplaced(command: Command, ctx: CommandContext): string | undefined {
  const word = command.words[0] ?? command.name;
  const inGroup = ctx.message.chat.type === 'group';
  switch (command.where) {
    case 'anywhere':
      return command.unavailable?.(ctx);
    case 'group':
      return inGroup ? undefined : text.groupOnly(word);
    case 'direct':
      return inGroup ? text.directOnly(word) : undefined;
    case 'leaders':
      return !inGroup || ctx.group?.role === 'leaders' ? undefined : text.leadersPlaceOnly(word);
    case 'township-group':
      if (!inGroup || ctx.group?.role === 'leaders') return text.townshipGroupOnly(word);
      return ctx.township ? undefined : text.groupNotBound(townshipToBind(ctx));
  }
}

/** Whether `s` has more than `max` characters (code points), reading no further than it must. */
function longerThan(s: string, max: number): boolean {
  // A character is one or two UTF-16 units, so 2·max + 2 units hold more than max of them.
  return s.length > max && Array.from(s.slice(0, 2 * max + 2)).length > max;
}

function firstWord(input: string): string {
  const word = input.split(' ')[0] ?? '';
  return word.length > 12 ? `${word.slice(0, 12)}…` : word;
}
