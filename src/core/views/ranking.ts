/**
 * A month's ranking, as the 排名 command and the monthly job (一月一通报) show it; a township's
 * change of rank, as the dashboard shows it. Sentences come from `src/messages/`; this file only arranges them.
 */
import { rankChange, type RankingRow, type RankingSnapshot } from '../../domain/ranking.js';
import { rankChangeWord, text } from '../../messages/index.js';
import type { Line, OutgoingMessage } from '../types.js';

export interface RankingViewOptions {
  /** A finished month: the title says no "as of". */
  final: boolean;
  /** The bottom-three marks and their note: only where only leaders read it (docs/design.md §1). */
  bottomMarks: boolean;
  /** Each township's 🔴 count. */
  overdueCounts: boolean;
  /** A township id whose line is pointed out: a township group's own. */
  own?: string;
  /** Replaces the title (the monthly 通报 has its own). */
  title?: string;
}

/** `↑2`, `↓1`, `—`, or `新` for a township not ranked last month. */
export function rankChangeText(row: RankingRow): string {
  return rankChangeWord(rankChange(row));
}

/** A month's ranking, one township a line. */
export function rankingView(ranking: RankingSnapshot, options: RankingViewOptions): OutgoingMessage {
  // In a county's first ranked month every township would read 新: say nothing instead.
  const compared = ranking.rows.some((r) => r.previousRank !== undefined);
  const lines = ranking.rows.map((row): Line => {
    const own = row.township === options.own;
    return [
      ...(own ? [text.jobs.ownMarker] : []),
      `${String(row.rank)}. `,
      own ? { text: row.name, tone: 'strong' } : row.name,
      ' ',
      { text: text.perMille(row.score), tone: 'strong' },
      ...(compared ? [` ${rankChangeText(row)}`] : []),
      ...(options.overdueCounts && row.overdue > 0 ? [` 🔴${String(row.overdue)}`] : []),
      ...(row.bottom && options.bottomMarks ? [' ', { text: text.bottomMark, tone: 'bad' as const }] : []),
    ];
  });
  const notes: Line[] = [[{ text: text.rankingRule, tone: 'muted' }]];
  // The note says the marks are for leaders only; a township group that the county chose to show
  // them in (its own line pointed out) is told nothing of the kind.
  if (options.bottomMarks && options.own === undefined && ranking.rows.some((r) => r.bottom)) notes.push([{ text: text.bottomNote, tone: 'muted' }]);
  return { title: options.title ?? text.rankingTitle(ranking.month, ranking.asOf, options.final), lines: [...lines, ...notes] };
}
