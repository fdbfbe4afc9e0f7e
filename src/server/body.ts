/**
 * The raw request body, capped in size and in time. Platform callbacks are small JSON envelopes
 * sent whole at once; docs/design.md §7 refuses anything over 64 KB before reading it whole, and a body
 * still arriving after the platform has given up on its answer is nobody's we owe one.
 *
 * Hand-written: raw-body (what koa-body and co-body use) caps the size only, and the socket must
 * stay open for the refusal to be answered, which ending a `for await` over the request does not
 * allow (it destroys the request, and with it the socket).
 */
import type { Context } from 'koa';

export const CALLBACK_BODY_LIMIT = 64 * 1024;

/**
 * WeCom drops a callback it has no answer to within 5 s and delivers it again
 * (docs/protocols/wecom.md §5, page 90238); DingTalk waits "a few seconds"
 * (docs/protocols/dingtalk.md §1.3). A body is sent in one go: one still coming after 5 s is a
 * slow client's, not a platform's.
 */
export const BODY_TIMEOUT_MS = 5000;

export class PayloadTooLargeError extends Error {
  constructor(limit: number) {
    super(`body over ${String(limit)} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

/** The body did not arrive in time: 408, and the connection is closed. */
export class BodyTimeoutError extends Error {
  constructor(ms: number) {
    super(`body not received within ${String(ms)} ms`);
    this.name = 'BodyTimeoutError';
  }
}

/** The client hung up (or the server cut it) before its body was all there: nobody to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('connection closed before the body was received');
    this.name = 'ClientGoneError';
  }
}

export interface BodyLimits {
  /** Most bytes; 64 KB by default. */
  bytes?: number;
  /** Most milliseconds from the first read to the last byte; 5 s by default. */
  ms?: number;
}

export function readBody(ctx: Context, { bytes = CALLBACK_BODY_LIMIT, ms = BODY_TIMEOUT_MS }: BodyLimits = {}): Promise<string> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > bytes) return Promise.reject(new PayloadTooLargeError(bytes));
  const req = ctx.req;
  if (req.destroyed) return Promise.reject(new ClientGoneError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string): void => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buffer.length;
      // A chunked body declares no length: count as it comes, and stop reading once it is too big.
      if (size > bytes) stop(new PayloadTooLargeError(bytes));
      else chunks.push(buffer);
    };
    const onEnd = (): void => { stop(); };
    const onGone = (): void => { stop(new ClientGoneError()); };
    const timer = setTimeout(() => { stop(new BodyTimeoutError(ms)); }, ms);
    function stop(error?: Error): void {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      if (error === undefined) {
        resolve(Buffer.concat(chunks).toString('utf8'));
        return;
      }
      // Paused, not destroyed: the refusal is answered on this socket, which then closes (Connection: close).
      req.pause();
      reject(error);
    }
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}
