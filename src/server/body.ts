/**
 * The raw request body, capped. Platform callbacks are small JSON envelopes; DESIGN §7 refuses
 * anything over 64 KB before reading it whole.
 */
import type { Context } from 'koa';

export const CALLBACK_BODY_LIMIT = 64 * 1024;

export class PayloadTooLargeError extends Error {
  constructor(limit: number) {
    super(`body over ${String(limit)} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

export async function readBody(ctx: Context, limit = CALLBACK_BODY_LIMIT): Promise<string> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) throw new PayloadTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    // A chunked body declares no length: count as it comes, and stop reading once it is too big.
    if (size > limit) throw new PayloadTooLargeError(limit);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
