import { defineCommand, noArgs } from '../src/core/command.js';
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
    if (open.length === 0) return plain(M.none);
    const lines = open.map((r): Line => {
      const township = townships.find((t) => t.id === r.township)?.name ?? r.township;
      return M.item(r, tasks.find((t) => t.id === r.task), township, workdaysWaiting(beijingDay(r.at), ctx.today, ctx.calendar), ctx.today);
    });
    const first = open[0];
    return { title: M.title(open.length), lines: [...lines, ...(first ? [[{ text: M.hint(first.number), tone: 'muted' as const }]] : [])] };
  },
});
