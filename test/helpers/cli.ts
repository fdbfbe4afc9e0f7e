/** `duban …` run in-process against the test Redis, with its output captured. */
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli.js';
import { REDIS_URL } from './redis.js';

export async function runDuban(prefix: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const redisUrl = REDIS_URL.startsWith('/') ? `unix://${REDIS_URL}` : REDIS_URL;
  const code = await runCli(argv, { stdout, stderr, stdin: new PassThrough(), env: { REDIS_URL: redisUrl }, prefix });
  return { code, out, err };
}
