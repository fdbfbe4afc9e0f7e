import { defineCommand, entryOrigin, fromParser } from '../src/core/command.js';
import { resolveTask } from '../src/core/resolve.js';
import { parseTaskRef } from '../src/domain/parse/index.js';
import { text } from '../src/messages/index.js';

export default defineCommand({
  name: 'close',
  words: ['销号'],
  ...text.commands.close,
  who: 'admin',
  where: 'anywhere',
  args: fromParser(parseTaskRef),
  async run(ctx, ref) {
    const task = resolveTask(await ctx.store.tasks(), ref);
    const result = await ctx.store.recordTaskEvent({ task: task.id, kind: 'closed', on: ctx.today, ...entryOrigin(ctx) });
    // Not changed: closed already, perhaps by another admin a moment ago.
    return { lines: [[result.ok ? text.commands.close.closed(task) : text.commands.close.alreadyClosed(task)]] };
  },
});
