/** Every chat command, in the order 帮助 lists them. Add a command: write its file, list it here. */
import type { Command } from '../src/core/command.js';
import bind from './bind.js';
import close from './close.js';
import dashboard from './dashboard.js';
import deadlines from './deadlines.js';
import help from './help.js';
import newTask from './new-task.js';
import nudge from './nudge.js';
import progress from './progress.js';
import ranking from './ranking.js';
import reopen from './reopen.js';
import report from './report.js';
import tasks from './tasks.js';
import undo from './undo.js';

export const commands: readonly Command[] = [help, tasks, report, progress, deadlines, ranking, undo, nudge, dashboard, bind, newTask, close, reopen];
