import { defineCommand, entryOrigin, examplesHere, fromParser, type CommandContext } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { postKey, type Post } from '../src/core/posts.js';
import { plain, type OutgoingMessage } from '../src/core/types.js';
import { beijingDate, beijingTime, instantMs } from '../src/domain/dates.js';
import { openRequests, type ExtensionRequest } from '../src/domain/extensions.js';
import { parseDecision, type DecisionArgs } from '../src/domain/parse/index.js';
import { text } from '../src/messages/index.js';

const D = text.commands.decision;

function decided(request: ExtensionRequest, ctx: CommandContext): UserError {
  const at = new Date(instantMs(request.decision?.at ?? request.at));
  return new UserError(D.already(request, beijingDate(at), beijingTime(at), ctx.today));
}

/**
 * 同意 or 不同意 a request: only once, never on one's own, and the township's group is told. The
 * post is queued after the decision is written; a crash between leaves the township untold, but
 * its deadline (and every reply that shows it) already says what was decided.
 */
export async function decide(ctx: CommandContext, args: DecisionArgs, granted: boolean): Promise<OutgoingMessage> {
  const request = await ctx.store.request(args.number);
  if (!request) {
    // The form, with a request this person can answer, when one waits.
    const usage = granted ? text.commands.approve : text.commands.refuse;
    throw new UserError(text.usage(usage.usage, usage.example(await examplesHere(ctx)), D.unknown(args.number, openRequests(await ctx.store.requests()).map((r) => r.number))));
  }
  if (request.decision) throw decided(request, ctx);
  if (request.by.platform === ctx.message.chat.platform && request.by.user === ctx.message.sender.id) throw new UserError(D.own(request.number));

  const origin = entryOrigin(ctx);
  const result = await ctx.store.decideExtension(args.number, { granted, by: origin.by, at: origin.at, reason: args.reason }, origin.source);
  if (!result.ok) {
    if (result.reason === 'decided') throw decided(result.request, ctx);
    throw new UserError(D.unknown(args.number, []));
  }
  const [tasks, townships, groups] = await Promise.all([ctx.store.tasks(), ctx.store.townships(), ctx.store.groups()]);
  const task = tasks.find((t) => t.id === request.task);
  const township = townships.find((t) => t.id === request.township);
  // The task or township left the setup file since it asked: the decision stands in the ledger.
  if (!task || !township) return plain(D.recordedOnly(args.number));

  const decision = result.request;
  const message = granted ? D.grantedPost(decision, task, ctx.today) : D.refusedPost(decision, task, ctx.today);
  const theirs = groups.filter((g) => g.township === township.id);
  const posts = theirs.map((g): Post => ({ key: postKey.request(decision.number, 'decided', g), platform: g.platform, chat: g.chat, message }));
  if (ctx.posts && posts.length > 0) await ctx.posts.enqueue(posts);
  const told = ctx.posts !== undefined && posts.length > 0;
  return plain(granted ? D.granted(decision, task, township, ctx.today, told) : D.refused(decision, task, township, ctx.today, told));
}

export default defineCommand({
  name: 'approve',
  words: ['同意'],
  ...text.commands.approve,
  who: 'leader',
  where: 'leaders',
  args: fromParser((rest) => parseDecision(rest, false)),
  run: (ctx, args) => decide(ctx, args, true),
});
