/**
 * 预警摘要 (09:00, working days): each leaders' group gets one screen — the county's 🔴 and 🟡
 * counts, what changed since the last working day, the townships most behind and the tasks
 * longest overdue, the requests (申请延期) unanswered for 2 working days, whose A is on leave and
 * who covers — and where to see the full list (`预警 全部`, 看板, 待办). Nothing when nothing is
 * overdue, behind or waiting.
 */
import { leadersDigest } from '../src/core/digest.js';
import { defineJob, type JobPost } from '../src/core/job.js';
import { dailyAt, REMINDER_GRACE_MS } from '../src/domain/schedule.js';
import { audienceOf } from './audience.js';

export default defineJob({
  name: 'leaders-digest',
  cron: dailyAt,
  timezone: 'Asia/Shanghai',
  graceMs: REMINDER_GRACE_MS,
  async run(ctx) {
    const board = await ctx.board();
    const digest = await leadersDigest(board, ctx);
    if (!digest) return [];
    const audience = await audienceOf(ctx, board, { people: false });
    return audience.leadersGroups.map((group): JobPost => ({ group, message: digest }));
  },
});
