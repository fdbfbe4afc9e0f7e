/**
 * A fake of WeCom's server API (the qyapi host) for one 自建应用, on 127.0.0.1: gettoken (docs/protocols/wecom.md §6.1, page 91039),
 * the corp and agent jsapi tickets (docs/protocols/wecom.md §6.2, page 90506) and OAuth's
 * auth/getuserinfo (docs/protocols/wecom.md §6.5, page 91023). It counts the calls to
 * each endpoint, so a test can assert what was cached, and can expire the token in use on demand.
 * Point the app's apiBase at `base`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_APP_ENDPOINTS = ['gettoken', 'get_jsapi_ticket', 'ticket/get', 'auth/getuserinfo'] as const;
export type FakeAppEndpoint = (typeof FAKE_APP_ENDPOINTS)[number];

/** An OAuth code the fake answers as a visitor who is not a member of the corp (`openid`, no `userid`). */
export const NON_MEMBER_CODE = 'code-of-a-non-member';

export interface WecomError {
  errcode: number;
  errmsg: string;
}

export interface FakeWecomApp {
  /** e.g. `http://127.0.0.1:40123`, no trailing slash. */
  base: string;
  corpId: string;
  secret: string;
  /** How many requests an endpoint has had. */
  calls(endpoint: FakeAppEndpoint): number;
  /** Every request, known endpoint or not, as `METHOD /path` in arrival order: what a test that must post nothing asserts on. */
  requests(): string[];
  /** The access token gettoken hands out now. */
  readonly token: string;
  /** The ticket of that kind issued last; undefined before the first. */
  ticket(kind: 'corp' | 'agent'): string | undefined;
  /** An OAuth code that getuserinfo answers (once: codes are single use) with `userid`. */
  registerCode(code: string, userid: string): void;
  /** The token in use is rejected with `errcode` from now on; the next gettoken issues a new one. */
  expireToken(errcode?: 42001 | 40014): void;
  /** Scripts the next answers of an endpoint, used in order, before it answers normally again. */
  answerNext(endpoint: FakeAppEndpoint, ...answers: WecomError[]): void;
  close(): Promise<void>;
}

const PATHS: Record<string, FakeAppEndpoint> = {
  '/cgi-bin/gettoken': 'gettoken',
  '/cgi-bin/get_jsapi_ticket': 'get_jsapi_ticket',
  '/cgi-bin/ticket/get': 'ticket/get',
  '/cgi-bin/auth/getuserinfo': 'auth/getuserinfo',
};

const LIFETIME = 7200;
// errmsg texts as WeCom writes them (global error table); the numbers are what the client reads.
const INVALID_SECRET = { errcode: 40001, errmsg: 'invalid credential' };
const INVALID_CORPID = { errcode: 40013, errmsg: 'invalid corpid' };
const INVALID_TOKEN = { errcode: 40014, errmsg: 'invalid access_token' };
const MISSING_TOKEN = { errcode: 41001, errmsg: 'access_token missing' };
const EXPIRED_TOKEN = { errcode: 42001, errmsg: 'access_token expired' };
const INVALID_CODE = { errcode: 40029, errmsg: 'invalid code' };
const INVALID_TYPE = { errcode: 40004, errmsg: 'fake-wecom-app: ticket/get takes type=agent_config' };

export async function startFakeWecomApp({ corpId = 'ww0123456789abcdef', secret = 'app-secret-0123456789abcdefghijklmnopqrstuvw' } = {}): Promise<FakeWecomApp> {
  const counts = new Map<FakeAppEndpoint, number>();
  const seen: string[] = [];
  const scripts = new Map<FakeAppEndpoint, WecomError[]>();
  const codes = new Map<string, string>();
  const tickets: { corp?: string; agent?: string } = {};
  /** Tokens handed out and what using each one answers now: undefined while it is valid. */
  const issued = new Map<string, WecomError | undefined>();
  let serial = 0;
  let token = '';

  const newToken = (): string => {
    serial += 1;
    token = `fake-access-token-${String(serial)}`;
    issued.set(token, undefined);
    return token;
  };
  newToken();

  /** What a call with this access_token gets, when not the endpoint's normal answer. */
  function tokenProblem(accessToken: string | undefined): WecomError | undefined {
    if (accessToken === undefined || accessToken === '') return MISSING_TOKEN;
    if (!issued.has(accessToken)) return INVALID_TOKEN;
    return issued.get(accessToken);
  }

  function answer(endpoint: FakeAppEndpoint, query: URLSearchParams): object {
    const scripted = scripts.get(endpoint)?.shift();
    if (scripted !== undefined) return scripted;
    if (endpoint === 'gettoken') {
      if (query.get('corpid') !== corpId) return INVALID_CORPID;
      if (query.get('corpsecret') !== secret) return INVALID_SECRET;
      // Within its lifetime WeCom hands out the same token again (docs/protocols/wecom.md §6.1, page 91039).
      return { errcode: 0, errmsg: 'ok', access_token: issued.get(token) === undefined ? token : newToken(), expires_in: LIFETIME };
    }
    const problem = tokenProblem(query.get('access_token') ?? undefined);
    if (problem !== undefined) return problem;
    if (endpoint === 'auth/getuserinfo') {
      const code = query.get('code') ?? '';
      if (code === NON_MEMBER_CODE) return { errcode: 0, errmsg: 'ok', openid: 'oAAAAAAAAAAAAAAAAAAAAAAAAAAA', external_userid: 'wmAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
      const userid = codes.get(code);
      if (userid === undefined) return INVALID_CODE;
      codes.delete(code);
      return { errcode: 0, errmsg: 'ok', userid };
    }
    if (endpoint === 'ticket/get' && query.get('type') !== 'agent_config') return INVALID_TYPE;
    const kind = endpoint === 'ticket/get' ? 'agent' : 'corp';
    const ticket = `fake-${kind}-ticket-${String((counts.get(endpoint) ?? 0))}`;
    tickets[kind] = ticket;
    return { errcode: 0, errmsg: 'ok', ticket, expires_in: LIFETIME };
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-wecom-app');
    seen.push(`${req.method ?? ''} ${url.pathname}`);
    const endpoint = PATHS[url.pathname];
    req.resume();
    req.on('end', () => {
      let status = 200;
      let body: object;
      if (endpoint === undefined) {
        status = 404;
        body = { errcode: 404, errmsg: `fake-wecom-app: no ${url.pathname}` };
      } else if (req.method !== 'GET') {
        status = 405;
        body = { errcode: 405, errmsg: `fake-wecom-app: ${url.pathname} takes GET` };
      } else {
        counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
        body = answer(endpoint, url.searchParams);
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    base: `http://127.0.0.1:${String(port)}`,
    corpId,
    secret,
    calls: (endpoint) => counts.get(endpoint) ?? 0,
    requests: () => [...seen],
    get token() {
      return token;
    },
    ticket: (kind) => tickets[kind],
    registerCode(code, userid) {
      codes.set(code, userid);
    },
    expireToken(errcode = 42001) {
      issued.set(token, errcode === 42001 ? EXPIRED_TOKEN : INVALID_TOKEN);
    },
    answerNext(endpoint, ...answers) {
      scripts.set(endpoint, [...(scripts.get(endpoint) ?? []), ...answers]);
    },
    async close() {
      // The client's fetch keeps connections alive; drop them so close() does not wait for their timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    },
  };
}
