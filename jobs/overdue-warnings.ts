/**
 * 预警 (09:00, working days): each township group with 🔴 items (past the deadline, not done) gets
 * one message listing them, @-ing the township's people; each leaders' group gets one summary of
 * every township's 🔴 and 🟡 items. Nothing is posted where there is nothing to say.
 */
import type { Board } from '../src/core/board.js';
import { defineJob, type JobPost } from '../src/core/job.js';
import type { Line, OutgoingMessage } from '../src/core/types.js';
import { type DueItem, dueItems, dueLine, overdueLine, reportExampleFor, withMentions } from '../src/core/views.js';
import type { Township, Ymd } from '../src/domain/model.js';
import { dailyAt, REMINDER_GRACE_MS, type Warnings, warningsFor } from '../src/domain/schedule.js';
import { text } from '../src/messages.js';
import { audienceOf } from './audience.js';

interface TownshipWarnings extends Warnings<DueItem> {
  township: Township;
}

/** The leaders' summary: townships with most 🔴 (then 🟡) first, each with its 🔴 then 🟡 items. */
function summary(all: readonly TownshipWarnings[], today: Ymd): OutgoingMessage | undefined {
  const flagged = all
    .filter((w) => w.overdue.length + w.behind.length > 0)
    // Array.prototype.sort is stable: equal counts keep the board's (拼音) order.
    .sort((a, b) => b.overdue.length - a.overdue.length || b.behind.length - a.behind.length);
  if (flagged.length === 0) return undefined;
  const overdue = flagged.reduce((n, w) => n + w.overdue.length, 0);
  const behind = flagged.reduce((n, w) => n + w.behind.length, 0);
  const lines: Line[] = [text.jobs.warningHeader(flagged.length, overdue, behind)];
  for (const w of flagged) {
    lines.push(text.jobs.warningTownship(w.township.name, w.overdue.length, w.behind.length));
    for (const item of w.overdue) lines.push([text.jobs.indent, ...overdueLine(item, today)]);
    for (const item of w.behind) lines.push([text.jobs.indent, ...dueLine(item, today)]);
  }
  lines.push(text.jobs.warningLegend);
  return { title: text.jobs.warningTitle(today), lines };
}

function warningsOf(board: Board, townships: readonly Township[]): TownshipWarnings[] {
  return townships.map((township) => ({ township, ...warningsFor(dueItems(board, township)) }));
}

export default defineJob({
  name: 'overdue-warnings',
  cron: dailyAt,
  timezone: 'Asia/Shanghai',
  graceMs: REMINDER_GRACE_MS,
  async run(ctx) {
    const board = await ctx.board();
    const audience = await audienceOf(ctx, board, { people: true });
    const warnings = warningsOf(board, board.townships);
    const byTownship = new Map(warnings.map((w) => [w.township.id, w]));
    const posts: JobPost[] = [];

    for (const { group, township } of audience.townshipGroups) {
      const overdue = byTownship.get(township.id)?.overdue ?? [];
      const first = overdue[0];
      if (!first) continue;
      posts.push({
        group,
        message: {
          title: text.jobs.overdueTitle(township.name, overdue.length),
          lines: [...overdue.map((item) => overdueLine(item, ctx.today)), text.jobs.overdueHint(reportExampleFor(first.cell))],
          ...withMentions(audience.mentionsFor(group, township)),
        },
      });
    }

    const leaders = summary(warnings, ctx.today);
    if (leaders) for (const group of audience.leadersGroups) posts.push({ group, message: leaders });
    return posts;
  },
});
