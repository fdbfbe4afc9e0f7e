/** The checked entries as a `County`'s groups, people and tasks, with the defaults filled in. */
import type * as z from 'zod';
import type { Group, Person, Target, Task } from '../domain/model.js';
import type { GroupFields, PersonFields, TaskFields, targetSchema, Townships } from './schema.js';

export function toGroup(g: GroupFields, townships: Townships): Group {
  const group: Group = { platform: g.platform, chat: g.chat };
  if (g.township !== undefined) group.township = townships.get(g.township) ?? g.township;
  if (g.role !== undefined) group.role = g.role;
  if (g.name !== undefined) group.name = g.name;
  if (g.webhook !== undefined) group.webhook = g.webhook;
  if (g.secret !== undefined) group.secret = g.secret;
  return group;
}

export function toPerson(p: PersonFields, townships: Townships): Person {
  const person: Person = { platform: p.platform, user: p.user, name: p.name, roles: [...new Set(p.roles)] };
  if (p.township !== undefined) person.township = townships.get(p.township) ?? p.township;
  if (p.cover !== undefined) person.cover = p.cover;
  return person;
}

export function toTask(t: TaskFields): Task {
  return {
    id: t.id,
    title: t.title,
    domain: t.domain ?? '综合',
    start: t.start ?? `${t.deadline.slice(0, 4)}-01-01`,
    deadline: t.deadline,
    target: toTarget(t.target),
    townships: t.scope,
    weight: t.weight ?? 1,
    status: t.status ?? 'open',
  };
}

function toTarget(t: z.infer<typeof targetSchema>): Target {
  if (t.percent !== undefined) return { kind: 'percent', percent: t.percent };
  // 个 is what a count is in when nothing is said: stored only when it says more.
  if (t.count !== undefined) return { kind: 'count', count: t.count, per: t.per ?? 'township', ...(t.unit === undefined || t.unit === '个' ? {} : { unit: t.unit }) };
  return { kind: 'done' };
}
