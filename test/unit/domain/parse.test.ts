import { describe, expect, it } from 'vitest';
import { TASK_DOMAINS, type ReportValue, type Target } from '../../../src/domain/model.js';
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
  type TaskRef,
} from '../../../src/domain/parse/index.js';

const TODAY = '2026-11-22';

const percent = (p: number): ReportValue => ({ kind: 'percent', percent: p });
const count = (n: number): ReportValue => ({ kind: 'count', count: n });
const fraction = (done: number, of: number): ReportValue => ({ kind: 'fraction', done, of });
const done: ReportValue = { kind: 'done' };
const id = (n: number): TaskRef => ({ kind: 'id', id: `T${String(n)}` });
const title = (text: string): TaskRef => ({ kind: 'title', text });

describe('normalizeText', () => {
  it.each([
    { input: '１２', output: '12', what: 'full-width digits' },
    { input: '８０％', output: '80%', what: 'a full-width percent sign' },
    { input: '截止：12月31日', output: '截止:12月31日', what: 'a full-width colon' },
    { input: 'Ｔ３', output: 'T3', what: 'full-width letters' },
    { input: '上报\u3000T3', output: '上报 T3', what: 'an ideographic space' },
    { input: '@督办助手\u2005上报', output: '@督办助手 上报', what: 'the quarter-em space WeCom puts after a mention' },
    { input: 'T3\u00A080%', output: 'T3 80%', what: 'a no-break space' },
    { input: '  上报   T3 \n 80%  ', output: '上报 T3 80%', what: 'runs of spaces and line breaks' },
    { input: '8\u200B0%', output: '80%', what: 'a zero-width space' },
  ])('turns $what into plain text', ({ input, output }) => {
    expect(normalizeText(input)).toBe(output);
  });

  it('keeps the Chinese comma and enumeration comma that notes use', () => {
    expect(normalizeText('已完成8个村，3个社区、2个单位')).toBe('已完成8个村，3个社区、2个单位');
  });
});

describe('stripMention', () => {
  it.each([
    { input: '@督办助手 上报 T3 80%', output: '上报 T3 80%' },
    { input: '@督办助手\u2005上报 T3', output: '上报 T3' },
    { input: '@张三 @督办助手 排名', output: '排名' },
    { input: '@督办助手', output: '' },
    { input: '@阿卜杜·买买提 帮助', output: '帮助' },
    { input: '@duban_bot-2 help', output: 'help' },
    { input: '＠督办助手 任务', output: '任务' },
  ])('removes the leading mention from $input', ({ input, output }) => {
    expect(stripMention(input)).toBe(output);
  });

  it.each(['上报 T3 80% @张三', '请 @张三 看看', 'T3 80%'])('leaves %s alone because it does not start with a mention', (input) => {
    expect(stripMention(input)).toBe(input);
  });
});

describe('splitCommand', () => {
  const words = ['帮助', 'help', '?', '任务', '上报', '报', '进度', '截止', '截止日期', '排名', '撤回', '新建任务', '销号'];

  it.each([
    { input: '上报 T3 80%', word: '上报', rest: 'T3 80%' },
    { input: '@督办助手 上报 T3 80%', word: '上报', rest: 'T3 80%' },
    { input: '@督办助手\u2005上报 T3 80%', word: '上报', rest: 'T3 80%' },
    { input: '/上报 T3 80%', word: '上报', rest: 'T3 80%' },
    { input: '上报T3 80%', word: '上报', rest: 'T3 80%' },
    { input: '上报：T3 80%', word: '上报', rest: 'T3 80%' },
    { input: '　上报　Ｔ３　８０％', word: '上报', rest: 'T3 80%' },
    { input: '报 3 八成', word: '报', rest: '3 八成' },
    { input: '排名上月', word: '排名', rest: '上月' },
    { input: '进度T3', word: '进度', rest: 'T3' },
    { input: '截止日期 T3', word: '截止日期', rest: 'T3' },
    { input: '新建任务 阵地建设 截止12月31日', word: '新建任务', rest: '阵地建设 截止12月31日' },
    { input: 'HELP', word: 'help', rest: '' },
    { input: '/help 上报', word: 'help', rest: '上报' },
    { input: '?', word: '?', rest: '' },
    { input: '？', word: '?', rest: '' },
    { input: '撤回', word: '撤回', rest: '' },
  ])('finds $word in $input', ({ input, word, rest }) => {
    expect(splitCommand(input, words)).toEqual({ word, rest });
  });

  it.each(['helpme', '你好', '', '   ', '请上报 T3', '说 @督办助手 上报 T3'])('finds no command in %j', (input) => {
    expect(splitCommand(input, words)).toBeUndefined();
  });

  it('answers with the word as listed, also when it is written full-width in the list', () => {
    expect(splitCommand('?', ['？'])).toEqual({ word: '？', rest: '' });
  });
});

describe('parseTaskRef', () => {
  it.each([
    { input: 'T3', ref: id(3) },
    { input: 't3', ref: id(3) },
    { input: '3', ref: id(3) },
    { input: '3号', ref: id(3) },
    { input: '第3项', ref: id(3) },
    { input: 'T03', ref: id(3) },
    { input: '#3', ref: id(3) },
    { input: 'Ｔ３', ref: id(3) },
    { input: '第三项', ref: id(3) },
    { input: '三号', ref: id(3) },
    { input: '第十二项', ref: id(12) },
    { input: '阵地建设', ref: title('阵地建设') },
    { input: '“阵地建设”', ref: title('阵地建设') },
    { input: '三会一课', ref: title('三会一课') },
  ])('reads $input as a task reference', ({ input, ref }) => {
    expect(parseTaskRef(input)).toEqual({ ok: true, value: ref });
  });

  it.each<{ input: string; problem: Problem }>([
    { input: '', problem: { code: 'empty' } },
    { input: '  ', problem: { code: 'empty' } },
    { input: 'T0', problem: { code: 'task-ref', text: 'T0' } },
    { input: '0', problem: { code: 'task-ref', text: '0' } },
    { input: '80%', problem: { code: 'task-ref', text: '80%' } },
    { input: '12/13', problem: { code: 'task-ref', text: '12/13' } },
  ])('refuses $input as a task reference', ({ input, problem }) => {
    expect(parseTaskRef(input)).toEqual({ ok: false, problem });
  });
});

describe('parseValue', () => {
  it.each([
    { input: '80%', value: percent(80), says: '80 percent' },
    { input: '80％', value: percent(80), says: '80 percent' },
    { input: '80', value: { kind: 'percent', percent: 80, bare: true }, says: 'a bare 80: a percent, or on a count task a count' },
    { input: '0%', value: percent(0), says: 'nothing yet' },
    { input: '100%', value: percent(100), says: '100 percent' },
    { input: '85.5%', value: percent(85.5), says: '85.5 percent' },
    { input: '百分之八十', value: percent(80), says: '80 percent' },
    { input: '百分之八十五', value: percent(85), says: '85 percent' },
    { input: '百分之八十五点五', value: percent(85.5), says: '85.5 percent' },
    { input: '百分之85', value: percent(85), says: '85 percent' },
    { input: '百分之百', value: percent(100), says: '100 percent' },
    { input: '八成', value: percent(80), says: '80 percent' },
    { input: '八成五', value: percent(85), says: '85 percent' },
    { input: '8成', value: percent(80), says: '80 percent' },
    { input: '0.7成', value: percent(7), says: '7 percent' },
    { input: '十成', value: percent(100), says: '100 percent' },
    { input: '12个', value: count(12), says: 'a count of 12' },
    { input: '12人', value: count(12), says: 'a count of 12' },
    { input: '12名', value: count(12), says: 'a count of 12' },
    { input: '12处', value: count(12), says: 'a count of 12' },
    { input: '12家', value: count(12), says: 'a count of 12' },
    { input: '12村', value: count(12), says: 'a count of 12' },
    { input: '8个村', value: count(8), says: 'a count of 8' },
    { input: '十二个', value: count(12), says: 'a count of 12' },
    { input: '两个', value: count(2), says: 'a count of 2' },
    { input: '三百五十人', value: count(350), says: 'a count of 350' },
    { input: '一千二百个', value: count(1200), says: 'a count of 1200' },
    { input: '一千零五个', value: count(1005), says: 'a count of 1005' },
    { input: '九千九百九十九个', value: count(9999), says: 'a count of 9999' },
    { input: '12/13', value: fraction(12, 13), says: 'twelve of thirteen' },
    { input: '12/13个', value: fraction(12, 13), says: 'twelve of thirteen' },
    { input: '12 / 13', value: fraction(12, 13), says: 'twelve of thirteen' },
    { input: '0/13', value: fraction(0, 13), says: 'none of thirteen' },
    { input: '完成', value: done, says: 'done' },
    { input: '已完成', value: done, says: 'done' },
    { input: '全部完成', value: done, says: 'done' },
  ])('reads $input as $says', ({ input, value }) => {
    expect(parseValue(input)).toEqual({ ok: true, value });
  });

  it.each<{ input: string; problem: Problem; why: string }>([
    { input: '', problem: { code: 'value-missing' }, why: 'there is nothing' },
    { input: '120%', problem: { code: 'value-range', text: '120%', why: 'over-100' }, why: 'a percent is at most 100' },
    { input: '-5%', problem: { code: 'value-range', text: '-5%', why: 'negative' }, why: 'progress is never negative' },
    { input: '百分之一百二十', problem: { code: 'value-range', text: '百分之一百二十', why: 'over-100' }, why: 'a percent is at most 100' },
    { input: '十一成', problem: { code: 'value-range', text: '十一成', why: 'over-100' }, why: 'ten tenths is all there is' },
    { input: '-3个', problem: { code: 'value-range', text: '-3个', why: 'negative' }, why: 'a count is never negative' },
    { input: '13/12', problem: { code: 'fraction-invalid', text: '13/12' }, why: 'more are done than there are' },
    { input: '3/0', problem: { code: 'fraction-invalid', text: '3/0' }, why: 'there is nothing to do' },
    { input: '大概八成', problem: { code: 'value-unknown', text: '大概八成' }, why: 'it does not start with a value' },
    { input: '80%多', problem: { code: 'value-unknown', text: '80%多' }, why: 'something follows the value' },
    { input: '十十', problem: { code: 'value-unknown', text: '十十' }, why: 'it is no Chinese numeral' },
    { input: '百', problem: { code: 'value-unknown', text: '百' }, why: 'a lone 百 is a half-typed 百分之' },
    { input: '2.5个', problem: { code: 'value-unknown', text: '2.5个' }, why: 'a count is whole' },
    { input: 'abc', problem: { code: 'value-unknown', text: 'abc' }, why: 'it is no value' },
    { input: '1OO%', problem: { code: 'value-unknown', text: '1OO%', hint: 'letter' }, why: 'letters O are no zeros' },
    { input: '8 0%', problem: { code: 'value-unknown', text: '8 0%', hint: 'split' }, why: 'a space splits the number' },
  ])('refuses $input because $why', ({ input, problem }) => {
    expect(parseValue(input)).toEqual({ ok: false, problem });
  });
});

describe('parseReport', () => {
  it.each([
    { input: 'T3 80% 已完成8个村', task: id(3), value: percent(80), valueText: '80%', note: '已完成8个村' },
    { input: '3 八成', task: id(3), value: percent(80), valueText: '八成', note: '' },
    { input: 'T5 12个', task: id(5), value: count(12), valueText: '12个', note: '' },
    { input: 'T5 12/13', task: id(5), value: fraction(12, 13), valueText: '12/13', note: '' },
    { input: 'T7 完成', task: id(7), value: done, valueText: '完成', note: '' },
    { input: '阵地建设 80%', task: title('阵地建设'), value: percent(80), valueText: '80%', note: '' },
    { input: 'T3 80%已完成8个村', task: id(3), value: percent(80), valueText: '80%', note: '已完成8个村' },
    { input: 'T3八成', task: id(3), value: percent(80), valueText: '八成', note: '' },
    { input: '3号 八成五', task: id(3), value: percent(85), valueText: '八成五', note: '' },
    { input: '第3项 百分之八十', task: id(3), value: percent(80), valueText: '百分之八十', note: '' },
    { input: 'T3：80%', task: id(3), value: percent(80), valueText: '80%', note: '' },
    { input: 'T3 80%，已完成8个村', task: id(3), value: percent(80), valueText: '80%', note: '已完成8个村' },
    { input: 'Ｔ３　８０％', task: id(3), value: percent(80), valueText: '80%', note: '' },
    { input: 'T3 八成三个村未完成', task: id(3), value: percent(80), valueText: '八成', note: '三个村未完成' },
    { input: 'T5 12/13个村 剩1个村下周完成', task: id(5), value: fraction(12, 13), valueText: '12/13个村', note: '剩1个村下周完成' },
    { input: '三会一课 80%', task: title('三会一课'), value: percent(80), valueText: '80%', note: '' },
    { input: '村级 三年 行动 80%', task: title('村级 三年 行动'), value: percent(80), valueText: '80%', note: '' },
    { input: '阵地建设 80%已完成', task: title('阵地建设'), value: percent(80), valueText: '80%', note: '已完成' },
    { input: '阵地建设八成', task: title('阵地建设'), value: percent(80), valueText: '八成', note: '' },
    { input: 'T3 80 %', task: id(3), value: percent(80), valueText: '80 %', note: '' },
    { input: '3号80%', task: id(3), value: percent(80), valueText: '80%', note: '' },
    { input: '五号楼改造 80%', task: title('五号楼改造'), value: percent(80), valueText: '80%', note: '' },
    { input: '第三项工作 完成', task: title('第三项工作'), value: done, valueText: '完成', note: '' },
  ])('reads 上报 $input', ({ input, ...expected }) => {
    expect(parseReport(input)).toEqual({ ok: true, value: expected });
  });

  it.each<{ input: string; problem: Problem; why: string }>([
    { input: '', problem: { code: 'empty' }, why: 'there is nothing' },
    { input: 'T3', problem: { code: 'value-missing' }, why: 'the value is missing' },
    { input: '阵地建设', problem: { code: 'value-missing' }, why: 'the value is missing' },
    { input: '80%', problem: { code: 'task-missing' }, why: 'the task is missing' },
    { input: '80% 已完成', problem: { code: 'task-missing' }, why: 'the task is missing' },
    { input: 'T0 80%', problem: { code: 'task-ref', text: 'T0' }, why: 'there is no task T0' },
    { input: 'T3 120%', problem: { code: 'value-range', text: '120%', why: 'over-100' }, why: '120% is out of range, not 12% and a note' },
    { input: 'T3 13/12', problem: { code: 'fraction-invalid', text: '13/12' }, why: 'more are done than there are' },
    { input: 'T3 大概八成', problem: { code: 'value-unknown', text: '大概八成' }, why: 'the value is unreadable' },
    { input: 'T3 百分之', problem: { code: 'value-unknown', text: '百分之' }, why: 'the value is half-typed' },
    { input: `T3 80% ${'很'.repeat(201)}`, problem: { code: 'too-long', max: 200 }, why: 'the note is over 200 characters' },
  ])('refuses 上报 $input because $why', ({ input, problem }) => {
    expect(parseReport(input)).toEqual({ ok: false, problem });
  });

  it('takes a note of exactly 200 characters', () => {
    const result = parseReport(`T3 80% ${'很'.repeat(200)}`);
    expect(result.ok && result.value.note.length).toBe(200);
  });
});

describe('a typo in a value (issue 12)', () => {
  const unknown = (text: string, hint?: 'letter' | 'per-mille' | 'digits' | 'split'): Problem =>
    hint === undefined ? { code: 'value-unknown', text } : { code: 'value-unknown', text, hint };

  it.each<{ input: string; problem: Problem; was: string }>([
    { input: 'T10 1OO%', problem: unknown('1OO%', 'letter'), was: '1 %: letters O for zeros' },
    { input: 'T10 8O%', problem: unknown('8O%', 'letter'), was: '8 %: a letter O for a zero' },
    { input: 'T10 1e2%', problem: unknown('1e2%', 'letter'), was: '1 %: an exponent' },
    { input: 'T10 0x50%', problem: unknown('0x50%', 'letter'), was: '0 %: a hexadecimal number' },
    { input: 'T10 8 0%', problem: unknown('8 0%', 'split'), was: '8 % and a note: a number split by a space' },
    { input: 'T10 8 0', problem: unknown('8 0', 'split'), was: '8 % and a note: a bare number split by a space' },
    { input: 'T10 8，0%', problem: unknown('8，0%', 'split'), was: '8 % and a note: a number split by a comma' },
    { input: 'T10 50‰', problem: unknown('50‰', 'per-mille'), was: '50 %: a per-mille sign' },
    { input: 'T10 8️⃣0️⃣%', problem: unknown('8️⃣0️⃣%', 'digits'), was: '8 %: keycap digits' },
    { input: 'T10 8²%', problem: unknown('8²%', 'digits'), was: '8 %: a superscript two' },
    { input: 'T10 80%%', problem: unknown('80%%'), was: '80 % and a note' },
    { input: 'T10 80.%', problem: unknown('80.%'), was: '80 %: a decimal point with no decimals' },
    { input: 'T10 8十%', problem: unknown('8十%'), was: '8 % and a note: digits and a numeral mixed' },
    { input: 'T10 八十几%', problem: unknown('八十几%'), was: '80 %: eighty-something' },
    { input: 'T10 八成半', problem: unknown('八成半'), was: '80 %: 八成半 is 85 %' },
    { input: 'T10 百分之八十五点', problem: unknown('百分之八十五点'), was: '85 %: a half-typed decimal' },
    { input: 'T10 80已完成', problem: unknown('80已完成'), was: '80 % and a note: a bare number runs into words' },
    { input: 'T10 三年', problem: unknown('三年'), was: '3 %: 三年 is a word' },
    { input: 'T10 完成80%', problem: unknown('完成80%'), was: 'done: 80 % follows 完成' },
    { input: 'T10 完成率80%', problem: unknown('完成率80%'), was: 'done: 完成率 is the completion rate' },
  ])('refuses 上报 $input, which was read as $was', ({ input, problem }) => {
    expect(parseReport(input)).toEqual({ ok: false, problem });
  });

  it.each([
    { input: 'T3 80%已完成8个村', value: percent(80), valueText: '80%', note: '已完成8个村' },
    { input: 'T3 八成三个村未完成', value: percent(80), valueText: '八成', note: '三个村未完成' },
    { input: 'T3 已完成8个村', value: done, valueText: '已完成', note: '8个村' },
    { input: 'T3 80 已完成', value: { kind: 'percent', percent: 80, bare: true }, valueText: '80', note: '已完成' },
    { input: 'T3 80，8个村已完成', value: { kind: 'percent', percent: 80, bare: true }, valueText: '80', note: '8个村已完成' },
    { input: 'T3 80%（已完成8个村）', value: percent(80), valueText: '80%', note: '(已完成8个村)' },
    { input: 'T3 80%。', value: percent(80), valueText: '80%', note: '' },
    { input: 'T3 80% 0个村未开工', value: percent(80), valueText: '80%', note: '0个村未开工' },
    { input: 'T3 80%👍', value: percent(80), valueText: '80%', note: '👍' },
    { input: 'T3 完成！', value: done, valueText: '完成', note: '!' },
  ])('still reads 上报 $input, a value followed by a note', ({ input, ...expected }) => {
    expect(parseReport(input)).toEqual({ ok: true, value: { task: id(3), ...expected } });
  });

  it.each([
    { digits: '٨٠%', script: 'Arabic-Indic' },
    { digits: '۸۰%', script: 'Extended Arabic-Indic (Persian)' },
    { digits: '८०%', script: 'Devanagari' },
    { digits: '⑧⓪%', script: 'circled' },
    { digits: '𝟖𝟎%', script: 'mathematical bold' },
  ])('refuses $script digits rather than read them, naming the digits to use', ({ digits }) => {
    expect(parseReport(`T3 ${digits}`)).toEqual({ ok: false, problem: unknown(digits, 'digits') });
    expect(parseValue(digits)).toEqual({ ok: false, problem: unknown(digits, 'digits') });
  });

  it('refuses the financial numerals 捌拾 like any word it cannot read', () => {
    expect(parseReport('T3 百分之捌拾')).toEqual({ ok: false, problem: unknown('百分之捌拾') });
  });

  it('reads full-width digits and Chinese numerals as it always has', () => {
    expect(parseReport('T3 ８０％')).toMatchObject({ ok: true, value: { value: percent(80) } });
    expect(parseReport('T3 百分之八十')).toMatchObject({ ok: true, value: { value: percent(80) } });
    expect(parseReport('T3 八十个')).toMatchObject({ ok: true, value: { value: count(80) } });
  });

  it('quotes a long unreadable word back cut short', () => {
    const result = parseReport(`T3 ${'1'.repeat(500)}%`);
    expect(result).toEqual({ ok: false, problem: unknown(`${'1'.repeat(24)}…`) });
  });
});

describe('a value out of range', () => {
  it.each<{ input: string; why: 'negative' | 'over-100' | 'too-large' }>([
    { input: '-1个', why: 'negative' },
    { input: '-5%', why: 'negative' },
    { input: '-5', why: 'negative' },
    { input: '-1/5', why: 'negative' },
    { input: '120%', why: 'over-100' },
    { input: '十一成', why: 'over-100' },
    { input: '99999999999999999个', why: 'too-large' },
  ])('names what is wrong with $input: $why', ({ input, why }) => {
    expect(parseReport(`T3 ${input}`)).toEqual({ ok: false, problem: { code: 'value-range', text: input, why } });
  });
});

describe('parseDate', () => {
  it.each([
    { input: '2026-12-31', date: '2026-12-31' },
    { input: '2026/12/31', date: '2026-12-31' },
    { input: '２０２６－１２－３１', date: '2026-12-31' },
    { input: '2026年12月31日', date: '2026-12-31' },
    { input: '12月31日', date: '2026-12-31' },
    { input: '12月31号', date: '2026-12-31' },
    { input: '十二月三十一日', date: '2026-12-31' },
    { input: '12-31', date: '2026-12-31' },
    { input: '12/31', date: '2026-12-31' },
    { input: '12月底', date: '2026-12-31' },
    { input: '12月末', date: '2026-12-31' },
    { input: '12月前', date: '2026-12-31' },
    { input: '年底', date: '2026-12-31' },
    { input: '年末', date: '2026-12-31' },
    { input: '今年年底', date: '2026-12-31' },
    { input: '明年底', date: '2027-12-31' },
    { input: '月底', date: '2026-11-30' },
    { input: '下月底', date: '2026-12-31' },
    { input: '今天', date: '2026-11-22' },
    { input: '11月22日', date: '2026-11-22' },
    { input: '8月底前', date: '2027-08-31' },
    { input: '3月1日', date: '2027-03-01' },
    { input: '2月底', date: '2027-02-28' },
    { input: '2028年2月29日', date: '2028-02-29' },
    { input: '2027年2月底', date: '2027-02-28' },
  ])('reads $input as $date on 2026-11-22', ({ input, date }) => {
    expect(parseDate(input, TODAY)).toEqual({ ok: true, value: date });
  });

  it('keeps a month-day still ahead in this year', () => {
    expect(parseDate('8月底前', '2026-01-10')).toEqual({ ok: true, value: '2026-08-31' });
  });

  it('reads 年底 on the last day of the year as that day', () => {
    expect(parseDate('年底', '2026-12-31')).toEqual({ ok: true, value: '2026-12-31' });
  });

  it.each<{ input: string; problem: Problem; why: string }>([
    { input: '2月30日', problem: { code: 'date-invalid', text: '2月30日' }, why: 'February has no 30th' },
    { input: '4月31日', problem: { code: 'date-invalid', text: '4月31日' }, why: 'April has 30 days' },
    { input: '2026-02-29', problem: { code: 'date-invalid', text: '2026-02-29' }, why: '2026 is no leap year' },
    { input: '2026-13-01', problem: { code: 'date-invalid', text: '2026-13-01' }, why: 'there is no 13th month' },
    { input: '1999-12-31', problem: { code: 'date-invalid', text: '1999-12-31' }, why: 'it is a typo for a year' },
    { input: '', problem: { code: 'date-unknown', text: '' }, why: 'there is nothing' },
    { input: '下周', problem: { code: 'date-unknown', text: '下周' }, why: 'it names no day' },
    { input: 'abc', problem: { code: 'date-unknown', text: 'abc' }, why: 'it is no date' },
  ])('refuses $input because $why', ({ input, problem }) => {
    expect(parseDate(input, TODAY)).toEqual({ ok: false, problem });
  });
});

describe('parseMonth', () => {
  it.each([
    { input: '上月', month: 'previous' },
    { input: '上个月', month: 'previous' },
    { input: '本月', month: 'current' },
    { input: '这个月', month: 'current' },
    { input: '', month: 'current' },
    { input: '2026-10', month: '2026-10' },
    { input: '2026/9', month: '2026-09' },
    { input: '2026年10月', month: '2026-10' },
    { input: '10月', month: '2026-10' },
    { input: '10月份', month: '2026-10' },
    { input: '十月', month: '2026-10' },
    { input: '11月', month: '2026-11' },
    { input: '12月', month: '2025-12' },
    { input: '去年12月', month: '2025-12' },
  ])('reads $input as $month on 2026-11-22', ({ input, month }) => {
    expect(parseMonth(input, TODAY)).toEqual({ ok: true, value: month });
  });

  it.each(['13月', '下月', 'abc', '2026-00', '1999-12'])('refuses %j as a month', (input) => {
    expect(parseMonth(input, TODAY)).toEqual({ ok: false, problem: { code: 'month-unknown', text: input } });
  });
});

describe('parseTarget', () => {
  it.each<{ input: string; target: Target }>([
    { input: '每村1个', target: { kind: 'count', count: 1, per: 'village' } },
    { input: '每村3名', target: { kind: 'count', count: 3, per: 'village', unit: '名' } },
    { input: '每个村3人', target: { kind: 'count', count: 3, per: 'village', unit: '人' } },
    { input: '每个村至少3名', target: { kind: 'count', count: 3, per: 'village', unit: '名' } },
    { input: '每村三名', target: { kind: 'count', count: 3, per: 'village', unit: '名' } },
    { input: '12个', target: { kind: 'count', count: 12, per: 'township' } },
    { input: '3名', target: { kind: 'count', count: 3, per: 'township', unit: '名' } },
    { input: '100%', target: { kind: 'percent', percent: 100 } },
    { input: '百分之百', target: { kind: 'percent', percent: 100 } },
    { input: '80%', target: { kind: 'percent', percent: 80 } },
    { input: '完成', target: { kind: 'done' } },
    { input: '完成即可', target: { kind: 'done' } },
    { input: '是否完成', target: { kind: 'done' } },
  ])('reads $input as a target', ({ input, target }) => {
    expect(parseTarget(input)).toEqual({ ok: true, value: target });
  });

  it.each(['每村0个', '每村', '-3个', '120%', '0%', 'abc', ''])('refuses %j as a target', (input) => {
    expect(parseTarget(input)).toEqual({ ok: false, problem: { code: 'target-unknown', text: input } });
  });
});

describe('parseDomain', () => {
  it.each(TASK_DOMAINS)('knows the domain %s', (domain) => {
    expect(parseDomain(domain)).toEqual({ ok: true, value: domain });
  });

  it.each([
    { input: ' 农村 ', domain: '农村' },
    { input: '农村领域', domain: '农村' },
    { input: '国有企业', domain: '国企' },
    { input: '两新组织', domain: '两新' },
  ])('reads $input as $domain', ({ input, domain }) => {
    expect(parseDomain(input)).toEqual({ ok: true, value: domain });
  });

  it.each(['工业', '', 'toString'])('refuses %j as a domain', (input) => {
    expect(parseDomain(input)).toEqual({ ok: false, problem: { code: 'domain-unknown', text: input } });
  });
});

describe('parseNewTask', () => {
  it('reads title, deadline, target and domain', () => {
    expect(parseNewTask('阵地建设 截止12月31日 目标每村1个 领域农村', TODAY)).toEqual({
      ok: true,
      value: { title: '阵地建设', deadline: '2026-12-31', target: { kind: 'count', count: 1, per: 'village' }, domain: '农村' },
    });
  });

  it.each([
    { input: '阵地建设 截止：12月31日', what: 'a full-width colon after a keyword' },
    { input: '阵地建设 截止 12月31日', what: 'a space after a keyword' },
    { input: '阵地建设 目标:100% 截止2026-12-31', what: 'keywords in any order' },
    { input: '阵地建设，截止12月底，目标100%', what: 'commas between the parts' },
    { input: '阵地建设 截止12月31日', what: 'no target, which means 100 percent' },
  ])('reads a task written with $what', ({ input }) => {
    expect(parseNewTask(input, TODAY)).toEqual({
      ok: true,
      value: { title: '阵地建设', deadline: '2026-12-31', target: { kind: 'percent', percent: 100 } },
    });
  });

  it('reads a title of several words', () => {
    const result = parseNewTask('村级 阵地 建设 截止12月31日', TODAY);
    expect(result.ok && result.value.title).toBe('村级 阵地 建设');
  });

  it('reads a start date, taking a month-day without year in this year', () => {
    expect(parseNewTask('阵地建设 截止12月31日 开始11月1日', TODAY)).toEqual({
      ok: true,
      value: { title: '阵地建设', deadline: '2026-12-31', start: '2026-11-01', target: { kind: 'percent', percent: 100 } },
    });
  });

  it('reads 8月底前 as next August once this August is past', () => {
    const result = parseNewTask('后备干部储备 目标每个村3人 截止8月底前', TODAY);
    expect(result).toEqual({
      ok: true,
      value: { title: '后备干部储备', deadline: '2027-08-31', target: { kind: 'count', count: 3, per: 'village', unit: '人' } },
    });
  });

  it.each<{ input: string; problem: Problem; why: string }>([
    { input: '截止12月31日', problem: { code: 'title-missing' }, why: 'the title is missing' },
    { input: '', problem: { code: 'title-missing' }, why: 'there is nothing' },
    { input: '阵地建设', problem: { code: 'deadline-missing' }, why: 'the deadline is missing' },
    { input: '阵地建设 截止', problem: { code: 'deadline-missing' }, why: 'the deadline is empty' },
    { input: '阵地建设 截止2月30日', problem: { code: 'date-invalid', text: '2月30日' }, why: 'the deadline does not exist' },
    { input: '阵地建设 截止下周', problem: { code: 'date-unknown', text: '下周' }, why: 'the deadline is unreadable' },
    { input: '阵地建设 截止12月31日 目标很多', problem: { code: 'target-unknown', text: '很多' }, why: 'the target is unreadable' },
    { input: '阵地建设 截止12月31日 领域工业', problem: { code: 'domain-unknown', text: '工业' }, why: 'there is no such domain' },
    {
      input: '阵地建设 截止12月31日 开始2027-01-05',
      problem: { code: 'start-after-deadline', start: '2027-01-05', deadline: '2026-12-31' },
      why: 'it would start after its deadline',
    },
  ])('refuses 新建任务 $input because $why', ({ input, problem }) => {
    expect(parseNewTask(input, TODAY)).toEqual({ ok: false, problem });
  });
});

describe('parseNewTask for some townships', () => {
  const townshipsOf = (input: string) => {
    const result = parseNewTask(input, TODAY);
    return result.ok ? result.value.townships : result.problem;
  };

  it.each([
    '阵地建设 截止12月31日 目标每村1个 乡镇：城关镇、红星乡',
    '阵地建设 截止12月31日 目标每村1个 乡镇:城关镇,红星乡',
    '阵地建设 截止12月31日 目标每村1个 乡镇：城关镇，红星乡',
    '阵地建设　截止１２月３１日　目标每村１个　乡镇：城关镇、红星乡',
    '阵地建设 截止12月31日 目标每村1个 乡镇: 城关镇、 红星乡',
    '阵地建设 乡镇：城关镇、红星乡 截止12月31日 目标每村1个',
    '阵地建设 截止12月31日 目标每村1个 适用乡镇：城关镇 红星乡',
    '阵地建设 截止12月31日 目标每村1个 乡镇 城关镇、红星乡、城关镇',
  ])('reads the townships named in 「%s」, each once', (input) => {
    expect(parseNewTask(input, TODAY)).toEqual({
      ok: true,
      value: {
        title: '阵地建设',
        deadline: '2026-12-31',
        target: { kind: 'count', count: 1, per: 'village' },
        townships: { kind: 'only', names: ['城关镇', '红星乡'] },
      },
    });
  });

  it.each([
    '阵地建设 截止12月31日 除城关镇、红星乡以外',
    '阵地建设 截止12月31日 除城关镇、红星乡外',
    '阵地建设 截止12月31日 除城关镇，红星乡之外的乡镇',
    '阵地建设 除城关镇,红星乡以外 截止12月31日',
    '阵地建设 截止12月31日 乡镇：除城关镇、红星乡以外',
  ])('reads 「%s」 as every township but two', (input) => {
    expect(townshipsOf(input)).toEqual({ kind: 'except', names: ['城关镇', '红星乡'] });
  });

  it('reads 乡镇：全部 as every township, and no 乡镇 at all leaves the townships unsaid', () => {
    expect(townshipsOf('阵地建设 截止12月31日 乡镇：全部乡镇')).toEqual({ kind: 'all' });
    expect(townshipsOf('阵地建设 截止12月31日')).toBeUndefined();
  });

  it('keeps 除 and 乡镇 inside a title for the title', () => {
    expect(parseNewTask('病险水库除险加固 截止12月31日', TODAY)).toMatchObject({ ok: true, value: { title: '病险水库除险加固' } });
    expect(parseNewTask('除险加固 截止12月31日', TODAY)).toMatchObject({ ok: true, value: { title: '除险加固' } });
    expect(parseNewTask('乡镇党委书记述职 截止12月31日', TODAY)).toMatchObject({ ok: true, value: { title: '乡镇党委书记述职' } });
  });

  it.each<{ input: string; problem: Problem; why: string }>([
    { input: '阵地建设 截止12月31日 乡镇：', problem: { code: 'townships-missing' }, why: 'no name follows 乡镇' },
    { input: '阵地建设 截止12月31日 乡镇：城关镇 除红星乡以外', problem: { code: 'townships-twice' }, why: 'it names townships both ways' },
  ])('refuses 新建任务 $input because $why', ({ input, problem }) => {
    expect(parseNewTask(input, TODAY)).toEqual({ ok: false, problem });
  });
});
