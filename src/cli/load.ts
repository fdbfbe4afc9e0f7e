/** `duban load FILE`: the county from its setup file into Redis (docs/design.md §6). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { beijingInstant } from '../domain/dates.js';
import type { EntryOrigin } from '../domain/model.js';
import { cli, setupFile, text } from '../messages/index.js';
import { missingGlyphs } from '../render/font.js';
import { MAX_SETUP_BYTES, readSetup } from '../setup/index.js';
import { loadAndAnnounce } from '../core/sign-off.js';
import { openBot, options, outboxOf, UsageError, write, type CliIo } from './common.js';

export async function loadCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = options(args, {});
  const [file] = positionals;
  if (file === undefined) throw new UsageError(cli.load.which);
  if (!existsSync(file)) {
    write(io.stderr, cli.fileMissing(file));
    return 1;
  }
  const size = statSync(file).size;
  // Refused by its size before it is read: a wrong file of gigabytes is not loaded into memory first.
  const result = size > MAX_SETUP_BYTES ? { ok: false as const, errors: [setupFile.bytes.tooLarge(size, MAX_SETUP_BYTES)] } : readSetup(readFileSync(file), basename(file));
  if (!result.ok) {
    write(io.stderr, cli.load.refused(file, result.errors));
    return 1;
  }
  const bot = await openBot(io, 'warn');
  try {
    // A task the file newly closes goes into its ledger as closed today, by the file.
    const loadedBy: EntryOrigin = { by: { platform: 'console', user: 'duban-load', name: setupFile.reporter }, at: beijingInstant(new Date()), source: `setup:${basename(file)}` };
    // 签收: the tasks new to the county are announced (交办), where the county uses it.
    const announced = await loadAndAnnounce(bot.store, outboxOf(bot), { county: result.county, calendar: result.calendar, schedule: result.schedule, loadedBy }, new Date());
    const { county } = result;
    write(io.stdout, cli.load.loaded(county.name, county.townships.length, county.groups.length, county.people.length, county.tasks.length));
    if (announced.tasks > 0) write(io.stdout, text.commands.signing.cli(announced.tasks, announced.townships));
    const missing = missingGlyphs([county.name, ...county.townships.map((t) => t.name), ...county.people.map((p) => p.name), ...county.tasks.map((t) => t.title)].join(''));
    // The chart's font is a subset: a rare character in a name would be drawn as a box.
    if (missing.length > 0) write(io.stderr, cli.load.missingGlyphs(missing));
    return 0;
  } finally {
    await bot.close();
  }
}
