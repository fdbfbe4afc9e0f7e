/**
 * 设置AB角: an admin names a township's A (主办联络员) and B (备岗) among its people, or takes
 * AB角 away (`取消`), or looks at how it stands (the township alone). The marks outlive a reload of
 * a setup file that marks no one in that township (README "Setup file").
 */
import { z } from 'zod';
import { defineCommand, examplesHere, type CommandContext } from '../src/core/command.js';
import { UserError } from '../src/core/errors.js';
import { findTownship } from '../src/core/resolve.js';
import { coverOf, nameOf, onLeave, planCover } from '../src/domain/cover.js';
import type { Person, Township } from '../src/domain/model.js';
import { parseCover, type CoverArgs } from '../src/domain/parse/index.js';
import { cover, text } from '../src/messages/index.js';

const M = cover.setCover;

/** The parser's problems are this command's own, worded in src/messages/cover.ts. */
const args: z.ZodType<CoverArgs, string> = z.string().transform((input, ctx) => {
  const result = parseCover(input);
  if (result.ok) return result.value;
  ctx.issues.push({ code: 'custom', message: M.problem(result.problem), input });
  return z.NEVER;
});

const byName = new Intl.Collator('zh-CN').compare;
const coverRank = (p: Person): number => (p.cover === 'A' ? 0 : p.cover === 'B' ? 1 : 2);

/**
 * The names of a township's people, each once (a person on two platforms is two accounts of one
 * name): its A, its B, then the others in 拼音 order.
 */
const namesIn = (people: readonly Person[], township: string): string[] =>
  [...new Set(people.filter((p) => p.township === township).sort((a, b) => coverRank(a) - coverRank(b) || byName(a.name, b.name)).map((p) => p.name))];

/** The township named, or this group's; a name the county lacks, or none outside a township's group, is answered with the form. */
async function townshipOf(ctx: CommandContext, name: string | undefined): Promise<Township> {
  const township = name === undefined ? ctx.township : findTownship(ctx.townships, name);
  if (township) return township;
  const problem = name === undefined ? M.noTownship : M.unknownTownship(name, ctx.townships.map((t) => t.name));
  throw new UserError(text.usage(M.usage, M.example(await examplesHere(ctx)), problem));
}

export default defineCommand({
  name: 'cover',
  words: ['设置AB角', 'AB角'],
  ...M,
  who: 'admin',
  where: 'anywhere',
  args,
  async run(ctx, asked) {
    const township = await townshipOf(ctx, asked.township);
    const people = await ctx.store.people();
    const names = namesIn(people, township.id);
    if (names.length === 0) throw new UserError(M.noPeople(township.name));
    if (asked.kind === 'show') {
      const { a, b } = coverOf(people, township.id);
      const leave = await ctx.store.leaveOf(township.id);
      const away = onLeave(leave, people, ctx.today) ? { until: leave.until, today: ctx.today } : undefined;
      return M.shown(township.name, nameOf(a), nameOf(b), names, away);
    }
    const plan = planCover(people, township.id, asked);
    if (!plan.ok) throw new UserError(plan.why === 'unknown' ? M.unknownNames(township.name, plan.names, names) : M.same(plan.name));
    const result = await ctx.store.setCover(township.id, plan.roleOf);
    if (result === 'busy') throw new UserError(M.busy);
    if (result === 'unchanged') return { lines: [[M.unchanged(township.name)]] };
    return asked.kind === 'clear' ? { lines: [[M.cleared(township.name)]] } : M.set(township.name, asked.a, asked.b);
  },
});
