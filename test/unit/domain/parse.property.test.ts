import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../src/domain/problems.js';
import {
  normalizeText,
  parseDate,
  parseDomain,
  parseMonth,
  parseNewTask,
  parseReport,
  parseTarget,
  parseTaskRef,
  parseValue,
  splitCommand,
  stripMention,
} from '../../../src/domain/parse/index.js';

/** A record, so adding a Problem variant without listing it here fails to compile. */
const KNOWN: Record<Problem['code'], true> = {
  empty: true,
  'date-missing': true,
  'reason-missing': true,
  'township-missing': true,
  'request-number': true,
  'task-missing': true,
  'task-ref': true,
  'value-missing': true,
  'value-unknown': true,
  'value-range': true,
  'fraction-invalid': true,
  'count-too-high': true,
  'fraction-of': true,
  'deadline-past': true,
  'date-unknown': true,
  'date-invalid': true,
  'month-unknown': true,
  'target-unknown': true,
  'domain-unknown': true,
  'title-missing': true,
  'deadline-missing': true,
  'too-long': true,
  'value-kind': true,
  'start-after-deadline': true,
  'townships-missing': true,
  'townships-twice': true,
  'townships-unknown': true,
  'townships-none': true,
};

/** Pieces people actually type, so generated strings often come close to valid input. */
const PIECES = [
  'T', 't', '#', '第', '号', '项', '0', '1', '2', '3', '8', '9', '12', '%', '％', '成', '百分之', '十', '百', '千', '万',
  '两', '一', '五', '八', '零', '〇', '点', '.', '/', '-', '个', '村', '名', '人', '完成', '已', '全部', '年', '月', '日',
  '底', '末', '前', '上', '本', ' ', '　', '\u2005', '：', ':', '，', '、', '１', '２', 'Ｔ', '@督办助手 ', '@', '/',
  '?', '？', '每村', '每个村', '截止', '目标', '领域', '开始', '农村', '上月', '本月', '年底', '月底', 'help', '上报',
  '乡镇', '乡镇：', '除', '以外', '外', '城关镇', '红星乡', '全部',
];

const grammar = fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }).map((pieces) => pieces.join(''));

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  // Lone surrogates too: chat platforms pass through whatever a client sends.
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  grammar,
  grammar,
);

const today = fc
  .date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2098-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

type Result = { ok: true; value: unknown } | { ok: false; problem: Problem };

function expectWellFormed(result: Result): void {
  if (result.ok) return;
  expect(Object.hasOwn(KNOWN, result.problem.code)).toBe(true);
}

const isRealDate = (ymd: string): boolean => {
  const d = new Date(`${ymd}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(ymd) && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === ymd;
};

const WORDS = ['帮助', 'help', '?', '任务', '上报', '报', '进度', '截止', '排名', '撤回', '新建任务'];

describe('the text parsers on any input', () => {
  it('answer a value or a known problem, and never throw', () => {
    fc.assert(
      fc.property(anyText, today, (s, day) => {
        expectWellFormed(parseTaskRef(s));
        expectWellFormed(parseValue(s));
        expectWellFormed(parseReport(s));
        expectWellFormed(parseDate(s, day));
        expectWellFormed(parseMonth(s, day));
        expectWellFormed(parseTarget(s));
        expectWellFormed(parseDomain(s));
        expectWellFormed(parseNewTask(s, day));
      }),
      { numRuns: 2000 },
    );
  });

  it('find a listed command word or none, and never throw', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const found = splitCommand(s, WORDS);
        if (found !== undefined) expect(WORDS).toContain(found.word);
        expect(typeof stripMention(s)).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });

  it('only accept values a target can be measured against', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const result = parseValue(s);
        if (!result.ok) return;
        const v = result.value;
        // A bare number's range is its target's to judge (a count may exceed 100); never negative.
        if (v.kind === 'percent') expect(v.percent >= 0 && (v.bare === true || v.percent <= 100)).toBe(true);
        if (v.kind === 'count') expect(Number.isSafeInteger(v.count) && v.count >= 0).toBe(true);
        if (v.kind === 'fraction') expect(v.of > 0 && v.done >= 0 && v.done <= v.of).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('only accept dates that exist', () => {
    fc.assert(
      fc.property(anyText, today, (s, day) => {
        const result = parseDate(s, day);
        if (result.ok) expect(isRealDate(result.value)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('keep report notes within 200 characters', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const result = parseReport(s);
        if (result.ok) expect(Array.from(result.value.note).length).toBeLessThanOrEqual(200);
      }),
    );
  });
});

describe('normalizeText', () => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const once = normalizeText(s);
        expect(normalizeText(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });
});

/** 0–100 in Chinese numerals as people write them: 八十五, 一百, 十二, 零. */
function chinese(n: number): string {
  const digits = '零一二三四五六七八九';
  if (n === 100) return '一百';
  if (n < 10) return digits[n] ?? '';
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : (digits[tens] ?? '')}十${ones === 0 ? '' : (digits[ones] ?? '')}`;
}

const fullWidth = (s: string): string => s.replace(/[0-9%]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('a percent written in any accepted form', () => {
  const forms = (n: number): string[] => [
    `${String(n)}%`,
    fullWidth(`${String(n)}%`),
    `百分之${chinese(n)}`,
    ...(n % 10 === 0 && n > 0 ? [`${chinese(n / 10)}成`] : []),
  ];

  it('reads back as the same percent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), (n) => {
        for (const form of forms(n)) expect(parseValue(form)).toEqual({ ok: true, value: { kind: 'percent', percent: n } });
      }),
    );
  });

  it('reads back from a whole message with a mention, any task id and a note', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 99 }), fc.constantFrom('', '已完成8个村', '，下周全部到位'), (n, id, note) => {
        for (const form of forms(n)) {
          const split = splitCommand(`@督办助手\u3000上报 T${String(id)} ${form} ${note}`, ['上报', '报']);
          expect(split?.word).toBe('上报');
          const report = parseReport(split?.rest ?? '');
          expect(report.ok && report.value.task).toEqual({ kind: 'id', id: `T${String(id)}` });
          expect(report.ok && report.value.value).toEqual({ kind: 'percent', percent: n });
        }
      }),
    );
  });
});

describe('a value with a typo straight after it (issue 12)', () => {
  /** What a slipping thumb or a stray keyboard puts right after a number. */
  const TYPOS = ['O', 'o', 'l', 'I', 'e', 'x', '‰', '\uFE0F\u20E3', '٠', '۰', '²', '.', '%'];
  const forms = (n: number): string[] => [
    `${String(n)}%`,
    fullWidth(`${String(n)}%`),
    `百分之${chinese(n)}`,
    `${String(n)}个`,
    ...(n % 10 === 0 && n > 0 ? [`${chinese(n / 10)}成`] : []),
  ];

  it('is refused, never read as the value before the typo', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.constantFrom(...TYPOS), fc.constantFrom('', ' 已完成8个村', '，下周全部到位'), (n, typo, note) => {
        for (const form of forms(n)) expect(parseReport(`T3 ${form}${typo}${note}`)).toMatchObject({ ok: false });
        // A bare number followed by % is a percent, not a typo.
        if (typo !== '%') expect(parseReport(`T3 ${String(n)}${typo}${note}`)).toMatchObject({ ok: false });
      }),
    );
  });

  it('is refused when a space splits the number: 8 0% is not 8 and a note', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.constantFrom('%', '', '成'), (tens, ones, unit) => {
        expect(parseReport(`T3 ${String(tens)} ${String(ones)}${unit}`)).toMatchObject({ ok: false, problem: { code: 'value-unknown' } });
      }),
    );
  });
});
