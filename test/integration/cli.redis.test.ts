/**
 * `duban load` and `duban say` as an admin runs them, in-process, against real Redis.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDuban } from '../helpers/cli.js';
import { openTestRedis, type TestRedis } from '../helpers/redis.js';

let db: TestRedis;
beforeAll(async () => {
  db = await openTestRedis(import.meta.url);
});
afterAll(async () => {
  await db.close();
});

const duban = (...argv: string[]) => runDuban(db.prefix, ...argv);

const clerk = ['--platform', 'console', '--chat', '城关镇工作群', '--user', '联络员'];

describe('duban load', () => {
  it('refuses an invalid file, names the entry and field, and changes nothing', async () => {
    const { code, err } = await duban('load', 'test/fixtures/setup/many-errors.yaml');
    expect(code).toBe(1);
    expect(err).toContain('未做任何修改');
    expect(err).toMatch(/第\d+项/);
    expect(await db.redis.keys(`${db.prefix}:*`)).toEqual([]);
  });

  it('says which file it could not find', async () => {
    const { code, err } = await duban('load', 'no-such-county.yaml');
    expect(code).toBe(1);
    expect(err).toContain('找不到文件：no-such-county.yaml');
  });

  it('warns when a name has a character the chart\'s font lacks, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duban-rare-'));
    const file = join(dir, 'county.yaml');
    writeFileSync(file, readFileSync('examples/sample-county.yaml', 'utf8').replaceAll('红星乡', '㐀星乡'));
    const { code, err } = await duban('load', file);

    expect(code).toBe(0);
    expect(err).toContain('图上会显示成方框：㐀');
  });

  it('loads the sample county and reports what it loaded, the same twice over', async () => {
    const first = await duban('load', 'examples/sample-county.yaml');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/已载入「示范县」：13 个乡镇、\d+ 个群、\d+ 人、12 项任务/);
    const keys = (await db.redis.keys(`${db.prefix}:*`)).sort();
    expect((await duban('load', 'examples/sample-county.yaml')).code).toBe(0);
    expect((await db.redis.keys(`${db.prefix}:*`)).sort()).toEqual(keys);
  });
});

describe('duban say', () => {
  it('prints the bot’s answer and exits 0', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const { code, out } = await duban('say', ...clerk, '上报', 'T2', '80%');
    expect(code).toBe(0);
    expect(out).toContain('已记录：城关镇 T2');
  });

  it('saves the chart of 排名 图 as a PNG file and prints where, before the ranking', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const { code, out } = await duban('say', ...clerk, '排名', '图');
    const file = /图片已保存到 (\S+\.png)/.exec(out)?.[1] ?? '';

    expect(code).toBe(0);
    expect(readFileSync(file).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(out).toContain('城关镇');
  });

  it('exits 0 for a refusal too, since the bot answered', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const { code, out } = await duban('say', ...clerk, '销号', 'T2');
    expect(code).toBe(0);
    expect(out).toContain('只有管理员可以');
  });

  it('asks who is speaking when --user is missing', async () => {
    const { code, err } = await duban('say', '--chat', '城关镇工作群', '任务');
    expect(code).toBe(2);
    expect(err).toContain('--user');
  });
});

describe('duban job', () => {
  it('runs a job as if the clock read --at, waits for its posts, and says what went out', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const { code, out } = await duban('job', 'deadline-reminders', '--at', '2026-11-23T09:00');

    expect(code).toBe(0);
    expect(out).toContain('── 发往「城关镇工作群」 ──');
    expect(out).toContain('城关镇近期截止的任务');
    expect(out).toMatch(/deadline-reminders（2026-11-23）：\d+ 条，新发 2、之前已发 0；送达 2，失败 0，未完成 0/);
    expect(out).toContain('发往未开启的平台');
  });

  it('posts nothing twice when the same day is run again', async () => {
    await duban('load', 'examples/sample-county.yaml');
    await duban('job', 'overdue-warnings', '--at', '2026-11-24T09:00');
    const { code, out } = await duban('job', 'overdue-warnings', '--at', '2026-11-24T09:00');

    expect(code).toBe(0);
    expect(out).not.toContain('── 发往');
    expect(out).toMatch(/新发 0、之前已发 \d+/);
  });

  it('prints what it would post with --dry-run, and sends nothing', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const { code, out } = await duban('job', 'deadline-reminders', '--at', '2026-11-25T09:00', '--dry-run');

    expect(code).toBe(0);
    expect(out).toContain('deadline-reminders/2026-11-25/console/城关镇工作群');
    expect(out).toContain('未发送（--dry-run）');
  });

  it('posts nothing on a public holiday', async () => {
    const { code, out } = await duban('job', 'deadline-reminders', '--at', '2026-10-01T09:00');

    expect(code).toBe(0);
    expect(out).toContain('2026-10-01 不是工作日');
  });

  it('names the jobs there are when asked for one that is not', async () => {
    const { code, err } = await duban('job', 'reminders');

    expect(code).toBe(2);
    expect(err).toContain('deadline-reminders、overdue-warnings、monthly-ranking、calendar-guard');
  });
});

describe('duban', () => {
  it('lists its subcommands when run without one', async () => {
    const { code, out } = await duban();
    expect(code).toBe(2);
    for (const sub of ['serve', 'load', 'say', 'chat', 'job', 'import', 'export']) expect(out).toContain(sub);
  });
});
