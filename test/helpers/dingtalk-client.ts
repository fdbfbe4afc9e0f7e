/**
 * DingTalk's side of the robot protocols, for tests: it signs HTTP callbacks the way DingTalk does,
 * builds the robot message DingTalk delivers (HTTP body or Stream `data`), and checks a custom
 * robot's 加签 query the way DingTalk's webhook does.
 *
 * Written from the protocol notes (docs/protocols/dingtalk.md §1.1, §1.2, §2, §4a) with node:crypto only.
 * It deliberately imports nothing from src/: a bug in the bot's signing must not be able to hide
 * behind the same bug here. The signing is checked against the §1.1 vector in
 * test/unit/helpers/dingtalk-client.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';

/** DingTalk refuses a callback or a 加签 webhook whose timestamp is more than an hour off (§1.1, §4a). */
export const SIGN_WINDOW_MS = 60 * 60 * 1000;
/** Every official example has sessionWebhookExpiredTime − createAt = 90 min (§2). */
export const SESSION_WEBHOOK_LIFETIME_MS = 90 * 60 * 1000;
/** For internal apps robotCode is the AppKey (= Client ID); tests that use the fake pass their clientId. */
export const TEST_ROBOT_CODE = 'dingtestrobotcode';
export const TEST_CORP_ID = 'dingtestcorp0001';

/**
 * Base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret)). The timestamp is
 * milliseconds since the epoch as a string. Used by both HTTP callbacks (with the app secret) and
 * custom robots (with the `SEC…` secret); only custom robots URL-encode the result.
 */
export function signature(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/**
 * The headers DingTalk puts on an HTTP-mode robot callback (§1.1). `sign` is plain base64, not
 * URL-encoded. The signature covers only the timestamp, never the body.
 */
export function callbackHeaders(appSecret: string, opts: { timestamp?: string } = {}): Record<string, string> {
  const timestamp = opts.timestamp ?? String(Date.now());
  return { 'content-type': 'application/json; charset=utf-8', timestamp, sign: signature(appSecret, timestamp) };
}

/**
 * Whether a custom robot's `timestamp`/`sign` query is one DingTalk accepts (§4a). Pass the values
 * as URLSearchParams gives them: already URL-decoded, so a sender that forgot to encode its sign has
 * had every "+" turned into a space and fails here, as it does at DingTalk (310000 sign not match).
 * A still-encoded sign is decoded first (base64 has no "%", so decoding twice is harmless).
 */
export function checkCustomRobotSign(secret: string, query: { timestamp?: string; sign?: string }, now = Date.now()): boolean {
  const { timestamp, sign } = query;
  if (timestamp === undefined || sign === undefined || !/^\d{10,16}$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp)) > SIGN_WINDOW_MS) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(sign);
  } catch {
    return false;
  }
  return decoded === signature(secret, timestamp);
}

// ---- The decrypted robot message (§1.2): the HTTP callback body, and the Stream CALLBACK `data` ----

export interface RobotMessageOptions {
  msgId: string;
  /** What the user typed after the @; DingTalk delivers it with a leading space. */
  content: string;
  /** "1" 单聊 (direct), "2" 群聊 (group). */
  conversationType: '1' | '2';
  /** Defaults to a fake `cid…` derived from the group title (group) or the sender (direct). */
  conversationId?: string;
  /** Groups only; defaults to 测试工作群. */
  conversationTitle?: string;
  /** The sender's userId; DingTalk sends "" for external members or before the robot is published. */
  senderStaffId: string;
  senderNick: string;
  sessionWebhook: string;
  /** ms since the epoch; defaults to createAt + 90 min. */
  sessionWebhookExpiredTime?: number;
  /** ms since the epoch; defaults to now. */
  createAt?: number;
  /** Defaults to TEST_ROBOT_CODE; for an internal app it is the AppKey. */
  robotCode?: string;
}

export interface DingtalkAtUser {
  dingtalkId: string;
  staffId?: string;
}

export interface DingtalkRobotMessage {
  msgId: string;
  msgtype: 'text';
  text: { content: string };
  createAt: number;
  conversationType: '1' | '2';
  conversationId: string;
  conversationTitle?: string;
  senderId: string;
  senderNick: string;
  senderStaffId: string;
  senderCorpId: string;
  isAdmin: boolean;
  chatbotUserId: string;
  chatbotCorpId: string;
  robotCode: string;
  atUsers: DingtalkAtUser[];
  isInAtList: boolean;
  sessionWebhook: string;
  sessionWebhookExpiredTime: number;
}

/** A text message as DingTalk delivers it to an enterprise-internal app robot. */
export function robotMessage(opts: RobotMessageOptions): DingtalkRobotMessage {
  const group = opts.conversationType === '2';
  // DingTalk names groups only; a title on a direct chat would be a message DingTalk never sends.
  if (!group && opts.conversationTitle !== undefined) throw new Error('DingTalk sends conversationTitle only for group chats');
  const title = group ? (opts.conversationTitle ?? '测试工作群') : undefined;
  const robotCode = opts.robotCode ?? TEST_ROBOT_CODE;
  const createAt = opts.createAt ?? Date.now();
  // Ids are encrypted per robot at DingTalk; stable fakes keep tests deterministic.
  const chatbotUserId = fakeLwcpId(`robot:${robotCode}`);
  return {
    msgId: opts.msgId,
    msgtype: 'text',
    // In groups DingTalk strips the "@robot" and leaves the space after it.
    text: { content: ` ${opts.content}` },
    createAt,
    conversationType: opts.conversationType,
    // Direct chats have a conversationId too; only group ones work as openConversationId (§1.2).
    conversationId: opts.conversationId ?? fakeId('cid', group ? `group:${title ?? ''}` : `direct:${opts.senderStaffId}`),
    ...(title === undefined ? {} : { conversationTitle: title }),
    senderId: fakeLwcpId(`user:${opts.senderStaffId}:${opts.senderNick}`),
    senderNick: opts.senderNick,
    senderStaffId: opts.senderStaffId,
    senderCorpId: TEST_CORP_ID,
    isAdmin: false,
    chatbotUserId,
    chatbotCorpId: TEST_CORP_ID,
    robotCode,
    // The official examples list the robot itself among the @-ed users, without a staffId.
    atUsers: [{ dingtalkId: chatbotUserId }],
    isInAtList: true,
    sessionWebhook: opts.sessionWebhook,
    sessionWebhookExpiredTime: opts.sessionWebhookExpiredTime ?? createAt + SESSION_WEBHOOK_LIFETIME_MS,
  };
}

/** An encrypted-looking DingTalk id (`$:LWCP_v1:$…`), stable for a given seed. */
function fakeLwcpId(seed: string): string {
  return fakeId('$:LWCP_v1:$', seed);
}

function fakeId(prefix: string, seed: string): string {
  return prefix + createHash('sha256').update(seed, 'utf8').digest().subarray(0, 16).toString('base64');
}
