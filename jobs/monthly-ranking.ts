/**
 * 一月一通报 (09:00 on the first working day of a month, or the first day after it the bot runs): last month's ranking, snapshotted so
 * later reports do not change it, to every township group — the full list with its own line
 * pointed out and the rank changes, no bottom-three marks — and to every leaders' group, the same
 * with the bottom three marked and each township's 🔴 count, each with the ranking chart. Nothing
 * for a month without records.
 */
import { pastRanking } from '../src/core/board.js';
import { defineJob, type JobPost } from '../src/core/job.js';
import { rankingView } from '../src/core/views/ranking.js';
import type { OutgoingMessage } from '../src/core/types.js';
import { addDays, monthOf } from '../src/domain/dates.js';
import { dailyAt, firstWorkingDayOfMonth, RANKING_GRACE_MS, rankingMonthFor } from '../src/domain/schedule.js';
import { text } from '../src/messages/index.js';
import { chartImage } from '../src/render/chart.js';
import { audienceOf } from './audience.js';

/** How many days after the first working day the 通报 still goes out (RANKING_GRACE_MS in days). */
const RANKING_DAYS = RANKING_GRACE_MS / 86_400_000;

export default defineJob({
  name: 'monthly-ranking',
  cron: dailyAt,
  timezone: 'Asia/Shanghai',
  graceMs: RANKING_GRACE_MS,
  async run(ctx) {
    // From the month's first working day for a week: a county whose server was down on the day
    // still gets its 通报, once — the posts are keyed by the month, not the day.
    const first = firstWorkingDayOfMonth(monthOf(ctx.today), ctx.calendar);
    if (ctx.today < first || ctx.today > addDays(first, RANKING_DAYS)) return [];
    const month = rankingMonthFor(ctx.today);
    const part = `month-${month}`;
    // The stored snapshot when there is one; else computed from the ledger up to the month's end and stored.
    const ranking = await pastRanking(ctx, month);
    if (!ranking || ranking.rows.length === 0) return [];
    const audience = await audienceOf(ctx, await ctx.board(), { people: false });
    const title = text.jobs.monthlyTitle(month);
    // One picture for all township groups and one for the leaders: the outbox stores each once.
    const picture = audience.townshipGroups.length > 0 ? await chartImage(ranking, { title }) : {};
    // One message per township, shared by its groups: the outbox counts and stores it once.
    const messages = new Map<string, OutgoingMessage>();
    const messageFor = (township: string): OutgoingMessage => {
      let message = messages.get(township);
      if (!message) {
        message = { ...rankingView(ranking, { final: true, bottomMarks: ctx.settings.bottomMarksInTownshipGroups, overdueCounts: false, own: township, title }), ...picture };
        messages.set(township, message);
      }
      return message;
    };
    const posts: JobPost[] = audience.townshipGroups.map(({ group, township }) => ({ group, message: messageFor(township.id), part }));
    if (audience.leadersGroups.length > 0) {
      const leaders = { ...rankingView(ranking, { final: true, bottomMarks: true, overdueCounts: true, title }), ...(await chartImage(ranking, { title, counts: true })) };
      for (const group of audience.leadersGroups) posts.push({ group, message: leaders, part });
    }
    return posts;
  },
});
