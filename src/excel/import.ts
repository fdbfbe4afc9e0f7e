/**
 * `duban import`: a 任务分解表 workbook into the loaded county's tasks, all rows or none.
 */
import type { Task, Ymd } from '../domain/model.js';
import { sheetMessages } from '../messages/index.js';
import type { CountySetupStore } from '../store/county-setup.js';
import type { CountyStore } from '../store/county.js';
import { readWorkbook } from './read.js';
import { importTaskSheet } from './task-sheet.js';

export type ImportOutcome =
  | { ok: true; message: string; created: Task[]; updated: Task[] }
  /** Nothing was written. */
  | { ok: false; errors: string[] };

/** What an import reads of the county, and its one write. */
export type ImportStore = Pick<CountyStore, 'townships' | 'tasks'> & Pick<CountySetupStore, 'importTasks'>;

/**
 * Reads the workbook against the county in the store, then writes every task in one MULTI. A
 * workbook refused before it is read (src/excel/inspect.ts) throws `RefusedWorkbookError`; nothing is written then either.
 */
export async function importTaskWorkbook(store: ImportStore, data: Uint8Array, today: Ymd, county: string): Promise<ImportOutcome> {
  const grids = await readWorkbook(data);
  const [townships, tasks] = await Promise.all([store.townships(), store.tasks()]);
  const read = importTaskSheet(grids, { townships, tasks, today });
  if (!read.ok) return read;
  const { update, create, createdWithId } = read.plan;
  const numbered = await store.importTasks(update, create);
  const fresh = new Set(createdWithId.map((t) => t.id));
  const created = [...createdWithId, ...numbered];
  const updated = update.filter((t) => !fresh.has(t.id));
  return { ok: true, message: sheetMessages.imported(county, created, updated), created, updated };
}
