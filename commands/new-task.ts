import { defineCommand, fromParser } from '../src/core/command.js';
import { parseNewTask } from '../src/domain/text.js';
import { text } from '../src/messages.js';

export default defineCommand({
  name: 'new-task',
  words: ['新建任务', '新任务', '添加任务'],
  ...text.commands.newTask,
  who: 'admin',
  where: 'anywhere',
  args: (ctx) => fromParser((input) => parseNewTask(input, ctx.today)),
  async run(ctx, args) {
    // parseNewTask refuses a given start after the deadline; the default never is.
    const start = args.start ?? (ctx.today < args.deadline ? ctx.today : args.deadline);
    const task = await ctx.store.createTask({
      title: args.title,
      domain: args.domain ?? '综合',
      start,
      deadline: args.deadline,
      target: args.target,
      townships: 'all',
      weight: 1,
      status: 'open',
    });
    return text.taskCreated(task, ctx.today);
  },
});
