/**
 * `duban load` and `duban say` as an admin runs them, in-process, against real Redis.
 */
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import type { Reporter } from '../../src/domain/model.js';
import { createOutbox } from '../../src/outbox/index.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { runCaptured, runDuban } from '../helpers/cli.js';
import { REDIS_URL } from '../helpers/redis.js';
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

  describe('a file in another encoding than UTF-8', () => {
    // A prefix of their own: nothing else loads a county there, so "nothing written" is no keys at all.
    const load = (file: string) => runDuban(`${db.prefix}:encoding`, 'load', file);
    const written = () => db.redis.keys(`${db.prefix}:encoding:*`);
    const sample = readFileSync('examples/sample-county.yaml', 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'duban-encoding-'));

    it('refuses a county saved by Notepad as ANSI (GBK) with exit 1, in Chinese, and writes nothing', async () => {
      const file = join(dir, 'gbk.yaml');
      // 示范县 and 城关镇 in GBK, where the sample has them in UTF-8.
      writeFileSync(file, Buffer.concat(sample.split(/(示范县|城关镇)/).map((part) => (part === '示范县' ? Buffer.from('cabeb7b6cfd8', 'hex') : part === '城关镇' ? Buffer.from('b3c7b9d8d5f2', 'hex') : Buffer.from(part)))));
      const { code, out, err } = await load(file);
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toBe(`设置文件 ${file} 有误，未做任何修改：\n  - 设置文件不是 UTF-8 编码，从第1行起读不出来（常见的原因是用记事本存成了「ANSI」，也就是 GBK 编码）。请另存为 UTF-8 编码：在记事本里点「文件」→「另存为」，下方的「编码」选「UTF-8」，保存后再载入\n`);
      expect(await written()).toEqual([]);
    });

    it('refuses UTF-16 with its own message and writes nothing', async () => {
      const file = join(dir, 'utf16.yaml');
      writeFileSync(file, Buffer.from(`\uFEFF${sample}`, 'utf16le'));
      const { code, err } = await load(file);
      expect(code).toBe(1);
      expect(err).toContain('设置文件是 UTF-16 编码（记事本里叫「UTF-16 LE」或「Unicode」），读不了。请另存为 UTF-8 编码');
      expect(await written()).toEqual([]);
    });

    it('refuses a "billion laughs" of aliases cleanly, with exit 1 and nothing written', async () => {
      const file = join(dir, 'laughs.yaml');
      const levels = ['a: &a [哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈]', ...'bcdefghij'.split('').map((name, i) => `${name}: &${name} [${Array<string>(9).fill(`*${'abcdefghij'.charAt(i)}`).join(', ')}]`)];
      writeFileSync(file, `${sample}\n${levels.join('\n')}\n`);
      const { code, err } = await load(file);
      expect(code).toBe(1);
      expect(err).toContain('设置文件里的锚点和引用（& 和 *）展开后太多，读不了');
      expect(await written()).toEqual([]);
    });

    it('refuses a file over 1 MB by its size before reading it', async () => {
      const file = join(dir, 'huge.yaml');
      writeFileSync(file, '');
      truncateSync(file, 3 * 1024 * 1024);
      const { code, err } = await load(file);
      expect(code).toBe(1);
      expect(err).toContain('设置文件有 3 MB，超过了 1 MB 的上限');
      expect(await written()).toEqual([]);
    });

    it('loads UTF-8 with a byte-order mark, as Notepad may save it', async () => {
      const file = join(dir, 'bom.yaml');
      writeFileSync(file, `\uFEFF${sample}`);
      const { code, out } = await load(file);
      expect(code).toBe(0);
      expect(out).toMatch(/^已载入「示范县」：13 个乡镇/);
    });
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

describe('duban chat', () => {
  it('keeps log lines out of the conversation, in a file it names once', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const dataDir = mkdtempSync(join(tmpdir(), 'duban-chat-'));
    const redisUrl = REDIS_URL.startsWith('/') ? `unix://${REDIS_URL}` : REDIS_URL;
    // 催办 to groups of platforms that are off is logged as a warning.
    const { code, out, err } = await runCaptured(['chat', '--chat', '领导群', '--user', '书记'], { env: { REDIS_URL: redisUrl }, prefix: db.prefix, dataDir }, '催办 T2\n:quit\n');

    expect(code).toBe(0);
    expect(out).toContain('催办');
    expect(`${out}${err}`).not.toContain('{"level"');
    expect(err.split(join(dataDir, 'duban.log'))).toHaveLength(2);
    expect(readFileSync(join(dataDir, 'duban.log'), 'utf8')).toContain('posts not queued: their platform is off');
  });

  it('names the county’s own terminal users and groups as the ones to switch to', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const redisUrl = REDIS_URL.startsWith('/') ? `unix://${REDIS_URL}` : REDIS_URL;
    const dataDir = mkdtempSync(join(tmpdir(), 'duban-chat-'));
    const { out } = await runCaptured(['chat'], { env: { REDIS_URL: redisUrl }, prefix: db.prefix, dataDir }, ':quit\n');
    const line = out.split('\n').find((l) => l.startsWith('切换身份')) ?? '';
    for (const name of ['联络员', '书记', '管理员', '城关镇工作群', '领导群']) expect(line).toContain(name);
  });
});

describe('duban job', () => {
  // A county of their own: a 催办 queued above (by `chat`) waits in its group's line for office
  // hours by the wall clock, and a job's post to that group would wait behind it, as it should.
  const jobPrefix = (): string => `${db.prefix}:job`;
  const duban = (...argv: string[]) => runDuban(jobPrefix(), ...argv);

  it('runs a job as if the clock read --at, waits for its posts, and says what went out', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const { code, out } = await duban('job', 'reminders', '--at', '2026-11-23T09:00');

    expect(code).toBe(0);
    expect(out).toContain('── 发往「城关镇工作群」 ──');
    expect(out).toContain('城关镇督办提醒（11月23日）');
    expect(out).toMatch(/reminders（2026-11-23）：\d+ 条，新发 2、之前已发 0；送达 2，失败 0，未完成 0/);
    expect(out).toContain('发往未开启的平台');
  });

  it('posts nothing twice when the same day is run again', async () => {
    await duban('load', 'examples/sample-county.yaml');
    await duban('job', 'all', '--at', '2026-11-24T09:00');
    const { code, out } = await duban('job', 'all', '--at', '2026-11-24T09:00');

    expect(code).toBe(0);
    expect(out).not.toContain('── 发往');
    expect(out).toMatch(/新发 0、之前已发 \d+/);
  });

  it('prints what it would post with --dry-run, and sends nothing', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const { code, out } = await duban('job', 'reminders', '--at', '2026-11-25T09:00', '--dry-run');

    expect(code).toBe(0);
    expect(out).toContain('reminders/2026-11-25/console/城关镇工作群');
    expect(out).toContain('未发送（--dry-run）');
  });

  it('runs all the jobs of the day with all, one message per group: the monthly 通报 and the reminders together', async () => {
    // A county of its own, whose first report is in November whatever today's date (`say` would
    // record it at the wall clock's).
    const prefix = `${db.prefix}:all`;
    await runDuban(prefix, 'load', 'examples/sample-county.yaml');
    const by: Reporter = { platform: 'console', user: '联络员', name: '李联络' };
    await createRedisStore(db.redis, createKeys(prefix)).recordReport({ task: 'T2', township: '城关镇', amount: 80, value: '80%', note: '', by, at: '2026-11-20T10:00:00.000+08:00', source: 'console:cli-test-1' });
    const { code, out } = await runDuban(prefix, 'job', 'all', '--at', '2026-12-01T09:00', '--dry-run');

    expect(code).toBe(0);
    expect(out.match(/^── console\/城关镇工作群/gm)).toHaveLength(1);
    const chengguan = out.slice(out.indexOf('── console/城关镇工作群'), out.indexOf('── console/红星乡工作群'));
    expect(chengguan).toContain('2026年11月任务完成情况通报');
    expect(chengguan).toContain('城关镇督办提醒（12月1日）');
  });

  it('refuses an --at outside office hours before posting anything, naming the hours and a time that works', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const { code, err } = await duban('job', 'reminders', '--at', '2026-11-26T19:50');

    expect(code).toBe(2);
    expect(err).toContain('--at 2026-11-26 19:50 不在办公时间（工作日 08:30–18:00，北京时间）内');
    expect(err).toContain('什么也没有发');
    expect(err).toContain('例如 --at 2026-11-26T08:30');
    const { out } = await duban('job', 'reminders', '--at', '2026-11-26T08:30', '--dry-run');
    expect(out).toMatch(/共 [1-9]\d* 条，未发送（--dry-run）。/);
  });

  it('leaves its posts to a running server, which sends them at once though its own clock is past office hours', async () => {
    await duban('load', 'examples/sample-county.yaml');
    const sent: string[] = [];
    // The server at 19:50: its window opens only tomorrow morning.
    const server = createOutbox({
      redis: db.redis,
      queuePrefix: createKeys(jobPrefix()).queuePrefix(),
      store: createRedisStore(db.redis, createKeys(jobPrefix())),
      posters: {
        console: {
          parts: () => 1,
          pauseMs: 0,
          sendPart: (group) => {
            sent.push(group.chat);
            return Promise.resolve();
          },
        },
      },
      log: createLogger('silent'),
      window: () => Promise.resolve({ now: false, next: new Date(Date.now() + 12 * 60 * 60_000) }),
    });
    server.start();
    try {
      const { code, out, err } = await duban('job', 'reminders', '--at', '2026-11-27T09:00');

      expect(code).toBe(0);
      expect(err).toContain('由正在运行的服务送达');
      const [, added = '', delivered = ''] = /新发 (\d+)、之前已发 0；送达 (\d+)，失败 0，未完成 0/.exec(out) ?? [];
      expect(Number(added)).toBeGreaterThan(0);
      expect(delivered).toBe(added);
      expect(sent).toHaveLength(Number(added));
      expect(out).not.toContain('── 发往');
    } finally {
      await server.close();
    }
  });

  it('posts nothing on a public holiday', async () => {
    const { code, out } = await duban('job', 'reminders', '--at', '2026-10-01T09:00');

    expect(code).toBe(0);
    expect(out).toContain('2026-10-01 不是工作日');
  });

  it('names the jobs there are when asked for one that is not', async () => {
    const { code, err } = await duban('job', 'deadline-reminders');

    expect(code).toBe(2);
    expect(err).toContain('monthly-ranking、reminders、leaders-digest、calendar-guard、all');
  });
});

describe('duban', () => {
  it('lists its subcommands when run without one', async () => {
    const { code, out } = await duban();
    expect(code).toBe(2);
    for (const sub of ['serve', 'load', 'say', 'chat', 'job', 'import', 'export']) expect(out).toContain(sub);
  });
});
