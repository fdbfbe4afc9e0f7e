/**
 * gettoken for the WeCom 自建应用 (docs/protocols/wecom.md §6.1, page 91039), asked once and
 * uncached: `duban doctor` asks it to see that WECOM_CORP_ID and WECOM_AGENT_SECRET work from this
 * machine. The request is the one `createWecomApp` (app.ts) makes behind its cache; the corp secret
 * travels in the query, so only origin and path reach an error (`shownUrl`), and WeCom's errmsg is
 * kept with the secret masked.
 */
import { SendError } from '../../core/errors.js';
import type { Fetched } from '../credentials.js';
import { getJson, httpFailure, shownUrl } from '../http.js';
import { AccessTokenAnswerSchema, AppAnswerSchema } from './app-schema.js';

/** What an errmsg may add to an error message: enough for an operator, not a page of text. */
const MAX_ERRMSG = 200;
/**
 * 40001 invalid secret, 40013 invalid corpid, 40056 invalid agentid, 48002 API not allowed,
 * 60020 this server's IP is not among the app's 企业可信IP: fixed by an operator only
 * (docs/protocols/wecom.md §7).
 */
const OPERATOR_ONLY: ReadonlySet<number> = new Set([40001, 40013, 40056, 48002, 60020]);

export interface AppTokenOptions {
  corpId: string;
  secret: string;
  /** WECOM_API_BASE. */
  apiBase: string;
}

/** A fresh access token; SendError with WeCom's errcode as its `code` when WeCom refuses. */
export async function fetchAppToken({ corpId, secret, apiBase }: AppTokenOptions): Promise<Fetched> {
  const url = new URL('/cgi-bin/gettoken', apiBase);
  url.searchParams.set('corpid', corpId);
  url.searchParams.set('corpsecret', secret);
  const { status, json } = await getJson(url);
  if (status < 200 || status >= 300) throw httpFailure(url, status);
  const answer = AppAnswerSchema.safeParse(json);
  if (!answer.success) throw new SendError(`${shownUrl(url)} answered an unexpected JSON shape`, 'bad-answer', 'failed');
  const errcode = answer.data.errcode ?? 0;
  if (errcode !== 0) {
    const said = answer.data.errmsg ?? '';
    const errmsg = (secret === '' ? said : said.split(secret).join('***')).slice(0, MAX_ERRMSG);
    throw new SendError(`WeCom refused ${url.pathname}: ${String(errcode)} ${errmsg}`.trim(), String(errcode), OPERATOR_ONLY.has(errcode) ? 'permanent' : 'failed');
  }
  const token = AccessTokenAnswerSchema.safeParse(json);
  if (!token.success) throw new SendError(`${shownUrl(url)} answered no access_token`, 'bad-answer', 'failed');
  return { value: token.data.access_token, expiresIn: token.data.expires_in };
}
