import { LINK_TTL_MS } from '../src/core/access.js';
import { defineCommand, noArgs } from '../src/core/command.js';
import { plain } from '../src/core/types.js';
import { text } from '../src/messages/index.js';

const M = text.commands.dashboard;

/**
 * 看板: a signed link to the dashboard, for leaders and admins. Only in a direct chat: a link in a
 * group could be opened by everyone in it, as this leader, until it expires.
 */
export default defineCommand({
  name: 'dashboard',
  words: ['看板', '挂图作战', '作战图'],
  ...M,
  who: 'leader',
  where: 'direct',
  args: noArgs,
  async run(ctx) {
    const { person } = ctx.actor;
    if (!ctx.dashboardLink || !person) return plain(M.off);
    return M.link(await ctx.dashboardLink(person, ctx.now), LINK_TTL_MS / 60_000);
  },
});
