import { renderText } from '../render/text.js';
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
    super('Redis 不可用，这条消息没有处理。请确认 Redis 正在运行后重试。', { cause });
    this.name = 'StoreUnavailableError';
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

/** A platform refused a message; `code` is the platform's own error code. */
export class SendError extends Error {
  readonly code: string;
  readonly permanent: boolean;
  constructor(message: string, code: string, permanent: boolean) {
    super(message);
    this.name = 'SendError';
    this.code = code;
    this.permanent = permanent;
  }
}
