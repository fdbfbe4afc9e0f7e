/** Every chat command, in the order 帮助 lists them. Add a command: write its file, list it here. */
import type { BoardSource } from '../src/core/board.js';
import type { Command } from '../src/core/command.js';
import type { Refresher } from '../src/core/posts.js';
import approve from './approve.js';
import back from './back.js';
import bind from './bind.js';
import close from './close.js';
import cover from './cover.js';
import dashboard from './dashboard.js';
import deadlines from './deadlines.js';
import help from './help.js';
import leave from './leave.js';
import newTask from './new-task.js';
import nudge, { NUDGE, nudgeRefresher, type NudgeStore } from './nudge.js';
import progress from './progress.js';
import ranking from './ranking.js';
import passReview from './pass-review.js';
import pending from './pending.js';
import refuse from './refuse.js';
import reopen from './reopen.js';
import returnReview from './return-review.js';
import report from './report.js';
import requestExtension from './request-extension.js';
import signOff from './sign-off.js';
import tasks from './tasks.js';
import undo from './undo.js';
import warnings from './warnings.js';

export const commands: readonly Command[] = [help, tasks, report, progress, deadlines, ranking, undo, signOff, requestExtension, pending, approve, refuse, passReview, returnReview, nudge, warnings, dashboard, bind, newTask, close, reopen, leave, back, cover];

/** What makes the commands' posts anew as they go out (催办), by kind, for the outbox. */
export const refreshersFor = (deps: { store: NudgeStore; calendar: BoardSource['calendar'] }): Record<string, Refresher> => ({ [NUDGE]: nudgeRefresher(deps) });
