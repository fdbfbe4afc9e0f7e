/**
 * 请假: a township's A is away until a day (that day included); meanwhile the township's
 * reminders, 预警 and 催办 @ its B. Said anywhere by the A. The township's groups are told who
 * covers; with no B, the leaders' groups are told once a day, the admins @-ed, to name one.
 */
import { defineCommand, entryOrigin, examplesHere, fromParser, type CommandContext } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { postKey, type Post } from '../src/core/posts.js';
import { withMentions } from '../src/core/types.js';
import { coverOf, mentionsOnDuty, nameOf, onLeave, type Leave } from '../src/domain/cover.js';
import { adminsOf, type Person, type Township } from '../src/domain/model.js';
import { parseLeave } from '../src/domain/parse/index.js';
import { cover, text } from '../src/messages/index.js';

const M = cover.leave;

/** Only a township's A takes leave (and ends it): anyone else is told who may, and what the A would send. */
export function notTheA(ctx: Pick<CommandContext, 'actor' | 'townships' | 'today'>): string | undefined {
  const person = ctx.actor.person;
  if (person?.cover === 'A' && ctx.townships.some((t) => t.id === person.township)) return undefined;
  const township = ctx.townships.find((t) => t.id === person?.township);
  return M.notA(ctx.today, township === undefined ? undefined : { township: township.name, ...(person?.cover === 'B' ? { role: 'B' as const } : {}) });
}

/** The asker as their township's A; `notTheA` let only such a one through. */
export function theA(ctx: Pick<CommandContext, 'actor' | 'townships'>): { person: Person; township: Township } {
  const person = ctx.actor.person;
  const township = ctx.townships.find((t) => t.id === person?.township);
  if (person?.cover !== 'A' || !township) throw new Error('请假 and 销假 run only for a township’s A');
  return { person, township };
}

export default defineCommand({
  name: 'leave',
  words: ['请假'],
  ...M,
  who: 'all',
  where: 'anywhere',
  unavailable: notTheA,
  args: (ctx) => fromParser((said) => parseLeave(said, ctx.today)),
  async run(ctx, until) {
    const { person, township } = theA(ctx);
    if (until < ctx.today) throw new UserError(text.usage(M.usage, M.example(await examplesHere(ctx)), M.past(until, ctx.today)));
    const [people, groups, before] = await Promise.all([ctx.store.people(), ctx.store.groups(), ctx.store.leaveOf(township.id)]);
    const changed = onLeave(before, people, ctx.today);
    const b = nameOf(coverOf(people, township.id).b);
    const origin = entryOrigin(ctx);
    const leave: Leave = { township: township.id, by: origin.by, from: changed ? before.from : ctx.today, until, at: origin.at };
    const entry = await ctx.store.startLeave(leave, { kind: 'leave', township: township.id, until, cover: b ?? '', ...origin });

    const mine = groups.filter((g) => g.township === township.id);
    const posts: Post[] = mine.map((g) => ({
      key: postKey.leave(entry, township.id, g),
      platform: g.platform,
      chat: g.chat,
      message: { ...M.groupNotice(township.name, person.name, until, ctx.today, b), ...withMentions(mentionsOnDuty(people, township, g, leave, ctx.today)) },
    }));
    if (b === undefined) {
      const others = [...new Set(people.filter((p) => p.township === township.id && p.name !== person.name).map((p) => p.name))];
      for (const g of groups.filter((x) => x.role === 'leaders')) {
        posts.push({ key: postKey.noCover(ctx.today, township.id, g), platform: g.platform, chat: g.chat, message: { ...M.noCover(township.name, person.name, until, ctx.today, others), ...withMentions(adminsOf(people, g)) } });
      }
    }
    // Without an outbox (a terminal that queues nothing) the leave still holds: the groups are simply not told.
    if (posts.length > 0) await ctx.posts?.enqueue(posts);
    return M.started({ township: township.name, until, today: ctx.today, ...(b === undefined ? {} : { cover: b }), changed, told: ctx.posts !== undefined && mine.length > 0, unbound: mine.length === 0 });
  },
});
