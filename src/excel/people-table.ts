/**
 * The 台账's second sheet, 请假记录: the county's people ledger — each 请假 with its last day and
 * who covered, each 销假 — oldest first, as rows of plain values in the shape of tables.ts's. It
 * is a sheet of its own: a leave concerns a township's people, not one task, so it has no place
 * among the task columns of the ledger.
 */
import type { PeopleEntry } from '../domain/cover.js';
import { beijingMonth, instantMs } from '../domain/dates.js';
import type { Township, Ym } from '../domain/model.js';
import { cover, platformName } from '../messages/index.js';
import type { ExportColumn, ExportTable, ExportValue } from './tables.js';

const W = cover.sheet;

const col = (header: string, width: number, format: ExportColumn['format'] = 'text'): ExportColumn => ({ header, width, format });

/** Stream ids `ms-seq` order entries of one millisecond. */
const byId = (a: PeopleEntry, b: PeopleEntry): number => {
  const [am = 0, as = 0] = a.id.split('-').map(Number);
  const [bm = 0, bs = 0] = b.id.split('-').map(Number);
  return am - bm || as - bs;
};

/** Every people-ledger entry, oldest first; with `month`, those recorded in that Beijing month. */
export function peopleLedgerTable(input: { county: string; entries: readonly PeopleEntry[]; townships: readonly Township[]; month?: Ym }): ExportTable {
  const names = new Map(input.townships.map((t) => [t.id, t.name]));
  const rows = input.entries
    .filter((e) => input.month === undefined || beijingMonth(new Date(instantMs(e.at))) === input.month)
    .sort(byId)
    .map((e): ExportValue[] => [
      { instant: e.at },
      names.get(e.township) ?? e.township,
      W.kinds[e.kind],
      e.kind === 'leave' ? { date: e.until } : null,
      e.kind === 'leave' ? (e.cover === '' ? W.noCover : e.cover) : null,
      e.by.name,
      platformName(e.by.platform),
      e.source,
    ]);
  const head = W.head;
  return {
    sheet: W.name,
    title: W.title(input.county, input.month),
    columns: [
      col(head.at, 17, 'datetime'),
      col(head.township, 12),
      col(head.kind, 6),
      col(head.until, 11, 'date'),
      col(head.cover, 12),
      col(head.by, 9),
      col(head.platform, 9),
      col(head.source, 24),
    ],
    rows,
  };
}
