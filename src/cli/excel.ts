/** `duban import` and `duban export`: the 任务分解表 in, the 台账, ranking and task table out. */
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { beijingDate, isYm } from '../domain/dates.js';
import { EXPORT_KINDS, exportTable, isExportKind } from '../excel/export.js';
import { importTaskWorkbook } from '../excel/import.js';
import { MAX_WORKBOOK_BYTES } from '../excel/inspect.js';
import { RefusedWorkbookError } from '../excel/read.js';
import { tableBuffer } from '../excel/write.js';
import { cli, exportMessages, text, workbookMessages } from '../messages/index.js';
import { announceTasks } from '../core/sign-off.js';
import { options, outboxOf, UsageError, withCounty, write, type CliIo } from './common.js';

export async function importCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = options(args, { demo: { type: 'boolean' } });
  const [file, extra] = positionals;
  if (file === undefined || extra !== undefined) throw new UsageError(cli.import.which);
  if (!/\.xlsx$/i.test(file)) throw new UsageError(cli.import.notXlsx(file));
  if (!existsSync(file)) {
    write(io.stderr, cli.fileMissing(file));
    return 1;
  }
  const refused = (why: string): number => {
    write(io.stderr, cli.import.refused(file, why));
    return 1;
  };
  // Refused by its size before it is read: a wrong file of gigabytes is not loaded into memory first.
  const size = (await stat(file)).size;
  if (size > MAX_WORKBOOK_BYTES) return refused(workbookMessages.tooLarge(size, MAX_WORKBOOK_BYTES));
  const data = await readFile(file);
  return withCounty(io, values.demo === true, async (bot, county) => {
    try {
      const outcome = await importTaskWorkbook(bot.store, data, beijingDate(new Date()), county);
      if (!outcome.ok) {
        write(io.stderr, cli.import.failed(file, outcome.errors));
        return 1;
      }
      write(io.stdout, outcome.message);
      // 交办 where the county uses 签收: the tasks this workbook made, never the ones it updated.
      const announced = await announceTasks(bot.store, outboxOf(bot), outcome.created, new Date());
      if (announced.tasks > 0) write(io.stdout, text.commands.signing.cli(announced.tasks, announced.townships));
      return 0;
    } catch (error) {
      if (!(error instanceof RefusedWorkbookError)) throw error;
      return refused(error.message);
    }
  });
}

export async function exportCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = options(args, { out: { type: 'string' }, month: { type: 'string' }, demo: { type: 'boolean' } });
  const [kind, extra] = positionals;
  if (kind === undefined || !isExportKind(kind)) {
    throw new UsageError(cli.export.which(kind, EXPORT_KINDS));
  }
  if (extra !== undefined) throw new UsageError(cli.export.extra(extra));
  const out = values.out;
  if (out === undefined || out.trim() === '') throw new UsageError(cli.export.out);
  if (!/\.xlsx$/i.test(out)) throw new UsageError(cli.export.outXlsx(out));
  const month = values.month;
  if (month !== undefined && !isYm(month)) throw new UsageError(cli.export.month(month));
  return withCounty(io, values.demo === true, async (bot, county) => {
    const source = { store: bot.store, calendar: bot.calendar, today: beijingDate(new Date()) };
    const outcome = await exportTable(kind, source, county, month);
    if (!outcome.ok) {
      write(io.stderr, outcome.message);
      return 1;
    }
    try {
      await writeFile(out, await tableBuffer(outcome.table, ...(outcome.more ?? [])));
    } catch (error) {
      // A missing folder, or the file still open in Excel (EBUSY on Windows).
      write(io.stderr, cli.export.unwritable(out, error instanceof Error ? error.message : String(error)));
      return 1;
    }
    write(io.stdout, exportMessages.exported(outcome.table.rows.length, out));
    return 0;
  });
}
