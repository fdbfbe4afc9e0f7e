/**
 * 预警摘要 (09:00, working days): each leaders' group gets one screen — the county's 🔴 and 🟡
 * counts, what changed since the last working day, the townships most behind and the tasks
 * longest overdue, the requests (申请延期) unanswered for 2 working days — and where to see the
 * full list (`预警 全部`, 看板, 待办). Nothing when nothing is overdue, behind or waiting.
 */
import { defineJob, type JobPost } from '../src/core/job.js';
import { warningDigest, type Unanswered } from '../src/core/views/warnings.js';
import { beijingDay } from '../src/domain/dates.js';
import { openRequests, OVERDUE_DECISION_WORKDAYS, workdaysWaiting } from '../src/domain/extensions.js';
import { dailyAt, lastWorkingDaySameTime, REMINDER_GRACE_MS } from '../src/domain/schedule.js';
import { audienceOf } from './audience.js';

export default defineJob({
  name: 'leaders-digest',
  cron: dailyAt,
  timezone: 'Asia/Shanghai',
  graceMs: REMINDER_GRACE_MS,
  async run(ctx) {
    const board = await ctx.board();
    const waiting = openRequests(await ctx.store.requests())
      .map((request): Unanswered => ({
        request,
        township: board.townships.find((t) => t.id === request.township)?.name ?? request.township,
        waited: workdaysWaiting(beijingDay(request.at), ctx.today, ctx.calendar),
      }))
      .filter((w) => w.waited >= OVERDUE_DECISION_WORKDAYS);
    const digest = warningDigest(board, lastWorkingDaySameTime(ctx.now, ctx.calendar), ctx.now, waiting);
    if (!digest) return [];
    const audience = await audienceOf(ctx, board, { people: false });
    return audience.leadersGroups.map((group): JobPost => ({ group, message: digest }));
  },
});
