/**
 * `duban export`: the ledger (with its 请假记录 sheet, src/excel/people-table.ts), a month's ranking
 * or the task table, from the store into a table (src/excel/tables.ts) that src/excel/write.ts
 * turns into a workbook.
 */
import { currentRanking, loadBoard, pastRanking, type BoardSource, type BoardStore } from '../core/board.js';
import { endOfBeijingDay, monthEnd, monthOf } from '../domain/dates.js';
import { grantsAsOf } from '../domain/extensions.js';
import { replayLedger, tasksAsOf } from '../domain/ledger.js';
import type { Ym } from '../domain/model.js';
import { exportMessages } from '../messages/index.js';
import type { CoverStore } from '../store/cover.js';
import { peopleLedgerTable } from './people-table.js';
import { ledgerTable, rankingTable, tasksTable, type ExportTable } from './tables.js';

export const EXPORT_KINDS = ['ledger', 'ranking', 'tasks'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const isExportKind = (value: string): value is ExportKind => (EXPORT_KINDS as readonly string[]).includes(value);

/** `more`: sheets that follow the table in the same workbook (the 台账's 请假记录). */
export type ExportOutcome = { ok: true; table: ExportTable; more?: readonly ExportTable[] } | { ok: false; message: string };

/** What an export reads: the board's sources, and the people ledger the 台账 carries as a sheet of its own. */
export type ExportSource = BoardSource & { store: BoardStore & Pick<CoverStore, 'peopleLedger'> };

/**
 * The table of `kind`. `month`: for the ledger, the entries of that month; for the ranking, that
 * month's (a finished one from its snapshot or the ledger, as `排名 上月` answers); for the task
 * table, the standing at that month's end. Without it: the whole ledger, this month so far, today.
 */
export async function exportTable(kind: ExportKind, source: ExportSource, county: string, month?: Ym): Promise<ExportOutcome> {
  const thisMonth = monthOf(source.today);
  if (month !== undefined && month > thisMonth && kind !== 'ledger') return { ok: false, message: exportMessages.future(month) };
  switch (kind) {
    case 'ledger': {
      const [tasks, townships, people] = await Promise.all([source.store.tasks(), source.store.townships(), source.store.peopleLedger()]);
      const entries = await source.store.ledger(tasks.map((t) => t.id));
      const table = ledgerTable({ county, entries, tasks, townships, month });
      // A county that has never used 请假 gets no empty sheet for it.
      return people.length === 0 ? { ok: true, table } : { ok: true, table, more: [peopleLedgerTable({ county, entries: people, townships, month })] };
    }
    case 'ranking': {
      if (month === undefined || month === thisMonth) {
        const board = await loadBoard(source);
        return { ok: true, table: rankingTable({ county, ranking: await currentRanking(source, board), final: false }) };
      }
      const ranking = await pastRanking(source, month);
      if (!ranking) return { ok: false, message: exportMessages.noRecords(month) };
      return { ok: true, table: rankingTable({ county, ranking, final: true }) };
    }
    case 'tasks': {
      if (month === undefined || month === thisMonth) {
        const board = await loadBoard(source);
        return { ok: true, table: tasksTable({ county, today: source.today, tasks: board.tasks, townships: board.townships, progress: board.progress, deadlines: board.deadlines, calendar: source.calendar }) };
      }
      const [tasks, townships] = await Promise.all([source.store.tasks(), source.store.townships()]);
      const asOf = monthEnd(month);
      const until = endOfBeijingDay(asOf);
      // The whole ledger: a 销号 or 恢复 after the month's end still says how a task stood in it.
      const entries = await source.store.ledger(tasks.map((t) => t.id));
      const progress = replayLedger(entries, until);
      const deadlines = grantsAsOf(entries, until);
      return { ok: true, table: tasksTable({ county, today: asOf, tasks: tasksAsOf(tasks, entries, until), townships, progress, deadlines, calendar: source.calendar }) };
    }
  }
}
