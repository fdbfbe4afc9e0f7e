#!/usr/bin/env node
/**
 * `duban` — the one command (docs/design.md §6): serve, load, say, chat, job, import, export.
 * `runCli` takes its streams and environment as arguments so tests drive it in-process.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { castOf, chat, defaultSpeaker, say, type Speaker } from './adapters/console/index.js';
import { createBot } from './bot.js';
import { missingGlyphs } from './render/font.js';
import { ConfigError, loadConfig } from './config.js';
import { StoreUnavailableError } from './core/errors.js';
import { createLogger, fileLogger, type Level } from './core/logger.js';
import { planSlot, runJobs } from './core/scheduler.js';
import { estimatingBeyondCoverage } from './domain/calendar.js';
import { beijingDate, beijingInstant, beijingTime, isYm } from './domain/dates.js';
import { EXPORT_KINDS, exportTable, isExportKind } from './excel/export.js';
import { importTaskWorkbook } from './excel/import.js';
import { MAX_WORKBOOK_BYTES } from './excel/inspect.js';
import { RefusedWorkbookError } from './excel/read.js';
import { tableBuffer } from './excel/write.js';
import { serve, ServeError, type ServeIo } from './main.js';
import type { Outbox } from './outbox/index.js';
import { createPlatforms, openOutbox } from './platforms.js';
import { renderText } from './render/plain.js';
import { cli, exportMessages, setupFile, workbookMessages } from './messages/index.js';
import { jobs } from '../jobs/index.js';
import { MAX_SETUP_BYTES, readSetup } from './setup/index.js';
import { connectRedis, RedisUnavailableError } from './store/connect.js';
import { openDemo } from './demo.js';
import { chatLogFile } from './paths.js';
import { CHAT_PLATFORMS, isChatPlatform, type ChatPlatform, type EntryOrigin } from './domain/model.js';
import { countyWindow, type Post } from './core/posts.js';

export interface CliIo extends ServeIo {
  env: NodeJS.ProcessEnv;
}

function platformOf(value = 'console'): ChatPlatform {
  if (!isChatPlatform(value)) throw new UsageError(cli.platform(CHAT_PLATFORMS));
  return value;
}

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const write = (stream: NodeJS.WritableStream, text: string): void => {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest, io);
      case 'load':
        return await loadCommand(rest, io);
      case 'say':
        return await sayCommand(rest, io);
      case 'chat':
        return await chatCommand(rest, io);
      case 'job':
        return await jobCommand(rest, io);
      case 'import':
        return await importCommand(rest, io);
      case 'export':
        return await exportCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        write(io.stdout, cli.usage);
        return command === undefined ? 2 : 0;
      default:
        write(io.stderr, `${cli.unknownCommand(command)}\n\n${cli.usage}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      write(io.stderr, `${error.message}\n\n${cli.usage}`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof RedisUnavailableError || error instanceof StoreUnavailableError || error instanceof ServeError) {
      write(io.stderr, error.message);
      return 1;
    }
    throw error;
  }
}

function options<T extends Record<string, { type: 'string' | 'boolean' }>>(args: readonly string[], spec: T) {
  try {
    return parseArgs({ args: [...args], options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Redis, the bot and its outbox, for one CLI command; closed when the command ends. The outbox
 * only queues unless started: what `say` queues (催办) is delivered by the running server.
 */
async function openBot(io: CliIo, level: Level, demo = false, logFile?: (dataDir: string) => string) {
  const config = loadConfig(io.env);
  const dataDir = io.dataDir ?? resolve('data');
  const log = logFile ? fileLogger(logFile(dataDir), level) : createLogger(level, (line) => { io.stderr.write(`${line}\n`); });
  // With --demo: the demo county of today, as `npm run demo` would find it.
  const { redis, prefix } = demo ? await openDemo(config.redisUrl, log, { dataDir, prefix: io.prefix, build: 'if-missing', now: new Date() }) : { redis: await connectRedis(config.redisUrl, log, dataDir), prefix: io.prefix };
  let outbox: Outbox | undefined;
  const bot = await createBot(redis.redis, { log, prefix, posts: { enqueue: (posts) => opened().enqueue(posts), delivering: () => opened().delivering() }, publicUrl: config.publicUrl });
  const platforms = createPlatforms(config, bot, log, (text) => { write(io.stdout, text); });
  const opened = (): Outbox => (outbox ??= openOutbox(redis.redis, bot, platforms, log, { prefix }));
  return {
    ...bot,
    config,
    log,
    outbox: opened,
    async close() {
      await outbox?.close();
      await redis.close();
    },
  };
}

/** Talking to a bot with no county loaded only gets "not bound" answers: say why first. */
async function hintIfEmpty(bot: Awaited<ReturnType<typeof openBot>>, io: CliIo): Promise<void> {
  if ((await bot.store.countyName()) === undefined) write(io.stderr, cli.noCounty);
}

async function serveCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = options(args, { demo: { type: 'boolean' }, fresh: { type: 'boolean' } });
  if (values.fresh === true && values.demo !== true) throw new UsageError(cli.serve.freshWithoutDemo);
  const config = loadConfig(io.env);
  return serve({ config, ...(values.demo === true ? { demo: { fresh: values.fresh === true } } : {}), io });
}

async function loadCommand(args: readonly string[], io: CliIo): Promise<number> {
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
    await bot.store.loadCounty(result.county, result.calendar, result.schedule, loadedBy);
    const { county } = result;
    write(io.stdout, cli.load.loaded(county.name, county.townships.length, county.groups.length, county.people.length, county.tasks.length));
    const missing = missingGlyphs([county.name, ...county.townships.map((t) => t.name), ...county.people.map((p) => p.name), ...county.tasks.map((t) => t.title)].join(''));
    // The chart's font is a subset: a rare character in a name would be drawn as a box.
    if (missing.length > 0) write(io.stderr, cli.load.missingGlyphs(missing));
    return 0;
  } finally {
    await bot.close();
  }
}

const speakerOptions = {
  platform: { type: 'string' },
  chat: { type: 'string' },
  user: { type: 'string' },
  name: { type: 'string' },
  id: { type: 'string' },
  demo: { type: 'boolean' },
} as const;

async function sayCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = options(args, speakerOptions);
  const text = positionals.join(' ');
  if (values.user === undefined) throw new UsageError(cli.say.who);
  if (text.trim() === '') throw new UsageError(cli.say.what);
  const speaker: Speaker = { platform: platformOf(values.platform), chat: values.chat, user: values.user, name: values.name };
  // Like the chat, its log goes to the file, not between the question and the answer.
  const bot = await openBot(io, 'info', values.demo === true, (dataDir) => chatLogFile(dataDir, values.demo === true));
  try {
    await hintIfEmpty(bot, io);
    write(io.stdout, await say(bot.route, speaker, text, values.id));
    return 0;
  } finally {
    await bot.close();
  }
}

async function chatCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = options(args, speakerOptions);
  // Log lines would interleave with the conversation: they go to a file, named once.
  const logFile = (dataDir: string): string => chatLogFile(dataDir, values.demo === true);
  const bot = await openBot(io, 'info', values.demo === true, logFile);
  try {
    write(io.stderr, cli.serve.logFile(logFile(io.dataDir ?? resolve('data'))));
    await hintIfEmpty(bot, io);
    const speaker = await defaultSpeaker(bot.store, { platform: platformOf(values.platform), chat: values.chat, user: values.user });
    await chat(bot.route, speaker, { input: io.stdin, output: io.stdout }, await castOf(bot.store));
    return 0;
  } finally {
    await bot.close();
  }
}

async function importCommand(args: readonly string[], io: CliIo): Promise<number> {
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
      return 0;
    } catch (error) {
      if (!(error instanceof RefusedWorkbookError)) throw error;
      return refused(error.message);
    }
  });
}

/** Runs an Excel command on the loaded county; without one, says how to load it (exit 1). */
async function withCounty(io: CliIo, demo: boolean, run: (bot: Awaited<ReturnType<typeof openBot>>, county: string) => Promise<number>): Promise<number> {
  const bot = await openBot(io, 'warn', demo);
  try {
    const county = await bot.store.countyName();
    if (county === undefined) {
      write(io.stderr, cli.noCountyForExcel);
      return 1;
    }
    return await run(bot, county);
  } finally {
    await bot.close();
  }
}

async function exportCommand(args: readonly string[], io: CliIo): Promise<number> {
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
      await writeFile(out, await tableBuffer(outcome.table));
    } catch (error) {
      // A missing folder, or the file still open in Excel (EBUSY on Windows).
      write(io.stderr, cli.export.unwritable(out, error instanceof Error ? error.message : String(error)));
      return 1;
    }
    write(io.stdout, exportMessages.exported(outcome.table.rows.length, out));
    return 0;
  });
}

/** How long `duban job` waits for its posts; a paced fan-out to many groups takes minutes. */
const JOB_WAIT_MS = 30 * 60 * 1000;

/** `2026-12-01T09:00` without an offset is Beijing time, as a county reads it. */
function instantOf(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}+08:00`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) throw new UsageError(cli.job.at(value));
  return date;
}

/** `all`: every job of the daily slot, bundled per group as the scheduler posts them. */
const ALL_JOBS = 'all';

async function jobCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = options(args, { at: { type: 'string' }, 'dry-run': { type: 'boolean' }, demo: { type: 'boolean' } });
  const [name] = positionals;
  const chosen = name === ALL_JOBS ? jobs : jobs.filter((j) => j.name === name);
  if (chosen.length === 0) throw new UsageError(cli.job.which(name, jobs.map((j) => j.name), ALL_JOBS));
  const label = name ?? ALL_JOBS;
  const at = instantOf(values.at);
  const bot = await openBot(io, 'warn', values.demo === true);
  const deps = { store: bot.store, calendar: bot.calendar, log: bot.log };
  try {
    await hintIfEmpty(bot, io);
    const outbox = bot.outbox();
    if (values['dry-run'] === true) {
      const plan = await planSlot(chosen, at, deps, (keys) => outbox.posted(keys));
      if (!plan.ran) {
        write(io.stdout, cli.job.restDay(plan.day, label));
        return 0;
      }
      for (const post of plan.posts) write(io.stdout, `── ${post.platform}/${post.chat}（${post.key}）\n${renderText(post.message)}\n`);
      write(io.stdout, cli.job.dryRun(plan.posts.length, plan.already.length));
      return 0;
    }
    // As if the clock read --at: its office hours decide whether the posts may go out, for every
    // instance that delivers them (a running server's worker takes its share by its own clock).
    const window = await countyWindow(bot.store, bot.calendar)(at);
    // A rest day is runJobs' to say (nothing is planned then).
    if (!window.now && estimatingBeyondCoverage(bot.calendar).isWorkday(beijingDate(at))) {
      const { start, end } = (await bot.store.scheduleSettings()).officeHours;
      throw new UsageError(cli.job.outsideOfficeHours(beijingDate(at), beijingTime(at), start, end));
    }
    // A running server delivers them: a second worker here would also take the server's own posts,
    // and bury as "platform off" those for a platform whose credentials this shell lacks.
    const server = (await outbox.delivering()) === true;
    if (!server) outbox.start();
    const decided = { ...outbox, enqueue: (posts: readonly Post[]) => outbox.enqueue(posts, { windowDecided: true }) };
    const outcome = await runJobs(chosen, at, { ...deps, outbox: decided });
    if (!outcome.ran) {
      write(io.stdout, cli.job.restDay(outcome.day, label));
      return 0;
    }
    const off = new Set(outcome.platformOff);
    const waiting = outcome.posts.map((p) => p.key).filter((key) => !off.has(key));
    // A group's posts go out in turn at its robot's pace, behind any it has queued before (one
    // held for office hours waits for them): say so, or a long wait looks like a hang.
    if (waiting.length > 0) write(io.stderr, cli.job.waiting(waiting.length, server, JOB_WAIT_MS / 60_000));
    const states = await outbox.settled(waiting, JOB_WAIT_MS);
    const count = (state: string): number => [...states.values()].filter((s) => s === state).length;
    write(io.stdout, cli.job.outcome(label, outcome.day, { posts: outcome.posts.length, added: outcome.added?.length ?? 0, already: outcome.already?.length ?? 0, sent: count('sent'), dead: count('dead'), pending: count('pending') }));
    if (off.size > 0) write(io.stdout, cli.job.platformOff(off.size));
    for (const [key, state] of states) if (state === 'dead' || state === 'pending') write(io.stderr, cli.job.unsent(state === 'dead', key));
    return count('sent') + count('dropped') === states.size ? 0 : 1;
  } finally {
    await bot.close();
  }
}

// Run when executed (`duban …` through npm's bin link, `node dist/src/cli.js …`), not when imported by tests.
const entry = process.argv[1];
if (entry !== undefined && existsSync(entry) && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`duban: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
