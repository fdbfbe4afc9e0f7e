import { z } from 'zod';
import { loadBoard, type Board, type BoardSource, type BoardStore, type Cell } from '../src/core/board.js';
import { defineCommand, fromParser, type CommandContext } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { findTownship, resolveTask } from '../src/core/resolve.js';
import { plain, type Line, type OutgoingMessage, withMentions } from '../src/core/types.js';
import { dueEstimated, dueLine, overdueLine, type DueItem } from '../src/core/views/due.js';
import { estimateNote } from '../src/core/views/estimate.js';
import { beijingDate, beijingTime } from '../src/domain/dates.js';
import { mentionsOnDuty, type Leave } from '../src/domain/cover.js';
import type { Township, Group, Person } from '../src/domain/model.js';
import { parsed, problem, type Parsed } from '../src/domain/problems.js';
import { parseTaskRef, type TaskRef } from '../src/domain/parse/index.js';
import { text } from '../src/messages/index.js';
import type { CountyStore } from '../src/store/county.js';
import type { CoverStore } from '../src/store/cover.js';
import { countyWindow, postKey, type Post, type Refresher } from '../src/core/posts.js';
import { isDone } from '../src/domain/lights.js';

type NudgeArgs = { kind: 'township'; name: string } | { kind: 'task'; ref: TaskRef };

/** `催办 T3` names a task by its id; anything else is a township's name (`催办 城关镇`, `催办 城关`). */
const parseNudge = (input: string): Parsed<NudgeArgs> => {
  const said = input.trim();
  if (said === '') return problem({ code: 'empty' });
  const ref = parseTaskRef(said);
  return ref.ok && ref.value.kind === 'id' ? parsed({ kind: 'task', ref: ref.value }) : parsed({ kind: 'township', name: said });
};

/**
 * What a 催办 post keeps until it goes out: the township, the tasks named (null: all it lags on)
 * and who asked. Its text is made from these when it is sent (see `nudgeRefresher`).
 */
const NudgeData = z.object({ township: z.string().min(1), tasks: z.array(z.string().min(1)).nullable(), by: z.string() });
type NudgeData = z.infer<typeof NudgeData>;

/** The refresher kind of 催办 posts. */
export const NUDGE = 'nudge';

const lagging = (cell: Cell): boolean => cell.standing.light === 'behind' || cell.standing.light === 'overdue';

/** What the township still owes: the named tasks not done, or every task it lags on. */
function chased(board: Board, township: Township, tasks: readonly string[] | null): Cell[] {
  if (tasks === null) return board.openTasksOf(township).map((t) => board.cell(t, township)).filter(lagging);
  return board.tasks
    .filter((t) => tasks.includes(t.id) && t.status === 'open')
    .map((t) => board.cell(t, township))
    .filter((c) => !isDone(c.standing.light));
}

const itemOf = (cell: Cell): DueItem => ({ taskId: cell.task.id, deadline: cell.deadline, light: cell.standing.light, cell });

const lineOf = (cell: Cell, today: string): Line => (cell.standing.light === 'overdue' ? overdueLine(itemOf(cell), today) : dueLine(itemOf(cell), today));

/**
 * The 催办 for one group of a township as things stand on the board's day, @-ing whoever is on
 * duty that day (the A, or the B while the A is on leave); undefined when nothing is owed.
 */
function nudgeMessage(board: Board, township: Township, data: NudgeData, group: Group, people: readonly Person[], leaves: readonly Leave[], lastCoveredYear: number): OutgoingMessage | undefined {
  const cells = chased(board, township, data.tasks);
  if (cells.length === 0) return undefined;
  const estimated = cells.some((c) => c.standing.light !== 'overdue' && dueEstimated(itemOf(c), board.today));
  return {
    title: text.commands.nudge.title(township.name),
    lines: [text.commands.nudge.intro(data.by), ...cells.map((c) => lineOf(c, board.today)), ...(estimated ? [estimateNote(lastCoveredYear)] : [])],
    ...withMentions(mentionsOnDuty(people, township, group, leaves.find((l) => l.township === township.id), board.today)),
  };
}

/**
 * 催办 posts are said as things stand when they go out: one held overnight by office hours does
 * not chase a township that finished in the meantime, nor list a task it has done.
 */
export function nudgeRefresher(deps: { store: NudgeStore; calendar: BoardSource['calendar'] }): Refresher {
  return async (raw, group, now) => {
    const data = NudgeData.parse(raw);
    const board = await loadBoard({ store: deps.store, calendar: deps.calendar, today: beijingDate(now) });
    const township = board.townships.find((t) => t.id === data.township);
    if (!township) return undefined;
    const [people, leaves] = await Promise.all([deps.store.people(), deps.store.leaves()]);
    return nudgeMessage(board, township, data, group, people, leaves, deps.calendar.lastCoveredYear);
  };
}

/** What a 催办 is made from when it goes out: the board, and whom to @ that day. */
export type NudgeStore = BoardStore & Pick<CountyStore, 'people'> & Pick<CoverStore, 'leaves'>;

/** One post per group of each township, keyed by the day it goes out: a township is nudged at most once a day. */
async function nudge(ctx: CommandContext, board: Board, work: ReadonlyMap<Township, readonly string[] | null>): Promise<string[]> {
  const { posts: outbox } = ctx;
  if (!outbox) throw new UserError(text.commands.nudge.noQueue);
  const [groups, people, leaves, window] = await Promise.all([ctx.store.groups(), ctx.store.people(), ctx.store.leaves(), countyWindow(ctx.store, ctx.calendar)(ctx.now)]);
  // Outside office hours the post waits for the next window; it counts as that day's 催办.
  const sendDay = beijingDate(window.next);
  const queued: Post[] = [];
  const owner = new Map<string, string>();
  const noGroup: string[] = [];
  for (const [township, tasks] of work) {
    const mine = groups.filter((g) => g.township === township.id);
    if (mine.length === 0) noGroup.push(township.name);
    const data: NudgeData = { township: township.id, tasks: tasks && [...tasks], by: ctx.actor.name };
    for (const group of mine) {
      const message = nudgeMessage(board, township, data, group, people, leaves, ctx.calendar.lastCoveredYear);
      if (!message) continue;
      const key = postKey.nudge(sendDay, township.id, group);
      owner.set(key, township.name);
      queued.push({ key, platform: group.platform, chat: group.chat, message, refresh: { kind: NUDGE, data } });
    }
  }
  const { added, already, platformOff } = await outbox.enqueue(queued);
  const names = (keys: readonly string[], except: readonly string[] = []): string[] =>
    [...new Set(keys.map((k) => owner.get(k) ?? k))].filter((n) => !except.includes(n));
  const sent = names(added);
  const before = names(already, sent);
  const off = names(platformOff, [...sent, ...before]);
  const lines: string[] = [];
  const delivering = sent.length + before.length > 0 ? await outbox.delivering() : undefined;
  const at = beijingTime(window.next);
  if (sent.length > 0) {
    if (delivering === false) lines.push(text.commands.nudge.queuedNoServer(sent));
    else if (window.now) lines.push(text.commands.nudge.sent(sent));
    else lines.push(text.commands.nudge.sendsAt(sent, sendDay, at, ctx.today));
  }
  if (before.length > 0) {
    const state = !window.now ? ({ kind: 'arranged', on: sendDay, at, today: ctx.today } as const) : delivering === false ? ({ kind: 'queued' } as const) : ({ kind: 'sent' } as const);
    lines.push(text.commands.nudge.already(before, state));
  }
  if (off.length > 0) lines.push(text.commands.nudge.platformOff(off));
  if (noGroup.length > 0) lines.push(text.commands.nudge.noGroup(noGroup));
  return lines;
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
    const work = new Map<Township, readonly string[] | null>();
    if (args.kind === 'task') {
      const task = resolveTask(board.tasks, args.ref);
      if (task.status === 'closed') return plain(text.commands.nudge.closed(task));
      for (const township of board.townshipsOf(task)) if (chased(board, township, [task.id]).length > 0) work.set(township, [task.id]);
      if (work.size === 0) return plain(text.commands.nudge.allDone(task));
    } else {
      const township = findTownship(board.townships, args.name);
      if (!township) throw new UserError(text.commands.nudge.unknown(args.name, board.openTasks()[0]?.id, board.townships[0]?.name));
      if (chased(board, township, null).length === 0) return plain(text.commands.nudge.nothingLagging(township.name));
      work.set(township, null);
    }
    return plain(...(await nudge(ctx, board, work)));
  },
});
