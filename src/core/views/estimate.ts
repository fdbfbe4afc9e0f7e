/**
 * The note on `（估）`: working days beyond the calendar's years are counted Monday to Friday, and a
 * reply or post that shows such a count says so once, at its foot.
 */
import type { Ymd } from '../../domain/model.js';
import { text } from '../../messages/index.js';
import type { Cell } from '../board.js';
import type { CommandContext } from '../command.js';
import type { Line, OutgoingMessage } from '../types.js';
import { standingView } from './cell.js';

/** Whether any of these cells' time left shows `（估）`. */
export const showsEstimate = (cells: readonly Cell[], today: Ymd): boolean => cells.some((c) => text.showsEstimate(standingView(c), today));

/** The note that explains `（估）`, for a post that shows one (chat replies use `withCalendarNote`). */
export const estimateNote = (lastCoveredYear: number): Line => [{ text: text.estimatedNote(lastCoveredYear + 1), tone: 'muted' }];

/** Adds the note on estimated working days, when a `（估）` is on screen. */
export function withCalendarNote(ctx: CommandContext, lines: Line[], estimateShown: boolean): OutgoingMessage['lines'] {
  return estimateShown ? [...lines, estimateNote(ctx.calendar.lastCoveredYear)] : lines;
}
