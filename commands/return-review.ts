import { defineCommand, entryOrigin, fromParser } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { plain } from '../src/core/types.js';
import { parseReviewDecision } from '../src/domain/parse/index.js';
import { requiredAmount } from '../src/domain/targets.js';
import { text } from '../src/messages/index.js';
import { reviewOff, tellTownship, waitingFor } from './pass-review.js';

const R = text.commands.review;

export default defineCommand({
  name: 'return-review',
  words: ['退回'],
  ...text.commands.returnReview,
  who: 'leader',
  where: 'leaders',
  disabled: reviewOff,
  args: fromParser((rest) => parseReviewDecision(rest, true)),
  async run(ctx, args) {
    const { task, township, review } = await waitingFor(ctx, args);
    const { by, at, source } = entryOrigin(ctx);
    // 退回 undoes the completing report as 撤回 would, in the leader's name and with the reason:
    // the township is back at what it had reported before, and the report stays in the ledger.
    const result = await ctx.store.reverseReport({ task: task.id, township: township.id, entry: review.report, at: review.at }, by, at, source, { kind: 'returned', note: args.reason });
    if (!result.ok) throw new UserError(R.reportedSince(task, township.name));
    const restored = text.amount(task.target, result.restored?.amount, requiredAmount(task.target, township));
    const told = await tellTownship(ctx, township, review, R.returnedPost(task, ctx.actor.name, args.reason, restored));
    return plain(R.returned(task, township.name, restored, told));
  },
});
