import { cli } from '../messages/index.js';
import { renderText } from '../render/plain.js';
import type { OutgoingMessage } from './types.js';
import { plain } from './types.js';

/** The user asked for something we cannot do: answered politely, not logged as an error. */
export class UserError extends Error {
  readonly reply: OutgoingMessage;
  constructor(reply: OutgoingMessage | string) {
    const message = typeof reply === 'string' ? plain(reply) : reply;
    super(renderText(message));
    this.name = 'UserError';
    this.reply = message;
  }
}

/** Redis did not answer while a message was handled: the message may not be recorded. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(cli.redis.lost, { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** Runs a store call, turning any failure into StoreUnavailableError: the message must not be answered as if handled. */
export async function orUnavailable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new StoreUnavailableError(error);
  }
}

/**
 * More messages at once than the bot takes in: nothing was claimed or recorded. Webhooks answer
 * 503, as while Redis is away, so the platform delivers the message again (docs/design.md §7).
 */
export class BusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusyError';
  }
}

/** A callback failed its signature check: 401, nothing parsed. */
export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

/** A callback body is not what the platform sends: 400. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

/**
 * How a send failed, which decides what the outbox does next: `permanent` — the robot or webhook
 * is gone, or the message can never be accepted (dead letter, tell the admins); `rate-limited` —
 * retry after the platform's window; `failed` — anything else, retried with backoff.
 */
export type SendFailure = 'permanent' | 'rate-limited' | 'failed';

/** `raw` as JSON, or DecodeError (400) naming `what` was not JSON. */
export function jsonOr400(raw: string, what: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new DecodeError(`${what} is not JSON`);
  }
}

/** A platform refused a message or could not be reached; `code` is the platform's own error code, or the HTTP status. */
export class SendError extends Error {
  readonly code: string;
  readonly failure: SendFailure;
  /** For `rate-limited`: when the sender knows how long the limit holds (its own count of the window), rather than the platform's usual pause. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, code: string, failure: SendFailure, retryAfterMs?: number) {
    super(message);
    this.name = 'SendError';
    this.code = code;
    this.failure = failure;
    this.retryAfterMs = retryAfterMs;
  }

  get permanent(): boolean {
    return this.failure === 'permanent';
  }
}
