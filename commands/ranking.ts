import { currentRanking, loadBoard, pastRanking } from '../src/core/board.js';
import { defineCommand, fromParser } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { resolveTask } from '../src/core/resolve.js';
import { plain, type Line } from '../src/core/types.js';
import { shownAmount } from '../src/core/views/cell.js';
import { rankingView } from '../src/core/views/ranking.js';
import { viewedTownship } from '../src/core/views/viewed-township.js';
import { monthOf, previousMonth } from '../src/domain/dates.js';
import { sharedRanks } from '../src/domain/ranking.js';
import type { Parsed } from '../src/domain/problems.js';
import { parsed } from '../src/domain/problems.js';
import type { MonthRef, TaskRef } from '../src/domain/parse/index.js';
import { parseMonth, parseTaskRef } from '../src/domain/parse/index.js';
import { text } from '../src/messages/index.js';

const M = text.commands.ranking;
import { chartImage } from '../src/render/chart.js';

type RankingArgs = { kind: 'month'; month: MonthRef; chart: boolean } | { kind: 'task'; ref: TaskRef };

const CHART_WORDS = ['图', '图片', '图表'];

/** `排名`, `排名 上月`, `排名 10月`, `排名 图`, `排名 T3`. */
function parseRankingArgs(input: string, today: string): Parsed<RankingArgs> {
  const words = input.trim().split(' ').filter((w) => w !== '');
  const chart = words.some((w) => CHART_WORDS.includes(w));
  const rest = words.filter((w) => !CHART_WORDS.includes(w)).join(' ');
  const month = parseMonth(rest, today);
  if (month.ok) return parsed({ kind: 'month', month: month.value, chart });
  // `13月`, `下月`: a month that is not one, said as such rather than looked for as a task's title.
  if (/月$/.test(rest)) return month;
  const ref = parseTaskRef(rest);
  return ref.ok ? parsed({ kind: 'task', ref: ref.value }) : month;
}

export default defineCommand({
  name: 'ranking',
  words: ['排名', '排行', '排行榜'],
  ...M,
  who: 'all',
  where: 'anywhere',
  args: (ctx) => fromParser((input) => parseRankingArgs(input, ctx.today)),
  async run(ctx, args) {
    if (args.kind === 'task') {
      const board = await loadBoard(ctx);
      const task = resolveTask(board.tasks, args.ref, viewedTownship(ctx, board));
      const cells = board
        .townshipsOf(task)
        .map((t) => board.cell(task, t))
        .sort((a, b) => b.completion - a.completion || (a.progress?.at ?? '~').localeCompare(b.progress?.at ?? '~'));
      // Equal completion, equal place: who reported first only orders the list.
      const ranks = sharedRanks(cells, (a, b) => a.completion === b.completion);
      const lines = cells.map((c, i): Line => [`${String(ranks[i] ?? i + 1)}. `, text.light(c.standing.light), ` ${c.township.name}：${shownAmount(c)}`]);
      return { title: M.taskTitle(task), lines };
    }
    const thisMonth = monthOf(ctx.today);
    const month = args.month === 'current' ? thisMonth : args.month === 'previous' ? previousMonth(thisMonth) : args.month;
    if (month > thisMonth) throw new UserError(M.future(month));
    const ranking = month === thisMonth ? await currentRanking(ctx) : await pastRanking(ctx, month);
    if (!ranking) return plain(M.noRecords(month));
    if (ranking.rows.length === 0) return plain(text.rankingEmpty(month));
    // Each township's overdue count and the bottom-three marks are for leaders, in the text as in
    // the picture; a township group sees the ranking as its monthly 通报 shows it.
    const view = rankingView(ranking, { final: month !== thisMonth, bottomMarks: ctx.leadersOnly, overdueCounts: ctx.leadersOnly });
    // The text goes with the picture: it carries the rank changes and, for leaders, the marks.
    return args.chart ? { ...view, ...(await chartImage(ranking, { title: view.title ?? '', counts: ctx.leadersOnly })) } : view;
  },
});
