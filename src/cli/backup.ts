/** `duban backup FILE` and `duban restore FILE [--force]`: a county's whole state to a file and back (docs/backup.md). */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { loadConfig } from '../config.js';
import { createLogger } from '../core/logger.js';
import { beijingInstant } from '../domain/dates.js';
import { cli } from '../messages/index.js';
import { createBackupStore, RestoreInterruptedError, type BackupStore } from '../store/backup.js';
import { BACKUP_VERSION, backupLines, decodeBackup, gzippedName, type BackupFile, type BackupProblem } from '../store/backup-format.js';
import { connectRedis } from '../store/connect.js';
import { createKeys } from '../store/keys.js';
import { options, UsageError, write, type CliIo } from './common.js';

/** The store's Redis (the same one every command finds) under the store's prefix, closed after `work`. */
async function withBackupStore(io: CliIo, work: (store: BackupStore, prefix: string) => Promise<number>): Promise<number> {
  const config = loadConfig(io.env);
  const log = createLogger('warn', (line) => { io.stderr.write(`${line}\n`); });
  const redis = await connectRedis(config.redisUrl, log, io.dataDir ?? resolve('data'));
  try {
    const keys = createKeys(io.prefix);
    return await work(createBackupStore(redis.redis, keys), keys.prefix);
  } finally {
    await redis.close();
  }
}

/** Writes the file beside its place and renames it there: a backup cut off never stands under the name cron keeps. */
async function writeBackup(file: string, backup: BackupFile): Promise<number> {
  const partial = `${file}.partial-${String(process.pid)}`;
  // Only its owner reads it: it holds the groups' webhooks and the dashboard's signing key.
  const out = createWriteStream(partial, { mode: 0o600 });
  try {
    const lines = Readable.from(backupLines(backup));
    await (gzippedName(file) ? pipeline(lines, createGzip(), out) : pipeline(lines, out));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return (await stat(file)).size;
}

export async function backupCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = options(args, {});
  const [file, extra] = positionals;
  if (file === undefined || file.trim() === '') throw new UsageError(cli.backup.which);
  if (extra !== undefined) throw new UsageError(cli.backup.extra(extra));
  return withBackupStore(io, async (store, prefix) => {
    const { file: backup, skipped, unknown } = await store.read();
    if (backup.keys.length === 0) {
      write(io.stderr, cli.backup.empty(prefix));
      return 1;
    }
    if (backup.county === null) write(io.stderr, cli.backup.noCounty);
    let bytes: number;
    try {
      bytes = await writeBackup(file, backup);
    } catch (error) {
      write(io.stderr, cli.backup.unwritable(file, error instanceof Error ? error.message : String(error)));
      return 1;
    }
    write(io.stdout, cli.backup.done(backup.county, backup.keys.length, file, bytes));
    if (unknown > 0) write(io.stdout, cli.backup.unknown(unknown));
    if (skipped > 0) write(io.stdout, cli.backup.skipped(skipped));
    write(io.stdout, cli.backup.secret);
    return 0;
  });
}

const problemText = (problem: BackupProblem): string => {
  switch (problem.kind) {
    case 'gzip':
      return cli.restore.gzip(problem.detail);
    case 'json':
      return cli.restore.json(problem.detail);
    case 'not-backup':
      return cli.restore.notBackup;
    case 'newer':
      return cli.restore.newer(problem.version, BACKUP_VERSION);
    case 'invalid':
      return cli.restore.invalid(problem.issues);
  }
};

/** `2026-12-05 14:03`: when a backup was made, Beijing time. */
const shownTime = (instant: string): string => {
  const beijing = beijingInstant(new Date(instant));
  return `${beijing.slice(0, 10)} ${beijing.slice(11, 16)}`;
};

export async function restoreCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = options(args, { force: { type: 'boolean' } });
  const [file, extra] = positionals;
  if (file === undefined || file.trim() === '') throw new UsageError(cli.restore.which);
  if (extra !== undefined) throw new UsageError(cli.restore.extra(extra));
  if (!existsSync(file)) {
    write(io.stderr, cli.fileMissing(file));
    return 1;
  }
  // Read and checked whole before Redis is touched: a bad file changes nothing.
  const decoded = decodeBackup(await readFile(file));
  if (!decoded.ok) {
    write(io.stderr, cli.restore.unreadable(file, problemText(decoded.problem)));
    return 1;
  }
  const backup = decoded.file;
  return withBackupStore(io, async (store, prefix) => {
    const occupant = await store.occupant();
    if (occupant !== undefined) {
      if (values.force !== true) {
        write(io.stderr, cli.restore.occupied(file, prefix, occupant.county, occupant.keys, occupant.examples));
        return 1;
      }
      write(io.stdout, cli.restore.cleared(await store.clear()));
    }
    try {
      const { written, expired } = await store.write(backup);
      write(io.stdout, cli.restore.done(backup.county, written, file, shownTime(backup.createdAt)));
      if (expired > 0) write(io.stdout, cli.restore.expired(expired));
      return 0;
    } catch (error) {
      if (!(error instanceof RestoreInterruptedError)) throw error;
      write(io.stderr, cli.restore.interrupted(file, error.written, error.total, error.at, error.reason));
      return 1;
    }
  });
}
