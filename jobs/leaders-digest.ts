/**
 * 预警摘要 (09:00, working days): each leaders' group gets one screen — the county's 🔴 and 🟡
 * counts, what changed since the last working day, the townships most behind and the tasks
 * longest overdue, whose A is on leave and who covers — and where to see the full list (`预警 全部`,
 * 看板). Nothing when nothing is overdue or behind.
 */
import { defineJob, type JobPost } from '../src/core/job.js';
import { warningDigest } from '../src/core/views/warnings.js';
import { coveringOn } from '../src/domain/cover.js';
import { dailyAt, lastWorkingDaySameTime, REMINDER_GRACE_MS } from '../src/domain/schedule.js';
import { audienceOf } from './audience.js';

export default defineJob({
  name: 'leaders-digest',
  cron: dailyAt,
  timezone: 'Asia/Shanghai',
  graceMs: REMINDER_GRACE_MS,
  async run(ctx) {
    const board = await ctx.board();
    const [people, leaves] = await Promise.all([ctx.store.people(), ctx.store.leaves()]);
    const digest = warningDigest(board, lastWorkingDaySameTime(ctx.now, ctx.calendar), ctx.now, coveringOn(people, board.townships, leaves, ctx.today));
    if (!digest) return [];
    const audience = await audienceOf(ctx, board, { people: false });
    return audience.leadersGroups.map((group): JobPost => ({ group, message: digest }));
  },
});
