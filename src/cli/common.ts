/**
 * What every `duban` subcommand shares: its streams and environment, usage errors, and the bot
 * it opens — `compose` over the Redis the command finds, closed when the command ends.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compose, type Bot } from '../compose.js';
import { loadConfig, type Config } from '../config.js';
import { createLogger, fileLogger, type Level, type Logger } from '../core/logger.js';
import type { Posts } from '../core/posts.js';
import { openDemo } from '../demo.js';
import { CHAT_PLATFORMS, isChatPlatform, type ChatPlatform } from '../domain/model.js';
import { cli } from '../messages/index.js';
import { connectRedis } from '../store/connect.js';

export interface ServeIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** Redis key prefix; tests give each run its own. */
  prefix?: string;
  /** Where a private redis-server and the demo keep their files; `./data` by default. */
  dataDir?: string;
  /** Chat in the terminal (the demo): by default when stdin is a terminal. */
  interactive?: boolean;
}

export interface CliIo extends ServeIo {
  env: NodeJS.ProcessEnv;
}

/** `--platform`, the terminal's own by default. */
export function platformOf(value = 'console'): ChatPlatform {
  if (!isChatPlatform(value)) throw new UsageError(cli.platform(CHAT_PLATFORMS));
  return value;
}

/** A command typed wrong: its message, then the usage, and exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Writes `text` as whole lines. */
export const write = (stream: NodeJS.WritableStream, text: string): void => {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
};

/** The flags and positionals of `args`; an unknown flag or a missing value is a usage error. */
export function options<T extends Record<string, { type: 'string' | 'boolean' }>>(args: readonly string[], spec: T) {
  try {
    return parseArgs({ args: [...args], options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export interface CliBot extends Bot {
  config: Config;
  log: Logger;
}

/**
 * Redis and the bot for one command; `close` closes both. Its outbox only queues unless started:
 * what `say` queues (催办) is delivered by the running server.
 */
export async function openBot(io: CliIo, level: Level, demo = false, logFile?: (dataDir: string) => string): Promise<CliBot> {
  const config = loadConfig(io.env);
  const dataDir = io.dataDir ?? resolve('data');
  // LOG_LEVEL, when set, says how much every command logs; else the command's own level.
  const logLevel = config.logLevel ?? level;
  const log = logFile ? fileLogger(logFile(dataDir), logLevel) : createLogger(logLevel, (line) => { io.stderr.write(`${line}\n`); });
  // With --demo: the demo county of today, as `npm run demo` would find it.
  const { redis, prefix } = demo ? await openDemo(config.redisUrl, log, { dataDir, prefix: io.prefix, build: 'if-missing', now: new Date() }) : { redis: await connectRedis(config.redisUrl, log, dataDir), prefix: io.prefix };
  const bot = await compose(redis.redis, { log, prefix, config, write: (text) => { write(io.stdout, text); } });
  return {
    ...bot,
    config,
    log,
    async close() {
      await bot.close();
      await redis.close();
    },
  };
}

/** The bot's outbox as commands post through it, opened only when something is queued: it only queues here, and `duban serve` delivers. */
export const outboxOf = (bot: Bot): Posts => ({ enqueue: (posts, options) => bot.outbox().enqueue(posts, options), delivering: () => bot.outbox().delivering() });

/** Talking to a bot with no county loaded only gets "not bound" answers: say why first. */
export async function hintIfEmpty(bot: CliBot, io: CliIo): Promise<void> {
  if ((await bot.store.countyName()) === undefined) write(io.stderr, cli.noCounty);
}

export /** Runs an Excel command on the loaded county; without one, says how to load it (exit 1). */
async function withCounty(io: CliIo, demo: boolean, run: (bot: CliBot, county: string) => Promise<number>): Promise<number> {
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

