/** Every scheduled job, each a declaration in its own file (DESIGN §4). */
import type { Job } from '../src/core/job.js';
import calendarGuard from './calendar-guard.js';
import deadlineReminders from './deadline-reminders.js';
import monthlyRanking from './monthly-ranking.js';
import overdueWarnings from './overdue-warnings.js';

export const jobs: readonly Job[] = [deadlineReminders, overdueWarnings, monthlyRanking, calendarGuard];
