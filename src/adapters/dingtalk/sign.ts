/**
 * DingTalk's one signature, used both ways: `base64(HmacSHA256(secret, timestamp + "\n" + secret))`
 * with a millisecond timestamp. Inbound robot callbacks carry it in the `timestamp` and `sign`
 * headers, keyed with the app secret (消息接收 page, docs/protocols/dingtalk.md §1.1); outbound custom-robot posts
 * carry it URL-encoded in the query, keyed with the robot's `SEC…` secret (加签, §4a). Both sides
 * refuse a timestamp more than an hour away.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { VerifyError } from '../../core/errors.js';

export const SIGN_WINDOW_MS = 60 * 60 * 1000;

export const dingtalkSign = (secret: string, timestamp: string): string =>
  createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');

/**
 * Throws VerifyError unless `sign` is ours for `timestamp` (compared in constant time) and the
 * timestamp is within the hour. The signature covers only the timestamp, not the body, so the
 * window is all that limits a replay; msgId dedupe does the rest.
 */
export function verifyCallbackSign(headers: { timestamp?: string; sign?: string }, appSecret: string, nowMs: number): void {
  const { timestamp, sign } = headers;
  if (timestamp === undefined || sign === undefined || !/^\d{10,16}$/.test(timestamp)) throw new VerifyError('callback without timestamp and sign headers');
  if (Math.abs(nowMs - Number(timestamp)) > SIGN_WINDOW_MS) throw new VerifyError('callback timestamp more than an hour off');
  const expected = Buffer.from(dingtalkSign(appSecret, timestamp));
  const given = Buffer.from(sign);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new VerifyError('bad callback sign');
}

/** A custom robot's webhook with its 加签 query; URLSearchParams does the URL-encoding the doc asks for. */
export function signedWebhook(webhook: URL, secret: string, nowMs: number): URL {
  const url = new URL(webhook);
  const timestamp = String(nowMs);
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('sign', dingtalkSign(secret, timestamp));
  return url;
}
