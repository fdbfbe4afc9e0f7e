/**
 * Signed access to the dashboard: a short-lived link the bot gives a leader for 看板, and the
 * session cookie that opening it (or signing in through WeCom) starts. Both are
 * `hex(JSON).hex(HMAC-SHA256 truncated to 128 bits, RFC 2104 §5)` under the bot's own secret; the
 * kind is signed too, so a link cannot be replayed as a session, nor a session cookie pasted into
 * a link. Hex because a link travels inside chat markdown, where `_` (base64url) is markup.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CHAT_PLATFORMS, type ChatPlatform } from '../domain/model.js';

/**
 * Long enough to tap a link in a chat, short enough that a forwarded one soon stops working. Not
 * single-use: chat apps fetch links for their previews, which would spend it before the leader taps.
 */
export const LINK_TTL_MS = 15 * 60_000;
/** A working day, so a leader signs in once in the morning. */
export const SESSION_TTL_MS = 10 * 60 * 60_000;

/** The name of the secret in the store. */
export const DASHBOARD_SECRET = 'dashboard';

export type AccessKind = 'link' | 'session';

export interface Access {
  kind: AccessKind;
  platform: ChatPlatform;
  user: string;
  /** ms since the epoch. */
  expires: number;
}

/** Compact, to keep links short: `[kind, platform, user, expires]`. */
const AccessSchema = z.tuple([z.enum(['link', 'session']), z.enum(CHAT_PLATFORMS), z.string().min(1).max(128), z.number().int().positive()]);

const TOKEN = /^([0-9a-f]{2,1024})\.([0-9a-f]{32})$/;

const mac = (secret: Buffer, body: string): Buffer => createHmac('sha256', secret).update(body).digest().subarray(0, 16);

export function signAccess(secret: Buffer, access: Access): string {
  const body = Buffer.from(JSON.stringify([access.kind, access.platform, access.user, access.expires])).toString('hex');
  return `${body}.${mac(secret, body).toString('hex')}`;
}

/** The access a token grants, `expired` for one that was good, or undefined for anything else. */
export function readAccess(secret: Buffer, token: string, kind: AccessKind, now: number): Access | 'expired' | undefined {
  const [, body, signature] = TOKEN.exec(token) ?? [];
  if (body === undefined || signature === undefined) return undefined;
  if (!timingSafeEqual(Buffer.from(signature, 'hex'), mac(secret, body))) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'hex').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = AccessSchema.safeParse(json);
  if (!parsed.success || parsed.data[0] !== kind) return undefined;
  const [, platform, user, expires] = parsed.data;
  return expires <= now ? 'expired' : { kind, platform, user, expires };
}
