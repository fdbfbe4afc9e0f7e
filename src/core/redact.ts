/**
 * Keeping credentials out of what this process writes down (docs/design.md §7: no secret or token in
 * logs). Callers already leave secrets out; these nets catch what slips through anyway, in every
 * log line (core/logger.ts) and in the Redis address shown at start:
 *
 * - the user-info of any URL (`redis://:pw@host`, up to the LAST `@` before the host, as WHATWG
 *   URL and so ioredis read it: a password may itself hold an `@`);
 * - the value of any query parameter that carries a credential in the URLs this bot handles:
 *   WeCom's webhook `key`, `response_code`, `corpsecret`, `access_token`, OAuth `code`;
 *   DingTalk's `access_token`, `session`, 加签 `sign`, the Stream `ticket`; the dashboard's link
 *   token `t`; Redis's `password` option;
 * - any value handed to `rememberSecret` (the configured secrets, tokens fetched from the
 *   platforms), wherever it turns up: a platform's errmsg echoing it, a stack trace.
 *
 * Hand-written: pino's `redact` option masks fields at paths named in advance, not a credential
 * inside any string, and what to mask is a property of these platforms' URLs, which no library knows.
 */

export const MASK = '***';

/**
 * Shorter values are not masked by value: a 3-letter WECOM_TOKEN would mask those letters inside
 * every word of every line. They still never reach a log by the paths above.
 */
const MIN_REMEMBERED = 8;

/**
 * Tokens that expire (access tokens, tickets) come every hour or two for as long as the process
 * runs; only the latest few are kept: an expired one opens nothing, and every log line is checked
 * against each value kept.
 */
const TOKENS_KEPT = 32;

/** Each value with the forms it is masked in: as written and URL-encoded. Tokens in the order fetched. */
const secrets = new Map<string, readonly string[]>();
const tokens = new Map<string, readonly string[]>();

const forms = (value: string): readonly string[] => [...new Set([value, encodeURIComponent(value)])];

/** Masks `value` (and its URL-encoded form) in every log line from now on: a configured secret. */
export function rememberSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_REMEMBERED) return;
  secrets.set(value, forms(value));
}

/** Masks a credential that expires (a fetched access token, a ticket) while it is among the latest few. */
export function rememberToken(value: string): void {
  if (value.length < MIN_REMEMBERED) return;
  tokens.delete(value);
  tokens.set(value, forms(value));
  for (const oldest of tokens.keys()) {
    if (tokens.size <= TOKENS_KEPT) break;
    tokens.delete(oldest);
  }
}

/** `scheme://` then anything up to the last `@` before a space, query or fragment: the user-info. */
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s?#"'<>]*@/gi;

/** `name=value` in a query, where the name says the value is a credential. */
const CREDENTIAL_PARAM = /([?&;](?:[\w.-]*(?:password|passwd|secret|token|ticket|sign|signature)[\w.-]*|key|session|code|response_code|t)=)[^&#\s"'<>]*/gi;

/** `text` with every credential it holds masked. */
export function redactText(text: string): string {
  let out = text.replace(USER_INFO, `$1${MASK}@`).replace(CREDENTIAL_PARAM, `$1${MASK}`);
  for (const known of [secrets, tokens]) {
    for (const values of known.values()) for (const value of values) if (out.includes(value)) out = out.split(value).join(MASK);
  }
  return out;
}

/**
 * A URL to show (a log, a message to the operator): WHATWG-parsed and rebuilt without user name
 * and password, credential parameters masked. Text that does not parse is masked from `//` to
 * its last `@`, whatever lies between (a space, a `/`: it is not a URL, so no rule says where
 * its user-info ends).
 */
export function shownAddress(raw: string): string {
  if (!URL.canParse(raw)) return redactText(raw.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/is, `$1${MASK}@`));
  const url = new URL(raw);
  url.username = '';
  url.password = '';
  return redactText(url.toString());
}

/** Field names whose values are credentials whatever they hold. */
export const SECRET_FIELD = /^(?:.*(?:password|passwd|secret|token|ticket|cookie|authorization|signature)|sign|aeskey|encodingaeskey)$/i;
