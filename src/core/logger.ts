/**
 * The log: one JSON line per event (pino), on stderr unless told otherwise. Commands, jobs and
 * adapters see only the small `Logger` below, so they never depend on pino. Fields are context
 * (platform, chat, command), never secrets or whole payloads; every line still passes through
 * core/redact.ts on its way out (pino's `log` formatter, its `logMethod` hook, and a child's fields
 * as it is made), in case one slipped into a message, an error or a field.
 */
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import { MASK, redactText, SECRET_FIELD } from './redact.js';

export const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type Level = (typeof LEVELS)[number];

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

/**
 * stderr, written synchronously: lines keep their order with what the CLI prints, and none is lost
 * when the process exits right after (pino's own default is stdout, where the CLI's output goes).
 */
let stderr: DestinationStream | undefined;
const toStderr = (): DestinationStream => (stderr ??= pino.destination({ dest: 2, sync: true }));

/**
 * A logger at `level`. `write`, when given, receives each line without its newline (tests, and
 * the CLI's own stderr stream); else lines go to stderr.
 */
export function createLogger(level: Level = 'info', write?: (line: string) => void): Logger {
  const destination: DestinationStream = write ? { write: (line) => { write(line.endsWith('\n') ? line.slice(0, -1) : line); } } : toStderr();
  return wrap(pino(options(level), destination));
}

/** A logger that appends its lines to `file`: for a chat in the terminal, where they would interleave with the conversation. */
export function fileLogger(file: string, level: Level): Logger {
  // Synchronous: a chat logs a few lines, and none is lost when the process ends right after.
  return wrap(pino(options(level), pino.destination({ dest: file, sync: true, mkdir: true, append: true })));
}

function options(level: Level): LoggerOptions {
  return {
    level,
    // No pid and hostname on every line: one process per deployment, and the supervisor knows both.
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      // The level's name ("warn"), as operators grep for it, not pino's number.
      level: (label) => ({ level: label }),
      // A line's fields, at each line (a child's are redacted once, when it is made: `wrap`).
      log: (fields) => redactFields(fields),
    },
    hooks: {
      // The message itself: called only for the levels that are on, so a debug line costs nothing at info.
      logMethod(args, method) {
        const [fields, msg] = args;
        method.apply(this, typeof msg === 'string' ? [fields, redactText(msg)] : args);
      },
    },
  };
}

function wrap(log: pino.Logger): Logger {
  return {
    debug: (msg, fields) => { log.debug(fields ?? {}, msg); },
    info: (msg, fields) => { log.info(fields ?? {}, msg); },
    warn: (msg, fields) => { log.warn(fields ?? {}, msg); },
    error: (msg, fields) => { log.error(fields ?? {}, msg); },
    child: (fields) => lateChild(log, fields),
  };
}

/**
 * A child made when it first writes a line at a level that is on: the router makes one per
 * message, and most messages write none. pino applies `formatters.bindings` to the root's base
 * only, never to a child's fields, so they are redacted here.
 */
function lateChild(parent: pino.Logger, fields: Fields): Logger {
  let made: Logger | undefined;
  const real = (): Logger => (made ??= wrap(parent.child(redactFields(fields))));
  const at = (level: Exclude<Level, 'silent'>) => (msg: string, more?: Fields): void => {
    if (parent.isLevelEnabled(level)) real()[level](msg, more);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => real().child(more) };
}

/** `fields` as they may be written down: see `redacted`. */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<object>();
  for (const [key, value] of Object.entries(fields)) out[key] = redacted(key, value, seen);
  return out;
}

/**
 * A field's value as it may be written down: a field named like a credential masked whole; an
 * Error as its name, message and stack; every string (nested fields, an error's text) redacted;
 * `toJSON` honoured (a Date, a URL) as JSON.stringify would.
 */
function redacted(key: string, value: unknown, seen: Set<object>): unknown {
  if (SECRET_FIELD.test(key) && value !== undefined && value !== null && value !== '') return MASK;
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (value instanceof Error) return redacted(key, { name: value.name, message: value.message, stack: value.stack }, seen);
  if ('toJSON' in value && typeof value.toJSON === 'function') return redacted(key, (value.toJSON as () => unknown)(), seen);
  seen.add(value);
  const out = Array.isArray(value)
    ? value.map((item: unknown, i) => redacted(String(i), item, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redacted(k, v, seen)]));
  seen.delete(value);
  return out;
}
