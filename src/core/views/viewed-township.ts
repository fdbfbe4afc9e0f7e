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

/** The township a 绑定 example names for this person: their own where the county says which, else the county's first. */
export const townshipToBind = (ctx: Pick<CommandContext, 'actor' | 'townships'>): string | undefined =>
  (ctx.townships.find((t) => t.id === ctx.actor.person?.township) ?? ctx.townships[0])?.name;
