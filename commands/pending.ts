import { defineCommand, noArgs } from '../src/core/command.js';
import { waitingReviews } from '../src/core/reviews.js';
import { plain, type Line } from '../src/core/types.js';
import { beijingDay } from '../src/domain/dates.js';
import { openRequests, workdaysWaiting } from '../src/domain/extensions.js';
import { unsignedOf, workdaysUnsigned, type SignOff } from '../src/domain/sign-off.js';
import { text } from '../src/messages/index.js';

const M = text.commands.pending;
const S = text.commands.signing.pending;

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
    const nameOf = (id: string): string => townships.find((t) => t.id === id)?.name ?? id;
    // 签收: the open tasks some township has not signed, by task, in the order they were announced.
    const openTasks = tasks.filter((t) => t.status === 'open');
    const unsigned = ctx.settings.signOff ? unsignedOf(await ctx.store.signOffs(openTasks.map((t) => t.id)), openTasks) : [];
    const byTask = new Map<string, SignOff[]>();
    for (const s of unsigned) byTask.set(s.task, [...(byTask.get(s.task) ?? []), s]);
    if (open.length === 0 && reviews.length === 0 && byTask.size === 0) return plain(`${M.none}${ctx.settings.signOff ? S.none : ''}`);

    const waited = (at: string): number => workdaysWaiting(beijingDay(at), ctx.today, ctx.calendar);
    const asked = open.map((r): Line => M.item(r, tasks.find((t) => t.id === r.task), nameOf(r.township), waited(r.at), ctx.today));
    const reviewing = reviews.map((w): Line => M.reviewItem(w.task, w.township.name, w.review.by.name, waited(w.review.at)));
    const signing = [...byTask].flatMap(([id, waiting]): Line[] => {
      const task = openTasks.find((t) => t.id === id);
      if (!task) return [];
      return [S.item(task, waiting.map((s) => ({ name: nameOf(s.township), days: workdaysUnsigned(beijingDay(s.announced), ctx.today, ctx.calendar) })))];
    });
    const [request] = open;
    const [review] = reviews;
    return {
      title: M.title(open.length + reviews.length + byTask.size),
      lines: [
        ...asked,
        ...(request ? [[{ text: M.hint(request.number), tone: 'muted' as const }]] : []),
        ...reviewing,
        ...(review ? [[{ text: M.reviewHint(review.task.id, review.township.name), tone: 'muted' as const }]] : []),
        ...(signing.length > 0 ? [[{ text: S.heading(signing.length), tone: 'strong' as const }], ...signing] : []),
      ],
    };
  },
});
