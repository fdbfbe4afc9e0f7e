/**
 * What is wrong in a setup file: each problem kept with its path, at most `MAX_PROBLEMS`, then
 * worded with its entry, field and line, in document order.
 */
import type * as z from 'zod';
import { closest } from '../domain/closest.js';
import { setupFile } from '../messages/index.js';
import { fieldsAt, isList, type List } from './schema.js';
import type { LineOf, Path } from './types.js';
import { clip, isRecord } from './values.js';

const M = setupFile;

export interface Problem {
  path: Path;
  what: string;
}

/**
 * Past this many problems the admin has enough to fix, and going on only costs time: each unknown
 * township name is compared with every township for a "是不是", so a file of 20,000 unknown names
 * in a county of 5,000 townships would take minutes.
 */
export const MAX_PROBLEMS = 100;

/** Thrown by `Problems.add` at `MAX_PROBLEMS`: the checks stop there. */
export class EnoughProblems extends Error {}

export class Problems {
  readonly list: Problem[] = [];

  add(path: Path, what: string): void {
    this.list.push({ path, what });
    if (this.list.length >= MAX_PROBLEMS) throw new EnoughProblems();
  }

  /** Adds a zod result's issues under `base`; returns the data when there were none. */
  from<T>(result: z.ZodSafeParseResult<T>, base: Path): T | undefined {
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const path = [...base, ...issue.path.filter((p) => typeof p !== 'symbol')];
      if (issue.code === 'unrecognized_keys') {
        const allowed = fieldsAt(path);
        for (const key of issue.keys) this.add([...path, key], M.unknownField(closest(key, allowed), allowed));
      } else {
        this.add(path, issue.message);
      }
    }
    return undefined;
  }
}

export function format(problems: readonly Problem[], data: Record<string, unknown>, lineOf: LineOf): string[] {
  return problems
    .map((p, order) => ({ p, order, line: lineOf(p.path) }))
    // Document order reads best; problems found in later passes slot in where they belong.
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.order - b.order)
    .map(({ p, line }) => M.problem(where(p.path, data), p.what, line));
}

/** `tasks 第2项（T2）的 target.count`, `calendar 的 rest 第1项`, `county`. */
function where(path: Path, data: Record<string, unknown>): string {
  const [section, index, ...rest] = path;
  if (typeof section !== 'string') return '';
  let entry = section;
  let fields: readonly (string | number)[] = path.slice(1);
  if (isList(section) && typeof index === 'number') {
    const list = data[section];
    const raw: unknown = Array.isArray(list) ? list[index] : undefined;
    entry = M.entry(section, index, label(section, raw));
    fields = rest;
  }
  if (fields.length === 0) return entry;
  const field = fields
    .map((step, k) => (typeof step === 'number' ? ` ${M.item(step)}` : k === 0 ? step : `.${step}`))
    .join('');
  return M.field(entry, field);
}

/** What an admin would search the file for: a task's id, a township's or person's name. */
function label(section: List, raw: unknown): string | undefined {
  if (!isRecord(raw)) return undefined;
  const value = section === 'tasks' ? raw.id : raw.name;
  return typeof value === 'string' && value.trim() !== '' ? clip(value.trim(), 20) : undefined;
}
