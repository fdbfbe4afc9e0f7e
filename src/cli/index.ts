#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=20 --liftoff-only
/**
 * `duban` — the one command (docs/design.md §6): serve, load, say, chat, job, import, export, backup, restore, doctor.
 * `runCli` takes its streams and environment as arguments so tests drive it in-process.
 *
 * The V8 flags above keep `duban serve` under 150 MB while it answers as fast as it can (README,
 * "Performance"). Under load V8 promotes megabytes a second of what messages leave (less since
 * auto-pipelining is off, src/store/connect.ts), and by default lets the old generation grow to
 * several times what is live before collecting it: 230–270 MB under load, of about 30 MB live. An
 * 8 MB semi-space (16 MB by default on 64-bit) lets most of a message's garbage die young, where
 * collecting it is cheap: 13 % more DingTalk callbacks a second than a 4 MB one (the median of ten
 * pairs side by side in the inbound benchmark's turns, auto-pipelining on then; README,
 * "Changed"). A fixed growing factor of 1.2 (V8's src/heap/heap-controller.cc, `GrowingFactor`)
 * collects the old generation at a fifth more than what is live, which makes room for it: beside
 * an 8 MB one, the 2,000-township county peaked at 145–147 MB with 1.5 and 139–142 MB with 1.2
 * (137–138 MB with 4 MB and 1.5), at the same rate.
 * The only WebAssembly here is undici's HTTP parser (llhttp): optimizing it on the first platform
 * call took 35 MB for a moment, baseline code (Liftoff) alone takes none and parses a platform's
 * short answers as fast, as far as the benchmark can tell. NODE_OPTIONS refuses the last two (V8
 * options it does not list); `env -S` (GNU coreutils 8.30+, Debian's and node:20-slim's) splits
 * them onto node's command line, so they hold wherever the file is run as a program — npm's bin
 * link, npm start, the image, the systemd unit — and not under `node dist/src/cli/index.js`.
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
