/** Every scheduled job, each a declaration in its own file (docs/design.md §4). */
import type { Job } from '../src/core/job.js';
import calendarGuard from './calendar-guard.js';
import leadersDigest from './leaders-digest.js';
import monthlyRanking from './monthly-ranking.js';
import reminders from './reminders.js';

/** In this order, the posts of one slot to one group are bundled into one message (the picture's first). */
export const jobs: readonly Job[] = [monthlyRanking, reminders, leadersDigest, calendarGuard];
