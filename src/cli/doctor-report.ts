/**
 * `duban doctor`'s decisions: what each gathered fact means — ✅ works, ⚠️ works but worth fixing
 * (or not configured), ❌ broken — and the report as printed. No I/O: `doctor.ts` gathers the
 * facts (the environment, Redis, the platforms' answers, the county in the store, the server's
 * /healthz) and this file only reads them, so every verdict is a unit test away.
 */
import type { SubscribeOutcome } from '../adapters/wecom/probe.js';
import type { Config } from '../config.js';
import type { Group, Task, Township, WorkCalendar, Ymd } from '../domain/model.js';
import { doctor as D, PLATFORM_NAMES } from '../messages/index.js';
import { webhookShape, type WebhookPlatform } from '../setup/index.js';
import type { RedisDurability } from '../store/health.js';

export type Verdict = 'ok' | 'warn' | 'bad';

export interface Line {
  verdict: Verdict;
  text: string;
}

export interface Section {
  title: string;
  lines: Line[];
}

export interface Report {
  sections: Section[];
  counts: Record<Verdict, number>;
  /** Said after the sections, before the summary (a refused environment: how to go on). */
  note?: string;
  /** 1 when anything is broken; warnings alone do not fail. */
  exitCode: 0 | 1;
}

/** How one request to a platform went: its answer, a refusal with the platform's code, no answer, or an answer that is not the platform's. */
export type CallOutcome =
  | { kind: 'ok' }
  | { kind: 'refused'; code: string; detail: string }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'failed'; detail: string };

/** The long connection: probed, or not because an instance holds it (`held`) or nobody could tell (`unchecked`: no Redis to read the lease from). */
export type SocketFacts = SubscribeOutcome | { kind: 'held' } | { kind: 'unchecked' };

/** What GET PUBLIC_URL/healthz answered. */
export type HealthFacts =
  /** duban's own answer, with what the server says of its Redis. */
  | { kind: 'ours'; redisUp: boolean }
  | { kind: 'status'; status: number }
  | { kind: 'redirect'; status: string }
  /** A success that is not duban's answer. */
  | { kind: 'not-ours' }
  | { kind: 'unreachable'; detail: string };

/** Which setting named the Redis: none (the default address), REDIS_URL, or Sentinels (REDIS_SENTINELS or a `redis+sentinel://` REDIS_URL). */
export type RedisNamedBy = 'default' | 'url' | 'sentinels';

export type RedisFacts = { where: string; namedBy: RedisNamedBy } & ({ up: false } | { up: true; durability: RedisDurability });

/** The county in the store: not read (no Redis), not loaded, or what `duban load` put there. */
export type CountyFacts =
  | { state: 'unread' }
  | { state: 'none' }
  | {
      state: 'loaded';
      name: string;
      townships: readonly Township[];
      groups: readonly Group[];
      openTasks: readonly Task[];
      /** Deadlines 同意 granted: task id → township id → deadline. */
      granted: ReadonlyMap<string, ReadonlyMap<string, Ymd>>;
    };

export interface DoctorFacts {
  today: Ymd;
  config: Config;
  /** PUBLIC_URL was set (`config.publicUrl` falls back to http://localhost:PORT). */
  publicUrlSet: boolean;
  redis: RedisFacts;
  county: CountyFacts;
  /** The work calendar with the county's overrides (when they could be read). */
  calendar: Pick<WorkCalendar, 'covers' | 'lastCoveredYear'>;
  /** In websocket mode. */
  wecomSocket?: SocketFacts;
  /** When the 自建应用 is configured: gettoken. */
  wecomApp?: CallOutcome;
  /** When DingTalk is configured: the app access token. */
  dingtalk?: CallOutcome;
  health: HealthFacts;
}

/** The probe's deadline, as the line about a silent connection says it. */
export const SOCKET_PROBE_SECONDS = 10;

class Lines {
  readonly lines: Line[] = [];
  ok(text: string): void {
    this.lines.push({ verdict: 'ok', text });
  }
  warn(text: string): void {
    this.lines.push({ verdict: 'warn', text });
  }
  bad(text: string): void {
    this.lines.push({ verdict: 'bad', text });
  }
}

function report(sections: Section[], note?: string): Report {
  const counts: Record<Verdict, number> = { ok: 0, warn: 0, bad: 0 };
  for (const line of sections.flatMap((s) => s.lines)) counts[line.verdict] += 1;
  return { sections: sections.filter((s) => s.lines.length > 0), counts, ...(note === undefined ? {} : { note }), exitCode: counts.bad > 0 ? 1 : 0 };
}

/** The environment did not parse: its problems, and nothing else could be checked. */
export function configReport(problems: readonly string[]): Report {
  return report([{ title: D.sections.env, lines: problems.map((text) => ({ verdict: 'bad', text })) }], D.env.fix);
}

export function doctorReport(f: DoctorFacts): Report {
  return report([
    { title: D.sections.env, lines: envLines(f.config) },
    { title: D.sections.redis, lines: redisLines(f.redis) },
    { title: D.sections.wecom, lines: wecomLines(f) },
    { title: D.sections.dingtalk, lines: dingtalkLines(f) },
    { title: D.sections.groups, lines: groupLines(f) },
    { title: D.sections.publicUrl, lines: publicUrlLines(f) },
    { title: D.sections.calendar, lines: calendarLines(f) },
  ]);
}

/** The report as printed: a title, each section with its lines, the summary and what to do. */
export function renderReport(r: Report): string {
  const out = [D.title, ''];
  for (const section of r.sections) {
    out.push(section.title);
    for (const line of section.lines) out.push(`  ${D.icons[line.verdict]} ${line.text}`);
    out.push('');
  }
  if (r.note !== undefined) out.push(r.note, '');
  out.push(`${D.summary(r.counts.ok, r.counts.warn, r.counts.bad)}${D.verdict(r.counts.bad, r.counts.warn)}`);
  return `${out.join('\n')}\n`;
}

function envLines(config: Config): Line[] {
  const on: string[] = [];
  if (config.wecom) on.push(config.wecom.mode === 'websocket' ? D.env.wecomSocket : D.env.wecomCallback);
  if (config.wecomApp) on.push(D.env.wecomApp);
  if (config.dingtalk) on.push(D.env.dingtalk(config.dingtalk.mode));
  return [{ verdict: 'ok', text: D.env.ok(on) }];
}

function redisLines(redis: RedisFacts): Line[] {
  const l = new Lines();
  if (!redis.up) {
    l.bad(redis.namedBy === 'default' ? D.redis.none : redis.namedBy === 'sentinels' ? D.redis.sentinelsUnreachable(redis.where) : D.redis.unreachable(redis.where));
    return l.lines;
  }
  l.ok(D.redis.up(redis.where));
  const { aof, save, maxmemoryPolicy } = redis.durability;
  if (aof === true) l.ok(D.redis.aof);
  else if (save !== undefined && save.trim() !== '') l.ok(D.redis.rdb(save.trim()));
  // Either setting unknown (CONFIG refused): no snapshots cannot be told from "not allowed to ask".
  else if (save === undefined || aof === undefined) l.warn(D.redis.persistenceUnknown);
  else l.warn(D.redis.noPersistence);
  if (maxmemoryPolicy === undefined) l.warn(D.redis.policyUnknown);
  else if (maxmemoryPolicy === 'noeviction') l.ok(D.redis.noeviction);
  else l.warn(D.redis.evicts(maxmemoryPolicy));
  return l.lines;
}

/** The county's groups on a platform; none when no county could be read. */
function groupsOn(f: DoctorFacts, platform: WebhookPlatform): Group[] {
  return f.county.state === 'loaded' ? f.county.groups.filter((g) => g.platform === platform) : [];
}

/** A platform that is off: broken when the county has groups there, else only worth saying when neither platform is on. */
function offLine(l: Lines, f: DoctorFacts, platform: WebhookPlatform, variables: string): void {
  const name = PLATFORM_NAMES[platform];
  const groups = groupsOn(f, platform).length;
  if (groups > 0) l.bad(D.offWithGroups(name, groups, variables));
  else if (!f.config.wecom && !f.config.dingtalk) l.warn(D.noPlatform(name, variables));
  // WeCom's 自建应用 alone (the dashboard for a DingTalk county): its own line says how it is.
  else if (!(platform === 'wecom' && f.config.wecomApp)) l.ok(D.unused(name));
}

function wecomLines(f: DoctorFacts): Line[] {
  const l = new Lines();
  const { wecom, wecomApp, publicUrl } = f.config;
  const W = D.wecom;
  if (!wecom) offLine(l, f, 'wecom', W.variables);
  else if (wecom.mode === 'websocket') socketLine(l, wecom.wsUrl, f.wecomSocket ?? { kind: 'unchecked' });
  else if (f.publicUrlSet) l.ok(W.callback(publicUrl));
  else l.warn(W.callbackWithoutPublicUrl);

  if (wecomApp) {
    const outcome = f.wecomApp ?? { kind: 'failed', detail: 'not asked' };
    if (outcome.kind === 'ok') l.ok(W.app.ok(wecomApp.corpId, wecomApp.agentId));
    else if (outcome.kind === 'refused') l.bad(appRefusal(outcome.code, detailOf(outcome)));
    else if (outcome.kind === 'unreachable') l.bad(W.app.unreachable(wecomApp.apiBase, outcome.detail));
    else l.bad(W.app.failed(wecomApp.apiBase, outcome.detail));
  } else if (wecom) {
    // Only said to a county on WeCom: elsewhere there is no WeCom workbench to open it from.
    l.warn(W.app.missing);
  }
  return l.lines;
}

function socketLine(l: Lines, url: string, socket: SocketFacts): void {
  const W = D.wecom;
  switch (socket.kind) {
    case 'held':
      l.ok(W.socketHeld);
      return;
    case 'unchecked':
      l.warn(W.socketUnchecked);
      return;
    case 'subscribed':
      l.ok(W.subscribed(url));
      return;
    case 'refused':
      l.bad(W.refused(socket.errcode, socket.errmsg));
      return;
    case 'unreachable':
      l.bad(W.unreachable(url, socket.reason));
      return;
    case 'no-answer':
      l.bad(W.noAnswer(url, SOCKET_PROBE_SECONDS));
  }
}

/** gettoken's errcodes by what to fix (docs/protocols/wecom.md §7). */
function appRefusal(code: string, detail: string): string {
  const A = D.wecom.app;
  switch (code) {
    case '40013':
      return A.corpId(detail);
    case '40001':
    case '42001':
      return A.secret(detail);
    case '60020':
      return A.ip(detail);
    default:
      return A.refused(detail);
  }
}

const detailOf = (outcome: { code: string; detail: string }): string => (outcome.detail === '' ? outcome.code : outcome.detail);

function dingtalkLines(f: DoctorFacts): Line[] {
  const l = new Lines();
  const { dingtalk, publicUrl } = f.config;
  const T = D.dingtalk;
  if (!dingtalk) {
    offLine(l, f, 'dingtalk', T.variables);
    return l.lines;
  }
  if (dingtalk.mode === 'stream') l.ok(T.stream(dingtalk.apiBase));
  else if (f.publicUrlSet) l.ok(T.http(publicUrl));
  else l.warn(T.httpWithoutPublicUrl);
  const outcome = f.dingtalk ?? { kind: 'failed', detail: 'not asked' };
  if (outcome.kind === 'ok') l.ok(T.ok(dingtalk.clientId));
  else if (outcome.kind === 'refused') l.bad(T.refused(detailOf(outcome)));
  else if (outcome.kind === 'unreachable') l.bad(T.unreachable(dingtalk.apiBase, outcome.detail));
  else l.bad(T.failed(dingtalk.apiBase, outcome.detail));
  return l.lines;
}

/** A webhook as it may be shown: origin and path, never the query that holds its key. */
function shownWebhook(raw: string): string {
  const url = new URL(raw);
  return `${url.origin}${url.pathname}`;
}

function groupLines(f: DoctorFacts): Line[] {
  const l = new Lines();
  const G = D.groups;
  const { county, config } = f;
  if (county.state === 'unread') {
    l.warn(G.unchecked);
    return l.lines;
  }
  if (county.state === 'none') {
    l.warn(G.noCounty);
    return l.lines;
  }
  const names = new Map(county.townships.map((t) => [t.id, t.name]));
  const label = (g: Group): string => G.label(g.name ?? (g.township === undefined ? G.leaders : (names.get(g.township) ?? g.township)), g.chat);
  const onPlatforms = county.groups.filter((g) => (g.platform === 'wecom' && config.wecom) || (g.platform === 'dingtalk' && config.dingtalk));
  if (county.groups.every((g) => g.platform === 'console')) {
    l.warn(G.none(county.name));
    return l.lines;
  }

  const platforms: { platform: WebhookPlatform; origin: string; variable: string; form: (origin: string) => string; on: boolean }[] = [
    { platform: 'wecom', origin: config.wecomApiBase, variable: 'WECOM_API_BASE', form: G.wecomForm, on: config.wecom !== undefined },
    { platform: 'dingtalk', origin: config.dingtalkOapiBase, variable: 'DINGTALK_OAPI_BASE', form: G.dingtalkForm, on: config.dingtalk !== undefined },
  ];
  for (const { platform, origin, variable, form, on } of platforms) {
    // A platform that is off was said in its own section: nothing is posted to its groups either way.
    if (!on) continue;
    const shownOrigin = new URL(origin).origin;
    let fine = 0;
    const broken: string[] = [];
    const cannotMention: string[] = [];
    for (const group of groupsOn(f, platform)) {
      const name = label(group);
      if (group.webhook === undefined) {
        if (platform === 'wecom' && config.wecom?.mode !== 'websocket') {
          broken.push(G.wecomNoWebhook(name));
          continue;
        }
        // Posts go over the long connection (WeCom) or the app robot (DingTalk); only @ needs the webhook.
        cannotMention.push(name);
        fine += 1;
        continue;
      }
      const shape = webhookShape(platform, group.webhook, origin);
      if (shape === 'ok') fine += 1;
      else if (shape === 'not-a-url') broken.push(G.notAUrl(name));
      else if (shape === 'malformed') broken.push(G.malformed(name, shownWebhook(group.webhook), form(shownOrigin)));
      else broken.push(G.foreignOrigin(name, shownWebhook(group.webhook), variable, shownOrigin));
    }
    // The groups that work in one line, then each that does not, then what is missing for @.
    if (fine > 0) l.ok(G.fine(PLATFORM_NAMES[platform], fine));
    for (const text of broken) l.bad(text);
    if (cannotMention.length > 0) l.warn(platform === 'wecom' ? G.wecomNoMentions(cannotMention) : G.dingtalkNoMentions(cannotMention));
  }

  if (config.wecom || config.dingtalk) {
    const covered = new Set(onPlatforms.map((g) => g.township));
    const without = county.townships.filter((t) => !covered.has(t.id)).map((t) => t.name);
    if (without.length > 0) l.warn(G.townshipsWithout(without));
    if (!onPlatforms.some((g) => g.role === 'leaders')) l.warn(G.noLeaders);
  }
  return l.lines;
}

const LOCAL_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

function publicUrlLines(f: DoctorFacts): Line[] {
  const l = new Lines();
  const P = D.publicUrl;
  const url = f.config.publicUrl;
  const parsed = new URL(url);
  const local = LOCAL_HOSTS.has(parsed.hostname);
  if (!f.publicUrlSet) l.warn(P.unset(url));
  else if (parsed.protocol === 'https:') l.ok(P.https(url));
  else if (local) l.ok(P.local(url));
  else l.warn(P.http(url));
  const { health } = f;
  switch (health.kind) {
    case 'ours':
      if (health.redisUp) l.ok(P.healthy(url));
      else l.bad(P.redisDown(url));
      break;
    case 'status':
      l.warn(P.status(url, health.status));
      break;
    case 'redirect':
      l.warn(P.redirect(url, health.status));
      break;
    case 'not-ours':
      l.warn(P.notOurs(url));
      break;
    case 'unreachable':
      l.warn(local ? P.notRunning(url, health.detail) : P.unreachable(url, health.detail));
  }
  return l.lines;
}

const yearOf = (d: Ymd): number => Number(d.slice(0, 4));
const byId = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

function calendarLines(f: DoctorFacts): Line[] {
  const l = new Lines();
  const C = D.calendar;
  const { calendar, county } = f;
  const thisYear = yearOf(f.today);
  /** Each year that matters → the open tasks with a deadline in it (the task's, or one granted to a township). */
  const years = new Map<number, Set<string>>([[thisYear, new Set()]]);
  if (county.state === 'loaded') {
    for (const task of county.openTasks) {
      const deadlines = [task.deadline, ...(county.granted.get(task.id)?.values() ?? [])];
      for (const deadline of deadlines) {
        const year = yearOf(deadline);
        const tasks = years.get(year) ?? new Set<string>();
        tasks.add(task.id);
        years.set(year, tasks);
      }
    }
  }
  const gaps = [...years].filter(([year]) => !calendar.covers(`${String(year)}-01-01`)).sort(([a], [b]) => a - b);
  for (const [year, tasks] of gaps) l.warn(C.gap(year, [...tasks].sort(byId), year === thisYear));
  if (county.state === 'unread') l.warn(C.unchecked(calendar.lastCoveredYear));
  else if (gaps.length === 0) l.ok(C.covered(calendar.lastCoveredYear));
  return l.lines;
}
