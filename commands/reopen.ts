import { defineCommand, entryOrigin, fromParser } from '../src/core/command.js';
import { resolveTask } from '../src/core/resolve.js';
import { parseTaskRef } from '../src/domain/parse/index.js';
import { text } from '../src/messages/index.js';

/** 恢复: undoes a 销号 typed for the wrong task, or brings back a task the county has extended. */
export default defineCommand({
  name: 'reopen',
  words: ['恢复'],
  ...text.commands.reopen,
  who: 'admin',
  where: 'anywhere',
  args: fromParser(parseTaskRef),
  async run(ctx, ref) {
    const task = resolveTask(await ctx.store.tasks(), ref);
    const result = await ctx.store.recordTaskEvent({ task: task.id, kind: 'reopened', on: ctx.today, ...entryOrigin(ctx) });
    return { lines: [[result.ok ? text.commands.reopen.reopened(result.task, ctx.today) : text.commands.reopen.notClosed(task)]] };
  },
});
