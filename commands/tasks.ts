import { loadBoard } from '../src/core/board.js';
import { defineCommand, noArgs } from '../src/core/command.js';
import { noTaskList, taskList } from '../src/core/views/tasks.js';
import { text } from '../src/messages/index.js';

const WORD = '任务';

export default defineCommand({
  name: 'tasks',
  words: [WORD, '任务清单', '我的任务'],
  ...text.commands.tasks,
  who: 'all',
  where: 'anywhere',
  args: noArgs,
  unavailable: (ctx) => noTaskList(ctx, WORD),
  async run(ctx) {
    return taskList(ctx, await loadBoard(ctx), WORD);
  },
});
