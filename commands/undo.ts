import { defineCommand, entryOrigin, fromParser } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { instantMs } from '../src/domain/dates.js';
import { requiredAmount } from '../src/domain/targets.js';
import { parseOptionalTaskRef } from '../src/domain/parse/index.js';
import { text } from '../src/messages/index.js';

const M = text.commands.undo;

/** docs/design.md §3: a reporter may take back their own last report within 30 minutes. */
const UNDO_MINUTES = 30;

export default defineCommand({
  name: 'undo',
  words: ['撤回', '撤销'],
  ...M,
  who: 'all',
  // Anywhere, so that outside the report's own township group the answer can say where to go;
  // 帮助 lists it where it works.
  where: 'anywhere',
  listedIn: 'township-group',
  // `撤回 T2` names the report the person means; it must be their last one.
  args: fromParser(parseOptionalTaskRef),
  async run(ctx, ref) {
    const { message } = ctx;
    const last = await ctx.store.lastReport(message.chat.platform, message.sender.id);
    if (!last) throw new UserError(M.nothing);
    const [task, townships] = await Promise.all([ctx.store.task(last.task), ctx.store.townships()]);
    const township = townships.find((t) => t.id === last.township);
    const required = task && township ? requiredAmount(task.target, township) : undefined;
    const shown = (amount: number): string | undefined => (task && required !== undefined ? text.amount(task.target, amount, required) : undefined);
    const before = last.amount === undefined ? undefined : shown(last.amount);
    const what = before === undefined ? last.task : `${last.task} ${before}`;
    // The way to put it right now is a new report: in the task's own unit (个, 完成, %), and above
    // what the township has now, so that typing it never lowers its progress; read only when a
    // refusal shows it.
    const example = async (): Promise<string | undefined> => {
      if (!task || required === undefined) return undefined;
      const current = (await ctx.store.progress([last.task])).get(last.task)?.get(last.township)?.amount;
      return text.reportExample(task, required, current);
    };

    if (last.undone) throw new UserError(M.already(what, await example()));
    if (ref && ref.kind === 'id' && ref.id !== last.task) throw new UserError(M.notLast(ref.id, last.task));
    if (ctx.now.getTime() - instantMs(last.at) > UNDO_MINUTES * 60_000) throw new UserError(M.tooLate(UNDO_MINUTES, await example()));
    // Someone in two township groups reported in one: only that township's group takes it back.
    if (ctx.township?.id !== last.township) throw new UserError(M.elsewhere(township?.name ?? last.township, what));
    const { by, at, source } = entryOrigin(ctx);
    const result = await ctx.store.reverseReport(last, by, at, source);
    if (!result.ok) throw new UserError(result.reason === 'superseded' ? M.superseded(last.task) : result.reason === 'approved' ? M.approved(last.task) : M.nothing);
    const restored = result.restored ? shown(result.restored.amount) : undefined;
    return { lines: [[M.undone(last.task, township?.name ?? last.township, restored)]] };
  },
});
