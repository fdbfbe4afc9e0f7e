import { z } from 'zod';
import { defineCommand } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { findTownship } from '../src/core/resolve.js';
import { text } from '../src/messages/index.js';

const M = text.commands.bind;

const LEADERS_WORDS = ['领导群', '领导', '领导小组'];

export default defineCommand({
  name: 'bind',
  words: ['绑定'],
  ...M,
  who: 'admin',
  where: 'group',
  args: z.string().trim().min(1, { error: text.missing(M.needs) }),
  async run(ctx, name) {
    const { platform, id: chat } = ctx.message.chat;
    const kept = ctx.group ? { webhook: ctx.group.webhook, secret: ctx.group.secret, name: ctx.group.name } : {};
    if (LEADERS_WORDS.includes(name)) {
      if (ctx.group?.role === 'leaders') return { lines: [[M.alreadyLeaders]] };
      await ctx.store.saveGroup({ ...kept, platform, chat, role: 'leaders' });
      return { lines: [[M.boundLeaders]] };
    }
    const townships = await ctx.store.townships();
    const township = findTownship(townships, name);
    if (!township) throw new UserError(M.townshipUnknown(name, townships.map((t) => t.name)));
    if (ctx.group?.township === township.id) return { lines: [[M.alreadyBound(township.name)]] };
    await ctx.store.saveGroup({ ...kept, platform, chat, township: township.id });
    return { lines: [[M.boundTownship(township.name)]] };
  },
});
