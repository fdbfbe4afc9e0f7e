import { z } from 'zod';
import { addDays, beijingInstant } from '../domain/dates.js';
import { deadlineOf, openRequests } from '../domain/extensions.js';
import { exampleTasks, oneOfEachKind } from '../domain/examples.js';
import type { EntryOrigin, Reporter, Role, Task, Township, WorkCalendar, Ymd, Group, Person } from '../domain/model.js';
import type { Parsed, Problem } from '../domain/problems.js';
import type { ScheduleSettings } from '../domain/schedule.js';
import { unsignedOf } from '../domain/sign-off.js';
import { requiredAmount } from '../domain/targets.js';
import { text, type ExampleSource } from '../messages/index.js';
import type { CountyStore } from '../store/county.js';
import type { CoverStore } from '../store/cover.js';
import type { LedgerStore } from '../store/ledger.js';
import type { RequestStore } from '../store/requests.js';
import { waitingReviews } from './reviews.js';
import type { ReviewStore } from '../store/reviews.js';
import type { SignOffStore } from '../store/sign-off.js';
import type { StandingsStore } from '../store/standings.js';
import { UserError } from './errors.js';
import type { Logger } from './logger.js';
import { sourceOf, type IncomingMessage, type OutgoingMessage } from './types.js';

import type { Posts } from './posts.js';
/** Who may run a command. Admins may do what leaders may. */
export type Who = 'all' | 'leader' | 'admin';
/**
 * Where it makes sense: a township's group (reports), any group (binding), a direct chat (a link
 * for one person), where only leaders read (the leaders' group or a direct chat: decisions on
 * requests), or anywhere.
 */
export type Where = 'anywhere' | 'group' | 'township-group' | 'direct' | 'leaders';

export interface Actor {
  id: string;
  name: string;
  person?: Person;
  roles: ReadonlySet<Role>;
}

/** What commands read and write: the county, its ledger, the requests to its leaders, the reviews of completions, where each township stands, its AB角 and leaves, and its 签收. */
export type CommandStore = CountyStore & LedgerStore & RequestStore & ReviewStore & StandingsStore & CoverStore & SignOffStore;

/** Everything a command may use; built once per message by the router. */
export interface CommandContext {
  message: IncomingMessage;
  now: Date;
  today: Ymd;
  store: CommandStore;
  calendar: WorkCalendar;
  log: Logger;
  actor: Actor;
  /** This chat's binding, if any. */
  group?: Group;
  /** The township this chat belongs to (its group's), if any. */
  township?: Township;
  /** The county's townships. */
  townships: readonly Township[];
  /** The county's tasks, as the message found them (read with the townships). */
  tasks: readonly Task[];
  /** Leaders and admins, and anyone in the leaders' group, see every township. */
  leaderView: boolean;
  /**
   * Only leaders read this chat: the leaders' group, or a leader's direct chat. The bottom-three
   * marks appear only here, never in a township group (docs/design.md §1: information, not shaming).
   */
  leadersOnly: boolean;
  /** The registered commands, for 帮助. */
  commands: readonly Command[];
  /** The county's settings (the setup file's `schedule:`): which steps of the 督办 cycle it uses. */
  settings: ScheduleSettings;
  /** The outbox, for posts into other groups (催办); absent where nothing can queue them. */
  posts?: Posts;
  /** A short-lived signed link to the dashboard for this person (看板); absent where no server runs. */
  dashboardLink?: DashboardLink;
}

export type DashboardLink = (person: Person, now: Date) => Promise<string>;


export interface CommandSpec<A> {
  /** kebab-case, unique. */
  name: string;
  /** The words that call it; the first is the one shown in help. */
  words: readonly string[];
  summary: string;
  /** What it does, as a verb phrase a refusal can say: 只有管理员可以「给任务销号」. */
  action: string;
  /** What it cannot run without, named when it is sent alone: 缺少「任务编号和进度」. */
  needs?: string;
  /** The right form, shown with a wrong input. */
  usage: string;
  /** One example, or examples made for the person who will read them (their own tasks). */
  example: Example;
  who: Who;
  where: Where;
  /** See `Command.listedIn`. */
  listedIn?: Exclude<Where, 'anywhere'>;
  /**
   * Parses the text after the command word; failures become the usage reply. A function of the
   * context when parsing needs it (dates like 12月底 need today).
   */
  args: z.ZodType<A, string> | ((ctx: CommandContext) => z.ZodType<A, string>);
  run(ctx: CommandContext, args: A): Promise<OutgoingMessage>;
  /** See `Command.suggest`. */
  suggest?: (ctx: CommandContext, said: string) => Promise<string | undefined>;
  /** See `Command.unavailable`. */
  unavailable?: (ctx: CommandContext) => string | undefined;
  /** See `Command.disabled`. */
  disabled?: (ctx: CommandContext) => string | undefined;
}

/** A command with its argument type sealed in, so all commands share one list type. */
export type Example = string | ((source: ExampleSource) => readonly string[]);

export interface Command {
  readonly name: string;
  readonly words: readonly string[];
  readonly summary: string;
  readonly action: string;
  readonly usage: string;
  readonly who: Who;
  readonly where: Where;
  /**
   * Where 帮助 lists it, when that is narrower than where it answers: 撤回 answers anywhere, to
   * say which township's group a report is taken back in, but works only in one.
   */
  readonly listedIn?: Exclude<Where, 'anywhere'>;
  /** Its examples for the person `source` was made for. */
  examples(source: ExampleSource): readonly string[];
  /**
   * Read a message sent without a command word as this command would (`T2 80%`): the message
   * with the word, when it would work for this person here.
   */
  readonly suggest?: (ctx: CommandContext, said: string) => Promise<string | undefined>;
  /** Why a command meant for anywhere has nothing to answer here (任务 outside any township), beside its `where`. */
  readonly unavailable?: (ctx: CommandContext) => string | undefined;
  /**
   * Why this county does not use the command (a setting of its cycle is off: 通过 without
   * 完成审核): it answers only that, and 帮助 leaves it out.
   */
  readonly disabled?: (ctx: CommandContext) => string | undefined;
  handle(ctx: CommandContext, rest: string): Promise<OutgoingMessage>;
}

export function defineCommand<A>(spec: CommandSpec<A>): Command {
  const { args, ...meta } = spec;
  const examples = (source: ExampleSource): readonly string[] => (typeof meta.example === 'string' ? [meta.example] : meta.example(source));
  return {
    name: meta.name,
    words: meta.words,
    summary: meta.summary,
    action: meta.action,
    usage: meta.usage,
    who: meta.who,
    where: meta.where,
    ...(meta.listedIn ? { listedIn: meta.listedIn } : {}),
    examples,
    ...(spec.suggest ? { suggest: spec.suggest } : {}),
    ...(spec.unavailable ? { unavailable: spec.unavailable } : {}),
    ...(spec.disabled ? { disabled: spec.disabled } : {}),
    async handle(ctx, rest) {
      const schema = typeof args === 'function' ? args(ctx) : args;
      const parsedArgs = schema.safeParse(rest);
      if (!parsedArgs.success) {
        // Sent alone, a command lacks what it needs; say what that is rather than that something is.
        const problem =
          rest.trim() === '' && meta.needs !== undefined
            ? text.missing(meta.needs)
            : (parsedArgs.error.issues[0]?.message ?? text.problem({ code: 'empty' }));
        throw new UserError(text.usage(meta.usage, examples(await examplesHere(ctx)), problem));
      }
      return spec.run(ctx, parsedArgs.data);
    },
  };
}

/** The usage reply for input that parsed but does not fit (a count given for a percent task), with examples that do. */
export function usageError(usage: string, examples: readonly string[], problem: Problem): UserError {
  return new UserError(text.usage(usage, examples, text.problem(problem)));
}

/**
 * What examples shown here are made of: the asker's tasks — in a township's group its own, in a
 * direct chat the person's township's, else the county's — so that each example works as shown.
 */
export async function examplesHere(ctx: CommandContext): Promise<ExampleSource> {
  const own = ctx.township?.id ?? ctx.actor.person?.township;
  const all = await ctx.store.tasks();
  const tasks = exampleTasks(all, own, ctx.today);
  const here = ctx.township;
  const closed = all.filter((t) => t.status === 'closed').sort((a, b) => ((a.closedOn ?? '') < (b.closedOn ?? '') ? 1 : -1))[0];
  // What the township has reported: an example above it records progress, not a correction.
  const ids = tasks.map((t) => t.id);
  const [progress, grants, requests] = await Promise.all([
    here && ids.length > 0 ? ctx.store.progress(ids) : new Map<string, never>(),
    here && ids.length > 0 ? ctx.store.grantedDeadlines(ids) : new Map<string, never>(),
    ctx.store.requests(),
  ]);
  // 签收: the township's oldest task announced and not signed, where the county uses 签收.
  const unsigned = here && ctx.settings.signOff ? await unsignedHere(ctx.store, all, here.id) : [];
  const owed = here ? tasks.map((task) => ({ task, required: requiredAmount(task.target, here), current: progress.get(task.id)?.get(here.id)?.amount ?? 0 })) : [];
  const reportable = oneOfEachKind(owed);
  const open = openRequests(requests);
  // 申请延期: a task not finished, asked before its deadline passes, with no request waiting;
  // one the 上报 examples do not finish, where there is one, so the examples work one after another.
  const extendables = here
    ? owed
        .filter(({ task, required, current }) => current < required && !open.some((r) => r.task === task.id && r.township === here.id))
        .map(({ task }) => ({ task, deadline: deadlineOf(task, here.id, grants).deadline }))
        .filter(({ deadline }) => deadline >= ctx.today)
    : [];
  const extendable = extendables.find(({ task }) => !reportable.some((r) => r.task.id === task.id)) ?? extendables[0];
  // 同意, 不同意: requests this person did not make, which they may decide.
  const sender = ctx.message.sender.id;
  const decidable = open.filter((r) => !(r.by.platform === ctx.message.chat.platform && r.by.user === sender)).map((r) => r.number);
  return {
    task: tasks[0],
    ...(closed ? { closed } : {}),
    reportable,
    ...(extendable ? { extendable: { task: extendable.task, to: addDays(extendable.deadline, EXAMPLE_EXTENSION_DAYS) } } : {}),
    openRequests: decidable,
    reviewable: ctx.leaderView ? (await waitingReviews(ctx.store, all, ctx.townships)).filter((w) => !sameAccount(w.review.by, ctx.message)).map((w) => ({ task: w.task.id, township: w.township.name })) : [],
    ...(unsigned[0] ? { unsigned: unsigned[0] } : {}),
    township: here?.name ?? townshipToBind(ctx),
    leadersGroup: ctx.group?.role === 'leaders',
    today: ctx.today,
  };
}

/** Whether `by` is who sent `message`. */
const sameAccount = (by: Reporter, message: IncomingMessage): boolean => by.platform === message.chat.platform && by.user === message.sender.id;

/** The open tasks announced to `township` and not signed yet, the oldest announcement first. */
export async function unsignedHere(store: Pick<SignOffStore, 'signOffs'>, tasks: readonly Task[], township: string): Promise<Task[]> {
  const open = tasks.filter((t) => t.status === 'open');
  const pending = unsignedOf(await store.signOffs(open.map((t) => t.id)), open).filter((s) => s.township === township);
  return pending.map((s) => open.find((t) => t.id === s.task)).filter((t): t is Task => t !== undefined);
}

/** How much later a 申请延期 example asks for than the township's deadline: two weeks. */
export const EXAMPLE_EXTENSION_DAYS = 14;

/** The township a 绑定 example names for this person: their own where the county says which, else the county's first. */
export const townshipToBind = (ctx: Pick<CommandContext, 'actor' | 'townships'>): string | undefined =>
  (ctx.townships.find((t) => t.id === ctx.actor.person?.township) ?? ctx.townships[0])?.name;

/** A zod schema over the argument text from one of the domain's parsers. */
export function fromParser<T>(parse: (input: string) => Parsed<T>): z.ZodType<T, string> {
  return z.string().transform((input, ctx) => {
    const result = parse(input);
    if (result.ok) return result.value;
    ctx.issues.push({ code: 'custom', message: text.problem(result.problem), input });
    return z.NEVER;
  });
}

/** Who is speaking, when, and in which message: what a ledger entry written by a command records. */
export function entryOrigin(ctx: CommandContext): EntryOrigin {
  const { message } = ctx;
  return { by: { platform: message.chat.platform, user: message.sender.id, name: ctx.actor.name }, at: beijingInstant(ctx.now), source: sourceOf(message) };
}

/** Arguments ignored: `撤回` or `帮助` with trailing words still work. */
export const noArgs: z.ZodType<string, string> = z.string();
