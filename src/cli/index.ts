#!/usr/bin/env node
/**
 * `duban` — the one command (docs/design.md §6): serve, load, say, chat, job, import, export, backup, restore, doctor.
 * `runCli` takes its streams and environment as arguments so tests drive it in-process.
 */
import { existsSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config.js';
import { StoreUnavailableError } from '../core/errors.js';
import { cli } from '../messages/index.js';
import { RedisUnavailableError } from '../store/connect.js';
import { backupCommand, restoreCommand } from './backup.js';
import { UsageError, write, type CliIo } from './common.js';
import { doctorCommand } from './doctor.js';
import { jobCommand } from './job.js';
import { loadCommand } from './load.js';
import { serveCommand, ServeError } from './serve.js';
import { chatCommand, sayCommand } from './talk.js';

export type { CliIo } from './common.js';

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
      // ExcelJS is loaded for these alone: 20 MB and more that `duban serve` would hold for nothing.
      case 'import':
        return await (await import('./excel.js')).importCommand(rest, io);
      case 'export':
        return await (await import('./excel.js')).exportCommand(rest, io);
      case 'backup':
        return await backupCommand(rest, io);
      case 'restore':
        return await restoreCommand(rest, io);
      case 'doctor':
        return await doctorCommand(rest, io);
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
