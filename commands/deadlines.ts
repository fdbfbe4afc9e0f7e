import { loadBoard, type Board } from '../src/core/board.js';
import { defineCommand, fromParser } from '../src/core/command.js';
import { resolveTask } from '../src/core/resolve.js';
import type { Line } from '../src/core/types.js';
import { standingView } from '../src/core/views/cell.js';
import { withCalendarNote } from '../src/core/views/estimate.js';
import { viewedTownship } from '../src/core/views/viewed-township.js';
import { isDone, standing } from '../src/domain/lights.js';
import type { Task, Township, WorkCalendar } from '../src/domain/model.js';
import { assignedTo } from '../src/domain/targets.js';
import { parseOptionalTaskRef } from '../src/domain/parse/index.js';
import { text, type StandingView } from '../src/messages/index.js';

const M = text.commands.deadlines;

interface Due {
  task: Task;
  state: 'overdue' | 'upcoming' | 'done';
  time: StandingView;
  line: Line;
}

/**
 * A task as 截止 shows it. A township sees its own light; the county sees the deadline alone, and
 * for a task past it how many townships have not done it: a task is the county's done once all have.
 */
function dueOf(board: Board, task: Task, township: Township | undefined, calendar: WorkCalendar): Due {
  if (township && assignedTo(task, township.id)) {
    const cell = board.cell(task, township);
    const time = standingView(cell);
    const state = isDone(cell.standing.light) ? 'done' : cell.standing.light === 'overdue' ? 'overdue' : 'upcoming';
    return { task, state, time, line: [text.light(cell.standing.light), ' ', ...text.taskTitle(task), `：${text.timeLeft(time, board.today)}`] };
  }
  const time = { ...standing({ task, completion: 0, today: board.today, calendar }), deadline: task.deadline };
  const towns = board.townshipsOf(task);
  const notDone = towns.filter((t) => !isDone(board.cell(task, t).standing.light)).length;
  const state = towns.length > 0 && notDone === 0 ? 'done' : time.overdueDays > 0 ? 'overdue' : 'upcoming';
  const behind = state === 'overdue' ? M.townshipsNotDone(notDone) : '';
  return { task, state, time, line: [...text.taskTitle(task), `：${text.timeLeft(time, board.today)}${behind}`] };
}

export default defineCommand({
  name: 'deadlines',
  words: ['截止', '截止时间', 'ddl'],
  ...M,
  who: 'all',
  where: 'anywhere',
  args: fromParser(parseOptionalTaskRef),
  async run(ctx, ref) {
    const board = await loadBoard(ctx);
    const township = viewedTownship(ctx, board);
    const title = M.title(township?.name ?? text.county);
    const estimateShown = (dues: readonly Due[]): boolean => dues.some((d) => d.state === 'upcoming' && text.showsEstimate(d.time, board.today));
    if (ref) {
      const one = dueOf(board, resolveTask(board.tasks, ref, township), township, ctx.calendar);
      return { title, lines: withCalendarNote(ctx, [one.line], estimateShown([one])) };
    }
    const tasks = township ? board.openTasksOf(township) : board.openTasks();
    if (tasks.length === 0) return { lines: [[text.noOpenTasks(township?.name ?? text.county)]] };
    // Overdue apart from what is still to come, each nearest deadline first (the board's order); done ones by id only.
    const dues = tasks.map((task) => dueOf(board, task, township, ctx.calendar));
    const overdue = dues.filter((d) => d.state === 'overdue');
    const upcoming = dues.filter((d) => d.state === 'upcoming');
    const done = dues.filter((d) => d.state === 'done');
    const lines: Line[] = [
      ...(overdue.length > 0 ? [[{ text: M.overdue(overdue.length), tone: 'bad' as const }], ...overdue.map((d) => d.line)] : []),
      ...(upcoming.length > 0 ? [[{ text: M.upcoming(upcoming.length), tone: 'strong' as const }], ...upcoming.map((d) => d.line)] : []),
      ...(done.length > 0 ? [[{ text: M.done(done.map((d) => d.task.id)), tone: 'muted' as const }]] : []),
    ];
    return { title, lines: withCalendarNote(ctx, lines, estimateShown(upcoming)) };
  },
});
