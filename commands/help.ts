import { defineCommand, noArgs } from '../src/core/command.js';
import { refusal } from '../src/core/router.js';
import type { Line } from '../src/core/types.js';
import { text } from '../src/messages.js';

export default defineCommand({
  name: 'help',
  words: ['帮助', 'help', '?', '菜单'],
  ...text.commands.help,
  who: 'all',
  where: 'anywhere',
  args: noArgs,
  run(ctx) {
    const lines = ctx.commands
      .filter((c) => c.name !== 'help' && refusal(c, ctx) === undefined)
      .map((c): Line => text.help.line(c.words[0] ?? c.name, c.summary, c.example));
    return Promise.resolve({ title: text.help.title, lines: [...lines, [{ text: text.help.footer, tone: 'muted' }]] });
  },
});
