/**
 * The one place this process makes an HTTP request (eslint forbids `fetch` anywhere else).
 * What every platform call does the same way: a deadline; a URL outside the platform's
 * configured origin refused; a redirect never followed (docs/design.md §7: no request to a host the
 * contract does not name — a 307 would resend the body, credentials and all, wherever the
 * answer points). URLs carry credentials in their query (WeCom's `key`, DingTalk's
 * `access_token` and `session`), so only origin and path ever reach a log or an error.
 */
import { setMaxListeners } from 'node:events';
import { FormData, request as send, type Dispatcher } from 'undici';
import { SendError, type SendFailure } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** A platform call that has not answered by then is treated as failed (and retried by the outbox). */
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * Requests started within this long of each other share one deadline. AbortSignal.timeout makes
 * a timer per signal and holds it until it fires: one per request cost a platform call (a
 * DingTalk answer to its sessionWebhook, on loopback) 15 to 25 % more CPU than a shared one, and
 * kept ten seconds of them alive under load. A request gives up after 9.9 to 10 s.
 */
const DEADLINE_SHARED_MS = 100;
let deadline: { signal: AbortSignal; from: number } | undefined;

/** The deadline of a request starting now: REQUEST_TIMEOUT_MS after the first request of its DEADLINE_SHARED_MS. */
function deadlineNow(): AbortSignal {
  const now = performance.now();
  if (deadline === undefined || now - deadline.from >= DEADLINE_SHARED_MS || deadline.signal.aborted) {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    // Every request in flight listens to it: as many as the outbox and the inbound bound allow.
    setMaxListeners(0, signal);
    deadline = { signal, from: now };
  }
  return deadline.signal;
}

/** The URL with its query left out. */
export const shownUrl = (url: URL): string => `${url.origin}${url.pathname}`;

/** `raw` as a URL on `origin`; a permanent SendError otherwise. `setting` names the variable that sets the origin. */
export function urlOn(raw: string, origin: string, what: string, setting: string, log: Logger): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SendError(`${what} is not a URL`, 'bad-url', 'permanent');
  }
  if (url.origin !== origin) {
    log.warn(`refused to post outside ${setting}`, { what, origin: url.origin, allowed: origin });
    throw new SendError(`${what} ${shownUrl(url)} is not on ${origin}`, 'foreign-origin', 'permanent');
  }
  return url;
}

/**
 * POSTs `body` as JSON and reads the answer as JSON: `json` is undefined for an empty body, or
 * for a failure status that did not answer in JSON. A success that is not JSON is not the
 * platform answering (a proxy, a captive portal): SendError `bad-answer`, to retry. Unreachable:
 * SendError `network`, to retry. A redirect: SendError `redirect-<status>`, not followed.
 */
export async function postJson(url: URL, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) });
}

/** A file in a multipart form: its field, file name, content type and bytes. */
export interface FormFile {
  field: string;
  name: string;
  type: string;
  bytes: Buffer;
}

/** POSTs a multipart form of `fields` and one file (an upload) and reads the answer as `postJson` does. */
export async function postForm(url: URL, fields: Record<string, string>, file: FormFile): Promise<{ status: number; json: unknown }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set(file.field, new Blob([file.bytes], { type: file.type }), file.name);
  return request(url, { method: 'POST', body: form });
}

/** GETs `url` and reads the answer as `postJson` does. */
export async function getJson(url: URL): Promise<{ status: number; json: unknown }> {
  return request(url, { method: 'GET' });
}

async function request(url: URL, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string | FormData }): Promise<{ status: number; json: unknown }> {
  let res: Dispatcher.ResponseData;
  try {
    // undici's own request, not fetch: the same client under fetch's Request, Response and web
    // streams, which cost a DingTalk answer (posted to its sessionWebhook) a tenth of its CPU.
    // It follows no redirect unless told to.
    res = await send(url, { ...init, headers: { accept: 'application/json', ...init.headers }, signal: deadlineNow() });
  } catch (error) {
    throw new SendError(`${shownUrl(url)} unreachable: ${unreachable(error)}`, 'network', 'failed');
  }
  const status = res.statusCode;
  if (status >= 300 && status < 400) {
    await res.body.dump().catch(() => undefined);
    const location = res.headers.location;
    throw redirected(url, status, typeof location === 'string' ? location : null);
  }
  const text = (await res.body.text().catch(() => '')).trim();
  if (text === '') return { status, json: undefined };
  try {
    return { status, json: JSON.parse(text) };
  } catch {
    if (status < 200 || status >= 300) return { status, json: undefined };
    throw new SendError(`${shownUrl(url)} answered something other than JSON`, 'bad-answer', 'failed');
  }
}

/**
 * Why a request got no answer: the message and the system's code (ECONNREFUSED, ENOTFOUND, a
 * certificate the machine does not trust), which is what an operator can act on, from the error
 * or its `cause`.
 */
function unreachable(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { cause } = error;
  const code = codeOf(error) ?? codeOf(cause);
  if (cause instanceof Error && code === undefined) return `${error.message} (${cause.message})`;
  return code === undefined || error.message.includes(code) ? error.message : `${error.message} (${code})`;
}

const codeOf = (error: unknown): string | undefined => (error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined);

/**
 * A redirect, not followed. The platforms document none on these APIs, so one means something
 * in the way (a proxy, a captive portal, a forged response_url's host): retried like any other
 * failure, and a dead letter once the outbox's attempts run out. Only the target's origin is
 * told: its query may carry the credential it was meant to catch.
 */
function redirected(url: URL, status: number, location: string | null): SendError {
  const target = location === null || !URL.canParse(location, url.href) ? 'nowhere readable' : new URL(location, url).origin;
  return new SendError(`${shownUrl(url)} answered HTTP ${String(status)}, a redirect to ${target}; not followed`, `redirect-${String(status)}`, 'failed');
}

/** A non-2xx answer as a SendError: 429 is the platform asking us to slow down, anything else is retried. */
export function httpFailure(url: URL, status: number): SendError {
  const failure: SendFailure = status === 429 ? 'rate-limited' : 'failed';
  return new SendError(`${shownUrl(url)} answered HTTP ${String(status)}`, `http-${String(status)}`, failure);
}
