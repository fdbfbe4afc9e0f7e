/**
 * The 挂图作战 dashboard at /dashboard: leaders and admins only (docs/design.md §1, §6).
 *
 * Ways in:
 * - a link the bot gives for 看板: `/dashboard?t=…`, signed and short-lived; opening it starts a
 *   session cookie and drops the token from the address;
 * - inside a platform's app that signs people in (`AppSignIn`, WeCom's 自建应用): its OAuth gives
 *   the user id, which must be a person of the setup file with a leader or admin role.
 * Every request checks the role again, so taking it away in the setup file takes effect at once.
 */
import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import { serialize as serializeCookie } from 'cookie';
import type { Context } from 'koa';
import { DASHBOARD_SECRET, readAccess, SESSION_TTL_MS, signAccess } from '../../core/access.js';
import { currentRanking, loadBoard, pastRanking, type Board, type BoardSource, type BoardStore } from '../../core/board.js';
import type { Logger } from '../../core/logger.js';
import type { AppSignIn } from '../../core/platform.js';
import { coveringOn } from '../../domain/cover.js';
import { beijingDate, isYm, monthOf } from '../../domain/dates.js';
import { leadsOrAdministers, type WorkCalendar, type Ym, type Person } from '../../domain/model.js';
import { text } from '../../messages/index.js';
import { CHART_MAX_ROWS, renderRankingChart } from '../../render/chart.js';
import type { CountyStore } from '../../store/county.js';
import type { CoverStore } from '../../store/cover.js';
import type { SecretStore } from '../../store/secrets.js';
import type { SignOffStore } from '../../store/sign-off.js';
import { cellPage, inCell, messagePage, overviewPage, taskPage, townshipPage, type MessageStatus, type PageContext } from './html.js';

export interface DashboardDeps {
  /** What its pages show, who may see them, and the secret its links and sessions are signed with. */
  store: BoardStore & Pick<CountyStore, 'countyName' | 'person' | 'people' | 'scheduleSettings'> & Pick<CoverStore, 'leaves'> & Pick<SecretStore, 'secret'> & Pick<SignOffStore, 'signOffs'>;
  calendar: WorkCalendar;
  log: Logger;
  /** The origin people reach the server at: OAuth's redirect and the bridge's signed URLs are on it. */
  publicUrl: string;
  /** A platform's sign-in from its in-app browser, when one is configured. */
  signIn?: AppSignIn;
  now?: () => Date;
}

const SESSION_COOKIE = 'duban_session';
const STATE_COOKIE = 'duban_oauth_state';
/** An OAuth code lives 5 minutes (WeCom's, docs/protocols/wecom.md §6.5, page 91023); the state cookie need not outlive the round trip by much. */
const STATE_TTL_MS = 10 * 60_000;

const mayView = (person: Person | undefined): person is Person => person !== undefined && leadsOrAdministers(person.roles);

export function mountDashboard(router: Router, deps: DashboardDeps): void {
  // Every answer under /dashboard is what it says it is: no type sniffing of scripts or the chart.
  router.use('/dashboard', async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  });

  const { store, log } = deps;
  const clock = deps.now ?? (() => new Date());
  const secret = () => store.secret(DASHBOARD_SECRET);
  const https = deps.publicUrl.startsWith('https:');
  const { signIn } = deps;
  /** Whether this request comes from the browser of the app that signs people in. */
  const inApp = (ctx: Context): boolean => signIn?.inApp(ctx.get('user-agent')) === true;
  /** The one other origin a page may load a script from: a bridge library the deployment serves itself. */
  const library = signIn?.page.library;
  const scriptElsewhere = library && !library.source ? ` ${new URL(library.path).origin}` : '';

  function page(ctx: Context, status: number, html: string): void {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    // Leaders' data: no caching by proxies, no framing by other sites, no referrer with ids.
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    // Scripts only from here and no plugins, a defence in depth should escaping ever miss. Frames
    // and connections stay open: an app's JS bridge (WeCom's) may use them.
    ctx.set('Content-Security-Policy', `script-src 'self'${scriptElsewhere}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    ctx.body = html;
  }

  const refuse = (ctx: Context, status: 401 | 403 | 404 | 503, kind: MessageStatus): void => {
    const { title, body } = text.dashboard.refusals[kind];
    page(ctx, status, messagePage(title, body, kind));
  };

  /**
   * A cookie only for /dashboard; `Secure` when people reach us over HTTPS — whether or not the
   * proxy in front says so (X-Forwarded-Proto) — or when this request came over it.
   *
   * Its lifetime is `Max-Age`, which the browser counts from when it got the cookie (RFC 6265
   * §5.2.2), never a date: neither the injected clock nor this server's may agree with the
   * browser's. (Koa's `cookies` turns `maxAge` into `Expires` from this server's clock, so the
   * header is written with jshttp's `cookie`.) The signed value carries the real expiry, checked
   * against the injected clock. `null` deletes the cookie.
   */
  function setCookie(ctx: Context, name: string, value: string | null, maxAgeMs?: number): void {
    const secure = https || ctx.secure;
    const lifetime = value === null ? { maxAge: 0 } : maxAgeMs === undefined ? {} : { maxAge: Math.floor(maxAgeMs / 1000) };
    // Values go as they are (hex tokens, a state with its path already percent-encoded), as ctx.cookies reads them back.
    ctx.append('Set-Cookie', serializeCookie(name, value ?? '', { encode: (raw) => raw, httpOnly: true, sameSite: 'lax', secure, path: '/dashboard', ...lifetime }));
  }

  async function startSession(ctx: Context, person: Person): Promise<void> {
    const expires = clock().getTime() + SESSION_TTL_MS;
    const token = signAccess(await secret(), { kind: 'session', platform: person.platform, user: person.user, expires });
    setCookie(ctx, SESSION_COOKIE, token, SESSION_TTL_MS);
    log.info('dashboard session started', { platform: person.platform, user: person.user });
  }

  /** The signed-in leader, re-read from the store; undefined when there is none or the role is gone. */
  async function viewer(ctx: Context): Promise<Person | undefined> {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token === undefined) return undefined;
    const access = readAccess(await secret(), token, 'session', clock().getTime());
    if (access === undefined || access === 'expired') return undefined;
    const person = await store.person(access.platform, access.user);
    return mayView(person) ? person : undefined;
  }

  /** Runs `render` for a signed-in leader; otherwise sends them through the app's sign-in or refuses. */
  async function guarded(ctx: Context, render: (person: Person, source: BoardSource) => Promise<void>): Promise<void> {
    const person = await viewer(ctx);
    if (person) {
      const today = beijingDate(clock());
      await render(person, { store, calendar: deps.calendar, today });
      return;
    }
    if (signIn && inApp(ctx) && ctx.method === 'GET') {
      // Letters and digits only in `state`, as WeCom takes it (docs/protocols/wecom.md §6.5, page 91022).
      const state = randomBytes(16).toString('hex');
      // The page to come back to rides along, encoded: a path may hold what a cookie may not (`;`).
      setCookie(ctx, STATE_COOKIE, `${state}.${encodeURIComponent(ctx.path)}`, STATE_TTL_MS);
      ctx.redirect(signIn.authorizeUrl(`${deps.publicUrl}/dashboard/${signIn.platform}/oauth`, state));
      return;
    }
    // No session (or an expired one): how to get in. A session whose person lost the role: no.
    if (ctx.cookies.get(SESSION_COOKIE) === undefined) refuse(ctx, 401, 'signin');
    else refuse(ctx, 403, 'denied');
  }

  async function pageContext(ctx: Context, person: Person, board: Board): Promise<PageContext> {
    const county = (await store.countyName()) ?? '';
    // The bridge only works inside the app's browser; elsewhere it would only be loaded for nothing.
    const app = signIn && inApp(ctx) ? { attributes: signIn.page.attributes, library: signIn.page.library.path } : undefined;
    return { county, today: board.today, viewer: { name: person.name }, ...(app ? { app } : {}) };
  }

  router.get('/dashboard', async (ctx) => {
    const token = typeof ctx.query.t === 'string' ? ctx.query.t : undefined;
    if (token !== undefined) {
      const access = readAccess(await secret(), token, 'link', clock().getTime());
      if (access === 'expired') {
        refuse(ctx, 401, 'expired');
        return;
      }
      // Not a link the bot made, or one cut short when it was copied or forwarded.
      if (access === undefined) {
        refuse(ctx, 401, 'invalid');
        return;
      }
      const person = await store.person(access.platform, access.user);
      if (!mayView(person)) {
        refuse(ctx, 403, 'denied');
        return;
      }
      await startSession(ctx, person);
      // The token stays out of the address bar, the history and anything the page links to.
      ctx.redirect('/dashboard');
      return;
    }
    await guarded(ctx, async (person, source) => {
      const board = await loadBoard(source);
      const [ranking, people, leaves] = await Promise.all([currentRanking(source, board), store.people(), store.leaves()]);
      page(ctx, 200, overviewPage(await pageContext(ctx, person, board), board, ranking, coveringOn(people, board.townships, leaves, board.today)));
    });
  });

  // Where the app's OAuth sends the browser back; a path of its own, apart from every page's.
  if (signIn) router.get(`/dashboard/${signIn.platform}/oauth`, async (ctx) => {
    const [state, encodedBack] = (ctx.cookies.get(STATE_COOKIE) ?? '').split(/\.(.*)/s);
    setCookie(ctx, STATE_COOKIE, null);
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    // The state ties the answer to the browser that asked (OAuth 2.0 §10.12: no forged sign-in).
    if (state === undefined || state === '' || ctx.query.state !== state || code === '') {
      refuse(ctx, 403, 'denied');
      return;
    }
    let user: string | undefined;
    try {
      user = await signIn.userIdForCode(code);
    } catch (error) {
      log.error('dashboard sign-in failed: the platform did not say who it is', { platform: signIn.platform, error });
      refuse(ctx, 503, 'unavailable');
      return;
    }
    const person = user === undefined ? undefined : await store.person(signIn.platform, user);
    if (!mayView(person)) {
      log.warn('dashboard sign-in refused: not a leader or admin', { platform: signIn.platform, user: user ?? '(not a member)' });
      refuse(ctx, 403, 'denied');
      return;
    }
    await startSession(ctx, person);
    ctx.redirect(backTo(encodedBack));
  });

  router.get('/dashboard/township/:id', async (ctx) => {
    await guarded(ctx, async (person, source) => {
      const board = await loadBoard(source);
      const township = board.townships.find((t) => t.id === ctx.params.id);
      if (!township) {
        refuse(ctx, 404, 'not-found');
        return;
      }
      page(ctx, 200, townshipPage(await pageContext(ctx, person, board), board, township, await currentRanking(source, board)));
    });
  });

  router.get('/dashboard/task/:id', async (ctx) => {
    await guarded(ctx, async (person, source) => {
      const board = await loadBoard(source);
      const task = board.tasks.find((t) => t.id === ctx.params.id);
      if (!task) {
        refuse(ctx, 404, 'not-found');
        return;
      }
      // 签收: the townships announced the task that have not signed it; none shown where the county does not use it.
      const signOffs = (await store.scheduleSettings()).signOff ? (await store.signOffs([task.id])).get(task.id) : undefined;
      const unsigned = signOffs && task.status === 'open' ? board.townships.filter((t) => signOffs.get(t.id)?.signed === undefined && signOffs.has(t.id)).map((t) => t.name) : undefined;
      page(ctx, 200, taskPage(await pageContext(ctx, person, board), board, task, unsigned));
    });
  });

  router.get('/dashboard/cell/:task/:township', async (ctx) => {
    await guarded(ctx, async (person, source) => {
      const board = await loadBoard(source);
      const task = board.tasks.find((t) => t.id === ctx.params.task);
      const township = task && board.townshipsOf(task).find((t) => t.id === ctx.params.township);
      if (!task || !township) {
        refuse(ctx, 404, 'not-found');
        return;
      }
      const entries = (await store.ledger([task.id])).filter((e) => inCell(e, township.id));
      page(ctx, 200, cellPage(await pageContext(ctx, person, board), board, board.cell(task, township), entries));
    });
  });

  router.get('/dashboard/chart.png', async (ctx) => {
    await guarded(ctx, async (_person, source) => {
      const asked = typeof ctx.query.month === 'string' && isYm(ctx.query.month) ? ctx.query.month : undefined;
      const thisMonth: Ym = monthOf(source.today);
      const month = asked !== undefined && asked < thisMonth ? asked : thisMonth;
      const ranking = month === thisMonth ? await currentRanking(source) : await pastRanking(source, month);
      if (!ranking || ranking.rows.length === 0 || ranking.rows.length > CHART_MAX_ROWS) {
        refuse(ctx, 404, 'not-found');
        return;
      }
      ctx.type = 'image/png';
      ctx.set('Cache-Control', 'private, no-store');
      ctx.body = await renderRankingChart(ranking, { title: text.rankingTitle(ranking.month, ranking.asOf, month !== thisMonth), counts: true });
    });
  });

  router.get('/dashboard/app.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = signIn?.script ?? '';
  });

  if (signIn) mountBridge(router, signIn, { publicUrl: deps.publicUrl, viewer });
}

/** The library of the app's bridge and the signatures it asks for: only for our own pages, only for a leader. */
function mountBridge(router: Router, signIn: AppSignIn, deps: { publicUrl: string; viewer: (ctx: Context) => Promise<Person | undefined> }): void {
  router.get(signIn.signPath, async (ctx) => {
    const person = await deps.viewer(ctx);
    const url = typeof ctx.query.url === 'string' ? ctx.query.url : '';
    // A signature for another page would let it use our app's bridge.
    if (!person || !url.startsWith(`${deps.publicUrl}/dashboard`)) {
      ctx.status = 403;
      ctx.body = { error: 'forbidden' };
      return;
    }
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = await signIn.sign(typeof ctx.query.kind === 'string' ? ctx.query.kind : undefined, url);
  });

  const { library } = signIn.page;
  if (!library.source) return;
  router.get(library.path, (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = library.source?.() ?? '';
  });
}

/** The dashboard page a sign-in started from; only ever a path of ours (no open redirect). */
function backTo(encoded: string | undefined): string {
  let path: string;
  try {
    path = decodeURIComponent(encoded ?? '');
  } catch {
    return '/dashboard';
  }
  return /^\/dashboard(\/[^/\\]|$)/.test(path) ? path : '/dashboard';
}
