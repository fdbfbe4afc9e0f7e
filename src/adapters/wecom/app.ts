/**
 * The WeCom 自建应用 behind the leaders' dashboard (docs/protocols/wecom.md §6): OAuth2 to learn who opened the
 * page, and JS-SDK signatures for `ww.register`.
 *
 * The access token and both jsapi tickets are cached, in Redis for every instance and in this
 * process for every page view (`cachedCredential`, src/adapters/credentials.ts): gettoken is
 * frequency-intercepted (docs/protocols/wecom.md §6.1, page 91039) and the corp ticket allows 400
 * fetches an hour per corp and 100 per app (docs/protocols/wecom.md §6.2, page 90506). The secret
 * and the token travel in query strings, so only origin and path reach an error or a log (`shownUrl`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { SendError, type SendFailure } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { rememberSecret } from '../../core/redact.js';
import { PLATFORM_ORIGINS } from '../../config.js';
import { cachedCredential, type Credential, type CredentialStore, type Fetched } from '../credentials.js';
import { getJson, httpFailure, shownUrl } from '../http.js';
import { AccessTokenAnswerSchema, AppAnswerSchema, TicketAnswerSchema, UserInfoAnswerSchema } from './app-schema.js';

/** The OAuth2 authorize page under WECOM_OAUTH_BASE (docs/protocols/wecom.md §6.5, page 91022). */
const AUTHORIZE_PATH = '/connect/oauth2/authorize';
/** 42001 access_token expired, 40014 invalid access_token: WeCom may invalidate a token early (docs/protocols/wecom.md §6.1, page 91039). */
const TOKEN_REJECTED: ReadonlySet<number> = new Set([42001, 40014]);
/** 40029 invalid code: expired (5 minutes), used already, or made up (docs/protocols/wecom.md §6.5, page 91023). */
const INVALID_CODE = 40029;
/** A code is at most 512 bytes (docs/protocols/wecom.md §6.5, page 91022); anything longer did not come from WeCom. */
const MAX_CODE_BYTES = 512;
/** State is carried back only as a-zA-Z0-9, at most 128 bytes (docs/protocols/wecom.md §6.5, page 91022). */
const STATE_PATTERN = /^[A-Za-z0-9]{0,128}$/;
/** What an errmsg may add to an error message: enough for an operator, not a page of text. */
const MAX_ERRMSG = 200;

/**
 * The JS-SDK signature (docs/protocols/wecom.md §6.3, page 96909): sha1 of the four fields in exactly this order, nothing
 * URL-encoded, over the page URL without its `#…` part.
 */
export function jsApiSignature({ ticket, nonceStr, timestamp, url }: { ticket: string; nonceStr: string; timestamp: number | string; url: string }): string {
  const hash = url.indexOf('#');
  const page = hash === -1 ? url : url.slice(0, hash);
  return createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${page}`).digest('hex');
}

/**
 * Which ticket signs: `corp` for `getConfigSignature` (wx.config), `agent` for
 * `getAgentConfigSignature` (wx.agentConfig) (docs/protocols/wecom.md §6.2, page 90506).
 */
export type TicketKind = 'corp' | 'agent';

/** What `ww.register`'s signature factories return. */
export interface JsApiConfig {
  timestamp: number;
  nonceStr: string;
  signature: string;
}

export interface WecomAppOptions {
  corpId: string;
  agentId: string;
  secret: string;
  /** WECOM_API_BASE: where gettoken, the tickets and getuserinfo are asked. */
  apiBase: string;
  /**
   * WECOM_OAUTH_BASE: where a browser is sent to sign in — a redirect, not a request of ours, so it
   * is WeCom's own host (open.weixin.qq.com) whatever WECOM_API_BASE says, unless a private
   * deployment (政务微信) has its own.
   */
  oauthBase?: string;
  /** A private deployment's own @wecom/jssdk script; the bundled build, served from here, when absent. */
  jssdkUrl?: string;
  store: CredentialStore;
  log: Logger;
  now?: () => number;
}

export interface WecomApp {
  /** For the page's `ww.register` (docs/protocols/wecom.md §6.4, page 96947). */
  readonly corpId: string;
  readonly agentId: string;
  /** Where to send a browser to learn who it is (silent `snsapi_base`); `state` is a-zA-Z0-9, ≤ 128 bytes. */
  authorizeUrl(redirectUri: string, state: string): string;
  /** The userid of the member the OAuth code was issued to; undefined for a non-member or an invalid code. */
  userIdForCode(code: string): Promise<string | undefined>;
  /** A fresh signature of `url` for `ww.register`; SendError when WeCom refuses a token or ticket. */
  signature(kind: TicketKind, url: string): Promise<JsApiConfig>;
}

/** WeCom's errcodes (global error table, docs/protocols/wecom.md §7) by what trying again can achieve. */
function wecomApiFailure(errcode: number): SendFailure {
  // 40001 invalid secret, 40013 invalid corpid, 40056 invalid agentid, 48002 API not allowed to
  // this app, 60020 this server's IP is not among the app's 企业可信IP: fixed by an operator only.
  if ([40001, 40013, 40056, 48002, 60020].includes(errcode)) return 'permanent';
  if (errcode === 45009) return 'rate-limited';
  return 'failed';
}

/** `text` with every occurrence of the given secrets masked. */
function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => (secret === '' ? out : out.split(secret).join('***')), text);
}

/** WeCom's JSON answer to a GET; a non-2xx status is a SendError (`http-<status>`) like the others in http.ts. */
async function fetchJson(url: URL): Promise<unknown> {
  const { status, json } = await getJson(url);
  if (status < 200 || status >= 300) throw httpFailure(url, status);
  return json;
}

/** The answer's errcode (0 when absent), or SendError when it is not WeCom's answer shape. */
function errcodeOf(url: URL, json: unknown): { errcode: number; errmsg: string } {
  const answer = AppAnswerSchema.safeParse(json);
  if (!answer.success) throw new SendError(`${shownUrl(url)} answered an unexpected JSON shape`, 'bad-answer', 'failed');
  return { errcode: answer.data.errcode ?? 0, errmsg: answer.data.errmsg ?? '' };
}

/** WeCom's refusal as a SendError, its errmsg cut short and cleared of the credentials the request carried. */
function refusal(url: URL, errcode: number, errmsg: string, credentials: readonly string[]): SendError {
  const shown = redact(errmsg, credentials).slice(0, MAX_ERRMSG);
  return new SendError(`WeCom refused ${url.pathname}: ${String(errcode)} ${shown}`.trim(), String(errcode), wecomApiFailure(errcode));
}

/**
 * A fresh access token for the 自建应用 (docs/protocols/wecom.md §6.1, page 91039): what the app's
 * cache fetches, and what `duban doctor` asks once, uncached, to see that the corp id and secret
 * work from this machine. SendError with WeCom's errcode as its `code` when WeCom refuses.
 */
export async function fetchAppToken({ corpId, secret, apiBase }: { corpId: string; secret: string; apiBase: string }): Promise<Fetched> {
  const url = new URL('/cgi-bin/gettoken', apiBase);
  url.searchParams.set('corpid', corpId);
  url.searchParams.set('corpsecret', secret);
  const json = await fetchJson(url);
  const { errcode, errmsg } = errcodeOf(url, json);
  if (errcode !== 0) throw refusal(url, errcode, errmsg, [secret]);
  const answer = AccessTokenAnswerSchema.safeParse(json);
  if (!answer.success) throw new SendError(`${shownUrl(url)} answered no access_token`, 'bad-answer', 'failed');
  return { value: answer.data.access_token, expiresIn: answer.data.expires_in };
}

export function createWecomApp(options: WecomAppOptions): WecomApp {
  const { corpId, agentId, secret, apiBase, store } = options;
  const authorizeUrl = `${options.oauthBase ?? PLATFORM_ORIGINS.wecomOauth}${AUTHORIZE_PATH}`;
  const now = options.now ?? Date.now;
  const log = options.log.child({ platform: 'wecom', app: agentId });
  rememberSecret(secret);
  const prefix = `wecom-app:${corpId}:${agentId}`;

  const endpoint = (path: string, query: Record<string, string>): URL => {
    const url = new URL(path, apiBase);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  };

  const refused = (url: URL, errcode: number, errmsg: string, token: string): SendError => refusal(url, errcode, errmsg, [secret, token]);

  const token = cachedCredential({
    name: `${prefix}:token`,
    store,
    log,
    now,
    fetch: () => fetchAppToken({ corpId, secret, apiBase }),
  });

  /**
   * A GET with the access token; a token WeCom rejects before its expiry is dropped and the call
   * made once more with a fresh one (docs/protocols/wecom.md §6.1, page 91039).
   */
  async function call(path: string, query: Record<string, string>): Promise<{ url: URL; errcode: number; errmsg: string; json: unknown; token: string }> {
    const once = async () => {
      const accessToken = await token.get();
      const url = endpoint(path, { access_token: accessToken, ...query });
      const json = await fetchJson(url);
      return { url, json, token: accessToken, ...errcodeOf(url, json) };
    };
    const first = await once();
    if (!TOKEN_REJECTED.has(first.errcode)) return first;
    log.warn('WeCom rejected the app access token before its expiry; fetching a new one', { path, errcode: first.errcode });
    await token.drop(first.token);
    return once();
  }

  /** A ticket has its own expires_in (docs/protocols/wecom.md §6.2, page 90506): it stays in use whatever becomes of the token that fetched it. */
  const ticket = (kind: TicketKind, path: string, query: Record<string, string>): Credential =>
    cachedCredential({
      name: `${prefix}:${kind}-ticket`,
      store,
      log,
      now,
      async fetch() {
        const { url, errcode, errmsg, json, token: used } = await call(path, query);
        if (errcode !== 0) throw refused(url, errcode, errmsg, used);
        const answer = TicketAnswerSchema.safeParse(json);
        if (!answer.success) throw new SendError(`${shownUrl(url)} answered no ticket`, 'bad-answer', 'failed');
        return { value: answer.data.ticket, expiresIn: answer.data.expires_in };
      },
    });

  const tickets: Record<TicketKind, Credential> = {
    corp: ticket('corp', '/cgi-bin/get_jsapi_ticket', {}),
    agent: ticket('agent', '/cgi-bin/ticket/get', { type: 'agent_config' }),
  };

  return {
    corpId,
    agentId,

    authorizeUrl(redirectUri, state) {
      if (!STATE_PATTERN.test(state)) throw new RangeError('OAuth state must be at most 128 letters or digits (WeCom 91022)');
      // In the documented order; `#wechat_redirect` tells the client to carry the user's identity.
      const params: [string, string][] = [
        ['appid', corpId],
        ['redirect_uri', redirectUri],
        ['response_type', 'code'],
        ['scope', 'snsapi_base'],
        ['state', state],
        ['agentid', agentId],
      ];
      return `${authorizeUrl}?${params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&')}#wechat_redirect`;
    },

    async userIdForCode(code) {
      if (code === '' || Buffer.byteLength(code) > MAX_CODE_BYTES) return undefined;
      const { url, errcode, errmsg, json, token: used } = await call('/cgi-bin/auth/getuserinfo', { code });
      if (errcode === INVALID_CODE) return undefined;
      if (errcode !== 0) throw refused(url, errcode, errmsg, used);
      const answer = UserInfoAnswerSchema.safeParse(json);
      if (!answer.success || (answer.data.userid === undefined && answer.data.openid === undefined)) {
        throw new SendError(`${shownUrl(url)} answered neither userid nor openid`, 'bad-answer', 'failed');
      }
      return answer.data.userid;
    },

    async signature(kind, url) {
      const jsapiTicket = await tickets[kind].get();
      const timestamp = Math.floor(now() / 1000);
      // 16 URL-safe characters: nothing in them needs escaping on the page or in the signed string.
      const nonceStr = randomBytes(12).toString('base64url');
      return { timestamp, nonceStr, signature: jsApiSignature({ ticket: jsapiTicket, nonceStr, timestamp, url }) };
    },
  };
}
