import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Line, OutgoingMessage, Span, Tone } from '../../../../src/core/types.js';
import { text } from '../../../../src/messages/index.js';
import { DINGTALK_LIMITS, dingtalkMarkdown, dingtalkMsgParam } from '../../../../src/adapters/dingtalk/render.js';
import { bytes, chineseLines, LONE_SURROGATE, muted, strong, tasks } from '../../../fixtures/messages.js';

const markdown = (message: OutgoingMessage, options?: Parameters<typeof dingtalkMarkdown>[1]): string => dingtalkMarkdown(message, options).text;
const parsed = (msgParam: string): unknown => JSON.parse(msgParam);

const chineseLine = (i: number): string => `${String(i + 1)}号 城关镇人居环境整治任务已完成八成，**进度正常推进**`;

describe('dingtalkMarkdown', () => {
  it('writes the title as a #### heading, strong text in bold, lights as they are, a muted line as a quote, with a blank line between lines', () => {
    expect(dingtalkMarkdown(tasks)).toEqual({
      title: '城关镇进行中的任务（2项）',
      text: [
        '#### 城关镇进行中的任务（2项）',
        '🟢 **T3** 人居环境整治：80%，截止12月31日',
        '🔴 **T5** 秸秆禁烧：未上报，截止11月30日，已逾期3天',
        '> 注：2027年的法定节假日安排还没有收录。',
      ].join('\n\n'),
    });
  });

  it('breaks lines only with a blank line, never with a lone newline, even where someone typed one', () => {
    const shown = markdown({ title: '第一行\n第二行', lines: [['城关镇\n红星乡'], [muted('（估）\r\n')], ['东风镇']] });
    expect(shown).not.toMatch(/(?<!\n)\n(?!\n)/);
    expect(shown.split('\n\n')).toEqual(['#### 第一行 第二行', '城关镇 红星乡', '> （估） ', '东风镇']);
  });

  it('shows good, warn and bad as plain text and leaves a partly muted line unquoted', () => {
    const line: Line = [{ text: '✅已完成', tone: 'good' }, ' ', { text: '🟡进度滞后', tone: 'warn' }, ' ', { text: '🔴已逾期', tone: 'bad' }, ' ', muted('（估）')];
    expect(markdown({ lines: [line] })).toBe('✅已完成 🟡进度滞后 🔴已逾期 （估）');
  });

  it('keeps bold working where punctuation meets a Chinese character', () => {
    expect(markdown({ lines: [['完成', strong('80%'), '的任务'], ['任务', strong('「T3」'), '已销号']] })).toBe('完成**80%** 的任务\n\n任务 **「T3」** 已销号');
  });

  it('shows a title with **, a leading #, 1. and <font> as typed instead of as markup, and keeps it plain in the notification', () => {
    const title = '# 1. **重点**任务 <font color="#FF0000">红</font>';
    expect(dingtalkMarkdown({ title, lines: [['1. 城关镇']] })).toEqual({
      title,
      text: '#### ＃ 1. ＊＊重点＊＊任务 ＜font color="#FF0000"＞红＜/font＞\n\n1． 城关镇',
    });
    expect(markdown({ title: '1. 重点任务', lines: [] })).toBe('#### 1． 重点任务');
  });

  it('keeps a # at the end of the title, which a heading would drop', () => {
    expect(markdown({ title: '任务 #', lines: [] })).toBe('#### 任务 ＃');
    expect(markdown({ title: '任务 ## ', lines: [] })).toBe('#### 任务 ＃＃ ');
    expect(markdown({ title: '任务#3', lines: [] })).toBe('#### 任务#3');
  });

  it('does not let markdown renumber tied ranks', () => {
    expect(markdown({ lines: [['1. 城关镇'], ['2. 红星乡'], ['2. 东风镇']] })).toBe('1． 城关镇\n\n2． 红星乡\n\n2． 东风镇');
  });

  it.each<[string, string]>([
    ['# 标题', '＃ 标题'],
    ['###### 小标题', '＃##### 小标题'],
    ['- 第一项', '－ 第一项'],
    ['---', '－--'],
    ['***', '＊＊＊'],
    ['+ 第一项', '＋ 第一项'],
    ['===', '＝=='],
    ['> 引用', '＞ 引用'],
    ['1) 第一', '1） 第一'],
    ['    缩进成代码块', '缩进成代码块'],
    ['```代码```', '｀｀｀代码｀｀｀'],
    ['*斜体* _斜体_', '＊斜体＊ ＿斜体＿'],
    ['[链接](http://example.com)', '［链接］(http://example.com)'],
    ['![图](x.png)', '!［图］(x.png)'],
    ['<font color=#FF0000>红</font>', '＜font color=#FF0000＞红＜/font＞'],
    ['甲 | 乙', '甲 ｜ 乙'],
    ['反斜杠\\*', '反斜杠＼＊'],
    ['&lt;b&gt;', '＆lt;b＆gt;'],
    ['第一行\n# 第二行', '第一行 # 第二行'],
    ['3.5分 # 不在行首', '3.5分 # 不在行首'],
  ])('shows %j as typed', (typed, shown) => {
    expect(markdown({ lines: [[typed]] })).toBe(shown);
  });

  it('falls back to the first line with text for the notification title, as plain text without tones or escapes', () => {
    const { title } = dingtalkMarkdown({ lines: [[], ['  '], ['1. ', strong('城关镇'), '\n', muted('**85.0分**')], ['红星乡']] });
    expect(title).toBe('1. 城关镇 **85.0分**');
    expect(dingtalkMarkdown({ title: ' \n ', lines: [['红星乡']] }).title).toBe('红星乡');
    expect(dingtalkMarkdown({ lines: [] }).title).toBe('');
  });

  it(`cuts a long notification title to ${String(DINGTALK_LIMITS.title)} characters, ending in …, without splitting an emoji`, () => {
    expect(dingtalkMarkdown({ title: '城'.repeat(DINGTALK_LIMITS.title), lines: [] }).title).toBe('城'.repeat(DINGTALK_LIMITS.title));
    expect(dingtalkMarkdown({ title: '城'.repeat(DINGTALK_LIMITS.title + 1), lines: [] }).title).toBe(`${'城'.repeat(DINGTALK_LIMITS.title - 1)}…`);
    const { title } = dingtalkMarkdown({ lines: [['🔴'.repeat(DINGTALK_LIMITS.title)]] });
    // Each 🔴 is two UTF-16 units: 49 of them and the … make 99.
    expect(title).toBe(`${'🔴'.repeat(49)}…`);
    expect(title).not.toMatch(LONE_SURROGATE);
  });

  it('writes the mentions at the start of the first line after the title, once each', () => {
    const shown = markdown(tasks, { mentions: ['manager7675', '16650698', 'manager7675'] });
    expect(shown.split('\n\n').slice(0, 3)).toEqual([
      '#### 城关镇进行中的任务（2项）',
      '@manager7675 @16650698 🟢 **T3** 人居环境整治：80%，截止12月31日',
      '🔴 **T5** 秸秆禁烧：未上报，截止11月30日，已逾期3天',
    ]);
  });

  it('puts the mentions inside a quote that opens the message, and on a line of their own when there are no lines', () => {
    expect(markdown({ lines: [[muted('请及时上报')]] }, { mentions: ['lisi'] })).toBe('> @lisi 请及时上报');
    expect(markdown({ title: '提醒', lines: [] }, { mentions: ['lisi', 'zhangsan'] })).toBe('#### 提醒\n\n@lisi @zhangsan');
  });

  it('mentions nobody unless told to, not even the people in message.mentions', () => {
    expect(markdown({ lines: [['城关镇']], mentions: ['lisi'] })).toBe('城关镇');
  });

  it('keeps the mentions when every line has to be dropped', () => {
    const shown = markdown({ title: '提醒', lines: [['城'.repeat(100)]] }, { mentions: ['lisi'], maxBytes: 200 });
    expect(shown).toBe(`#### 提醒\n\n> @lisi ${text.truncated(1)}`);
  });

  it(`fits a long Chinese message in ${String(DINGTALK_LIMITS.markdown)} bytes by dropping whole lines from the end and saying how many`, () => {
    const shown = markdown({ title: '全县进行中的任务', lines: chineseLines(400) });
    expect(bytes(shown)).toBeLessThanOrEqual(DINGTALK_LIMITS.markdown);
    const [title, ...rest] = shown.split('\n\n');
    const note = rest.pop();
    expect(title).toBe('#### 全县进行中的任务');
    expect(rest).toEqual(rest.map((_, i) => chineseLine(i)));
    expect(note).toBe(`> ${text.truncated(400 - rest.length)}`);
    // Not cut shorter than it has to be: one more line would not have fitted.
    expect(bytes(shown) + bytes(`\n\n${chineseLine(rest.length)}`)).toBeGreaterThan(DINGTALK_LIMITS.markdown);
  });

  it('counts emoji as four bytes and keeps a line that fits exactly', () => {
    const lines = Array.from({ length: 10 }, (): Line => ['🔴🔴🔴🔴🔴']);
    // 5 lines of 20 bytes, 5 blank-line breaks of 2 bytes, the note.
    const fits = 5 * 20 + 5 * 2 + bytes(`> ${text.truncated(5)}`);
    expect(markdown({ lines }, { maxBytes: fits })).toBe([...Array<string>(5).fill('🔴🔴🔴🔴🔴'), `> ${text.truncated(5)}`].join('\n\n'));
    expect(markdown({ lines }, { maxBytes: fits - 1 })).toBe([...Array<string>(4).fill('🔴🔴🔴🔴🔴'), `> ${text.truncated(6)}`].join('\n\n'));
  });

  it('sends a message that fits exactly as it is', () => {
    const whole = markdown(tasks);
    expect(markdown(tasks, { maxBytes: bytes(whole) })).toBe(whole);
    expect(markdown(tasks, { maxBytes: bytes(whole) - 1 })).toMatch(new RegExp(`\\n\\n> ${text.truncated(1)}$`));
  });

  it('stays within the limit even when the title alone is too long', () => {
    const shown = markdown({ title: '很长的标题'.repeat(20), lines: [['城关镇']] }, { maxBytes: 60 });
    expect(bytes(shown)).toBeLessThanOrEqual(60);
    expect(shown).toMatch(/^#### 很长的标题很长.*…$/u);
  });
});

describe('dingtalkMsgParam', () => {
  it('is the JSON of {title, text}, the same markdown as for a webhook but without mentions', () => {
    const message: OutgoingMessage = { ...tasks, mentions: ['lisi'] };
    expect(parsed(dingtalkMsgParam(message))).toEqual(dingtalkMarkdown(message));
    expect(Object.keys(parsed(dingtalkMsgParam(message)) as object)).toEqual(['title', 'text']);
  });

  it(`stays within ${String(DINGTALK_LIMITS.msgParam)} bytes once JSON has escaped the quotes and blank lines`, () => {
    // 300 lines of 60 quotes: 18 000 bytes of markdown, nearly twice that in JSON.
    const lines = Array.from({ length: 300 }, (): Line => ['"'.repeat(60)]);
    const msgParam = dingtalkMsgParam({ title: '"引号"\n\\ 标题', lines });
    expect(bytes(msgParam)).toBeLessThanOrEqual(DINGTALK_LIMITS.msgParam);
    const { title, text: shown } = parsed(msgParam) as { title: string; text: string };
    expect(title).toBe('"引号" \\ 标题');
    const [heading, ...rest] = shown.split('\n\n');
    const note = rest.pop();
    expect(heading).toBe('#### "引号" ＼ 标题');
    expect(rest).toEqual(Array<string>(rest.length).fill('"'.repeat(60)));
    expect(note).toBe(`> ${text.truncated(300 - rest.length)}`);
    // Each line costs 124 bytes in JSON: one more would not have fitted.
    expect(bytes(msgParam) + 124).toBeGreaterThan(DINGTALK_LIMITS.msgParam);
  });

  it('leaves room for the title, even one whose every character JSON writes as \\u0001', () => {
    const msgParam = dingtalkMsgParam({ title: '\u0001'.repeat(500), lines: chineseLines(200) });
    expect(bytes(msgParam)).toBeLessThanOrEqual(DINGTALK_LIMITS.msgParam);
    expect((parsed(msgParam) as { title: string }).title).toBe(`${'\u0001'.repeat(DINGTALK_LIMITS.title - 1)}…`);
  });
});

// —— properties ——

/** Characters that matter here: Chinese (3 bytes), emoji (4 and more), markup, JSON escapes, newlines, digits. */
const char = fc.constantFrom('城', '关', '镇', '，', '。', 'a', '1', '.', ')', ' ', '\u3000', '\n', '\r', '\t', '\u0001', '\u2028', '"', '\\', '*', '_', '`', '[', ']', '<', '>', '~', '|', '&', '#', '-', '+', '=', '!', '(', '@', '🔴', '⚠️', '👨‍👩‍👧‍👦', 'é');
const words = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: char, maxLength });
const tone = fc.constantFrom<Tone>('strong', 'good', 'warn', 'bad', 'muted');
const spanOf = (piece: fc.Arbitrary<string>): fc.Arbitrary<Span> => fc.oneof(piece, fc.record({ text: piece, tone }));
const messageOf = (piece: fc.Arbitrary<string>, maxLines: number): fc.Arbitrary<OutgoingMessage> =>
  fc.record({ title: piece, lines: fc.array(fc.array(spanOf(piece), { maxLength: 6 }), { maxLength: maxLines }) }, { requiredKeys: ['lines'] });
/** Mostly short pieces, now and then a long one. */
const anyMessage = messageOf(fc.oneof({ arbitrary: words(12), weight: 20 }, { arbitrary: words(1500), weight: 1 }), 120);
/** Big enough to be cut: 150 to 600 lines of up to 6 spans of up to 60 characters, heavy in quotes, backslashes and newlines. */
const jsonHeavy = fc.oneof({ arbitrary: fc.constantFrom('"', '\n', '\\'), weight: 3 }, { arbitrary: char, weight: 1 });
const hugeMessage: fc.Arbitrary<OutgoingMessage> = fc.record({
  title: fc.string({ unit: jsonHeavy, maxLength: 300, size: 'max' }),
  lines: fc.array(fc.array(spanOf(fc.string({ unit: jsonHeavy, maxLength: 60, size: 'max' })), { maxLength: 6, size: 'max' }), { minLength: 150, maxLength: 600, size: 'max' }),
});
const mentions = fc.array(fc.constantFrom('manager7675', '16650698', 'li si'), { maxLength: 3 });

/** The mentions as the renderer writes them: once each, without whitespace. */
const leadOf = (ids: readonly string[]): string => [...new Set(ids.map((id) => id.replace(/\s/gu, '')))].map((id) => `@${id}`).join(' ');

/** What is left of rendered markdown once our own markup (and the mentions) are taken out. */
const withoutOurMarkup = (shown: string, lead: string): string =>
  shown
    .replace(/\*\*/g, '')
    .split('\n\n')
    .map((line) => line.replace(/^#### /, '').replace(/^> /, ''))
    .map((line) => (lead !== '' && line.startsWith(lead) ? line.slice(lead.length).replace(/^ /, '') : line))
    .join('\n\n');

describe('dingtalk rendering, for any message', () => {
  it(`never sends a msgParam over ${String(DINGTALK_LIMITS.msgParam)} bytes, and it always parses back to {title, text}`, () => {
    let cut = 0;
    fc.assert(
      fc.property(fc.oneof(anyMessage, hugeMessage), (message) => {
        const msgParam = dingtalkMsgParam(message);
        expect(bytes(msgParam)).toBeLessThanOrEqual(DINGTALK_LIMITS.msgParam);
        const back = parsed(msgParam) as { title: unknown; text: unknown };
        expect(Object.keys(back)).toEqual(['title', 'text']);
        expect(typeof back.title).toBe('string');
        expect(typeof back.text).toBe('string');
        expect(msgParam).not.toMatch(/\\ud[89ab]/i);
        const last = typeof back.text === 'string' ? back.text.split('\n\n').at(-1) : undefined;
        if (message.lines.some((_, i) => last === `> ${text.truncated(i + 1)}`)) cut += 1;
      }),
      { numRuns: 200 },
    );
    // The huge messages did have to be cut.
    expect(cut).toBeGreaterThan(20);
  });

  it('never sends a text over maxBytes, nor a title over its length, nor half an emoji', () => {
    fc.assert(
      fc.property(anyMessage, mentions, fc.integer({ min: 0, max: 6000 }), (message, ids, maxBytes) => {
        const { title, text: shown } = dingtalkMarkdown(message, { mentions: ids, maxBytes });
        expect(bytes(shown)).toBeLessThanOrEqual(maxBytes);
        expect(title.length).toBeLessThanOrEqual(DINGTALK_LIMITS.title);
        expect(shown).not.toMatch(LONE_SURROGATE);
        expect(title).not.toMatch(LONE_SURROGATE);
      }),
    );
  });

  it('lets nothing typed become markup, and breaks lines only with blank lines', () => {
    fc.assert(
      fc.property(messageOf(words(12), 40), mentions, (message, ids) => {
        const shown = markdown(message, { mentions: ids });
        // Blank lines only: an empty line makes four newlines, never an odd number.
        for (const breaks of shown.match(/\n+/g) ?? []) expect(breaks.length % 2).toBe(0);
        const rest = withoutOurMarkup(shown, leadOf(ids));
        expect(rest).not.toMatch(/[\\*_`[\]<>~|&]/);
        for (const line of rest.split('\n\n')) {
          expect(line).not.toMatch(/^[ \t]*(?:[#+=-]|\d{1,9}[.)](?:[ \t]|$))|^ {4}|^\t|[\r\n\u2028\u2029]/);
        }
      }),
    );
  });
});
