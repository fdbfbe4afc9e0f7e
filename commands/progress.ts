import { loadBoard } from '../src/core/board.js';
import { defineCommand, fromParser } from '../src/core/command.js';
import { resolveTask } from '../src/core/resolve.js';
import type { Line } from '../src/core/types.js';
import { reviewNote, shownAmount } from '../src/core/views/cell.js';
import { taskList } from '../src/core/views/tasks.js';
import { viewedTownship } from '../src/core/views/viewed-township.js';
import { parseOptionalTaskRef, parseTaskRef } from '../src/domain/parse/index.js';
import { openRequests } from '../src/domain/extensions.js';
import { text } from '../src/messages/index.js';
import { isDone } from '../src/domain/lights.js';

const M = text.commands.progress;
const N = text.commands.notes;

export default defineCommand({
  name: 'progress',
  words: ['进度', '查进度'],
  ...M,
  who: 'all',
  where: 'anywhere',
  args: fromParser(parseOptionalTaskRef),
  // A task's id alone (`T2`) asks how it stands; a bare number could mean anything.
  async suggest(ctx, said) {
    const ref = parseTaskRef(said);
    if (!ref.ok || ref.value.kind !== 'id' || /^\d+$/.test(said)) return undefined;
    const id = ref.value.id;
    return (await ctx.store.tasks()).some((t) => t.id === id) ? M.suggestion(id) : undefined;
  },
  async run(ctx, ref) {
    const board = await loadBoard(ctx);
    if (!ref) return taskList(ctx, board, '进度');
    const task = resolveTask(board.tasks, ref, viewedTownship(ctx, board));
    const cells = board.townshipsOf(task).map((t) => board.cell(task, t));
    const asking = new Map(openRequests(await ctx.store.requests()).filter((r) => r.task === task.id).map((r) => [r.township, r.number]));
    // 签收: the townships announced this task that have not signed it, where the county uses 签收.
    const signOffs = ctx.settings.signOff ? (await ctx.store.signOffs([task.id])).get(task.id) : undefined;
    const unsigned = new Set(task.status === 'open' ? [...(signOffs?.values() ?? [])].filter((s) => s.signed === undefined).map((s) => s.township) : []);
    const done = cells.filter((c) => isDone(c.standing.light)).length;
    const reported = cells.filter((c) => c.progress).length;
    const row = (c: (typeof cells)[number]): Line => {
      const request = asking.get(c.township.id);
      const note = reviewNote(c) || (c.extendedFrom !== undefined ? N.extended(c.deadline, board.today) : request !== undefined ? N.asking(request) : '');
      const sign = unsigned.has(c.township.id) ? text.commands.signing.note : '';
      return [text.light(c.standing.light), ` ${c.township.name}：${shownAmount(c)}${note}${sign}`];
    };
    const own = viewedTownship(ctx, board);
    const shown = ctx.leaderView
      ? [...cells].sort((a, b) => b.completion - a.completion || a.township.name.localeCompare(b.township.name, 'zh-CN'))
      : cells.filter((c) => c.township.id === own?.id);
    const lines: Line[] = [
      [M.header(task, board.today)],
      ...shown.map(row),
      [{ text: text.countySummary(done, cells.length, reported), tone: 'muted' }],
    ];
    // No working days are counted here, so no （估） and no note about it.
    return { title: M.title(task), lines };
  },
});
