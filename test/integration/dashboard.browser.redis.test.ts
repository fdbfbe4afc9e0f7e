/**
 * The dashboard as a leader sees it: a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) opens the 看板 link of a seeded county over real Redis, at phone size.
 * `.ci/run` installs Chromium; elsewhere set CHROMIUM_PATH or `apt-get install chromium`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { createApp } from '../../src/server/app.js';
import { clerk, hongxingClerk, leaderDirect, openTestBot, type TestBot } from '../helpers/bot.js';
import { listen, type Listening } from '../helpers/http.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the screenshots go, to be looked at: `ls $TMPDIR/duban-dashboard`. */
const SHOTS = join(tmpdir(), 'duban-dashboard');
// Checked while the file loads, so a missing browser is the one error shown, not a second one from afterAll.
if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does), or set CHROMIUM_PATH.`);

let bot: TestBot;
let server: Listening;
let browser: Browser;

beforeAll(async () => {
  bot = await openTestBot(import.meta.url, undefined, undefined, { publicUrl: 'http://127.0.0.1' });
  const log = createLogger('silent');
  server = await listen(createApp({ log, redisUp: () => bot.store.ping(), dashboard: { store: bot.store, calendar: bot.calendar, log, publicUrl: 'http://127.0.0.1', now: () => bot.clock.now } }));
  // The flags the machine notes ask for: no sandbox as root, and nothing reaching for the network.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(SHOTS, { recursive: true });

  // 城关镇 finished T4 (late: it was due in August) and is nearly through T2; 红星乡 did nothing on T4
  // (overdue since August) and is far behind on T2.
  await bot.say(clerk, '上报 T4 完成');
  await bot.say(clerk, '上报 T2 95% <b>整改</b>到位');
  await bot.say(hongxingClerk, '上报 T2 10%');
}, 60_000);

afterAll(async () => {
  await browser.close();
  await server.close();
  await bot.close();
});

/** A phone-sized page opened from the leader's 看板 link, with every response it got. */
async function leaderPage(): Promise<{ page: Page; responses: Response[] }> {
  const reply = await bot.say(leaderDirect, '看板');
  const link = new URL(/https?:\/\/\S+/.exec(reply)?.[0] ?? '');
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const responses: Response[] = [];
  page.on('response', (r) => responses.push(r));
  await page.goto(`${server.base}${link.pathname}${link.search}`);
  return { page, responses };
}

const lightOf = (page: Page, task: string, township: string) =>
  page.locator(`td[data-task="${task}"][data-township="${township}"]`).getAttribute('data-light');

describe('the dashboard in a real browser', () => {
  it('opens from a leader\'s 看板 link and shows each township\'s light per task', async () => {
    const { page } = await leaderPage();

    expect(new URL(page.url()).pathname).toBe('/dashboard');
    expect(await page.getAttribute('body', 'data-page')).toBe('overview');
    expect(await lightOf(page, 'T4', '城关镇')).toBe('done-late');
    expect(await lightOf(page, 'T4', '红星乡')).toBe('overdue');
    expect(await lightOf(page, 'T2', '红星乡')).toBe('behind');
    expect(await page.locator('tr[data-township][data-rank="1"]').getAttribute('data-township')).toBe('城关镇');
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
    await page.close();
  });

  it('shows the ranking chart as a picture that loaded', async () => {
    const { page, responses } = await leaderPage();
    const img = page.locator('img[src^="/dashboard/chart.png"]');
    const isChart = (r: Response): boolean => new URL(r.url()).pathname === '/dashboard/chart.png';
    // The picture may load lazily, once it is scrolled to.
    const chart = responses.find(isChart) ?? (await Promise.all([page.waitForResponse(isChart), img.scrollIntoViewIfNeeded()]))[0];
    await page.waitForLoadState('load');
    const box = await img.boundingBox();

    expect(chart.status()).toBe(200);
    expect(chart.headers()['content-type']).toBe('image/png');
    // A broken picture collapses to a line of alt text; five townships' bars take far more.
    expect(box?.height).toBeGreaterThan(100);
    await page.close();
  });

  it('drills down from a cell to the ledger rows behind it, with what the clerk typed shown as text', async () => {
    const { page } = await leaderPage();
    await page.locator('td[data-task="T2"][data-township="城关镇"] a').click();
    await page.waitForURL(/\/dashboard\/cell\/T2\//);

    expect(await page.getAttribute('body', 'data-page')).toBe('cell');
    expect(await page.locator('tr[data-entry]').count()).toBe(1);
    expect(await page.locator('tr[data-entry]').innerText()).toContain('<b>整改</b>到位');
    await page.screenshot({ path: join(SHOTS, 'cell.png'), fullPage: true });
    await page.close();
  });

  it('refuses a visitor who comes without a link', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${server.base}/dashboard`);

    expect(res?.status()).toBe(401);
    expect(await page.getAttribute('body', 'data-page')).toBe('message');
    expect(await page.locator('td[data-light]').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'refused.png') });
    await page.close();
  });
});
