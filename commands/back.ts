/** 销假: the A on leave is back before its last day; the township's posts @ the A again, and its groups are told. */
import { defineCommand, entryOrigin, noArgs } from '../src/core/command.js';
import { postKey, type Post } from '../src/core/posts.js';
import { onLeave } from '../src/domain/cover.js';
import { cover } from '../src/messages/index.js';
import { notTheA, theA } from './leave.js';

const M = cover.back;

export default defineCommand({
  name: 'back',
  words: ['销假'],
  ...M,
  who: 'all',
  where: 'anywhere',
  unavailable: notTheA,
  args: noArgs,
  async run(ctx) {
    const { person, township } = theA(ctx);
    const [people, leave] = await Promise.all([ctx.store.people(), ctx.store.leaveOf(township.id)]);
    // Ended by its own last day, nothing is left to end: the ledger's 请假 line says until when.
    if (leave && leave.endedOn === undefined && leave.until < ctx.today) return { lines: [[M.over(leave.until, ctx.today)]] };
    if (!onLeave(leave, people, ctx.today)) return { lines: [[M.notOnLeave]] };
    const ended = await ctx.store.endLeave(township.id, ctx.today, { kind: 'back', township: township.id, ...entryOrigin(ctx) });
    if (!ended) return { lines: [[M.notOnLeave]] };
    const groups = (await ctx.store.groups()).filter((g) => g.township === township.id);
    const posts: Post[] = groups.map((g) => ({ key: postKey.back(ended.entry, township.id, g), platform: g.platform, chat: g.chat, message: M.groupNotice(township.name, person.name) }));
    if (posts.length > 0) await ctx.posts?.enqueue(posts);
    return { lines: [[M.ended(township.name)]] };
  },
});
