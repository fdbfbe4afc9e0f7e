import type { Task, Township } from '../domain/model.js';
import { assignedTo } from '../domain/targets.js';
import type { TaskRef } from '../domain/parse/index.js';
import { text } from '../messages/index.js';
import { UserError } from './errors.js';

const refText = (ref: TaskRef): string => (ref.kind === 'id' ? ref.id : ref.text);

/**
 * The task a person meant: by id, or by an unambiguous part of its title. Open tasks win over
 * closed ones, and the asking township's tasks over others, so a fragment that fits one task of
 * 城关镇 and one of the 街道 means 城关镇's when 城关镇 asks.
 */
export function resolveTask(tasks: readonly Task[], ref: TaskRef, township?: Township): Task {
  if (ref.kind === 'id') {
    const task = tasks.find((t) => t.id === ref.id);
    if (!task) throw new UserError(text.taskNotFound(ref.id));
    return task;
  }
  const needle = ref.text.toLowerCase();
  const matching = tasks.filter((t) => t.title.toLowerCase().includes(needle));
  const open = matching.filter((t) => t.status === 'open');
  const pool = open.length > 0 ? open : matching;
  const own = township === undefined ? [] : pool.filter((t) => assignedTo(t, township.id));
  const candidates = own.length > 0 ? own : pool;
  const [only, ...others] = candidates;
  if (!only) throw new UserError(text.taskNotFound(refText(ref)));
  if (others.length > 0) throw new UserError(text.taskAmbiguous(refText(ref), candidates));
  return only;
}

/** A township by name, id, or an unambiguous part of its name (`城关` → 城关镇). */
export function findTownship(townships: readonly Township[], name: string): Township | undefined {
  const exact = townships.find((t) => t.name === name || t.id === name);
  if (exact) return exact;
  const partial = townships.filter((t) => t.name.includes(name));
  return partial.length === 1 ? partial[0] : undefined;
}
