import { currentRanking, loadBoard } from '../src/core/board.js';
import { defineCommand, fromParser, usageError } from '../src/core/command.js';
import { resolveTask } from '../src/core/resolve.js';
import type { Line } from '../src/core/types.js';
import { shownAmount, withCalendarNote } from '../src/core/views.js';
import { beijingInstant } from '../src/domain/dates.js';
import { amountFromValue, assignedTo, requiredAmount } from '../src/domain/targets.js';
import { parseReport } from '../src/domain/text.js';
import { UserError } from '../src/core/errors.js';
import { sourceOf } from '../src/core/types.js';
import { text } from '../src/messages.js';

const meta = text.commands.report;

export default defineCommand({
  name: 'report',
  words: ['上报', '报'],
  ...meta,
  who: 'all',
  where: 'township-group',
  args: fromParser(parseReport),
  async run(ctx, { task: ref, value, valueText, note }) {
    const township = ctx.township;
    if (!township) throw new UserError(text.groupNotBound);
    const tasks = await ctx.store.tasks();
    const task = resolveTask(tasks, ref, township);
    if (task.status === 'closed') throw new UserError(text.taskClosed(task));
    if (!assignedTo(task, township.id)) throw new UserError(text.taskNotAssigned(task, township));
    const amount = amountFromValue(value, task.target, township, valueText);
    // The example fits this task's target: a count task is shown a count, not a percent.
    if (!amount.ok) throw usageError({ ...meta, example: text.reportExample(task, requiredAmount(task.target, township)) }, amount.problem);

    const { message } = ctx;
    const result = await ctx.store.recordReport({
      task: task.id,
      township: township.id,
      amount: amount.value,
      value: valueText,
      note,
      by: { platform: message.chat.platform, user: message.sender.id, name: ctx.actor.name },
      at: beijingInstant(ctx.now),
      source: sourceOf(message),
    });

    const board = await loadBoard(ctx);
    const cell = board.cell(task, township);
    const ranking = await currentRanking(ctx, board);
    const row = ranking.rows.find((r) => r.township === township.id);
    const correction = result.entry.kind === 'correction';
    const before = result.before;
    const headline: Line = [
      ...text.reported(township, task, shownAmount(cell), correction),
      ...(correction && before ? [text.previousWas(text.amount(task.target, before.amount, requiredAmount(task.target, township)))] : []),
    ];
    const lines: Line[] = [
      headline,
      [text.lightLabel(cell.standing.light), `，${text.timeLeft({ ...cell.standing, deadline: task.deadline }, ctx.today)}`],
    ];
    if (row) lines.push([text.rankLine(row.rank, ranking.rows.length, ranking.month)]);
    return { lines: withCalendarNote(ctx, lines, cell.standing.estimated) };
  },
});
