import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../src/domain/model.js';
import { decodeEntry, decodeJsonHash, ProgressSchema, StoreDataError } from '../../../src/store/codec.js';

const KEY = 'duban:{t:T1}:progress';

/** Progress JSON as record-report.lua writes it (cjson picks the key order). */
const written = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({
    at: '2026-11-02T09:00:00.000+08:00',
    by: { platform: 'wecom', name: '张三', user: 'zhangsan' },
    entry: '1762045200000-0',
    amount: '80',
    ...fields,
  });

const progress: Progress = {
  amount: 80,
  at: '2026-11-02T09:00:00.000+08:00',
  entry: '1762045200000-0',
  by: { platform: 'wecom', user: 'zhangsan', name: '张三' },
};

function failure(run: () => unknown): StoreDataError {
  try {
    run();
  } catch (error) {
    if (error instanceof StoreDataError) return error;
    throw error;
  }
  throw new Error('expected a StoreDataError');
}

describe('decodeJsonHash with ProgressSchema (the progress read path)', () => {
  it('reads every field of a hash into a map, amounts as numbers', () => {
    const decoded = decodeJsonHash(ProgressSchema, { 城关镇: written(), 红星乡: written({ amount: '12.5' }) }, KEY);
    expect([...decoded.keys()]).toEqual(['城关镇', '红星乡']);
    expect(decoded.get('城关镇')).toEqual(progress);
    expect(decoded.get('红星乡')?.amount).toBe(12.5);
  });

  it('reads an empty hash (a task nobody reported) as an empty map', () => {
    expect(decodeJsonHash(ProgressSchema, {}, KEY).size).toBe(0);
  });

  it('keeps only the fields of Progress, dropping any others', () => {
    const decoded = decodeJsonHash(ProgressSchema, { 城关镇: written({ extra: 1, by: { platform: 'wecom', user: 'zhangsan', name: '张三', x: 2 } }) }, KEY);
    expect(decoded.get('城关镇')).toEqual(progress);
  });

  it('reads a township id that is a special property name as a plain field', () => {
    const reply = JSON.parse(`{"__proto__": ${JSON.stringify(written())}}`) as unknown;
    expect(decodeJsonHash(ProgressSchema, reply, KEY).get('__proto__')).toEqual(progress);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an array', [written()]],
    ['a string', written()],
    ['a Map', new Map([['城关镇', written()]])],
  ])('refuses a reply that is %s, naming the key', (_, reply) => {
    const error = failure(() => decodeJsonHash(ProgressSchema, reply, KEY));
    expect(error.message).toBe(`unreadable value at ${KEY}: not a hash`);
  });

  it.each<[string, unknown, string]>([
    ['a value that is not a string', 80, 'not a string'],
    ['a value that is not JSON', '{"amount":"80"', 'not JSON'],
    ['a value that is JSON but not an object', '"80"', 'expected object'],
    ['an amount that is a number, not text', written({ amount: 80 }), 'amount'],
    ['an amount that is not a number', written({ amount: '八成' }), 'amount'],
    ['an amount too large for a number', written({ amount: '1e999' }), 'amount'],
    ['an instant without an offset', written({ at: '2026-11-02T09:00:00' }), 'at'],
    ['an impossible date', written({ at: '2026-02-30T09:00:00.000+08:00' }), 'at'],
    ['an empty entry id', written({ entry: '' }), 'entry'],
    ['a reporter without a name', written({ by: { platform: 'wecom', user: 'zhangsan' } }), 'by.name'],
  ])('refuses %s, naming the key and field', (_, value, problem) => {
    const error = failure(() => decodeJsonHash(ProgressSchema, { 城关镇: written(), 红星乡: value }, KEY));
    expect(error.message).toContain(`unreadable value at ${KEY} 红星乡: `);
    expect(error.message).toContain(problem);
  });
});

describe('decodeEntry (the ledger read path)', () => {
  const fields = (overrides: Record<string, string> = {}): string[] =>
    Object.entries({
      kind: 'report',
      township: '城关镇',
      amount: '80',
      value: '80%',
      note: '',
      platform: 'wecom',
      user: 'zhangsan',
      name: '张三',
      at: '2026-11-02T09:00:00.000+08:00',
      source: 'wecom:msg-1',
      prev: '',
      ...overrides,
    }).flat();

  it('reads a report, and the progress before it', () => {
    const { entry, prev } = decodeEntry('T1', '1762045200000-0', fields({ prev: written({ amount: '50' }) }), 'ledger');
    expect(entry).toMatchObject({ id: '1762045200000-0', task: 'T1', kind: 'report', amount: 80, by: progress.by });
    expect(entry).not.toHaveProperty('reverses');
    expect(prev?.amount).toBe(50);
  });

  it('reads a reversal back to no progress, with an empty amount', () => {
    const { entry, prev } = decodeEntry('T1', '1762045300000-0', fields({ kind: 'reversal', amount: '', value: '', reverses: '1762045200000-0' }), 'ledger');
    expect(entry).toMatchObject({ amount: null, reverses: '1762045200000-0' });
    expect(prev).toBeUndefined();
  });

  it('refuses an unknown kind, naming the entry', () => {
    const error = failure(() => decodeEntry('T1', '1762045200000-0', fields({ kind: 'edit' }), 'ledger'));
    expect(error.message).toContain('unreadable value at ledger 1762045200000-0: ');
    expect(error.message).toContain('kind');
  });
});
