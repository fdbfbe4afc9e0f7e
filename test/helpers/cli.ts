/** `duban …` run in-process against the test Redis, with its output captured. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli, type CliIo } from '../../src/cli/index.js';
import { REDIS_URL } from './redis.js';

export interface Outcome {
  code: number;
  out: string;
  err: string;
}

/** Runs `duban <argv>` with `io`'s extras, what is typed as stdin, and stdout and stderr kept. */
export async function runCaptured(argv: readonly string[], io: Omit<CliIo, 'stdout' | 'stderr' | 'stdin'>, typed = ''): Promise<Outcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const stdin = new PassThrough();
  stdin.end(typed);
  const code = await runCli(argv, { ...io, stdout, stderr, stdin });
  return { code, out, err };
}

/** Where `duban` run by a test keeps its files (a chat's log): not the checkout's ./data. */
const dataDir = mkdtempSync(join(tmpdir(), 'duban-cli-'));

export function runDuban(prefix: string, ...argv: string[]): Promise<Outcome> {
  const redisUrl = REDIS_URL.startsWith('/') ? `unix://${REDIS_URL}` : REDIS_URL;
  return runCaptured(argv, { env: { REDIS_URL: redisUrl }, prefix, dataDir });
}
