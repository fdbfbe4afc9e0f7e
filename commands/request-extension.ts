import { loadBoard } from '../src/core/board.js';
import { defineCommand, entryOrigin, EXAMPLE_EXTENSION_DAYS, examplesHere, fromParser, townshipToBind, type CommandContext } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { postKey, type Post } from '../src/core/posts.js';
import { resolveTask } from '../src/core/resolve.js';
import { plain } from '../src/core/types.js';
import { addDays } from '../src/domain/dates.js';
import { requestProblem, type ExtensionRequest } from '../src/domain/extensions.js';
import { isDone } from '../src/domain/lights.js';
import type { Task, Township } from '../src/domain/model.js';
import { parseExtension } from '../src/domain/parse/index.js';
import { assignedTo } from '../src/domain/targets.js';
import { deadlineDay, text } from '../src/messages/index.js';
import { extensionExample } from '../src/messages/cycle.js';

const M = text.commands.requestExtension;

/**
 * The numbered request, into every leaders' group. Queued after the request is written: a crash
 * between leaves a request the leaders' group was not told of, which 待办 and the daily digest
 * still show. True when there was a group to tell and an outbox to tell it through.
 */
async function tellLeaders(ctx: CommandContext, request: ExtensionRequest, task: Task, township: Township): Promise<boolean> {
  const leaders = (await ctx.store.groups()).filter((g) => g.role === 'leaders');
  if (leaders.length === 0 || !ctx.posts) return false;
  const message = M.post(request, task, township, ctx.today);
  const posts = leaders.map((g): Post => ({ key: postKey.request(request.number, 'opened', g), platform: g.platform, chat: g.chat, message }));
  await ctx.posts.enqueue(posts);
  return true;
}

export default defineCommand({
  name: 'request-extension',
  words: ['申请延期', '延期申请'],
  ...M,
  who: 'all',
  where: 'township-group',
  args: (ctx) => fromParser((rest) => parseExtension(rest, ctx.today)),
  async run(ctx, args) {
    const township = ctx.township;
    if (!township) throw new UserError(text.groupNotBound(townshipToBind(ctx)));
    const board = await loadBoard(ctx);
    // A request this township cannot make is answered with the form and one it can: its own
    // unfinished task, for a date after its deadline.
    const refuse = async (problem: string): Promise<UserError> => new UserError(text.usage(M.usage, M.example(await examplesHere(ctx)), problem));
    const task = resolveTask(board.tasks, args.task, township);
    if (task.status === 'closed') throw await refuse(M.closed(task));
    if (!assignedTo(task, township.id)) throw await refuse(M.notAssigned(task, township));
    const cell = board.cell(task, township);
    if (isDone(cell.standing.light)) throw await refuse(M.alreadyDone(task, township));

    const problem = requestProblem({ deadline: cell.deadline, to: args.to, today: ctx.today, graceWorkdays: ctx.settings.extensionGraceDays, calendar: ctx.calendar });
    const deadline = deadlineDay(cell.deadline, ctx.today, cell.extendedFrom);
    if (problem?.code === 'window-closed') throw await refuse(M.windowClosed(task, deadline, problem.lastDay, ctx.today));
    if (problem?.code === 'not-later') {
      const example = extensionExample(task, addDays(cell.deadline, EXAMPLE_EXTENSION_DAYS), ctx.today);
      throw new UserError(text.usage(M.usage, [example], M.notLater(deadline)));
    }

    const origin = entryOrigin(ctx);
    const result = await ctx.store.openExtension({ task: task.id, township: township.id, from: cell.deadline, to: args.to, reason: args.reason, ...origin });
    if (!result.ok) throw new UserError(M.stillOpen(result.request, task, ctx.today));
    if (result.repeated) return plain(M.alreadySubmitted(result.request, task, ctx.today));
    const told = await tellLeaders(ctx, result.request, task, township);
    return plain(M.submitted(result.request, task, ctx.today, told));
  },
});
