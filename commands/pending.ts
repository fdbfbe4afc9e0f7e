import { defineCommand, noArgs } from '../src/core/command.js';
import { waitingReviews } from '../src/core/reviews.js';
import { plain, type Line } from '../src/core/types.js';
import { beijingDay } from '../src/domain/dates.js';
import { openRequests, workdaysWaiting } from '../src/domain/extensions.js';
import { text } from '../src/messages/index.js';

const M = text.commands.pending;

export default defineCommand({
  name: 'pending',
  words: ['待办', '待批'],
  ...M,
  who: 'leader',
  where: 'leaders',
  args: noArgs,
  async run(ctx) {
    const [requests, tasks, townships] = await Promise.all([ctx.store.requests(), ctx.store.tasks(), ctx.store.townships()]);
    const open = openRequests(requests);
    const reviews = await waitingReviews(ctx.store, tasks, townships);
    if (open.length === 0 && reviews.length === 0) return plain(M.none);
    const waited = (at: string): number => workdaysWaiting(beijingDay(at), ctx.today, ctx.calendar);
    const lines = open.map((r): Line => {
      const township = townships.find((t) => t.id === r.township)?.name ?? r.township;
      return M.item(r, tasks.find((t) => t.id === r.task), township, waited(r.at), ctx.today);
    });
    lines.push(...reviews.map((w): Line => M.reviewItem(w.task, w.township.name, w.review.by.name, waited(w.review.at))));
    const [request] = open;
    const [review] = reviews;
    const hints: Line[] = [
      ...(request ? [[{ text: M.hint(request.number), tone: 'muted' as const }]] : []),
      ...(review ? [[{ text: M.reviewHint(review.task.id, review.township.name), tone: 'muted' as const }]] : []),
    ];
    return { title: M.title(open.length + reviews.length), lines: [...lines, ...hints] };
  },
});
