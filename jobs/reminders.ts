/**
 * 督办提醒 (09:00, working days): each township group gets at most ONE message a day (docs/design.md §1:
 * bundled, outcomes only) — its unfinished tasks due in 5, 3, 1 or 0 working days (the county's
 * ladder), and its overdue tasks on the first working day after their deadline and then every
 * `overdue_repeat_days` (a week by default), not every day — @-ing the township's people where
 * the platform can. Nothing is posted to a group with nothing to say.
 *
 * Where the county uses 签收, a task announced to the township and still unsigned a whole working
 * day later adds one line, once: that line is a post of its own keyed by the task (not the day), so
 * the scheduler bundles it into the township's message of the day and never posts it again.
 */
import type { Cell } from '../src/core/board.js';
import { defineJob, type JobPost } from '../src/core/job.js';
import { type Line, withMentions } from '../src/core/types.js';
import { dueEstimated, dueItems, dueLine, overdueLine, type DueItem } from '../src/core/views/due.js';
import { estimateNote } from '../src/core/views/estimate.js';
import { beijingDay } from '../src/domain/dates.js';
import type { Ymd } from '../src/domain/model.js';
import { signReminderDue, unsignedOf, workdaysUnsigned } from '../src/domain/sign-off.js';
import { dailyAt, overdueWarningDue, REMINDER_GRACE_MS, remindersFor, warningsFor, type Reminder } from '../src/domain/schedule.js';
import { text } from '../src/messages/index.js';
import { audienceOf } from './audience.js';

/** The key's part of a 签收 reminder: the task in place of the day, so it is posted once per task and group. */
export const signReminderPart = (task: string): string => `sign-off-${task}`;

/** A reminder's line: as `dueLine`, with `（估）` when the ladder's count was estimated. */
const reminderLine = (reminder: Reminder<DueItem>, today: Ymd): Line => dueLine(reminder.item, today, reminder.estimated);

/** `上报 T2 80%`, in the task's own unit, for the first task of a township's list. */
const reportExampleFor = (cell: Cell): string => text.reportExample(cell.task, cell.required, cell.progress?.amount);

export default defineJob({
  name: 'reminders',
  cron: dailyAt,
  timezone: 'Asia/Shanghai',
  graceMs: REMINDER_GRACE_MS,
  async run(ctx) {
    const board = await ctx.board();
    const audience = await audienceOf(ctx, board, { people: true });
    const posts: JobPost[] = [];
    const open = board.tasks.filter((t) => t.status === 'open');
    const unsigned = ctx.settings.signOff
      ? unsignedOf(await ctx.store.signOffs(open.map((t) => t.id)), open).filter((s) => signReminderDue(beijingDay(s.announced), ctx.today, ctx.calendar))
      : [];
    for (const { group, township } of audience.townshipGroups) {
      const items = dueItems(board, township);
      const soon = remindersFor(items, ctx.today, ctx.calendar, ctx.settings.ladder);
      const overdue = warningsFor(items).overdue.filter((item) => overdueWarningDue(item.deadline, ctx.today, ctx.calendar, ctx.settings.overdueRepeatDays));
      const first = soon[0]?.item ?? overdue[0];
      const mentions = withMentions(audience.mentionsFor(group, township));
      const signing = unsigned.flatMap((s): JobPost[] => {
        const task = open.find((t) => t.id === s.task);
        if (s.township !== township.id || !task) return [];
        const line = text.commands.signing.reminder(task, township.name, workdaysUnsigned(beijingDay(s.announced), ctx.today, ctx.calendar));
        return [{ group, part: signReminderPart(task.id), message: { lines: [line], ...mentions } }];
      });
      if (!first) {
        posts.push(...signing);
        continue;
      }
      const lines: Line[] = [
        ...(soon.length > 0 ? [[{ text: text.jobs.dueSoon(soon.length), tone: 'strong' as const }], ...soon.map((r) => reminderLine(r, ctx.today))] : []),
        ...(overdue.length > 0 ? [[{ text: text.jobs.overdueNow(overdue.length), tone: 'strong' as const }], ...overdue.map((item) => overdueLine(item, ctx.today))] : []),
        text.jobs.reportHint(reportExampleFor(first.cell), overdue.length > 0),
        ...(soon.some((r) => dueEstimated(r.item, ctx.today, r.estimated)) ? [estimateNote(ctx.calendar.lastCoveredYear)] : []),
      ];
      posts.push({ group, message: { title: text.jobs.reminderTitle(township.name, ctx.today), lines, ...mentions } }, ...signing);
    }
    return posts;
  },
});
