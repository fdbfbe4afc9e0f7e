/**
 * `duban backup` and `duban restore` (docs/backup.md): a county in use, backed up and restored
 * under a second prefix, answers, ranks and exports as the first; a store with data is not
 * restored over unless told; a file that is not a backup this version reads changes nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { say as sayThrough, type Speaker } from '../../src/adapters/console/index.js';
import { compose, type Bot } from '../../src/compose.js';
import { currentRanking, pastRanking } from '../../src/core/board.js';
import { createLogger } from '../../src/core/logger.js';
import { beijingDate } from '../../src/domain/dates.js';
import { createBackupStore } from '../../src/store/backup.js';
import { decodeBackup, type BackupFile } from '../../src/store/backup-format.js';
import { createKeys } from '../../src/store/keys.js';
import { runDuban } from '../helpers/cli.js';
import { clerk, hongxingClerk, leader, leaderDirect, openDemoBot, type TestBot } from '../helpers/bot.js';

const START = '2026-11-23T10:00:00+08:00';

let bot: TestBot;
let dir: string;
let restoredBot: Bot | undefined;
/** The bot over the restored prefix, as the server would compose it. */
const restored = (): Bot => {
  if (!restoredBot) throw new Error('the county was not restored');
  return restoredBot;
};
const restoredPrefix = (): string => `${bot.db.prefix}:restored`;
const sourcePrefix = (): string => `${bot.db.prefix}:bot`;
const sayRestored = (speaker: Speaker, text: string): Promise<string> => sayThrough(restored().route, speaker, text);

/** What chat asks of a county, by whom: the replies of the restored county are compared with these. */
const QUESTIONS: readonly [Speaker, string][] = [
  [clerk, '任务'],
  [clerk, '进度 T2'],
  [clerk, '截止'],
  [clerk, '排名'],
  [clerk, '帮助'],
  [hongxingClerk, '任务'],
  [leader, '排名'],
  [leader, '排名 上月'],
  [leader, '排名 T3'],
  [leader, '预警 全部'],
  [leader, '待办'],
  [leaderDirect, '进度 T1'],
];

/** Every cell of every sheet, as values. */
async function cells(file: string): Promise<unknown[][][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  return workbook.worksheets.map((sheet) => {
    const rows: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      rows.push(Array.isArray(row.values) ? row.values : []);
    });
    return rows;
  });
}

/** A store's backup without what differs by when and where it was taken. */
async function contentOf(prefix: string): Promise<BackupFile['keys']> {
  return (await createBackupStore(bot.db.redis, createKeys(prefix)).read()).file.keys;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duban-backup-'));
  bot = await openDemoBot(import.meta.url, START);
  // A county in use: reports, a correction, a request for more time granted and one waiting, last month's ranking asked for.
  expect(await bot.say(clerk, '上报 T2 90%')).toContain('已记录');
  expect(await bot.say(hongxingClerk, '上报 T1 4个')).toContain('已更正');
  const asked = await bot.say(clerk, '申请延期 T2 2027年3月31日 村两委换届推迟');
  const request = /延期申请#(\d+)/.exec(asked)?.[1];
  if (request === undefined) throw new Error(`no request number in: ${asked}`);
  expect(await bot.say(leader, `同意 ${request}`)).toContain('同意');
  expect(await bot.say(hongxingClerk, '申请延期 T2 2027年3月20日 人员调整')).toContain('延期申请#');
  expect(await bot.say(leader, '排名 上月')).toContain('排名');
  expect((await runDuban(sourcePrefix(), 'backup', join(dir, 'county.json.gz'))).code).toBe(0);
  const restoring = await runDuban(restoredPrefix(), 'restore', join(dir, 'county.json.gz'));
  expect(restoring.err).toBe('');
  expect(restoring.code).toBe(0);
  restoredBot = await compose(bot.db.redis, { log: createLogger('silent'), prefix: restoredPrefix(), now: () => bot.clock.now });
});

afterAll(async () => {
  await restoredBot?.close();
  await bot.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a county restored into an empty Redis', () => {
  it('says what it backed up and what it restored', async () => {
    const backup = await runDuban(sourcePrefix(), 'backup', join(dir, 'again.json'));
    expect(backup.code).toBe(0);
    expect(backup.out).toMatch(/^已备份「示范县」：\d+ 个键，写入 .*again\.json（[\d.]+ KB）。/);
    expect(backup.out).toContain('请像设置文件一样妥善保管');
  });

  it('answers every question as the county it came from', async () => {
    for (const [speaker, question] of QUESTIONS) {
      const original = await bot.say(speaker, question);
      expect(await sayRestored(speaker, question), `${speaker.user}: ${question}`).toBe(original);
    }
  });

  it('ranks this month and last month as the county it came from', async () => {
    const today = beijingDate(bot.clock.now);
    const source = { store: bot.store, calendar: bot.calendar, today };
    const copy = { store: restored().store, calendar: restored().calendar, today };
    expect(await currentRanking(copy)).toEqual(await currentRanking(source));
    expect(await restored().store.rankingSnapshot('2026-10')).toEqual(await bot.store.rankingSnapshot('2026-10'));
    expect(await pastRanking(copy, '2026-10')).toEqual(await pastRanking(source, '2026-10'));
  });

  it('exports the same ledger, ranking and task table', async () => {
    for (const kind of ['ledger', 'ranking', 'tasks']) {
      const from = join(dir, `${kind}-source.xlsx`);
      const to = join(dir, `${kind}-restored.xlsx`);
      expect((await runDuban(sourcePrefix(), 'export', kind, '--out', from)).code).toBe(0);
      expect((await runDuban(restoredPrefix(), 'export', kind, '--out', to)).code).toBe(0);
      const expected = await cells(from);
      expect(expected.flat().length, kind).toBeGreaterThan(3);
      expect(await cells(to), kind).toEqual(expected);
    }
  });

  it('holds every kept key as it was, binary ones included', async () => {
    const original = await contentOf(sourcePrefix());
    expect(await contentOf(restoredPrefix())).toEqual(original);
    expect(original.some((entry) => entry.type === 'string' && typeof entry.value !== 'string')).toBe(true);
    expect(original.some((entry) => entry.type === 'stream' && entry.value.entries.length > 0)).toBe(true);
  });

  it('goes on taking reports after the ones it restored', async () => {
    const next = await sayRestored(hongxingClerk, '上报 T1 5个');
    expect(next).toContain('已记录');
    expect((await restored().store.ledger(['T1'])).length).toBe((await bot.store.ledger(['T1'])).length + 1);
  });
});

describe('restoring over a store that has data', () => {
  it('refuses, saying what is there and how to replace it', async () => {
    const before = await contentOf(restoredPrefix());
    const { code, err } = await runDuban(restoredPrefix(), 'restore', join(dir, 'county.json.gz'));
    expect(code).toBe(1);
    expect(err).toContain('没有恢复：这个 Redis 里已经有数据');
    expect(err).toContain('县「示范县」');
    expect(err).toContain(`duban restore ${join(dir, 'county.json.gz')} --force`);
    expect(await contentOf(restoredPrefix())).toEqual(before);
  });

  it('replaces it with the backup when told --force', async () => {
    const { code, out } = await runDuban(restoredPrefix(), 'restore', join(dir, 'county.json.gz'), '--force');
    expect(code).toBe(0);
    expect(out).toMatch(/已删除原有的 \d+ 个键（--force）。/);
    const decoded = decodeBackup(await readFile(join(dir, 'county.json.gz')));
    if (!decoded.ok) throw new Error('the backup does not read back');
    expect(await contentOf(restoredPrefix())).toEqual(decoded.file.keys);
  });
});

describe('a file that is not a backup this version restores', () => {
  const attempt = async (name: string, bytes: Buffer | string) => {
    const file = join(dir, name);
    await writeFile(file, bytes);
    const prefix = `${bot.db.prefix}:refused`;
    const outcome = await runDuban(prefix, 'restore', file);
    expect(outcome.code).toBe(1);
    expect(await bot.db.redis.keys(`${prefix}:*`)).toEqual([]);
    return outcome.err;
  };

  it('refuses a file cut short, changing nothing', async () => {
    const whole = await readFile(join(dir, 'county.json.gz'));
    expect(await attempt('cut.json.gz', whole.subarray(0, Math.floor(whole.length / 2)))).toContain('解压失败');
    const text = (await readFile(join(dir, 'again.json'))).toString('utf8');
    expect(await attempt('cut.json', text.slice(0, Math.floor(text.length / 2)))).toContain('不是完整的 JSON');
  });

  it('refuses a backup of a newer format, asking for a newer duban', async () => {
    const text = (await readFile(join(dir, 'again.json'))).toString('utf8').replace('"version":1', '"version":2');
    expect(await attempt('newer.json', text)).toContain('格式第 2 版');
  });

  it('refuses JSON that is not a backup, and a backup whose keys are wrong', async () => {
    expect(await attempt('other.json', '{"county":"示范县"}')).toContain('不是督办助手的备份文件');
    const broken = JSON.stringify({ format: 'duban-backup', version: 1, createdAt: '2026-12-01T00:00:00.000Z', county: null, prefix: 'duban', keys: [{ key: 'x', type: 'hash', value: [] }] });
    expect(await attempt('broken.json', broken)).toContain('keys.0.value');
  });
});

describe('expiring keys', () => {
  it('come back with their expiry, and not at all once it has passed', async () => {
    const prefix = `${bot.db.prefix}:expiring`;
    const soon = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const file: BackupFile = {
      format: 'duban-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      county: null,
      prefix: 'duban',
      keys: [
        { key: 'last:console:a', type: 'string', value: 'later', expiresAt: soon },
        { key: 'last:console:b', type: 'string', value: 'gone', expiresAt: '2020-01-01T00:00:00.000Z' },
      ],
    };
    const outcome = await createBackupStore(bot.db.redis, createKeys(prefix)).write(file);
    expect(outcome).toEqual({ written: 1, expired: 1 });
    expect(await bot.db.redis.pexpiretime(`${prefix}:last:console:a`)).toBe(Date.parse(soon));
    expect(await bot.db.redis.exists(`${prefix}:last:console:b`)).toBe(0);
  });
});
