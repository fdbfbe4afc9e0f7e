/** Which township a chat message's reply is about. */
import type { Township } from '../../domain/model.js';
import type { Board } from '../board.js';
import type { CommandContext } from '../command.js';

/** The township whose view a message asks for: its group's, or the person's own. */
export function viewedTownship(ctx: CommandContext, board: Board): Township | undefined {
  if (ctx.township) return ctx.township;
  const own = ctx.actor.person?.township;
  return own === undefined ? undefined : board.townships.find((t) => t.id === own);
}
