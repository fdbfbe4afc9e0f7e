import { loadBoard } from '../src/core/board.js';
import { defineCommand, entryOrigin, fromParser, townshipToBind, unsignedHere } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { resolveTask } from '../src/core/resolve.js';
import { plain } from '../src/core/types.js';
import { beijingDate, beijingTime, instantMs } from '../src/domain/dates.js';
import type { Task } from '../src/domain/model.js';
import { parseTaskRef } from '../src/domain/parse/index.js';
import { assignedTo } from '../src/domain/targets.js';
import { deadlineDay, text } from '../src/messages/index.js';
import { signExample } from '../src/messages/sign-off.js';

const M = text.commands.signOff;

export default defineCommand({
  name: 'sign-off',
  words: ['签收'],
  ...M,
  who: 'all',
  where: 'township-group',
  // Only where the county uses 签收: elsewhere it would teach a step nobody asks for.
  disabled: (ctx) => (ctx.settings.signOff ? undefined : M.off),
  args: fromParser(parseTaskRef),
  async run(ctx, ref) {
    const township = ctx.township;
    if (!township) throw new UserError(text.groupNotBound(townshipToBind(ctx)));
    const board = await loadBoard(ctx);
    // Every refusal names the problem, the right form, and what this township has to sign.
    const owed = await unsignedHere(ctx.store, board.tasks, township.id);
    const wrong = (problem: string): UserError => new UserError(text.usage(M.usage, owed.slice(0, 1).map(signExample), problem));
    let task: Task;
    if (ref.kind === 'id') {
      const found = board.tasks.find((t) => t.id === ref.id);
      if (!found) throw wrong(M.unknown(ref.id, owed));
      task = found;
    } else {
      task = resolveTask(board.tasks, ref, township);
    }
    if (task.status === 'closed') throw wrong(M.closed(task, owed));
    if (!assignedTo(task, township.id)) throw wrong(M.notAssigned(task, township, owed));

    const origin = entryOrigin(ctx);
    const result = await ctx.store.sign({ task: task.id, township: township.id, ...origin });
    if (!result.ok && result.reason === 'not-announced') throw wrong(M.notAnnounced(task, township, owed));
    if (!result.ok) {
      const at = new Date(instantMs(result.signature.at));
      return plain(M.already(task, township, result.signature, beijingDate(at), beijingTime(at), ctx.today));
    }
    const cell = board.cell(task, township);
    return plain(M.signed(task, township, deadlineDay(cell.deadline, ctx.today, cell.extendedFrom)));
  },
});
