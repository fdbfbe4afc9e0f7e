import { defineCommand, fromParser } from '../src/core/command.js';
import { resolveTask } from '../src/core/resolve.js';
import { parseTaskRef } from '../src/domain/text.js';
import { text } from '../src/messages.js';

export default defineCommand({
  name: 'close',
  words: ['销号'],
  ...text.commands.close,
  who: 'admin',
  where: 'anywhere',
  args: fromParser(parseTaskRef),
  async run(ctx, ref) {
    const task = resolveTask(await ctx.store.tasks(), ref);
    if (task.status === 'closed') return { lines: [[text.taskAlreadyClosed(task)]] };
    await ctx.store.saveTask({ ...task, status: 'closed', closedOn: ctx.today });
    return { lines: [[text.taskClosedNow(task)]] };
  },
});
