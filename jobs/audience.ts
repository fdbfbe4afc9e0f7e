/**
 * Who the scheduled jobs post to: the township groups (every group bound to a township, on any
 * platform), the leaders' groups, and whom to @ in a township group.
 */
import type { Board } from '../src/core/board.js';
import type { JobContext } from '../src/core/job.js';
import { mentionsOnDuty } from '../src/domain/cover.js';
import type { Township, Group } from '../src/domain/model.js';

export interface TownshipGroup {
  group: Group;
  township: Township;
}

export interface Audience {
  townshipGroups: TownshipGroup[];
  leadersGroups: Group[];
  /** The user ids to @ in a township's group today: its A, or its B while the A is on leave; without an A, its people on the group's platform. */
  mentionsFor(group: Group, township: Township): string[];
}

export async function audienceOf(ctx: JobContext, board: Board, opts: { people: boolean }): Promise<Audience> {
  const [groups, people, leaves] = await Promise.all([
    ctx.store.groups(),
    opts.people ? ctx.store.people() : Promise.resolve([]),
    opts.people ? ctx.store.leaves() : Promise.resolve([]),
  ]);
  const townships = new Map(board.townships.map((t) => [t.id, t]));
  const townshipGroups: TownshipGroup[] = [];
  for (const group of groups) {
    if (group.township === undefined) continue;
    const township = townships.get(group.township);
    if (township) townshipGroups.push({ group, township });
    else ctx.log.warn('group bound to an unknown township', { platform: group.platform, chat: group.chat, township: group.township });
  }
  return {
    townshipGroups,
    leadersGroups: groups.filter((g) => g.role === 'leaders'),
    mentionsFor: (group, township) => mentionsOnDuty(people, township, group, leaves.find((l) => l.township === township.id), ctx.today),
  };
}
