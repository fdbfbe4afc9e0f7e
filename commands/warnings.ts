import { z } from 'zod';
import { loadBoard } from '../src/core/board.js';
import { defineCommand } from '../src/core/command.js';
import { plain } from '../src/core/types.js';
import { leadersDigest } from '../src/core/digest.js';
import { warningList } from '../src/core/views/warnings.js';
import { estimatingBeyondCoverage } from '../src/domain/calendar.js';
import { text } from '../src/messages/index.js';

const M = text.commands.warnings;

const ALL_WORDS = ['全部', '全部清单', '清单', '完整', '所有'];

/**
 * 预警: the leaders' daily digest on demand (one screen, compared with the last working day),
 * and with 全部 the full list the digest points to.
 */
export default defineCommand({
  name: 'warnings',
  words: ['预警', '预警摘要'],
  ...M,
  who: 'leader',
  where: 'anywhere',
  args: z
    .string()
    .trim()
    .refine((said) => said === '' || ALL_WORDS.includes(said), { error: M.arg })
    .transform((said) => said !== ''),
  async run(ctx, all) {
    const board = await loadBoard(ctx);
    if (all) return warningList(board, ctx.calendar.lastCoveredYear) ?? plain(M.none);
    const reply = await leadersDigest(board, { store: ctx.store, calendar: estimatingBeyondCoverage(ctx.calendar), now: ctx.now, today: ctx.today });
    return reply ?? plain(M.none);
  },
});
