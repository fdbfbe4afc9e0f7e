import { loadBoard } from '../src/core/board.js';
import { defineCommand, fromParser } from '../src/core/command.js';
import { resolveTask } from '../src/core/resolve.js';
import type { Line } from '../src/core/types.js';
import { viewedTownship, withCalendarNote } from '../src/core/views.js';
import { standing } from '../src/domain/lights.js';
import { assignedTo } from '../src/domain/targets.js';
import { parseOptionalTaskRef } from '../src/domain/text.js';
import { text } from '../src/messages.js';

export default defineCommand({
  name: 'deadlines',
  words: ['截止', '截止时间', 'ddl'],
  ...text.commands.deadlines,
  who: 'all',
  where: 'anywhere',
  args: fromParser(parseOptionalTaskRef),
  async run(ctx, ref) {
    const board = await loadBoard(ctx);
    const township = viewedTownship(ctx, board);
    const tasks = ref ? [resolveTask(board.tasks, ref, township)] : township ? board.openTasksOf(township) : board.openTasks();
    if (tasks.length === 0) return { lines: [[text.noOpenTasks(township?.name ?? text.county)]] };
    let estimated = false;
    const lines = tasks.map((task): Line => {
      // A township sees its own light; the county view shows the deadline alone.
      const cell = township && assignedTo(task, township.id) ? board.cell(task, township) : undefined;
      const time = cell?.standing ?? standing({ task, completion: 0, today: board.today, calendar: ctx.calendar });
      estimated ||= time.estimated;
      const left = text.timeLeft({ ...time, deadline: task.deadline }, board.today);
      return [...(cell ? [text.light(cell.standing.light), ' '] : []), ...text.taskTitle(task), `：${left}`];
    });
    return { title: text.deadlinesTitle(township?.name ?? text.county), lines: withCalendarNote(ctx, lines, estimated) };
  },
});
