import { Script, runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { loadBoard, type Board } from '../../../src/core/board.js';
import type { Instant, LedgerEntry, ReportEntry, Progress, Reporter, Task, Township } from '../../../src/domain/model.js';
import { buildRanking, type RankingSnapshot } from '../../../src/domain/ranking.js';
import { text } from '../../../src/messages/index.js';
import { DASHBOARD_SCRIPT, HIDDEN_MENU_ITEMS } from '../../../src/adapters/wecom/dashboard.js';
import { escapeHtml } from '../../../src/server/dashboard/markup.js';
import {
  cellPage,
  messagePage,
  overviewPage,
  taskPage,
  townshipPage,
  type PageContext,
} from '../../../src/server/dashboard/html.js';
import type { Store } from '../../../src/store/redis-store.js';
import { testCounty } from '../../fixtures/county.js';
import { calendarStub } from '../../helpers/calendar-stub.js';

const TODAY = '2026-11-20';
const calendar = calendarStub();

/** A township whose id and name try to break out of an attribute and into a script. */
const hostile: Township = { id: '<b>x"&', name: '<script>alert(1)</script>乡', villages: 4 };
const townships: Township[] = [...testCounty.townships, hostile];
const tasks: Task[] = testCounty.tasks;

/** [task, township, amount, at]: the progress map as the store hands it over. */
function progressOf(reports: readonly (readonly [string, string, number, Instant?])[]): Map<string, Map<string, Progress>> {
  const map = new Map<string, Map<string, Progress>>();
  for (const [task, township, amount, at = '2026-11-10T10:00:00+08:00'] of reports) {
    const byTownship = map.get(task) ?? new Map<string, Progress>();
    byTownship.set(township, { amount, at, entry: `${task}-${township}`, by: { platform: 'wecom', user: 'u', name: '李联络' } });
    map.set(task, byTownship);
  }
  return map;
}

// Distinct T2 amounts keep every score apart, so the bottom three are exactly three.
const progress = progressOf([
  ['T1', '城关镇', 12],
  ['T1', '红星乡', 5],
  ['T2', '城关镇', 90],
  ['T2', '红星乡', 40],
  ['T2', '青山镇', 30],
  ['T2', '柳河乡', 20],
  ['T2', '东城街道', 10],
  ['T2', hostile.id, 5],
  ['T3', '城关镇', 8, '2025-12-30T09:05:00+08:00'],
  ['T4', '城关镇', 1],
  ['T5', '东城街道', 1],
]);

/** The real `loadBoard` over the five store reads it makes (no deadline granted, no review); the rest of Store is Redis plumbing. */
function fakeStore(): Store {
  const reads: Partial<Store> = {
    townships: () => Promise.resolve(townships),
    tasks: () => Promise.resolve(tasks),
    progress: (ids) => Promise.resolve(new Map([...progress].filter(([id]) => ids.includes(id)))),
    grantedDeadlines: () => Promise.resolve(new Map()),
    reviews: () => Promise.resolve(new Map()),
  };
  return reads as Store;
}

const board: Board = await loadBoard({ store: fakeStore(), calendar, today: TODAY });

/** Last month: 城关镇 was 3rd, so this month reads ↑2 for it. */
const lastMonth: RankingSnapshot = {
  month: '2026-10',
  asOf: '2026-10-31',
  rows: townships.map((t, i) => ({ township: t.id, name: t.name, score: 0, rank: t.id === '城关镇' ? 3 : i + 1, tasks: 1, done: 0, doneLate: 0, behind: 0, overdue: 0, bottom: false })),
};
const ranking = buildRanking({ month: '2026-11', asOf: TODAY, townships, tasks, progress, calendar, previous: lastMonth });

const ctx: PageContext = { county: '测试县', today: TODAY, viewer: { name: '王书记' } };
const township = (id: string): Township => townships.find((t) => t.id === id)!;
const task = (id: string): Task => tasks.find((t) => t.id === id)!;

// ─── Reading the HTML back ─────────────────────────────────────────────────────────────────────

const unescape = (s: string): string =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

interface Tag {
  attrs: Record<string, string>;
  /** Up to the closing tag of the same name (no nesting of the same tag in these pages). */
  inner: string;
}

function tags(html: string, name: string): Tag[] {
  const pattern = new RegExp(`<${name}\\b([^>]*)>([\\s\\S]*?)</${name}>`, 'g');
  return [...html.matchAll(pattern)].map((m) => ({
    attrs: Object.fromEntries([...(m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, unescape(a[2]!)])),
    inner: m[2] ?? '',
  }));
}

const withAttr = (html: string, name: string, attr: string): Tag[] => tags(html, name).filter((t) => attr in t.attrs);
const gridCell = (html: string, taskId: string, townshipId: string): Tag | undefined =>
  tags(html, 'td').find((t) => t.attrs['data-task'] === taskId && t.attrs['data-township'] === townshipId);

// ─── Overview ──────────────────────────────────────────────────────────────────────────────────

describe('the overview page', () => {
  const page = overviewPage(ctx, board, ranking);

  it('is a phone-sized, self-contained document that names the county, the day and the viewer', () => {
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('<body data-page="overview">');
    expect(page).toContain('测试县挂图作战');
    expect(page).toContain('2026年11月20日 星期五');
    expect(page).toContain('王书记');
    // Nothing fetched from elsewhere: every src and href is a path on this server.
    for (const m of page.matchAll(/(?:src|href)="([^"]*)"/g)) expect(m[1]).toMatch(/^\/dashboard/);
  });

  it('gives every assigned (task, township) the light the board computes', () => {
    const lit = withAttr(page, 'td', 'data-light');
    const open = board.openTasks();
    expect(lit).toHaveLength(open.reduce((n, t) => n + board.townshipsOf(t).length, 0));
    for (const td of lit) {
      const cell = board.cell(task(td.attrs['data-task']!), township(td.attrs['data-township']!));
      expect(td.attrs['data-light']).toBe(cell.standing.light);
    }
    expect(gridCell(page, 'T1', '城关镇')?.attrs['data-light']).toBe('done');
    expect(gridCell(page, 'T4', '红星乡')?.attrs['data-light']).toBe('overdue');
    expect(gridCell(page, 'T2', '东城街道')?.attrs['data-light']).toBe('behind');
  });

  it('shows a count target as done of required, and a percent as reported', () => {
    expect(gridCell(page, 'T1', '红星乡')?.inner).toContain('5/9');
    expect(gridCell(page, 'T2', '城关镇')?.inner).toContain('90%');
    expect(gridCell(page, 'T3', '青山镇')?.inner).toContain('未上报');
  });

  it('leaves a cell blank and without a light where the task is not the township’s', () => {
    const blank = gridCell(page, 'T5', '城关镇');
    expect(blank?.attrs['data-light']).toBeUndefined();
    expect(blank?.attrs.class).toBe('na');
    expect(blank?.inner.trim()).toBe('');
    expect(gridCell(page, 'T5', '东城街道')?.attrs['data-light']).toBeDefined();
  });

  it('has no column for a closed task', () => {
    expect(tags(page, 'td').some((t) => t.attrs['data-task'] === 'T6')).toBe(false);
  });

  it('tallies the lights over every open cell', () => {
    const lit = withAttr(page, 'td', 'data-light');
    for (const chip of withAttr(page, 'li', 'data-tally')) {
      const count = lit.filter((td) => td.attrs['data-light'] === chip.attrs['data-tally']).length;
      expect(chip.inner).toContain(`<b>${String(count)}</b>`);
    }
  });

  it('lists the ranking in rank order with scores out of 100 in 分 as chat shows them, rank changes and the bottom-three marks', () => {
    const rows = withAttr(page, 'tr', 'data-rank');
    expect(rows.map((r) => r.attrs['data-township'])).toEqual(ranking.rows.map((r) => r.township));
    expect(rows.map((r) => Number(r.attrs['data-rank']))).toEqual(ranking.rows.map((r) => r.rank));
    const first = ranking.rows[0]!;
    expect(first.township).toBe('城关镇');
    expect(rows[0]!.inner).toContain(`<b>${(first.score / 10).toFixed(1)}分</b>`);
    expect(rows.some((r) => /<b>[\d.]+%<\/b>/.test(r.inner))).toBe(false);
    expect(rows[0]!.inner).toContain('↑2');
    const marked = rows.filter((r) => r.inner.includes(text.bottomMark)).map((r) => r.attrs['data-township']);
    expect(marked).toHaveLength(3);
    expect(marked).toEqual(ranking.rows.filter((r) => r.bottom).map((r) => r.township));
    expect(marked).toEqual(rows.slice(-3).map((r) => r.attrs['data-township']));
  });

  it('shows the month’s chart, scaled to the page', () => {
    expect(page).toMatch(/<img class="chart" src="\/dashboard\/chart\.png\?month=2026-11" alt="2026年11月[^"]+"/);
    expect(page).toMatch(/\.chart\{[^}]*width:100%;height:auto/);
  });

  it('links townships, tasks and cells with their ids encoded', () => {
    const cg = encodeURIComponent('城关镇');
    expect(page).toContain(`href="/dashboard/township/${cg}"`);
    expect(page).toContain('href="/dashboard/task/T1"');
    expect(page).toContain(`href="/dashboard/cell/T1/${cg}"`);
    expect(page).toContain(`href="/dashboard/township/${escapeHtml(encodeURIComponent(hostile.id))}"`);
  });

  it('escapes a hostile township name and id wherever they appear', () => {
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).not.toContain('<b>x"&');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;乡');
    expect(gridCell(page, 'T2', hostile.id)?.attrs['data-light']).toBeDefined();
    // The only scripts are the page's own.
    expect([...page.matchAll(/<script\b/g)]).toHaveLength(1);
  });

  it('says so when there is nothing to rank or no open task', () => {
    const empty = overviewPage(ctx, { ...board, openTasks: () => [] }, { month: '2026-11', asOf: TODAY, rows: [] });
    expect(empty).toContain(text.rankingEmpty('2026-11'));
    expect(empty).toContain(text.noOpenTasks(text.county));
    expect(empty).not.toContain('<img');
  });

  it('counts the county’s (task, township) pairs under way apart from the done ones, as the lights do', () => {
    const [, all, underWay, done] = /任务共(\d+)项：进行中(\d+)项，已完成(\d+)项/.exec(overviewPage(ctx, board, ranking)) ?? [];
    expect(Number(underWay) + Number(done)).toBe(Number(all));
    expect(Number(done)).toBeGreaterThan(0);
  });

  it('heads a township’s tasks with how many are under way and how many done, as 任务 does in chat', () => {
    expect(townshipPage(ctx, board, township('城关镇'))).toContain('<h2>任务（4项：进行中2项，已完成2项）</h2>');
  });

  it('adds the （估） note only to a page that shows a working-day count the calendar estimated', async () => {
    const beyond = await loadBoard({ store: fakeStore(), calendar: calendarStub({ lastCoveredYear: 2025 }), today: TODAY });
    expect(townshipPage(ctx, board, township('城关镇'))).not.toContain(text.dashboard.estimatedNote);
    expect(townshipPage(ctx, beyond, township('城关镇'))).toContain(text.dashboard.estimatedNote);
    // The overview shows deadlines and lights, no count of working days.
    expect(overviewPage(ctx, beyond, ranking)).not.toContain(text.dashboard.estimatedNote);
  });
});

describe('the WeCom JS-SDK', () => {
  it('is loaded before the page script, with the corp and agent on the body, only when the page has WeCom', () => {
    const inside = overviewPage({ ...ctx, app: { attributes: { 'corp-id': 'ww123', 'agent-id': '1000002' }, library: '/dashboard/jssdk.js' } }, board, ranking);
    expect(inside).toContain('<body data-page="overview" data-corp-id="ww123" data-agent-id="1000002">');
    expect(inside).toContain('<script src="/dashboard/jssdk.js"></script><script src="/dashboard/app.js"></script>');

    const outside = overviewPage(ctx, board, ranking);
    expect(outside).not.toContain('jssdk');
    expect(outside).not.toContain('data-corp-id');
  });
});

// ─── Township, task and cell pages ─────────────────────────────────────────────────────────────

describe('the township page', () => {
  const page = townshipPage(ctx, board, township('城关镇'), ranking);

  it('lists its open tasks with light, progress, target, time left, last report and a ledger link', () => {
    expect(page).toContain('<body data-page="township">');
    const cards = withAttr(page, 'li', 'data-light');
    expect(cards.map((c) => c.attrs['data-task'])).toEqual(board.openTasksOf(township('城关镇')).map((t) => t.id));
    const t3 = cards.find((c) => c.attrs['data-task'] === 'T3')!;
    expect(t3.inner).toContain('8/36（22%）');
    expect(t3.inner).toContain('每村3个（共36个）');
    expect(t3.inner).toMatch(/截止12月31日，剩\d+个工作日/);
    // Reported last year: the full date.
    expect(t3.inner).toContain('最近上报：李联络，2025-12-30 09:05');
    expect(t3.inner).toContain(`href="/dashboard/cell/T3/${encodeURIComponent('城关镇')}"`);
  });

  it('shows its line of the ranking, the score in 分', () => {
    expect(page).toContain(text.dashboard.townshipRank(1, townships.length, '2026-11', `${(ranking.rows[0]!.score / 10).toFixed(1)}分`));
    expect(page).toContain('较上月 ↑2');
  });

  it('marks a bottom-three township for the leader reading it', () => {
    const last = ranking.rows.at(-1)!;
    expect(townshipPage(ctx, board, township(last.township), ranking)).toContain(text.bottomMark);
  });
});

describe('the task page', () => {
  const page = taskPage(ctx, board, task('T2'));

  it('lists every assigned township worst first, under the task’s target, deadline, domain and status', () => {
    expect(page).toContain('<body data-page="task">');
    expect(page).toContain('目标：全部完成；11月30日截止');
    expect(page).toContain('领域：农村 · 进行中');
    const cards = withAttr(page, 'li', 'data-light');
    expect(cards).toHaveLength(townships.length);
    const order = { overdue: 0, behind: 1, 'on-pace': 2, done: 3 } as const;
    const severities = cards.map((c) => order[c.attrs['data-light'] as keyof typeof order]);
    expect(severities).toEqual([...severities].sort((a, b) => a - b));
    // Among the 🟡, the least done first.
    expect(cards[0]!.attrs['data-township']).toBe(hostile.id);
    expect(cards.at(-1)!.attrs['data-township']).toBe('城关镇');
  });

  it('says a closed task is closed', () => {
    expect(taskPage(ctx, board, task('T6'))).toContain('已销号（7月1日）');
  });
});

describe('the cell page', () => {
  const entry = (id: string, fields: Partial<ReportEntry>): ReportEntry => ({
    id,
    task: 'T1',
    township: '红星乡',
    kind: 'report',
    amount: 3,
    value: '3个',
    note: '',
    by: { platform: 'wecom', user: 'u1', name: '周联络' },
    at: '2026-11-02T09:30:00+08:00',
    source: `m-${id}`,
    ...fields,
  });
  const entries = [
    entry('1762047000000-0', {}),
    entry('1762740000000-0', { amount: 6, value: '6个', note: '<img src=x onerror=alert(1)>', at: '2026-11-10T10:00:00+08:00', by: { platform: 'dingtalk', user: 'u2', name: '钱干事' } }),
    entry('1762740600000-0', { kind: 'reversal', amount: 3, value: '', at: '2026-11-10T10:10:00+08:00', reverses: '1762740000000-0' }),
    entry('1762826400000-0', { amount: 5, value: '5个', at: '2026-11-11T10:00:00+08:00' }),
    // Another township's line, which must not show here.
    entry('1762826400001-0', { township: '城关镇', note: '别的乡镇' }),
  ];
  const cell = board.cell(task('T1'), township('红星乡'));
  const page = cellPage(ctx, board, cell, entries);

  it('heads with the current value and light, then the ledger newest first', () => {
    expect(page).toContain('<body data-page="cell">');
    expect(page).toContain(`当前进度：<b>5/9（56%）</b>`);
    expect(page).toContain(text.dashboard.lightCount(cell.standing.light));
    const rows = withAttr(page, 'tr', 'data-entry');
    expect(rows.map((r) => r.attrs['data-entry'])).toEqual(['1762826400000-0', '1762740600000-0', '1762740000000-0', '1762047000000-0']);
    expect(page).not.toContain('别的乡镇');
  });

  it('links back to the task and the township, without nesting one link in another', () => {
    expect(page).toContain('href="/dashboard/task/T1"');
    expect(page).toContain(`href="/dashboard/township/${encodeURIComponent('红星乡')}"`);
    expect(page).not.toMatch(/<a\b(?:(?!<\/a>)[\s\S])*<a\b/);
  });

  it('shows each row’s Beijing time, kind, value as typed, note, who and platform', () => {
    const rows = withAttr(page, 'tr', 'data-entry');
    const cells = (r: Tag): string[] => tags(r.inner, 'td').map((td) => td.inner.trim());
    expect(cells(rows[0]!)).toEqual(['11-11 10:00', '上报', '5个', '', '周联络', '企业微信']);
    expect(cells(rows[1]!)).toEqual(['11-10 10:10', '撤回', '恢复为 3/9', '', '周联络', '企业微信']);
    expect(cells(rows[2]!)).toEqual(['11-10 10:00', '上报', '6个', '&lt;img src=x onerror=alert(1)&gt;', '钱干事', '钉钉']);
  });

  it('shows the task’s 销号 and 恢复 among the township’s rows, as the admin’s doing for the whole task', () => {
    const admin: Reporter = { platform: 'console', user: 'admin', name: '赵管理' };
    const closed: LedgerEntry = { id: '1762912800000-0', task: 'T1', kind: 'closed', by: admin, at: '2026-11-12T10:00:00+08:00', source: 'console:c1' };
    const reopened: LedgerEntry = { ...closed, id: '1762916400000-0', kind: 'reopened', closedOn: '2026-11-12', at: '2026-11-12T11:00:00+08:00', source: 'console:r1' };
    const withEvents = cellPage(ctx, board, cell, [...entries, closed, reopened]);
    const rows = withAttr(withEvents, 'tr', 'data-entry');
    const cells = (r: Tag): string[] => tags(r.inner, 'td').map((td) => td.inner.trim());
    expect(rows.map((r) => r.attrs['data-kind']).slice(0, 3)).toEqual(['reopened', 'closed', 'report']);
    expect(cells(rows[0]!)).toEqual(['11-12 11:00', '恢复', '整项任务恢复', '', '赵管理', '终端']);
    expect(cells(rows[1]!)).toEqual(['11-12 10:00', '销号', '整项任务销号', '', '赵管理', '终端']);
  });

  it('says when there is nothing in the ledger yet', () => {
    const empty = cellPage(ctx, board, board.cell(task('T3'), township('青山镇')), []);
    expect(empty).toContain(text.dashboard.noEntries);
    expect(empty).not.toContain('data-entry');
  });
});

// ─── Message pages ─────────────────────────────────────────────────────────────────────────────

describe('the message pages', () => {
  it('tell an expired visitor how to get a new link', () => {
    const page = messagePage(text.dashboard.refusals.expired.title, text.dashboard.refusals.expired.body, 'expired');
    expect(page).toContain('<body data-page="message" data-status="expired">');
    expect(page).toContain('发送「看板」');
    expect(page).not.toContain('href="/dashboard"');
  });

  it('offer the way back to the overview when something is not found', () => {
    const page = messagePage(text.dashboard.refusals['not-found'].title, text.dashboard.refusals['not-found'].body, 'not-found');
    expect(page).toContain('href="/dashboard"');
  });

  it('escape what they are given', () => {
    const page = messagePage('<i>标题</i>', '第一行\n<script>x</script>', 'denied');
    expect(page).toContain('<title>&lt;i&gt;标题&lt;/i&gt;</title>');
    expect(page).toContain('<p>&lt;script&gt;x&lt;/script&gt;</p>');
    expect(page).toContain('<p>第一行</p>');
  });
});

// ─── The browser script ────────────────────────────────────────────────────────────────────────

describe('the dashboard script', () => {
  interface Registered {
    corpId: string;
    agentId?: string;
    jsApiList: string[];
    getConfigSignature: (url: string) => Promise<unknown>;
    getAgentConfigSignature?: (url: string) => Promise<unknown>;
  }

  function run(dataset: Record<string, string>, withSdk = true) {
    const registered: Registered[] = [];
    const hidden: string[][] = [];
    const fetched: string[] = [];
    const ww = {
      register: (options: Registered) => registered.push(options),
      hideMenuItems: ({ menuList }: { menuList: string[] }) => {
        hidden.push(menuList);
        return Promise.reject(new Error('not in WeCom'));
      },
    };
    const fetch = (url: string) => {
      fetched.push(url);
      return Promise.resolve({ ok: true, json: () => Promise.resolve({ timestamp: 1, nonceStr: 'n', signature: 's' }) });
    };
    runInNewContext(DASHBOARD_SCRIPT, { document: { body: { dataset } }, window: withSdk ? { ww } : {}, fetch });
    return { registered, hidden, fetched };
  }

  it('is plain script that parses', () => {
    expect(() => new Script(DASHBOARD_SCRIPT)).not.toThrow();
    expect(DASHBOARD_SCRIPT).not.toMatch(/\bimport\b|\bexport\b/);
  });

  it('registers the SDK and hides the menu items that would forward the page', async () => {
    const { registered, hidden, fetched } = run({ corpId: 'ww123', agentId: '1000002' });
    expect(registered).toHaveLength(1);
    const options = registered[0]!;
    expect(options).toMatchObject({ corpId: 'ww123', agentId: '1000002', jsApiList: ['hideMenuItems'] });
    expect(hidden).toEqual([[...HIDDEN_MENU_ITEMS]]);
    expect(HIDDEN_MENU_ITEMS).toEqual(expect.arrayContaining(['menuItem:share:appMessage', 'menuItem:copyUrl', 'menuItem:openWithSafari']));

    await expect(options.getConfigSignature('https://duban.example/dashboard?x=1')).resolves.toEqual({ timestamp: 1, nonceStr: 'n', signature: 's' });
    await options.getAgentConfigSignature?.('https://duban.example/dashboard');
    expect(fetched).toEqual([
      `/dashboard/jssdk/sign?kind=corp&url=${encodeURIComponent('https://duban.example/dashboard?x=1')}`,
      `/dashboard/jssdk/sign?kind=agent&url=${encodeURIComponent('https://duban.example/dashboard')}`,
    ]);
  });

  it('does nothing without a corp id or without the SDK', () => {
    expect(run({}).registered).toHaveLength(0);
    expect(run({ corpId: 'ww123' }, false).registered).toHaveLength(0);
  });
});
