/**
 * Posting to DingTalk (docs/protocols/dingtalk.md §2, §4):
 * - a reply goes to the message's sessionWebhook (no token; 90 minutes), with the sender @-ed
 *   in groups; once it has expired, through the OpenAPI like an unprompted post;
 * - an unprompted post goes through the app robot's OpenAPI `groupMessages/send` (an app access
 *   token, kept in Redis for every instance; cannot @ anyone), or, when people must be @-ed,
 *   through the group's custom robot webhook with 加签.
 * - a picture (the ranking chart) is uploaded as media and sent through the OpenAPI as
 *   `sampleImageMsg`: webhooks cannot carry pictures (docs/protocols/dingtalk.md §2, §5).
 * Every webhook must have DINGTALK_OAPI_BASE's origin (docs/design.md §7); tokens, sessions and secrets
 * stay out of logs and errors.
 */
import { createHash } from 'node:crypto';
import { SendError, type SendFailure } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { rememberSecret } from '../../core/redact.js';
import type { OutgoingMessage } from '../../core/types.js';
import { dingtalkMarkdown, dingtalkMsgParam } from './render.js';
import type { ReplyTarget } from './normalize.js';
import { AccessTokenSchema, MediaUploadSchema, OpenApiErrorSchema, WebhookAnswerSchema } from './schema.js';
import { cachedCredential, type CredentialStore, type Fetched } from '../credentials.js';
import { httpFailure, postForm, postJson, shownUrl, urlOn } from '../http.js';
import { signedWebhook } from './sign.js';
import type { Group } from '../../domain/model.js';

/** Media ids are said to last about 3 days (docs/protocols/dingtalk.md §4b); a fan-out uses one for a day at most. */
const MEDIA_KEEP_MS = 24 * 60 * 60 * 1000;
/** oapi's errcodes for a token that is wrong or expired: 40001, 40014 (invalid), 42001 (expired). */
const STALE_TOKEN = new Set([40001, 40014, 42001]);
/** A sessionWebhook this close to its expiry is not used: the post could arrive after it. */
const SESSION_MARGIN_MS = 60 * 1000;

/**
 * Webhook errcodes (custom robot and sessionWebhook; docs/protocols/dingtalk.md §4a): 130101/410100 the robot
 * sent more than 20 a minute and is throttled for 10 minutes; 310000 keyword, 加签 or IP
 * allow-list refused; 300001/300005/400101 no such token; 400013 group dissolved; 400102 robot
 * disabled; 400105 message type not supported; 400106 no such robot.
 */
export function dingtalkWebhookFailure(errcode: number): SendFailure | undefined {
  if (errcode === 0) return undefined;
  if (errcode === 130101 || errcode === 410100) return 'rate-limited';
  if ([310000, 300001, 300005, 400013, 400101, 400102, 400105, 400106].includes(errcode)) return 'permanent';
  return 'failed';
}

/** OpenAPI failures come as HTTP statuses with a `{code, message}` body. */
export function dingtalkApiFailure(status: number, code = ''): SendFailure {
  if (status === 429 || /too\.?fast|toomany|too\.many|flowcontrol/i.test(code)) return 'rate-limited';
  if (status >= 500) return 'failed';
  // 400 bad request, 401 after a fresh token, 403 missing permission (qyapi_robot_sendmsg) or
  // robot not in the group: sending again will not help.
  return status >= 400 ? 'permanent' : 'failed';
}

export interface DingtalkSenderOptions {
  clientId: string;
  clientSecret: string;
  apiBase: string;
  oapiBase: string;
  /** Where the app access token is kept for every instance (docs/protocols/dingtalk.md §4b). */
  store: CredentialStore;
  log: Logger;
  now?: () => number;
}

export interface DingtalkSender {
  /**
   * The reply to a message; SendError when DingTalk refuses it or cannot be reached. A picture
   * goes first, through the OpenAPI; if DingTalk refuses it, the text still goes.
   */
  reply(to: ReplyTarget, message: OutgoingMessage): Promise<void>;
  /** An unprompted post into a group (its text; the picture is `sendImage`'s). */
  send(group: Group, message: OutgoingMessage): Promise<void>;
  /** A picture (PNG or JPEG bytes, base64) into a group, through the app robot. */
  sendImage(group: Group, image: { base64: string }): Promise<void>;
}

/** What DingTalk's message may add to an error: enough for an operator, not a page of text. */
const MAX_MESSAGE = 200;

/**
 * Asks DingTalk for the app access token (docs/protocols/dingtalk.md §4b), uncached: the sender
 * keeps it through `cachedCredential`, and `duban doctor` asks once to see the credentials work.
 * SendError with DingTalk's `code` when it refuses (its message in the error's text).
 */
export async function fetchDingtalkToken({ clientId, clientSecret, apiBase }: Pick<DingtalkSenderOptions, 'clientId' | 'clientSecret' | 'apiBase'>): Promise<Fetched> {
  const url = new URL('/v1.0/oauth2/accessToken', apiBase);
  const { status, json } = await postJson(url, { appKey: clientId, appSecret: clientSecret });
  const parsed = AccessTokenSchema.safeParse(json);
  if (status !== 200 || !parsed.success) {
    const error = OpenApiErrorSchema.safeParse(json).data;
    const code = error?.code ?? `http-${String(status)}`;
    const said = error?.message ?? '';
    const message = (clientSecret === '' ? said : said.split(clientSecret).join('***')).slice(0, MAX_MESSAGE);
    throw new SendError(`DingTalk gave no access token: ${code} ${message}`.trim(), code, dingtalkApiFailure(status, code));
  }
  return { value: parsed.data.accessToken, expiresIn: parsed.data.expireIn };
}

export function createDingtalkSender(options: DingtalkSenderOptions): DingtalkSender {
  const { clientId, clientSecret, log } = options;
  const now = options.now ?? Date.now;
  const oapiOrigin = new URL(options.oapiBase).origin;
  rememberSecret(clientSecret);
  /** Uploaded pictures by the SHA-256 of their base64: their media ids, and until when to use them. */
  const media = new Map<string, { id: string; until: number }>();
  let lastHashed: { base64: string; hash: string } | undefined;

  // —— webhooks: sessionWebhook and custom robots ——

  const onOapi = (raw: string, what: string): URL => urlOn(raw, oapiOrigin, what, 'DINGTALK_OAPI_BASE', log);

  async function postWebhook(url: URL, message: OutgoingMessage, mentions: readonly string[]): Promise<void> {
    const body = {
      msgtype: 'markdown',
      markdown: dingtalkMarkdown(message, { mentions }),
      at: { atUserIds: [...mentions], isAtAll: false },
    };
    const { status, json } = await postJson(url, body);
    if (status < 200 || status >= 300) throw httpFailure(url, status);
    const answer = WebhookAnswerSchema.safeParse(json);
    const errcode = answer.success ? (answer.data.errcode ?? 0) : 0;
    const failure = dingtalkWebhookFailure(errcode);
    if (failure) throw new SendError(`DingTalk refused the message: ${String(errcode)} ${answer.data?.errmsg ?? ''}`.trim(), String(errcode), failure);
  }

  // —— OpenAPI ——

  /**
   * The app access token, shared by every instance through the store and renewed 5 minutes before
   * it expires (src/adapters/credentials.ts): the token endpoint is not to be called per message,
   * nor per instance (docs/protocols/dingtalk.md §4b).
   */
  const token = cachedCredential({
    name: `dingtalk:${clientId}:token`,
    store: options.store,
    log,
    now,
    fetch: () => fetchDingtalkToken(options),
  });

  async function openApi(path: string, body: unknown): Promise<void> {
    const url = new URL(path, options.apiBase);
    const attempt = async (accessToken: string) => postJson(url, body, { 'x-acs-dingtalk-access-token': accessToken });
    const used = await token.get();
    let answer = await attempt(used);
    if (answer.status === 401) {
      // A token can be revoked before its expiry: fetch a new one, once.
      await token.drop(used);
      answer = await attempt(await token.get());
    }
    if (answer.status >= 200 && answer.status < 300) return;
    const code = OpenApiErrorSchema.safeParse(answer.json).data?.code ?? `http-${String(answer.status)}`;
    throw new SendError(`DingTalk refused ${url.pathname}: ${String(answer.status)} ${code}`, code, dingtalkApiFailure(answer.status, code));
  }

  /**
   * The media id `sampleImageMsg` takes as its photoURL: `POST oapi /media/upload` (multipart,
   * field `media`), once per picture while the id lasts — a fan-out of one chart uploads it once.
   */
  async function mediaIdOf(image: { base64: string }): Promise<string> {
    // A fan-out hands every group the same string: known by reference, it is not hashed again.
    const hash = lastHashed?.base64 === image.base64 ? lastHashed.hash : createHash('sha256').update(image.base64).digest('hex');
    lastHashed = { base64: image.base64, hash };
    const known = media.get(hash);
    if (known && now() < known.until) return known.id;
    const bytes = Buffer.from(image.base64, 'base64');
    const used = await token.get();
    let answer = await upload(bytes, used);
    if (answer.errcode !== undefined && STALE_TOKEN.has(answer.errcode)) {
      // oapi says "bad token" in an HTTP 200: fetch a new one, once, as openApi does on a 401.
      await token.drop(used);
      answer = await upload(bytes, await token.get());
    }
    if (answer.errcode !== 0 || answer.mediaId === undefined) {
      const errcode = answer.errcode ?? 0;
      throw new SendError(`DingTalk refused the picture: ${String(errcode)} ${answer.errmsg}`.trim(), String(errcode), dingtalkWebhookFailure(errcode) ?? 'failed');
    }
    for (const [key, entry] of media) if (now() >= entry.until) media.delete(key);
    media.set(hash, { id: answer.mediaId, until: now() + MEDIA_KEEP_MS });
    return answer.mediaId;
  }

  async function upload(bytes: Buffer, accessToken: string): Promise<{ errcode?: number; errmsg: string; mediaId?: string }> {
    const url = new URL('/media/upload', options.oapiBase);
    url.searchParams.set('access_token', accessToken);
    url.searchParams.set('type', 'image');
    const type = bytes.subarray(0, 4).equals(PNG_MAGIC) ? 'image/png' : 'image/jpeg';
    const { status, json } = await postForm(url, { type: 'image' }, { field: 'media', name: 'chart.png', type, bytes });
    if (status < 200 || status >= 300) throw httpFailure(url, status);
    const answer = MediaUploadSchema.safeParse(json);
    if (!answer.success) throw new SendError(`${shownUrl(url)} answered an unexpected JSON shape`, 'bad-answer', 'failed');
    return { errcode: answer.data.errcode ?? 0, errmsg: answer.data.errmsg ?? '', mediaId: answer.data.media_id };
  }

  const markdownParam = (message: OutgoingMessage) => ({ robotCode: clientId, msgKey: 'sampleMarkdown', msgParam: dingtalkMsgParam(message) });
  const imageParam = async (image: { base64: string }) => ({
    robotCode: clientId,
    msgKey: 'sampleImageMsg',
    // A media id is accepted where a URL is (docs/protocols/dingtalk.md §4b msgKey table).
    msgParam: JSON.stringify({ photoURL: await mediaIdOf(image) }),
  });

  const toGroup = (conversationId: string, message: OutgoingMessage) =>
    openApi('/v1.0/robot/groupMessages/send', { ...markdownParam(message), openConversationId: conversationId });

  async function replyImage(to: ReplyTarget, image: { base64: string }): Promise<void> {
    try {
      if (!to.direct) await openApi('/v1.0/robot/groupMessages/send', { ...(await imageParam(image)), openConversationId: to.conversationId });
      else if (to.staffId !== undefined) await openApi('/v1.0/robot/oToMessages/batchSend', { ...(await imageParam(image)), userIds: [to.staffId] });
    } catch (error) {
      // The picture is extra: the text answers the question by itself.
      log.warn('picture not sent with the reply', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  return {
    async reply(to, { image, ...message }) {
      if (image) await replyImage(to, image);
      const mentions = !to.direct && to.staffId !== undefined ? [to.staffId] : [];
      if (now() < to.expiresAt - SESSION_MARGIN_MS) {
        await postWebhook(onOapi(to.sessionWebhook, 'sessionWebhook'), message, mentions);
        return;
      }
      if (!to.direct) {
        await toGroup(to.conversationId, message);
        return;
      }
      if (to.staffId === undefined) throw new SendError('the sessionWebhook has expired and the sender has no staff id', 'expired', 'permanent');
      await openApi('/v1.0/robot/oToMessages/batchSend', { ...markdownParam(message), userIds: [to.staffId] });
    },

    async send(group, message) {
      const mentions = message.mentions ?? [];
      if (mentions.length > 0 && group.webhook !== undefined) {
        const url = onOapi(group.webhook, 'custom robot webhook');
        rememberSecret(group.secret);
        await postWebhook(group.secret === undefined ? url : signedWebhook(url, group.secret, now()), message, mentions);
        return;
      }
      // The OpenAPI cannot @; without a custom robot the post goes out unmentioned.
      if (mentions.length > 0) log.info('posting without @: the group has no custom robot webhook', { chat: group.chat });
      await toGroup(group.chat, message);
    },

    async sendImage(group, image) {
      await openApi('/v1.0/robot/groupMessages/send', { ...(await imageParam(image)), openConversationId: group.chat });
    },
  };
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
