/**
 * The setup file's entries checked, each against its schema and against one another (unique
 * names, townships that exist, a group's platform and webhook), every problem reported at once.
 */
import { PLATFORM_ORIGINS } from '../config.js';
import { closest } from '../domain/closest.js';
import { isYmd } from '../domain/dates.js';
import type { County, Township } from '../domain/model.js';
import { cover, setupFile } from '../messages/index.js';
import { toGroup, toPerson, toTask } from './county.js';
import { EnoughProblems, format, MAX_PROBLEMS, Problems } from './problems.js';
import { groupSchema, LISTS, parse, personSchema, SECTIONS, taskSchema, text, townshipRef, townshipSchema, type List, type PersonFields, type TaskFields, type Townships } from './schema.js';
import { readCalendar, readSchedule } from './sections.js';
import type { LineOf, Path, SetupResult } from './types.js';
import { defined, isRecord } from './values.js';
import { webhookShape } from './webhooks.js';

const M = setupFile;
const SIG = setupFile.bytes;
const C = cover.setupFile;

export function validate(data: unknown, lineOf: LineOf): SetupResult {
  const problems = new Problems();
  if (!isRecord(data)) return { ok: false, errors: [M.root] };
  try {
    return check(data, lineOf, problems);
  } catch (error) {
    if (!(error instanceof EnoughProblems)) throw error;
    return { ok: false, errors: [...format(problems.list, data, lineOf), SIG.tooManyProblems(MAX_PROBLEMS)] };
  }
}

function check(data: Record<string, unknown>, lineOf: LineOf, problems: Problems): SetupResult {

  for (const key of Object.keys(data)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      problems.add([key], M.unknownField(closest(key, SECTIONS), SECTIONS));
    }
  }

  const countyName = problems.from(parse(text(), data.county), ['county']);
  const lists = readLists(data, problems);

  const townshipIds = townshipKeys(lists.townships);
  const townships = lists.townships.map((raw, i) => problems.from(parse(townshipSchema, raw), ['townships', i]));
  checkTownshipsUnique(lists.townships, problems);

  const groups = lists.groups.map((raw, i) => {
    const path = ['groups', i];
    const group = problems.from(parse(groupSchema(townshipIds), raw), path);
    if (isRecord(raw)) checkGroup(raw, path, problems);
    return group;
  });
  checkUnique(lists.groups, ['platform', 'chat'], 'chat', 'groups', M.duplicateGroup, problems);

  const people = lists.people.map((raw, i) => problems.from(parse(personSchema(townshipIds), raw), ['people', i]));
  checkUnique(lists.people, ['platform', 'user'], 'user', 'people', M.duplicatePerson, problems);
  checkCover(people, townshipIds, problems);

  const tasks = lists.tasks.map((raw, i) => readTask(raw, ['tasks', i], townshipIds, problems));
  const villages = new Map(defined(townships).map((t) => [t.id ?? t.name, t.villages]));
  tasks.forEach((task, i) => {
    if (task !== undefined) checkVillages(task, ['tasks', i, 'target', 'per'], villages, problems);
  });
  checkUnique(lists.tasks, ['id'], 'id', 'tasks', M.duplicateTask, problems);

  const calendar = readCalendar(data.calendar, problems);
  const schedule = readSchedule(data.schedule, problems);

  if (problems.list.length > 0 || countyName === undefined || calendar === undefined || schedule === undefined) {
    return { ok: false, errors: format(problems.list, data, lineOf) };
  }

  const county: County = {
    name: countyName,
    townships: defined(townships).map((t): Township => ({ id: t.id ?? t.name, name: t.name, villages: t.villages })),
    groups: defined(groups).map((g) => toGroup(g, townshipIds)),
    people: defined(people).map((p) => toPerson(p, townshipIds)),
    tasks: defined(tasks).map(toTask),
  };
  return { ok: true, county, calendar, schedule };
}

/**
 * AB角 (`cover`): each of a township's people, one A and at most one B — one person each, who may
 * be written once per platform under one name — and no B without an A, whom the B stands in for.
 */
function checkCover(people: readonly (PersonFields | undefined)[], townships: Townships, problems: Problems): void {
  const first = new Map<string, { index: number; name: string }>();
  const roles = new Map<string, Set<string>>();
  people.forEach((p, i) => {
    if (p?.cover === undefined) return;
    const path = ['people', i, 'cover'];
    if (p.township === undefined) {
      problems.add(path, C.withoutTownship);
      return;
    }
    const township = townships.get(p.township) ?? p.township;
    const key = `${p.cover}\n${township}`;
    const other = first.get(key);
    if (other === undefined) first.set(key, { index: i, name: p.name });
    else if (other.name !== p.name) problems.add(path, C.twice(p.cover, p.township, other.index, other.name));
    const held = roles.get(`${township}\n${p.name}`) ?? new Set<string>();
    held.add(p.cover);
    roles.set(`${township}\n${p.name}`, held);
    if (held.size > 1) problems.add(path, C.both(p.name));
  });
  for (const [key, { index }] of first) {
    const [role, township] = key.split('\n');
    if (role === 'B' && township !== undefined && !first.has(`A\n${township}`)) problems.add(['people', index, 'cover'], C.bWithoutA(people[index]?.township ?? township));
  }
}

function readLists(data: Record<string, unknown>, problems: Problems): Record<List, unknown[]> {
  const out: Record<List, unknown[]> = { townships: [], groups: [], people: [], tasks: [] };
  for (const section of LISTS) {
    const value = data[section];
    if (value === undefined || value === null) {
      // Only townships are needed to start; groups, people and tasks can come later.
      if (section === 'townships') problems.add([section], value === null ? M.noTownships : M.required);
    } else if (Array.isArray(value)) {
      if (section === 'townships' && value.length === 0) problems.add([section], M.noTownships);
      out[section] = value;
    } else {
      problems.add([section], M.list);
    }
  }
  return out;
}

function townshipKeys(raw: readonly unknown[]): Townships {
  const keys = new Map<string, string>();
  for (const entry of raw) {
    if (!isRecord(entry) || typeof entry.name !== 'string') continue;
    const name = entry.name.trim();
    const id = typeof entry.id === 'string' ? entry.id.trim() : name;
    if (!keys.has(name)) keys.set(name, id);
    if (!keys.has(id)) keys.set(id, id);
  }
  return keys;
}

function checkTownshipsUnique(raw: readonly unknown[], problems: Problems): void {
  const owner = new Map<string, number>();
  raw.forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const name = typeof entry.name === 'string' ? entry.name.trim() : undefined;
    const id = typeof entry.id === 'string' ? entry.id.trim() : undefined;
    if (name !== undefined) {
      const other = owner.get(name);
      if (other === undefined) owner.set(name, i);
      else problems.add(['townships', i, 'name'], M.duplicateName(other));
    }
    if (id !== undefined && id !== name) {
      const other = owner.get(id);
      if (other === undefined) owner.set(id, i);
      else problems.add(['townships', i, 'id'], M.duplicateKey(id, other));
    }
  });
}

function checkGroup(raw: Record<string, unknown>, path: Path, problems: Problems): void {
  const hasTownship = raw.township !== undefined;
  const hasRole = raw.role !== undefined;
  if (hasTownship === hasRole) problems.add(path, hasTownship ? M.groupBoth : M.groupNeither);
  if (raw.platform === 'console' && raw.webhook !== undefined) problems.add([...path, 'webhook'], M.webhookConsole);
  if (typeof raw.webhook === 'string') {
    // Not a URL at all: the url rule already says what is wrong.
    if (raw.platform === 'wecom' && webhookShape('wecom', raw.webhook) === 'malformed') problems.add([...path, 'webhook'], M.webhookWecom(PLATFORM_ORIGINS.wecomApi));
    if (raw.platform === 'dingtalk' && webhookShape('dingtalk', raw.webhook) === 'malformed') problems.add([...path, 'webhook'], M.webhookDingtalk(PLATFORM_ORIGINS.dingtalkOapi));
  }
  if (raw.secret !== undefined) {
    if (raw.platform !== 'dingtalk') problems.add([...path, 'secret'], M.secretNotDingtalk);
    else if (raw.webhook === undefined) problems.add([...path, 'secret'], M.secretWithoutWebhook);
  }
}

function checkUnique(
  raw: readonly unknown[],
  keyFields: readonly string[],
  field: string,
  section: List,
  message: (other: number) => string,
  problems: Problems,
): void {
  const seen = new Map<string, number>();
  raw.forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const parts = keyFields.map((f) => entry[f]);
    if (!parts.every((p): p is string => typeof p === 'string')) return;
    const key = JSON.stringify(parts.map((p) => p.trim()));
    const other = seen.get(key);
    if (other === undefined) seen.set(key, i);
    else problems.add([section, i, field], message(other));
  });
}

function readTask(raw: unknown, path: Path, townships: Townships, problems: Problems): TaskFields | undefined {
  const task = problems.from(parse(taskSchema, raw), path);
  if (!isRecord(raw)) return undefined;
  checkTarget(raw.target, [...path, 'target'], problems);
  const scope = taskTownships(raw.townships, [...path, 'townships'], townships, problems);
  const { start, deadline } = raw;
  const isDate = (d: unknown): d is string => typeof d === 'string' && isYmd(d);
  if (isDate(start) && isDate(deadline) && start > deadline) {
    problems.add([...path, 'start'], M.startAfterDeadline(start, deadline));
  }
  return task === undefined || scope === undefined ? undefined : { ...task, scope };
}

/** A per-village count on a township without villages would ask it for nothing. */
function checkVillages(task: TaskFields, path: Path, villages: ReadonlyMap<string, number>, problems: Problems): void {
  if (task.target.per !== 'village') return;
  const ids = task.scope === 'all' ? [...villages.keys()] : task.scope;
  const empty = ids.filter((id) => villages.get(id) === 0);
  if (empty.length > 0) problems.add(path, M.noVillages(empty));
}

function checkTarget(raw: unknown, path: Path, problems: Problems): void {
  if (!isRecord(raw)) return;
  const kinds = (['percent', 'count', 'done'] as const).filter((k) => raw[k] !== undefined);
  if (kinds.length === 0) problems.add(path, M.target);
  if (kinds.length > 1) problems.add(path, M.targetMany(kinds));
  if (raw.per !== undefined && raw.count === undefined) problems.add([...path, 'per'], M.perWithoutCount);
  if (raw.unit !== undefined && raw.count === undefined) problems.add([...path, 'unit'], M.unitWithoutCount);
}

/** The task's townships as ids (`all` kept), or undefined after reporting a problem. */
function taskTownships(
  raw: unknown,
  path: Path,
  townships: Townships,
  problems: Problems,
): 'all' | string[] | undefined {
  if (raw === undefined || raw === 'all' || raw === '全部') return 'all';
  const refs: unknown[] | undefined = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : undefined;
  if (refs === undefined) {
    problems.add(path, M.taskTownships);
    return undefined;
  }
  if (refs.length === 0) {
    problems.add(path, M.taskTownshipsEmpty);
    return undefined;
  }
  const ids: string[] = [];
  refs.forEach((ref, k) => {
    const at = Array.isArray(raw) ? [...path, k] : path;
    const id = problems.from(parse(townshipRef(townships), ref), at);
    if (id !== undefined) ids.push(townships.get(id) ?? id);
  });
  return ids.length === refs.length ? [...new Set(ids)] : undefined;
}
