import { defineCommand, fromParser } from '../src/core/command.js';
import { parseDecision } from '../src/domain/parse/index.js';
import { text } from '../src/messages/index.js';
import { decide } from './approve.js';

export default defineCommand({
  name: 'refuse',
  words: ['不同意'],
  ...text.commands.refuse,
  who: 'leader',
  where: 'leaders',
  args: fromParser((rest) => parseDecision(rest, true)),
  run: (ctx, args) => decide(ctx, args, false),
});
