import { loadBoard } from '../src/core/board.js';
import { defineCommand, noArgs } from '../src/core/command.js';
import { taskList } from '../src/core/views.js';
import { text } from '../src/messages.js';

export default defineCommand({
  name: 'tasks',
  words: ['任务', '任务清单', '我的任务'],
  ...text.commands.tasks,
  who: 'all',
  where: 'anywhere',
  args: noArgs,
  async run(ctx) {
    return taskList(ctx, await loadBoard(ctx), '任务');
  },
});
