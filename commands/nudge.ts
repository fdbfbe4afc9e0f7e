import { loadBoard, type Board, type Cell } from '../src/core/board.js';
import { defineCommand, fromParser, type CommandContext } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { findTownship, resolveTask } from '../src/core/resolve.js';
import { plain, type Line } from '../src/core/types.js';
import { dueLine, overdueLine, reportersOf, withMentions, type DueItem } from '../src/core/views.js';
import type { Township } from '../src/domain/model.js';
import { parsed, problem, type Parsed } from '../src/domain/problems.js';
import { parseTaskRef, type TaskRef } from '../src/domain/text.js';
import { text } from '../src/messages.js';
import type { OutboxPost } from '../src/outbox/index.js';

type NudgeArgs = { kind: 'township'; name: string } | { kind: 'task'; ref: TaskRef };

/** `催办 T3` names a task by its id; anything else is a township's name (`催办 城关镇`, `催办 城关`). */
const parseNudge = (input: string): Parsed<NudgeArgs> => {
  const said = input.trim();
  if (said === '') return problem({ code: 'empty' });
  const ref = parseTaskRef(said);
  return ref.ok && ref.value.kind === 'id' ? parsed({ kind: 'task', ref: ref.value }) : parsed({ kind: 'township', name: said });
};

const lagging = (cell: Cell): boolean => cell.standing.light === 'behind' || cell.standing.light === 'overdue';

const lineOf = (cell: Cell, today: string): Line => {
  const item: DueItem = { taskId: cell.task.id, deadline: cell.task.deadline, light: cell.standing.light, cell };
  return cell.standing.light === 'overdue' ? overdueLine(item, today) : dueLine(item, today);
};

/** One post per group of each township, keyed so a township is nudged at most once a day. */
async function nudge(ctx: CommandContext, board: Board, work: ReadonlyMap<Township, Cell[]>): Promise<string[]> {
  const enqueue = ctx.enqueue;
  if (!enqueue) throw new UserError(text.nudge.unavailable);
  const [groups, people] = await Promise.all([ctx.store.groups(), ctx.store.people()]);
  const posts: OutboxPost[] = [];
  const owner = new Map<string, string>();
  const noGroup: string[] = [];
  for (const [township, cells] of work) {
    const mine = groups.filter((g) => g.township === township.id);
    if (mine.length === 0) noGroup.push(township.name);
    for (const group of mine) {
      const key = `nudge/${board.today}/${township.id}/${group.platform}/${group.chat}`;
      owner.set(key, township.name);
      posts.push({
        key,
        platform: group.platform,
        chat: group.chat,
        message: {
          title: text.nudge.title(township.name),
          lines: [text.nudge.intro(ctx.actor.name), ...cells.map((c) => lineOf(c, board.today))],
          ...withMentions(reportersOf(people, township, group)),
        },
      });
    }
  }
  const { added, already, platformOff } = await enqueue(posts);
  const names = (keys: readonly string[], except: readonly string[] = []): string[] =>
    [...new Set(keys.map((k) => owner.get(k) ?? k))].filter((n) => !except.includes(n));
  const sent = names(added);
  const before = names(already, sent);
  const off = names(platformOff, [...sent, ...before]);
  return [
    ...(sent.length > 0 ? [text.nudge.sent(sent)] : []),
    ...(before.length > 0 ? [text.nudge.already(before)] : []),
    ...(off.length > 0 ? [text.nudge.platformOff(off)] : []),
    ...(noGroup.length > 0 ? [text.nudge.noGroup(noGroup)] : []),
  ];
}

export default defineCommand({
  name: 'nudge',
  words: ['催办'],
  ...text.commands.nudge,
  who: 'leader',
  where: 'anywhere',
  args: fromParser(parseNudge),
  async run(ctx, args) {
    const board = await loadBoard(ctx);
    const work = new Map<Township, Cell[]>();
    if (args.kind === 'task') {
      const task = resolveTask(board.tasks, args.ref);
      if (task.status === 'closed') return plain(text.nudge.closed(task));
      for (const township of board.townshipsOf(task)) {
        const cell = board.cell(task, township);
        if (cell.standing.light !== 'done') work.set(township, [cell]);
      }
      if (work.size === 0) return plain(text.nudge.allDone(task));
    } else {
      const township = findTownship(board.townships, args.name);
      if (!township) throw new UserError(text.nudge.unknown(args.name));
      const cells = board.openTasksOf(township).map((t) => board.cell(t, township)).filter(lagging);
      if (cells.length === 0) return plain(text.nudge.nothingLagging(township.name));
      work.set(township, cells);
    }
    return plain(...(await nudge(ctx, board, work)));
  },
});
