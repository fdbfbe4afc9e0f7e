/** The backup file's format (docs/backup.md) and the key families a backup sorts Redis into. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { familyMatcher, hashTag, KEY_FAMILIES } from '../../../src/store/backup.js';
import { BACKUP_VERSION, BackupFileSchema, decodeBackup, encodeBackup, fromBytes, toBytes, type BackupFile, type BackupProblem } from '../../../src/store/backup-format.js';
import { createKeys, type Keys } from '../../../src/store/keys.js';

const file: BackupFile = {
  format: 'duban-backup',
  version: 1,
  createdAt: '2026-12-01T01:00:00.000Z',
  county: '示范县',
  prefix: 'duban',
  keys: [
    { key: '{county}', type: 'hash', value: [['name', '示范县']] },
    { key: '{t:T1}:standings', type: 'string', value: { base64: Buffer.from([0, 255, 1, 128]).toString('base64') } },
    { key: 'dead-letters', type: 'list', value: ['{"a":1}', '{"b":2}'] },
    { key: '{county}:closed-in-file', type: 'set', value: ['T1', 'T2'] },
    { key: 'budget:x', type: 'zset', value: [['a', '1.5'], ['b', 'inf'], ['c', '-3e+20']], expiresAt: '2026-12-01T02:00:00.000Z' },
    {
      key: '{t:T1}:ledger',
      type: 'stream',
      value: { lastId: '1764550800000-3', entries: [{ id: '1764550800000-0', fields: [['kind', 'report']] }, { id: '1764550800000-1', fields: [['kind', 'reversal']] }] },
    },
  ],
};

const problemOf = (data: unknown): BackupProblem | undefined => {
  const decoded = decodeBackup(Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)));
  return decoded.ok ? undefined : decoded.problem;
};

describe('bytes in a backup', () => {
  it('are text when they are UTF-8, and base64 otherwise, both coming back to the byte', () => {
    for (const bytes of [Buffer.from('上报 T3 80%'), Buffer.from([0xff, 0xfe, 0x00]), Buffer.alloc(0), Buffer.from([0xe4, 0xb8])]) {
      expect(fromBytes(toBytes(bytes)).equals(bytes)).toBe(true);
    }
    expect(toBytes(Buffer.from('示范县'))).toBe('示范县');
    expect(toBytes(Buffer.from([0xe4, 0xb8]))).toEqual({ base64: '5Lg=' });
  });
});

describe('a backup file', () => {
  it('reads back as it was written, plain and gzipped', () => {
    for (const gzip of [false, true]) {
      expect(decodeBackup(encodeBackup(file, gzip))).toEqual({ ok: true, file });
    }
  });

  it('is JSON with one key to a line', () => {
    const lines = encodeBackup(file, false).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(file.keys.length + 2);
    expect(JSON.parse(lines.join('\n'))).toEqual(file);
  });

  it('is refused when it is not JSON, not a backup, or cut short', () => {
    expect(problemOf('{"format": "duban-backup",')).toMatchObject({ kind: 'json' });
    expect(problemOf({ format: 'something-else', version: 1 })).toEqual({ kind: 'not-backup' });
    expect(problemOf([1, 2, 3])).toEqual({ kind: 'not-backup' });
    const gz = encodeBackup(file, true);
    const cut = decodeBackup(gz.subarray(0, gz.length - 10));
    expect(cut.ok ? undefined : cut.problem).toMatchObject({ kind: 'gzip' });
  });

  it('is refused as newer when its version is past this one', () => {
    expect(problemOf({ ...file, version: BACKUP_VERSION + 1, keys: 'whatever it may hold' })).toEqual({ kind: 'newer', version: BACKUP_VERSION + 1 });
  });

  it('is refused, naming the place, when a key is not as Redis keeps it', () => {
    const broken = (entry: unknown) => problemOf({ ...file, keys: [entry] });
    expect(broken({ key: 'h', type: 'hash', value: [] })).toEqual({ kind: 'invalid', issues: [expect.stringContaining('keys.0.value')] });
    expect(broken({ key: 's', type: 'string', value: { base64: 'not base64!' } })).toMatchObject({ kind: 'invalid' });
    expect(broken({ key: 'z', type: 'zset', value: [['a', 'many']] })).toMatchObject({ kind: 'invalid' });
    expect(broken({ key: 'x', type: 'json', value: {} })).toMatchObject({ kind: 'invalid' });
    expect(broken({ key: 's', type: 'string', value: 'v', ttl: 5 })).toMatchObject({ kind: 'invalid' });
    const stream = (lastId: string, ids: string[]) => broken({ key: 'l', type: 'stream', value: { lastId, entries: ids.map((id) => ({ id, fields: [['a', 'b']] })) } });
    expect(stream('5-0', ['2-0', '1-0'])).toMatchObject({ kind: 'invalid' });
    expect(stream('1-0', ['2-0'])).toMatchObject({ kind: 'invalid' });
    expect(stream('10-0', ['2-0', '9-5'])).toBeUndefined();
    expect(stream('3-0', [])).toBeUndefined();
  });

  it('is refused when it holds one key twice', () => {
    const twice = { ...file, keys: [file.keys[0], file.keys[0]] };
    expect(BackupFileSchema.safeParse(twice).success).toBe(false);
  });

  it('is read whether or not its name says it is gzipped', () => {
    expect(decodeBackup(gzipSync(Buffer.from(JSON.stringify(file))))).toEqual({ ok: true, file });
  });
});

describe('the key families', () => {
  const keys = createKeys('duban');
  const familyOf = familyMatcher(keys);

  it('decide every key keys.ts builds', () => {
    const notKeys: readonly (keyof Keys)[] = ['prefix', 'all', 'groupField', 'personField'];
    const builders = Object.keys(keys).filter((name) => !(notKeys as readonly string[]).includes(name));
    expect(KEY_FAMILIES.map((f) => f.name).sort()).toEqual(builders.sort());
  });

  it('sort real keys into their family', () => {
    const cases: [string, string | undefined][] = [
      [keys.county(), 'county'],
      [keys.countyVersion(), 'countyVersion'],
      [keys.ledger('T12'), 'ledger'],
      [keys.seen('T3', 'wecom:msg:1'), 'seen'],
      [keys.reply('wecom:abc'), 'reply'],
      [keys.replyPicture('wecom:abc'), 'replyPicture'],
      [keys.runMarker('ranking:2026-11'), 'runMarker'],
      [keys.runDone('ranking:2026-11'), 'runDone'],
      [keys.lanePacing('wecom:x'), 'lanePacing'],
      [keys.laneQueue('wecom:x'), 'laneQueue'],
      [`${keys.queuePrefix()}:outbox:wait`, 'queuePrefix'],
      [keys.lastReport('wecom', 'zhangsan'), 'lastReport'],
      [keys.ranking('2026-10'), 'ranking'],
      ['duban:something-else', undefined],
    ];
    for (const [key, family] of cases) expect(familyOf(key)?.name, key).toBe(family);
  });

  it('keep the state and leave out caches, coordination and the queue', () => {
    const kept = new Set(KEY_FAMILIES.filter((f) => f.kept).map((f) => f.name));
    for (const name of ['county', 'tasks', 'ledger', 'progress', 'standings', 'requests', 'ranking', 'peopleLedger'] as const) expect(kept.has(name), name).toBe(true);
    for (const name of ['reply', 'queuePrefix', 'lease', 'credential', 'budget', 'countyVersion'] as const) expect(kept.has(name), name).toBe(false);
  });
});

describe('a hash tag', () => {
  it('is what Redis Cluster hashes: the first braces with something in them', () => {
    expect(hashTag('duban:{t:T1}:ledger')).toBe('t:T1');
    expect(hashTag('duban:{county}')).toBe('county');
    expect(hashTag('duban:ranking:2026-10')).toBeUndefined();
    expect(hashTag('duban:{}:x{y}')).toBeUndefined();
  });
});
