/**
 * 一月一通报 (09:00 on the first working day of a month): last month's ranking, snapshotted so
 * later reports do not change it, to every township group — the full list with its own line
 * pointed out and the rank changes, no bottom-three marks — and to every leaders' group, the same
 * with the bottom three marked and each township's 🔴 count. Nothing for a month without records.
 */
import { pastRanking } from '../src/core/board.js';
import { defineJob, type JobPost } from '../src/core/job.js';
import { rankingView } from '../src/core/views.js';
import { dailyAt, isFirstWorkingDayOfMonth, RANKING_GRACE_MS, rankingMonthFor } from '../src/domain/schedule.js';
import { text } from '../src/messages.js';
import { audienceOf } from './audience.js';

export default defineJob({
  name: 'monthly-ranking',
  cron: dailyAt,
  timezone: 'Asia/Shanghai',
  graceMs: RANKING_GRACE_MS,
  async run(ctx) {
    if (!isFirstWorkingDayOfMonth(ctx.today, ctx.calendar)) return [];
    const month = rankingMonthFor(ctx.today);
    // The stored snapshot when there is one; else computed from the ledger up to the month's end and stored.
    const ranking = await pastRanking(ctx, month);
    if (!ranking || ranking.rows.length === 0) return [];
    const audience = await audienceOf(ctx, await ctx.board(), { people: false });
    const title = text.jobs.monthlyTitle(month);
    const posts: JobPost[] = audience.townshipGroups.map(({ group, township }) => ({
      group,
      message: rankingView(ranking, { final: true, bottomMarks: ctx.settings.bottomMarksInTownshipGroups, overdueCounts: false, own: township.id, title }),
    }));
    const leaders = rankingView(ranking, { final: true, bottomMarks: true, overdueCounts: true, title });
    for (const group of audience.leadersGroups) posts.push({ group, message: leaders });
    return posts;
  },
});
