import { z } from 'zod';
import { beijingInstant } from '../domain/dates.js';
import type { EntryOrigin, Role, Township, WorkCalendar, Ymd } from '../domain/model.js';
import type { Parsed, Problem } from '../domain/problems.js';
import { text } from '../messages.js';
import type { Group, Person, Store } from '../store/types.js';
import { UserError } from './errors.js';
import type { Logger } from './logger.js';
import { sourceOf, type IncomingMessage, type OutgoingMessage } from './types.js';
import type { Outbox } from '../outbox/index.js';

/** Who may run a command. Admins may do what leaders may. */
export type Who = 'all' | 'leader' | 'admin';
/** Where it makes sense: a township's group (reports), any group (binding), or anywhere. */
export type Where = 'anywhere' | 'group' | 'township-group';

export interface Actor {
  id: string;
  name: string;
  person?: Person;
  roles: ReadonlySet<Role>;
}

/** Everything a command may use; built once per message by the router. */
export interface CommandContext {
  message: IncomingMessage;
  now: Date;
  today: Ymd;
  store: Store;
  calendar: WorkCalendar;
  log: Logger;
  actor: Actor;
  /** This chat's binding, if any. */
  group?: Group;
  /** The township this chat belongs to (its group's), if any. */
  township?: Township;
  /** Leaders and admins, and anyone in the leaders' group, see every township. */
  leaderView: boolean;
  /**
   * Only leaders read this chat: the leaders' group, or a leader's direct chat. The bottom-three
   * marks appear only here, never in a township group (DESIGN §1: information, not shaming).
   */
  leadersOnly: boolean;
  /** The registered commands, for 帮助. */
  commands: readonly Command[];
  /** The outbox, for posts into other groups (催办); absent where nothing can queue them. */
  posts?: Posts;
  /** A short-lived signed link to the dashboard for this person (看板); absent where no server runs. */
  dashboardLink?: DashboardLink;
}

export type DashboardLink = (person: Person, now: Date) => Promise<string>;

/**
 * The outbox as commands see it: `enqueue` a post per group, keyed so the same key posts once,
 * and whether an instance is `delivering` them (`duban say` only queues).
 */
export type Posts = Pick<Outbox, 'enqueue' | 'delivering'>;

export interface CommandSpec<A> {
  /** kebab-case, unique. */
  name: string;
  /** The words that call it; the first is the one shown in help. */
  words: readonly string[];
  summary: string;
  /** The right form, shown with a wrong input. */
  usage: string;
  example: string;
  who: Who;
  where: Where;
  /**
   * Parses the text after the command word; failures become the usage reply. A function of the
   * context when parsing needs it (dates like 12月底 need today).
   */
  args: z.ZodType<A, string> | ((ctx: CommandContext) => z.ZodType<A, string>);
  run(ctx: CommandContext, args: A): Promise<OutgoingMessage>;
}

/** A command with its argument type sealed in, so all commands share one list type. */
export interface Command {
  readonly name: string;
  readonly words: readonly string[];
  readonly summary: string;
  readonly usage: string;
  readonly example: string;
  readonly who: Who;
  readonly where: Where;
  handle(ctx: CommandContext, rest: string): Promise<OutgoingMessage>;
}

export function defineCommand<A>(spec: CommandSpec<A>): Command {
  const { args, ...meta } = spec;
  return {
    name: meta.name,
    words: meta.words,
    summary: meta.summary,
    usage: meta.usage,
    example: meta.example,
    who: meta.who,
    where: meta.where,
    async handle(ctx, rest) {
      const schema = typeof args === 'function' ? args(ctx) : args;
      const parsedArgs = schema.safeParse(rest);
      if (!parsedArgs.success) {
        const first = parsedArgs.error.issues[0];
        throw new UserError(text.usage(meta, first?.message ?? text.problem({ code: 'empty' })));
      }
      return spec.run(ctx, parsedArgs.data);
    },
  };
}

/** The usage reply for input that parsed but does not fit (a count given for a percent task). */
export function usageError(meta: { usage: string; example: string }, problem: Problem): UserError {
  return new UserError(text.usage(meta, text.problem(problem)));
}

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
