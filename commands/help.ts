import { defineCommand, examplesHere, noArgs, type Command, type Where } from '../src/core/command.js';
import { forbidden, misplaced } from '../src/core/router.js';
import type { Line } from '../src/core/types.js';
import { text } from '../src/messages/index.js';

const M = text.commands.help;

/** The places a command may be meant for, other than anywhere, in the order 帮助 names them. */
const ELSEWHERE: readonly Exclude<Where, 'anywhere'>[] = ['township-group', 'group', 'direct', 'leaders'];

export default defineCommand({
  name: 'help',
  words: ['帮助', 'help', '?', '菜单'],
  ...M,
  who: 'all',
  where: 'anywhere',
  args: noArgs,
  async run(ctx) {
    const source = await examplesHere(ctx);
    const word = (c: Command): string => c.words[0] ?? c.name;
    // What this person may do: here, each with examples made from their own tasks; elsewhere, where.
    const theirs = ctx.commands.filter((c) => c.name !== 'help' && forbidden(c, ctx) === undefined && (c.listed?.(source) ?? true));
    const listed = (c: Command): Command => (c.listedIn ? { ...c, where: c.listedIn } : c);
    const here = theirs.filter((c) => misplaced(listed(c), ctx) === undefined);
    const lines = here.map((c): Line => M.line(word(c), c.summary, c.examples(source)));
    for (const where of ELSEWHERE) {
      const words = theirs.filter((c) => listed(c).where === where && misplaced(listed(c), ctx) !== undefined).map(word);
      if (words.length > 0) lines.push([{ text: M.elsewhere[where](words), tone: 'muted' }]);
    }
    const footer = M.footer(source);
    if (footer !== undefined) lines.push([{ text: footer, tone: 'muted' }]);
    return { title: M.title(ctx.message.chat.type === 'direct'), lines };
  },
});
