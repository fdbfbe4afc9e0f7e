import { defineCommand, entryOrigin, fromParser, type CommandContext } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { postKey, type Post } from '../src/core/posts.js';
import { findTownship, resolveTask } from '../src/core/resolve.js';
import { waitingReviews } from '../src/core/reviews.js';
import { plain, type OutgoingMessage } from '../src/core/types.js';
import { beijingDate, beijingTime, instantMs } from '../src/domain/dates.js';
import type { Group, Task, Township } from '../src/domain/model.js';
import { parseReviewDecision, type ReviewArgs } from '../src/domain/parse/index.js';
import type { ReviewRecord } from '../src/domain/review.js';
import { text } from '../src/messages/index.js';

const R = text.commands.review;

/** 通过 and 退回 answer only in a county that reviews completions (`schedule.review`). */
export const reviewOff = (ctx: CommandContext): string | undefined => (ctx.settings.review ? undefined : R.off);

/**
 * The completion 通过 or 退回 names, still waiting: found in the store, or the UserError that says
 * why not — an unknown township, one passed already (by whom, when), nothing waiting (and what
 * does), or one's own report.
 */
export async function waitingFor(ctx: CommandContext, args: ReviewArgs): Promise<{ task: Task; township: Township; review: ReviewRecord }> {
  const tasks = await ctx.store.tasks();
  const task = resolveTask(tasks, args.task);
  const township = findTownship(ctx.townships, args.township);
  if (!township) throw new UserError(R.unknownTownship(args.township, ctx.townships.map((t) => t.name)));
  const [reviews, progress] = await Promise.all([ctx.store.reviews([task.id]), ctx.store.progress([task.id])]);
  const review = reviews.get(task.id)?.get(township.id);
  const standing = progress.get(task.id)?.get(township.id);
  if (review?.state === 'approved' && standing?.entry === review.report) {
    const at = new Date(instantMs(review.at));
    throw new UserError(R.alreadyPassed(task, township.name, review.by.name, beijingDate(at), beijingTime(at), ctx.today));
  }
  if (review?.state !== 'pending' || standing?.entry !== review.report) {
    const waiting = (await waitingReviews(ctx.store, tasks, ctx.townships)).map((w) => `${w.task.id} ${w.township.name}`);
    throw new UserError(R.notWaiting(task, township.name, waiting));
  }
  if (review.by.platform === ctx.message.chat.platform && review.by.user === ctx.message.sender.id) throw new UserError(R.own(task, township.name));
  return { task, township, review };
}

/** Posts `message` into the township's groups, keyed by the report reviewed; whether any group was there to tell. */
export async function tellTownship(ctx: CommandContext, township: Township, review: ReviewRecord, message: OutgoingMessage): Promise<boolean> {
  const theirs = (await ctx.store.groups()).filter((g: Group) => g.township === township.id);
  const posts = theirs.map((g): Post => ({ key: postKey.review(review.report, g), platform: g.platform, chat: g.chat, message }));
  if (!ctx.posts || posts.length === 0) return false;
  await ctx.posts.enqueue(posts);
  return true;
}

export default defineCommand({
  name: 'pass-review',
  words: ['通过', '审核通过'],
  ...text.commands.passReview,
  who: 'leader',
  where: 'leaders',
  disabled: reviewOff,
  args: fromParser((rest) => parseReviewDecision(rest, false)),
  async run(ctx, args) {
    const { task, township, review } = await waitingFor(ctx, args);
    const result = await ctx.store.approveReview(task.id, township.id, review, entryOrigin(ctx));
    if (!result.ok) {
      // Passed, undone or reported again between the read and the write: say how it stands now.
      await waitingFor(ctx, args);
      throw new UserError(R.reportedSince(task, township.name));
    }
    const told = await tellTownship(ctx, township, review, R.passedPost(task, ctx.actor.name));
    return plain(R.passed(task, township.name, told));
  },
});
