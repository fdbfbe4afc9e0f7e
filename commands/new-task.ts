import { defineCommand, fromParser, usageError } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { findTownship } from '../src/core/resolve.js';
import { announceTasks } from '../src/core/sign-off.js';
import type { Task, Township } from '../src/domain/model.js';
import { parseNewTask, type TownshipScope } from '../src/domain/parse/index.js';
import { text } from '../src/messages/index.js';

const M = text.commands.newTask;

/** The townships a scope names, matched against the county's (`城关` finds 城关镇), and how the reply says it. */
function resolveScope(scope: TownshipScope | undefined, county: readonly Township[]): { townships: Task['townships']; shown: string } {
  if (!scope || scope.kind === 'all') return { townships: 'all', shown: M.scope.all };
  // A wrong name gets an example with two names this county really has.
  const meta = { usage: M.usage, example: M.scopeExample(county.slice(0, 2).map((t) => t.name)) };
  const named: Township[] = [];
  const unknown: string[] = [];
  for (const name of scope.names) {
    const township = findTownship(county, name);
    if (!township) unknown.push(name);
    else if (!named.includes(township)) named.push(township);
  }
  if (unknown.length > 0) throw usageError(meta.usage, [meta.example], { code: 'townships-unknown', names: unknown, known: county.map((t) => t.name) });
  const names = named.map((t) => t.name);
  if (scope.kind === 'only') return { townships: named.map((t) => t.id), shown: M.scope.only(names) };
  // The townships of today: one added to the county later is not in it, as the reply says by its count.
  const left = county.filter((t) => !named.includes(t));
  if (left.length === 0) throw usageError(meta.usage, [meta.example], { code: 'townships-none' });
  return { townships: left.map((t) => t.id), shown: M.scope.except(names, left.length) };
}

export default defineCommand({
  name: 'new-task',
  words: ['新建任务', '新任务', '添加任务'],
  ...M,
  who: 'admin',
  where: 'anywhere',
  args: (ctx) => fromParser((input) => parseNewTask(input, ctx.today)),
  async run(ctx, args) {
    // Due before today, every township would be 🔴 the moment it is made.
    if (args.deadline < ctx.today) throw usageError(M.usage, [M.example], { code: 'deadline-past', deadline: args.deadline });
    const twin = (await ctx.store.tasks()).find((t) => t.status === 'open' && t.title === args.title);
    if (twin) throw new UserError(M.titleTaken(twin));
    const { townships, shown } = resolveScope(args.townships, await ctx.store.townships());
    // parseNewTask refuses a given start after the deadline; the default never is.
    const start = args.start ?? (ctx.today < args.deadline ? ctx.today : args.deadline);
    const task = await ctx.store.createTask({
      title: args.title,
      domain: args.domain ?? '综合',
      start,
      deadline: args.deadline,
      target: args.target,
      townships,
      weight: 1,
      status: 'open',
    });
    // 交办 where the county uses 签收: each assigned township's groups are told, and owe a 签收.
    const announced = await announceTasks(ctx.store, ctx.posts, [task], ctx.now);
    // Created all the same: the count of working days is an estimate until the calendar is updated.
    const year = Number(task.deadline.slice(0, 4));
    const reply = M.created(task, ctx.today, shown, year > ctx.calendar.lastCoveredYear ? year : undefined);
    if (!ctx.settings.signOff) return reply;
    const told = announced.townships > 0 ? text.commands.signing.announced(announced.townships) : text.commands.signing.noGroups;
    return { ...reply, lines: [...reply.lines, [told]] };
  },
});
