/**
 * A small structured logger: one JSON line per event on stderr. Fields are context
 * (platform, chat, command), never secrets or whole payloads; every line still passes through
 * core/redact.ts on its way out, in case one slipped into a message, an error or a field.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MASK, redactText, SECRET_FIELD } from './redact.js';

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

export function createLogger(
  level: Level = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  base: Fields = {},
): Logger {
  const emit = (at: Exclude<Level, 'silent'>, msg: string, fields?: Fields): void => {
    if (ORDER[at] < ORDER[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...base, ...fields }, redacting));
  };
  return {
    debug: (msg, fields) => { emit('debug', msg, fields); },
    info: (msg, fields) => { emit('info', msg, fields); },
    warn: (msg, fields) => { emit('warn', msg, fields); },
    error: (msg, fields) => { emit('error', msg, fields); },
    child: (fields) => createLogger(level, write, { ...base, ...fields }),
  };
}

/**
 * JSON.stringify's replacer: an Error as its name, message and stack; a field named like a
 * credential masked whole; every string (the message, nested fields, an error's text) redacted.
 * JSON.stringify calls it again on what it returns, so an error's strings are redacted too.
 */
function redacting(key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (key !== '' && SECRET_FIELD.test(key) && value !== undefined && value !== null && value !== '') return MASK;
  return typeof value === 'string' ? redactText(value) : value;
}

/** A logger that appends its lines to `file`: for a chat in the terminal, where they would interleave with the conversation. */
export function fileLogger(file: string, level: Level): Logger {
  mkdirSync(dirname(file), { recursive: true });
  // Synchronous: a chat logs a few lines, and none is lost when the process ends right after.
  return createLogger(level, (line) => { appendFileSync(file, `${line}\n`); });
}
