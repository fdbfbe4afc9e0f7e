/**
 * 截止提醒 (09:00, working days): each township group gets ONE message listing its unfinished tasks
 * due in 5, 3, 1 or 0 working days (the county's ladder) — light, task, when, what is missing — and @-s the township's
 * people where the platform can. Nothing is posted to a group with nothing due.
 */
import { defineJob, type JobPost } from '../src/core/job.js';
import { dueItems, reminderLine, reportExampleFor, withMentions } from '../src/core/views.js';
import { dailyAt, REMINDER_GRACE_MS, remindersFor } from '../src/domain/schedule.js';
import { text } from '../src/messages.js';
import { audienceOf } from './audience.js';

export default defineJob({
  name: 'deadline-reminders',
  cron: dailyAt,
  timezone: 'Asia/Shanghai',
  graceMs: REMINDER_GRACE_MS,
  async run(ctx) {
    const board = await ctx.board();
    const audience = await audienceOf(ctx, board, { people: true });
    const posts: JobPost[] = [];
    for (const { group, township } of audience.townshipGroups) {
      const reminders = remindersFor(dueItems(board, township), ctx.today, ctx.calendar, ctx.settings.ladder);
      const first = reminders[0];
      if (!first) continue;
      posts.push({
        group,
        message: {
          title: text.jobs.reminderTitle(township.name, reminders.length),
          lines: [...reminders.map((r) => reminderLine(r, ctx.today)), text.jobs.reportHint(reportExampleFor(first.item.cell))],
          ...withMentions(audience.mentionsFor(group, township)),
        },
      });
    }
    return posts;
  },
});
