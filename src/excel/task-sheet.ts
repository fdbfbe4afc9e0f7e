/**
 * The 任务分解表 (docs/design.md §6 `duban import`): a grid of cell values in, tasks to write or every
 * problem out. Admins fill these sheets by hand in Excel or WPS, copied from the county's
 * documents, so the reader is tolerant where a reader of the sheet would be — columns found by
 * their header words, a title row above the header, a header over two rows, full-width digits,
 * dates as Excel dates or as text — and strict where a guess would change what townships owe.
 * Every problem names its row, column letter and header, and says the right form, as the setup
 * file does (src/setup/). No I/O, no clock: the import day comes in as `today`.
 *
 * The parts: `grid.ts` (the cells as src/excel/read.ts hands them over), `headers.ts` (finding
 * the header row and its columns), `cells.ts` (one cell's value as a field), `rows.ts` (which rows
 * are tasks, each read whole) and here, the rows against the county's tasks.
 */
import type { Task, Township, Ymd } from '../domain/model.js';
import { sheetMessages as M, workbookMessages } from '../messages/index.js';
import { titleKey } from './cells.js';
import { columnLetter, type SheetGrid } from './grid.js';
import type { Column, Field } from './headers.js';
import { readSheet, type Problem, type SheetTask, type TaskSheet } from './rows.js';

export interface ImportPlan {
  sheet: string;
  /** Existing tasks with the sheet's fields, and new tasks whose 编号 the sheet gives. */
  update: Task[];
  /** New tasks without an 编号: the store numbers them. */
  create: Omit<Task, 'id'>[];
  /** The new tasks among `update`: their ids are the sheet's. */
  createdWithId: Task[];
}

export type SheetImport = { ok: true; plan: ImportPlan } | { ok: false; errors: string[] };

/**
 * Each row finds its task: by 编号 when it has one, else by title. What a row leaves empty
 * (领域, 开始时间, 权重) keeps the task's value, or for a new task takes the default: 综合, the
 * import day (the deadline, if that is earlier), 1. Status and 销号 day are never the sheet's.
 */
function plan(sheet: TaskSheet, existing: readonly Task[], today: Ymd, problems: Problem[]): ImportPlan {
  const byId = new Map(existing.map((t) => [t.id, t]));
  const byTitle = new Map<string, Task[]>();
  for (const t of existing) byTitle.set(titleKey(t.title), [...(byTitle.get(titleKey(t.title)) ?? []), t]);

  const claimed = new Map<string, number>();
  const update: Task[] = [];
  const createdWithId: Task[] = [];
  const create: Omit<Task, 'id'>[] = [];
  const fresh: SheetTask[] = [];

  for (const row of sheet.tasks) {
    let task: Task | undefined;
    if (row.id !== undefined) {
      task = byId.get(row.id);
    } else {
      const named = byTitle.get(titleKey(row.title)) ?? [];
      if (named.length > 1) {
        problems.push({ row: row.row, field: 'title', what: M.ambiguousTitle(named.map((t) => t.id)) });
        continue;
      }
      task = named[0];
    }
    if (task === undefined) {
      fresh.push(row);
      continue;
    }
    const other = claimed.get(task.id);
    if (other !== undefined) {
      problems.push({ row: row.row, field: row.id === undefined ? 'title' : 'id', what: M.sameTask(other, task.id) });
      continue;
    }
    claimed.set(task.id, row.row);
    const start = row.start ?? task.start;
    if (start > row.deadline) {
      problems.push({ row: row.row, field: 'deadline', what: M.deadlineBeforeOldStart(row.deadline, start) });
      continue;
    }
    update.push({ ...task, ...fields(row), domain: row.domain ?? task.domain, start, weight: row.weight ?? task.weight });
  }

  // The store numbers new tasks from its counter and skips the ids in use, not the ids this sheet
  // is about to take (nor those earlier sheets gave without moving the counter): the two could meet.
  const unnumbered = fresh.filter((r) => r.id === undefined);
  for (const row of fresh) {
    const created = { ...fields(row), domain: row.domain ?? '综合', start: row.start ?? (today < row.deadline ? today : row.deadline), weight: row.weight ?? 1, status: 'open' as const };
    if (row.id === undefined) {
      create.push(created);
    } else if (unnumbered.length > 0) {
      problems.push({ row: row.row, field: 'id', what: M.idCollision(row.id) });
    } else {
      const task = { id: row.id, ...created };
      update.push(task);
      createdWithId.push(task);
    }
  }
  return { sheet: sheet.sheet, update, create, createdWithId };
}

function fields(row: SheetTask): Pick<Task, 'title' | 'deadline' | 'target' | 'townships'> {
  return { title: row.title, deadline: row.deadline, target: row.target, townships: row.townships };
}

/**
 * Reads a 任务分解表 — the first worksheet with a header row — against the county's townships and
 * tasks. Any bad row fails the whole import: a sheet half imported would be worse than none.
 */
export function importTaskSheet(
  grids: readonly SheetGrid[],
  county: { townships: readonly Township[]; tasks: readonly Task[]; today: Ymd },
): SheetImport {
  const garbled = garbledCells(grids);
  if (garbled.length > 0) {
    const listed = garbled.slice(0, GARBLED_LISTED).map((c) => workbookMessages.garbledCell(c.sheet, c.row, columnLetter(c.col)));
    return { ok: false, errors: [workbookMessages.garbled(listed, garbled.length)] };
  }
  const read = readSheet(grids, county.townships, county.today);
  if (read.sheet === undefined) return { ok: false, errors: read.general };
  const problems = [...read.problems];
  const planned = plan(read.sheet, county.tasks, county.today, problems);
  if (problems.length > 0) return { ok: false, errors: format(problems, read.sheet.columns) };
  return { ok: true, plan: planned };
}

/** Up to this many garbled cells are named; a sheet garbled throughout gets a count. */
const GARBLED_LISTED = 10;

/**
 * Cells holding U+FFFD, the character a decoder puts where bytes were not text in its encoding:
 * the sheet was made from a file read in the wrong encoding (a GBK CSV opened as UTF-8, or an XML
 * part declaring GBK, which exceljs reads as UTF-8), and the names it held are gone. Checked
 * before the header, which a garbled sheet would not have.
 */
function garbledCells(grids: readonly SheetGrid[]): { sheet: string; row: number; col: number }[] {
  const found: { sheet: string; row: number; col: number }[] = [];
  for (const grid of grids) {
    grid.rows.forEach((cells, r) => {
      cells.forEach((cell, c) => {
        // A merge's cells share its value: the merge is named once, at its top-left cell.
        if (cell.mergedFrom === undefined && typeof cell.value === 'string' && cell.value.includes('\uFFFD')) found.push({ sheet: grid.name, row: r + 1, col: c + 1 });
      });
    });
  }
  return found;
}

function format(problems: readonly Problem[], columns: ReadonlyMap<Field, Column>): string[] {
  return problems
    .map((p, order) => ({ p, order, col: p.field === undefined ? undefined : columns.get(p.field) }))
    .sort((a, b) => a.p.row - b.p.row || (a.col?.col ?? 0) - (b.col?.col ?? 0) || a.order - b.order)
    .map(({ p, col }) => (col === undefined ? M.atRow(p.row, p.what) : M.at(p.row, col.letter, col.header, p.what)));
}
