/**
 * 节假日安排提醒 (09:00, from 1 December): when next year's official holidays are missing from the
 * work calendar, tell the leaders' groups, @-ing the admins, what that means and how to fix
 * it — once a week until it is fixed: each post's `part` is `week-<Monday>`, which replaces the
 * day in its key, so every day of a week maps to one key and the outbox posts it once.
 */
import { defineJob, type JobPost } from '../src/core/job.js';
import { addDays, weekday } from '../src/domain/dates.js';
import { type Ymd, adminsOf } from '../src/domain/model.js';
import { calendarGuardDue, dailyAt, REMINDER_GRACE_MS } from '../src/domain/schedule.js';
import { text } from '../src/messages/index.js';
import { withMentions } from '../src/core/types.js';

/** The Monday of `day`'s ISO week (Monday to Sunday). */
export function weekStart(day: Ymd): Ymd {
  return addDays(day, -((weekday(day) + 6) % 7));
}

export default defineJob({
  name: 'calendar-guard',
  cron: dailyAt,
  timezone: 'Asia/Shanghai',
  graceMs: REMINDER_GRACE_MS,
  async run(ctx) {
    const covered = ctx.calendar.lastCoveredYear;
    if (!calendarGuardDue(ctx.today, covered)) return [];
    const message = text.jobs.calendarGuard(covered + 1);
    const part = `week-${weekStart(ctx.today)}`;
    const [groups, people] = await Promise.all([ctx.store.groups(), ctx.store.people()]);
    // The admins are the ones to fix it: @ them where the platform can.
    return groups
      .filter((g) => g.role === 'leaders')
      .map((group): JobPost => ({ group, message: { ...message, ...withMentions(adminsOf(people, group)) }, part }));
  },
});
