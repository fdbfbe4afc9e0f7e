import { defineCommand, fromParser } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { beijingInstant, instantMs } from '../src/domain/dates.js';
import { requiredAmount } from '../src/domain/targets.js';
import { parseOptionalTaskRef } from '../src/domain/text.js';
import { sourceOf } from '../src/core/types.js';
import { text } from '../src/messages.js';

/** DESIGN §3: a reporter may take back their own last report within 30 minutes. */
const UNDO_MINUTES = 30;

export default defineCommand({
  name: 'undo',
  words: ['撤回', '撤销'],
  ...text.commands.undo,
  who: 'all',
  where: 'anywhere',
  // `撤回 T2` names the report the person means; it must be their last one.
  args: fromParser(parseOptionalTaskRef),
  async run(ctx, ref) {
    const { message } = ctx;
    const last = await ctx.store.lastReport(message.chat.platform, message.sender.id);
    if (!last) throw new UserError(text.undoNothing);
    if (ref && ref.kind === 'id' && ref.id !== last.task) throw new UserError(text.undoNotLast(ref.id, last.task));
    if (ctx.now.getTime() - instantMs(last.at) > UNDO_MINUTES * 60_000) throw new UserError(text.undoTooLate(UNDO_MINUTES, last.task));
    const by = { platform: message.chat.platform, user: message.sender.id, name: ctx.actor.name };
    const result = await ctx.store.reverseReport(last, by, beijingInstant(ctx.now), sourceOf(message));
    if (!result.ok) throw new UserError(result.reason === 'superseded' ? text.undoSuperseded(last.task) : text.undoNothing);
    const [task, townships] = await Promise.all([ctx.store.task(last.task), ctx.store.townships()]);
    const township = townships.find((t) => t.id === last.township);
    const restored = result.restored && task && township ? text.amount(task.target, result.restored.amount, requiredAmount(task.target, township)) : undefined;
    return { lines: [[text.undone(last.task, township?.name ?? last.township, restored)]] };
  },
});
