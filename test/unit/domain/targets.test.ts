import { describe, expect, it } from 'vitest';
import type { ReportValue, Target, Task, Township } from '../../../src/domain/model.js';
import { amountFromValue, assignedTo, completion, requiredAmount } from '../../../src/domain/targets.js';

const chengguan: Township = { id: 'cg', name: '城关镇', villages: 12 };
const hongxing: Township = { id: 'hx', name: '红星乡', villages: 13 };

const task = (townships: Task['townships']): Task => ({
  id: 'T1',
  title: '阵地建设',
  domain: '农村',
  start: '2026-03-01',
  deadline: '2026-12-31',
  target: { kind: 'percent', percent: 100 },
  townships,
  weight: 1,
  status: 'open',
});

describe('assignedTo', () => {
  it('gives a task for all townships to every township', () => {
    expect(assignedTo(task('all'), 'cg')).toBe(true);
  });

  it('gives a task with a list only to the townships on it', () => {
    expect(assignedTo(task(['hx']), 'hx')).toBe(true);
    expect(assignedTo(task(['hx']), 'cg')).toBe(false);
  });
});

describe('requiredAmount', () => {
  it.each<[string, Target, number]>([
    ['a percent target is done at its percent', { kind: 'percent', percent: 90 }, 90],
    ['a count per township is the count itself', { kind: 'count', count: 5, per: 'township' }, 5],
    ['每村3名 for a township of 12 villages is 36', { kind: 'count', count: 3, per: 'village' }, 36],
    ['a yes-or-no target is done at 1', { kind: 'done' }, 1],
  ])('counts %s', (_name, target, expected) => {
    expect(requiredAmount(target, chengguan)).toBe(expected);
  });
});

describe('amountFromValue', () => {
  const percent100: Target = { kind: 'percent', percent: 100 };
  const percent90: Target = { kind: 'percent', percent: 90 };
  const perVillage: Target = { kind: 'count', count: 1, per: 'village' };
  const yesNo: Target = { kind: 'done' };

  it.each<[string, ReportValue, Target, number]>([
    ['takes 80% as 80 toward a percent target', { kind: 'percent', percent: 80 }, percent100, 80],
    ['takes 12/13 as 92.31 toward a percent target', { kind: 'fraction', done: 12, of: 13 }, percent100, 92.31],
    ['takes 完成 as the target percent of a 90% target', { kind: 'done' }, percent90, 90],
    ['takes 12个 as 12 toward 每村1个 in 13 villages', { kind: 'count', count: 12 }, perVillage, 12],
    ['takes 12/13 as 12 toward 每村1个 in 13 villages', { kind: 'fraction', done: 12, of: 13 }, perVillage, 12],
    ['takes 20个 as 20 toward 每村1个 in 13 villages: over-fulfilment is allowed', { kind: 'count', count: 20 }, perVillage, 20],
    ['takes 完成 as all 13 of 每村1个 in 13 villages', { kind: 'done' }, perVillage, 13],
    ['takes 完成 as 1 toward a yes-or-no target', { kind: 'done' }, yesNo, 1],
    ['takes 50% as half of a yes-or-no target', { kind: 'percent', percent: 50 }, yesNo, 0.5],
    ['takes 1/4 as a quarter of a yes-or-no target', { kind: 'fraction', done: 1, of: 4 }, yesNo, 0.25],
    ['takes a bare 2 as 2 toward a count target, as a clerk typing 上报 T8 2 means', { kind: 'percent', percent: 2, bare: true }, perVillage, 2],
    ['takes a bare 80 as 80 toward a percent target', { kind: 'percent', percent: 80, bare: true }, percent100, 80],
  ])('%s', (_name, value, target, expected) => {
    expect(amountFromValue(value, target, hongxing)).toEqual({ ok: true, value: expected });
  });

  it('refuses a count for a percent target and asks for a percent, echoing what was typed', () => {
    expect(amountFromValue({ kind: 'count', count: 12 }, percent100, hongxing, '12个')).toEqual({
      ok: false,
      problem: { code: 'value-kind', expected: 'percent', text: '12个' },
    });
  });

  it('refuses a count for a yes-or-no target and asks for 完成', () => {
    expect(amountFromValue({ kind: 'count', count: 3 }, yesNo, hongxing)).toEqual({
      ok: false,
      problem: { code: 'value-kind', expected: 'done', text: '3' },
    });
  });

  it.each<[string, ReportValue, string]>([
    ['a percent, which would make 6.5 service centres', { kind: 'percent', percent: 50 }, 'value-kind'],
    ['a fraction of another total than the 13 owed', { kind: 'fraction', done: 12, of: 36 }, 'fraction-of'],
    ['a count more than twice the 13 owed, most likely a typo', { kind: 'count', count: 130 }, 'count-too-high'],
    ['a percent above 100', { kind: 'percent', percent: 120 }, 'value-range'],
    ['a negative count', { kind: 'count', count: -1 }, 'value-range'],
    ['a fraction of nothing', { kind: 'fraction', done: 3, of: 0 }, 'fraction-invalid'],
    ['a fraction above its whole', { kind: 'fraction', done: 14, of: 13 }, 'fraction-invalid'],
  ])('refuses %s for a count task rather than store a nonsense amount', (_name, value, code) => {
    const result = amountFromValue(value, perVillage, hongxing);
    expect(result.ok ? undefined : result.problem.code).toBe(code);
  });

  it('refuses a bare number above 100 on a percent task as out of range, and a bare fraction on a count task as not a count', () => {
    const over = amountFromValue({ kind: 'percent', percent: 120, bare: true }, percent100, hongxing);
    const part = amountFromValue({ kind: 'percent', percent: 2.5, bare: true }, perVillage, hongxing);
    expect(over.ok ? undefined : over.problem.code).toBe('value-range');
    expect(part.ok ? undefined : part.problem.code).toBe('value-kind');
  });
});

describe('a value out of range', () => {
  const percent100: Target = { kind: 'percent', percent: 100 };
  const perVillage: Target = { kind: 'count', count: 1, per: 'village' };

  it.each<[string, ReportValue, string]>([
    ['a negative count on a count task is negative, not a percent over 100', { kind: 'count', count: -1 }, 'negative'],
    ['a negative percent is negative', { kind: 'percent', percent: -5 }, 'negative'],
    ['a percent above 100 is over 100', { kind: 'percent', percent: 120 }, 'over-100'],
    ['a bare number past the largest count on a count task is too large, not a percent over 100', { kind: 'percent', percent: 1e20, bare: true }, 'too-large'],
  ])('%s', (_name, value, why) => {
    const target = value.kind === 'count' || (value.kind === 'percent' && value.bare === true) ? perVillage : percent100;
    const result = amountFromValue(value, target, hongxing);
    expect(result.ok ? undefined : result.problem).toMatchObject({ code: 'value-range', why });
  });
});

describe('completion', () => {
  it.each<[string, number, number, number]>([
    ['half of 13 is half done', 6.5, 13, 0.5],
    ['more than required is simply done', 40, 36, 1],
    ['a negative amount is nothing done', -1, 10, 0],
    ['a target of nothing is always done', 0, 0, 1],
  ])('%s', (_name, amount, required, expected) => {
    expect(completion(amount, required)).toBe(expected);
  });
});
