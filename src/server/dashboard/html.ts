/**
 * The 挂图作战 dashboard (看板, docs/design.md §3): the leaders' web page, as pure functions from a board,
 * a ranking and ledger entries to HTML strings. No I/O and no clock — the route hands everything
 * in — so a page is tested like any other view. Sentences come from `text.dashboard`.
 *
 * The page is for leaders only, so unlike township groups it shows the bottom-three marks.
 * Everything that came from data (names, titles, notes, values reporters typed) goes through
 * `html`, which escapes it; only markup built here is inserted as is.
 */
import type { Board, Cell } from '../../core/board.js';
import type { Span } from '../../core/types.js';
import { shownAmount, standingView } from '../../core/views/cell.js';
import { rankChangeText } from '../../core/views/ranking.js';
import type { Covering } from '../../domain/cover.js';
import { beijingDate, beijingTime, weekday } from '../../domain/dates.js';
import { entryTownship, isExtensionEntry, isReportEntry, isReviewEntry, isSignedEntry, isTaskEvent, undoesReport, type Instant, type LedgerEntry, type Light, type Task, type Township, type Ymd } from '../../domain/model.js';
import type { RankingRow, RankingSnapshot } from '../../domain/ranking.js';
import { assignedTo } from '../../domain/targets.js';
import { cover, text } from '../../messages/index.js';
import { html, SafeHtml } from './markup.js';
import { STYLE } from './style.js';
import { isDone } from '../../domain/lights.js';

const t = text.dashboard;

export interface PageContext {
  /** County name. */
  county: string;
  /** Beijing date. */
  today: Ymd;
  /** The signed-in leader. */
  viewer: { name: string };
  /** Present when the page is opened in a platform's app that signs people in (AppSignIn): its bridge. */
  app?: { attributes: Readonly<Record<string, string>>; library: string };
}

/** Why a page stands in for the board: one of the refusals the catalogue words (src/messages/dashboard.ts). */
export type MessageStatus = keyof typeof text.dashboard.refusals;

// ─── Links ─────────────────────────────────────────────────────────────────────────────────────

/** Where each page lives. Ids go into path segments encoded: township ids are often Chinese names. */
export const dashboardPaths = {
  overview: '/dashboard',
  township: (id: string): string => `/dashboard/township/${encodeURIComponent(id)}`,
  task: (id: string): string => `/dashboard/task/${encodeURIComponent(id)}`,
  cell: (task: string, township: string): string => `/dashboard/cell/${encodeURIComponent(task)}/${encodeURIComponent(township)}`,
  chart: (month: string): string => `/dashboard/chart.png?month=${encodeURIComponent(month)}`,
  script: '/dashboard/app.js',
} as const;

// ─── Pages ─────────────────────────────────────────────────────────────────────────────────────

/**
 * `GET /dashboard`: the lights tally, the month's ranking with its chart, the tasks × townships
 * grid; above them, one line naming the townships whose A is on leave today (`covering`).
 */
export function overviewPage(ctx: PageContext, board: Board, ranking: RankingSnapshot, covering: readonly Covering[] = []): string {
  const tasks = board.openTasks();
  const cells = tasks.flatMap((task) => board.townshipsOf(task).map((township) => board.cell(task, township)));
  const body = html`
    ${covering.length > 0 && html`<p class="muted covering">${cover.coveringText(covering, board.today)}</p>`}
    ${lightsTally(cells, true)}
    ${rankingSection(ranking)}
    ${gridSection(ctx, board, tasks)}`;
  return page(ctx, { kind: 'overview', title: t.overview, heading: t.brand(ctx.county), body, back: false });
}

/**
 * `GET /dashboard/township/:id`: its open tasks, one card each, and its line in the ranking.
 * The ranking is optional so a route without one still renders the tasks.
 */
export function townshipPage(ctx: PageContext, board: Board, township: Township, ranking?: RankingSnapshot): string {
  const cells = board.openTasksOf(township).map((task) => board.cell(task, township));
  const body = html`
    ${ranking && html`<section class="rank-line">${townshipRankLine(ranking, township)}</section>`}
    <section>
      <h2>${t.townshipTasks(cells.filter((c) => !isDone(c.standing.light)).length, cells.filter((c) => isDone(c.standing.light)).length)}</h2>
      ${cells.length === 0
        ? html`<p class="empty">${text.noOpenTasks(township.name)}</p>`
        : html`<ul class="cards">${cells.map((cell) => cellCard(cell, board.today, taskHeading(cell.task)))}</ul>`}
    </section>
    ${footnotes(ctx, cells)}`;
  return page(ctx, { kind: 'township', title: township.name, heading: township.name, body });
}

/**
 * `GET /dashboard/task/:id`: every assigned township, worst first, under the task's facts; with
 * `unsigned` (the county uses 签收 and announced the task), the townships that have not signed it.
 */
export function taskPage(ctx: PageContext, board: Board, task: Task, unsigned?: readonly string[]): string {
  const cells = board.townshipsOf(task).map((township) => board.cell(task, township)).sort(worstFirst);
  const done = cells.filter((c) => isDone(c.standing.light)).length;
  const reported = cells.filter((c) => c.progress !== undefined).length;
  const status = task.status === 'open' ? t.open : t.closed(task.closedOn, board.today);
  const body = html`
    <section class="facts">
      <p>${t.target}：${text.target(task.target)}；${t.dueOn(task.deadline, board.today)}</p>
      <p class="muted">${t.domain(task.domain)} · ${status}</p>
      <p>${text.countySummary(done, cells.length, reported)}</p>
      ${unsigned !== undefined && html`<p class="unsigned">${unsigned.length > 0 ? text.commands.signing.dashboard.unsigned(unsigned) : text.commands.signing.dashboard.allSigned}</p>`}
    </section>
    ${lightsTally(cells, false)}
    <section>
      <h2>${t.taskTownships(cells.length)}</h2>
      ${cells.length === 0
        ? html`<p class="empty">${t.noTownshipsForTask}</p>`
        : html`<ul class="cards">${cells.map((cell) => cellCard(cell, board.today, townshipHeading(cell.township)))}</ul>`}
    </section>
    ${footnotes(ctx, cells)}`;
  return page(ctx, { kind: 'task', title: `${task.id} ${task.title}`, heading: html`<b>${task.id}</b> ${task.title}`, body });
}

/**
 * `GET /dashboard/cell/:task/:township`: the ledger rows behind one number, newest first — the
 * township's reports, and the task's 销号 and 恢复, which explain why reports stopped or resumed.
 */
export function cellPage(ctx: PageContext, board: Board, cell: Cell, entries: readonly LedgerEntry[]): string {
  // The route should pass only this cell's entries; filtering again costs nothing and keeps
  // another township's notes off the page if it does not.
  const rows = entries.filter((e) => e.task === cell.task.id && inCell(e, cell.township.id)).sort(newestFirst);
  const body = html`
    <section class="facts ${lightClass(cell.standing.light)}" ${cellData(cell)}>
      <p class="big">${standingOf(cell, board.today).label} <span>${t.current}：<b>${shownAmount(cell)}</b></span></p>
      <p>${t.target}：${text.target(cell.task.target, cell.township)}；${standingOf(cell, board.today).time}</p>
      <p class="muted">${lastReport(cell, ctx.today)}</p>
      <p><a href="${dashboardPaths.task(cell.task.id)}">${t.toTask(cell.task.id)}</a> · <a href="${dashboardPaths.township(cell.township.id)}">${t.toTownship(cell.township.name)}</a></p>
    </section>
    <section>
      <h2>${t.ledgerTitle(rows.length)}</h2>
      ${rows.length === 0 ? html`<p class="empty">${t.noEntries}</p>` : ledgerTable(cell, rows, ctx.today)}
    </section>
    ${footnotes(ctx, [cell])}`;
  const heading = t.cellTitle(cell.township.name, cell.task.id);
  return page(ctx, { kind: 'cell', title: heading, heading: html`${cell.township.name} · <b>${cell.task.id}</b> ${cell.task.title}`, body });
}

/**
 * The 403 / link-expired / not-found pages. They carry no board and no viewer: the person may not
 * be signed in. `body` may hold line breaks; each line becomes a paragraph.
 */
export function messagePage(title: string, body: string, status?: MessageStatus): string {
  const paragraphs = body.split('\n').filter((line) => line.trim() !== '');
  // Only a missing task or township has somewhere useful to go back to: denied and expired
  // visitors would be refused at the overview too.
  const back = status === 'not-found' ? html`<p><a class="button" href="${dashboardPaths.overview}">${t.toOverview}</a></p>` : '';
  return documentOf({
    kind: 'message',
    title,
    status,
    content: html`<main class="message">
      <section>
        <h1>${title}</h1>
        ${paragraphs.map((line) => html`<p>${line}</p>`)}
        ${back}
      </section>
    </main>`,
  });
}

// ─── Sections ──────────────────────────────────────────────────────────────────────────────────

/** Display order of the tally, best first, as a report reads. */
const LIGHT_ORDER: readonly Light[] = ['done', 'done-late', 'on-pace', 'behind', 'overdue'];
/** The lights a ranking row counts, and the RankingRow field that counts each. */
const COUNTED = [
  ['done', 'done'],
  ['done-late', 'doneLate'],
  ['behind', 'behind'],
  ['overdue', 'overdue'],
] as const satisfies readonly (readonly [Light, keyof RankingRow])[];

/** `countyWide`: the overview's tally, which also says how many (task, township) pairs it counts. */
function lightsTally(cells: readonly Cell[], countyWide: boolean): SafeHtml {
  const counts = new Map<Light, number>(LIGHT_ORDER.map((light) => [light, 0]));
  for (const cell of cells) counts.set(cell.standing.light, (counts.get(cell.standing.light) ?? 0) + 1);
  return html`<section class="tally" id="lights">
    <h2>${t.lightsTitle}</h2>
    <ul class="chips">${LIGHT_ORDER.map(
      (light) => html`<li class="chip ${lightClass(light)}" data-tally="${light}">${t.lightCount(light)} <b>${counts.get(light) ?? 0}</b></li>`,
    )}</ul>
    ${countyWide && html`<p class="muted">${t.cellsTotal(cells.length, (counts.get('done') ?? 0) + (counts.get('done-late') ?? 0))}</p>`}
  </section>`;
}

function rankingSection(ranking: RankingSnapshot): SafeHtml {
  const title = text.rankingTitle(ranking.month, ranking.asOf, false);
  if (ranking.rows.length === 0) return html`<section class="ranking" id="ranking"><h2>${title}</h2><p class="empty">${text.rankingEmpty(ranking.month)}</p></section>`;
  // In a county's first ranked month every township would read 新: leave the column out, as chat does.
  const compared = ranking.rows.some((r) => r.previousRank !== undefined);
  const head = t.rankingHead;
  return html`<section class="ranking" id="ranking">
    <h2>${title}</h2>
    <div class="scroll wide"><table class="rank">
      <thead><tr>
        <th>${head.rank}</th><th class="name">${head.township}</th><th>${head.score}</th>
        ${COUNTED.map(([light]) => html`<th title="${lightLabel(light)}">${light === 'done-late' ? lightLabel(light) : lightIcon(light)}</th>`)}${compared && html`<th>${head.change}</th>`}
      </tr></thead>
      <tbody>${ranking.rows.map((row) => rankingRow(row, compared))}</tbody>
    </table></div>
    <img class="chart" src="${dashboardPaths.chart(ranking.month)}" alt="${t.chartAlt(ranking.month)}" loading="lazy">
    <p class="muted">${text.rankingRule}</p>
    ${ranking.rows.some((r) => r.bottom) && html`<p class="muted">${t.bottomNote}</p>`}
  </section>`;
}

function rankingRow(row: RankingRow, compared: boolean): SafeHtml {
  return html`<tr data-township="${row.township}" data-rank="${row.rank}"${row.bottom ? html` data-bottom="true" class="bottom"` : ''}>
    <td class="num">${row.rank}</td>
    <td class="name"><a href="${dashboardPaths.township(row.township)}">${row.name}</a>${row.bottom && html`<span class="mark">${text.bottomMark}</span>`}</td>
    <td class="num"><b>${text.perMille(row.score)}</b></td>
    ${COUNTED.map(([, field]) => html`<td class="num">${row[field]}</td>`)}
    ${compared && html`<td class="num">${rankChangeText(row)}</td>`}
  </tr>`;
}

/** Rows are townships in setup order (familiar to leaders; the ranking above already sorts). */
function gridSection(ctx: PageContext, board: Board, tasks: readonly Task[]): SafeHtml {
  const title = html`<h2>${t.gridTitle}</h2>`;
  if (board.townships.length === 0) return html`<section class="grid-section" id="grid">${title}<p class="empty">${t.noTownships}</p></section>`;
  if (tasks.length === 0) return html`<section class="grid-section" id="grid">${title}<p class="empty">${text.noOpenTasks(text.county)}</p></section>`;
  return html`<section class="grid-section" id="grid">
    ${title}
    <p class="muted">${t.gridHint}</p>
    <div class="scroll tall"><table class="grid">
      <thead><tr><th class="corner">${t.gridCorner}</th>${tasks.map((task) => gridHeader(task, ctx.today))}</tr></thead>
      <tbody>${board.townships.map(
        (township) => html`<tr>
          <th scope="row"><a href="${dashboardPaths.township(township.id)}">${township.name}</a></th>
          ${tasks.map((task) => gridCell(board, task, township))}
        </tr>`,
      )}</tbody>
    </table></div>
  </section>`;
}

/** Column titles cut short so a phone shows several columns; the full title is in `title`. */
const SHORT_TITLE = 8;

function gridHeader(task: Task, today: Ymd): SafeHtml {
  const chars = Array.from(task.title);
  const short = chars.length > SHORT_TITLE ? `${chars.slice(0, SHORT_TITLE - 1).join('')}…` : task.title;
  return html`<th scope="col" data-task="${task.id}"><a href="${dashboardPaths.task(task.id)}" title="${task.title}">
    <b>${task.id}</b><span class="title">${short}</span></a><span class="due">${text.day(task.deadline, today)}</span></th>`;
}

function gridCell(board: Board, task: Task, township: Township): SafeHtml {
  if (!assignedTo(task, township.id)) return html`<td class="na" data-task="${task.id}" data-township="${township.id}" title="${t.notAssigned}"></td>`;
  const cell = board.cell(task, township);
  const light = cell.standing.light;
  return html`<td class="${lightClass(light)}${cell.progress ? '' : ' unreported'}" ${cellData(cell)}>
    <a href="${dashboardPaths.cell(task.id, township.id)}" title="${lightLabel(light)}"><span class="icon">${lightIcon(light)}</span><span class="amt">${compactAmount(cell)}</span></a></td>`;
}

/** One (task, township) as a card on the township and task pages. */
function cellCard(cell: Cell, today: Ymd, heading: SafeHtml): SafeHtml {
  return html`<li class="card ${lightClass(cell.standing.light)}" ${cellData(cell)}>
    <p class="card-head"><span class="badge">${standingOf(cell, today).label}</span> ${heading}</p>
    <p>${t.progress} <b>${shownAmount(cell)}</b> · ${t.target} ${text.target(cell.task.target, cell.township)}</p>
    <p>${standingOf(cell, today).time}</p>
    <p class="muted">${lastReport(cell, today)}</p>
    <p><a href="${dashboardPaths.cell(cell.task.id, cell.township.id)}">${t.ledgerLink}</a></p>
  </li>`;
}

const taskHeading = (task: Task): SafeHtml => html`<a href="${dashboardPaths.task(task.id)}"><b>${task.id}</b> ${task.title}</a>`;
const townshipHeading = (township: Township): SafeHtml => html`<a href="${dashboardPaths.township(township.id)}"><b>${township.name}</b></a>`;

function townshipRankLine(ranking: RankingSnapshot, township: Township): SafeHtml {
  const row = ranking.rows.find((r) => r.township === township.id);
  if (!row) return html`<p class="muted">${t.notRanked(ranking.month)}</p>`;
  const compared = ranking.rows.some((r) => r.previousRank !== undefined);
  return html`<p data-township="${row.township}" data-rank="${row.rank}"${row.bottom ? html` data-bottom="true"` : ''}>
    <b>${t.townshipRank(row.rank, ranking.rows.length, ranking.month, text.perMille(row.score))}</b>
    ${compared && html` · ${t.rankChange(rankChangeText(row))}`}
    ${row.bottom && html` <span class="mark">${text.bottomMark}</span>`}
  </p>`;
}

function ledgerTable(cell: Cell, rows: readonly LedgerEntry[], today: Ymd): SafeHtml {
  const head = t.ledgerHead;
  return html`<div class="scroll wide ledger-wrap"><table class="ledger">
    <thead><tr><th>${head.at}</th><th>${head.kind}</th><th>${head.value}</th><th class="note">${head.note}</th><th>${head.by}</th><th>${head.platform}</th></tr></thead>
    <tbody>${rows.map(
      (entry) => html`<tr data-entry="${entry.id}" data-kind="${entry.kind}" class="${entry.kind}">
        <td class="num">${when(entry.at, today)}</td>
        <td>${t.entryKinds[entry.kind]}</td>
        <td>${entryValue(cell, entry, today)}</td>
        <td class="note">${entryNote(entry)}</td>
        <td class="by">${entry.by.name}</td>
        <td class="platform">${t.platform(entry.by.platform)}</td>
      </tr>`,
    )}</tbody>
  </table></div>`;
}

/** What a reporter typed; a reversal typed nothing, so it shows what progress went back to. */
function entryValue(cell: Cell, entry: LedgerEntry, today: Ymd): string {
  if (isTaskEvent(entry)) return t.taskEvents[entry.kind];
  if (isExtensionEntry(entry)) return text.extensionValue(entry, today);
  // A review's step and a 签收 carry no value: the kind column says what happened.
  if (isReviewEntry(entry) || isSignedEntry(entry)) return '';
  if (!undoesReport(entry)) return entry.value;
  return t.reversedTo(text.amount(cell.task.target, entry.amount ?? undefined, cell.required));
}

/** A report's note, or the reason given for a deadline's request or refusal. */
const entryNote = (entry: LedgerEntry): string => (isReportEntry(entry) ? entry.note : isExtensionEntry(entry) ? entry.reason : '');

/** A township's own entries, and the events of its task (they hold for every township). */
export function inCell(entry: LedgerEntry, township: string): boolean {
  const about = entryTownship(entry);
  return about === undefined || about === township;
}

/** The （估） note, as chat adds it: only where a working-day count on the page is estimated. */
function footnotes(ctx: PageContext, cells: readonly Cell[]): SafeHtml {
  const estimated = cells.some((c) => text.showsEstimate(standingView(c), ctx.today));
  return html`${estimated && html`<p class="muted note">${t.estimatedNote}</p>`}`;
}

// ─── Small pieces ──────────────────────────────────────────────────────────────────────────────

const lightClass = (light: Light): string => `l-${light}`;
const spanText = (span: Span): string => (typeof span === 'string' ? span : span.text);
const lightIcon = (light: Light): string => spanText(text.light(light));
const lightLabel = (light: Light): string => spanText(text.lightLabel(light));

/** The machine-readable coordinates browser tests look for on every (task, township). */
const cellData = (cell: Cell): SafeHtml =>
  html`data-task="${cell.task.id}" data-township="${cell.township.id}" data-light="${cell.standing.light}"`;

/** `8/12`, `80%`, `已完成`, `未上报`: what `shownAmount` shows, without the count's percent, to fit a grid cell. */
const compactAmount = (cell: Cell): string => text.amount(cell.task.target, cell.progress?.amount, cell.required);

/** The light's label and the time left, saying 已逾期 once between them. */
function standingOf(cell: Cell, today: Ymd): { label: string; time: string } {
  const { label, time } = text.standing(standingView(cell), today);
  return { label: spanText(label), time };
}

function lastReport(cell: Cell, today: Ymd): string {
  const p = cell.progress;
  return p ? t.lastReport(p.by.name, when(p.at, today)) : t.neverReported;
}

/** `11-20 09:30` in Beijing time, or `2025-12-30 09:30` when not this year. */
function when(at: Instant, today: Ymd): string {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) return at;
  const date = beijingDate(instant);
  return `${date.slice(0, 4) === today.slice(0, 4) ? date.slice(5) : date} ${beijingTime(instant)}`;
}

/** Worst first: 🔴 before 🟡 before 🟢 before ✅, then the least done, then by name. */
const SEVERITY: Readonly<Record<Light, number>> = { overdue: 0, behind: 1, 'on-pace': 2, 'done-late': 3, done: 4 };
const byName = new Intl.Collator('zh-CN').compare;

function worstFirst(a: Cell, b: Cell): number {
  return (
    SEVERITY[a.standing.light] - SEVERITY[b.standing.light] ||
    b.standing.overdueDays - a.standing.overdueDays ||
    a.completion - b.completion ||
    byName(a.township.name, b.township.name)
  );
}

/** Ledger entries carry Redis stream ids (`ms-seq`), which order them exactly; `at` is the fallback. */
function newestFirst(a: LedgerEntry, b: LedgerEntry): number {
  const [am, as] = streamKey(a);
  const [bm, bs] = streamKey(b);
  return bm - am || bs - as;
}

function streamKey(entry: LedgerEntry): [number, number] {
  const [ms, seq] = entry.id.split('-').map(Number);
  if (ms !== undefined && Number.isFinite(ms)) return [ms, seq !== undefined && Number.isFinite(seq) ? seq : 0];
  const at = Date.parse(entry.at);
  return [Number.isNaN(at) ? 0 : at, 0];
}

// ─── The document ──────────────────────────────────────────────────────────────────────────────

interface PageParts {
  kind: 'overview' | 'township' | 'task' | 'cell';
  /** The browser tab's first words. */
  title: string;
  heading: SafeHtml | string;
  body: SafeHtml;
  /** A link back to the overview; every page but the overview has one. */
  back?: boolean;
}

function page(ctx: PageContext, parts: PageParts): string {
  const header = html`<header class="top">
    ${parts.back !== false && html`<a class="back" href="${dashboardPaths.overview}">${t.back}</a>`}
    <h1>${parts.heading}</h1>
    <p>${t.date(ctx.today, weekday(ctx.today))} · ${t.viewer(ctx.viewer.name)}</p>
    <p class="confidential">${t.confidential}</p>
  </header>`;
  return documentOf({
    kind: parts.kind,
    title: parts.kind === 'overview' ? t.brand(ctx.county) : t.docTitle(parts.title, ctx.county),
    app: ctx.app,
    content: html`${header}<main>${parts.body}</main>`,
  });
}

function documentOf(args: {
  kind: PageParts['kind'] | 'message';
  title: string;
  content: SafeHtml;
  app?: PageContext['app'];
  status?: MessageStatus | undefined;
}): string {
  const { app } = args;
  const appAttributes = Object.entries(app?.attributes ?? {}).map(([name, value]) => html` data-${name}="${value}"`);
  const bodyAttributes = html`data-page="${args.kind}"${args.status && html` data-status="${args.status}"`}${appAttributes}`;
  // The bridge's library only where the route says the page is in the app; app.js does nothing
  // without it but is cheap, so it always loads (after the library, which it needs).
  const scripts = html`${app && html`<script src="${app.library}"></script>`}<script src="${dashboardPaths.script}"></script>`;
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${args.title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body ${bodyAttributes}>
${args.content}
${scripts}
</body>
</html>
`.value;
}
