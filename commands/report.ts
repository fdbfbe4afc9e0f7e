import { cellOf, rankOf } from '../src/core/board.js';
import { defineCommand, entryOrigin, fromParser, townshipToBind, usageError, type CommandContext } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { resolveTask } from '../src/core/resolve.js';
import { sourceOf, type Line } from '../src/core/types.js';
import { shownAmount, standingView } from '../src/core/views/cell.js';
import { showsEstimate, withCalendarNote } from '../src/core/views/estimate.js';
import { beijingInstant, beijingTime } from '../src/domain/dates.js';
import type { Task, Township } from '../src/domain/model.js';
import { amountFromValue, assignedTo, requiredAmount } from '../src/domain/targets.js';
import { parseReport, type ReportArgs } from '../src/domain/parse/index.js';
import { ReportClosedError, type CellFacts, type ReportInput, type ReportResult } from '../src/store/types.js';
import { text } from '../src/messages/index.js';

const meta = text.commands.report;

/** The task a report is for and the amount it records, or the UserError that says what is wrong with it. */
async function readReport(ctx: CommandContext, township: Township, args: ReportArgs): Promise<{ task: Task; amount: number }> {
  const task = resolveTask(ctx.tasks, args.task, township);
  if (task.status === 'closed') throw new UserError(meta.closed(task));
  if (!assignedTo(task, township.id)) throw new UserError(meta.notAssigned(task, township));
  const amount = amountFromValue(args.value, task.target, township, args.valueText);
  if (amount.ok) return { task, amount: amount.value };
  // A wrong value reads the cell: a closed one says so first, and progress gives the example its
  // starting point. A right one is checked by the report script, in its own round trip.
  const cell = await ctx.store.cell(task.id, township.id);
  if (closedByReview(cell)) throw new UserError(text.commands.review.closed(task, township.name));
  // The example fits this task's target (a count task is shown a count) and goes above what is reported.
  throw usageError(meta.usage, [text.reportExample(task, requiredAmount(task.target, township), cell.progress?.amount)], amount.problem);
}

/** 通过 closed this township's part of the task: what it reported stands. */
const closedByReview = ({ review, progress }: CellFacts): boolean => review?.state === 'approved' && progress?.entry === review.report;

/** The report recorded, or the UserError a cell closed by 通过 gets (record-report.lua checks it in the same step). */
async function record(ctx: CommandContext, task: Task, township: Township, input: ReportInput): Promise<ReportResult> {
  try {
    return await ctx.store.recordReport(input);
  } catch (error) {
    if (error instanceof ReportClosedError) throw new UserError(text.commands.review.closed(task, township.name));
    throw error;
  }
}

export default defineCommand({
  name: 'report',
  words: ['上报', '报'],
  ...meta,
  who: 'all',
  where: 'township-group',
  args: fromParser(parseReport),
  // `T2 80%` in a township's group is a report without its word, when it would be recorded as one.
  async suggest(ctx, said) {
    const args = parseReport(said);
    if (!ctx.township || !args.ok) return undefined;
    try {
      const { task } = await readReport(ctx, ctx.township, args.value);
      // Not suggested where 上报 would be refused: a cell closed by 通过.
      if (closedByReview(await ctx.store.cell(task.id, ctx.township.id))) return undefined;
    } catch (error) {
      if (error instanceof UserError) return undefined;
      throw error;
    }
    return meta.suggestion(said);
  },
  async run(ctx, args) {
    const township = ctx.township;
    if (!township) throw new UserError(text.groupNotBound(townshipToBind(ctx)));
    const { task, amount } = await readReport(ctx, township, args);

    const { message } = ctx;
    const result = await record(ctx, task, township, {
      task: task.id,
      township: township.id,
      amount,
      value: args.valueText,
      note: args.note,
      by: { platform: message.chat.platform, user: message.sender.id, name: ctx.actor.name },
      at: beijingInstant(ctx.now),
      source: sourceOf(message),
    });

    // 完成审核: a completion waits for a leader. Asked again for a redelivery or a repeat, so a
    // crash between the report and this leaves no completion unreviewed; the script does nothing twice.
    const submits = ctx.settings.review && result.after.amount >= requiredAmount(task.target, township);
    if (submits) await ctx.store.submitReview(result.entry, entryOrigin(ctx));

    // This cell alone, as the script left it (read again after a submission, which changes its
    // review), and this township's rank from the book the report patched: a county of 2,000
    // townships answers as fast as one of 15.
    const cell = cellOf(ctx, task, township, submits ? await ctx.store.cell(task.id, township.id) : result.cell);
    const rank = await rankOf(ctx, township.id, [result.written]);
    // A repeat is told as what it is: the earlier report stands, kept once.
    const correction = result.entry.kind === 'correction' && !result.repeated;
    const before = result.before;
    const headline: Line = [
      ...meta.reported(township, task, shownAmount(cell), correction),
      ...(correction && before ? [meta.previousWas(text.amount(task.target, before.amount, requiredAmount(task.target, township)))] : []),
    ];
    const { label, time } = text.standing(standingView(cell), ctx.today);
    const lines: Line[] = [headline, ...(result.repeated ? [[meta.alreadyRecorded(beijingTime(new Date(result.entry.at)))]] : []), [label, `，${time}`]];
    if (rank) lines.push([meta.rankLine(rank.rank, rank.of, rank.month)]);
    if (cell.review === 'pending') lines.push([text.commands.review.submitted]);
    return { lines: withCalendarNote(ctx, lines, showsEstimate([cell], ctx.today)) };
  },
});
