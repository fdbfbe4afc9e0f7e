import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Line, OutgoingMessage, Span, Tone } from '../../../../src/core/types.js';
import { text } from '../../../../src/messages/index.js';
import { lineText } from '../../../../src/render/plain.js';
import { WECOM_LIMITS, wecomPosts, wecomReply, type WecomPost } from '../../../../src/adapters/wecom/render.js';
import { bytes, chineseLines, LONE_SURROGATE, muted, strong, tasks } from '../../../fixtures/messages.js';

const contentOf = (post: WecomPost): string =>
  post.msgtype === 'markdown' ? post.markdown.content : post.msgtype === 'text' ? post.text.content : '';
const markdowns = (message: OutgoingMessage): string[] =>
  wecomPosts(message).flatMap((p) => (p.msgtype === 'markdown' ? [p.markdown.content] : []));
const texts = (message: OutgoingMessage): Extract<WecomPost, { msgtype: 'text' }>['text'][] =>
  wecomPosts(message).flatMap((p) => (p.msgtype === 'text' ? [p.text] : []));

describe('wecomReply', () => {
  it('writes the title in bold, strong text in bold, lights as they are, and ends each line with a hard break', () => {
    expect(wecomReply(tasks)).toBe(
      [
        '**城关镇进行中的任务（2项）**',
        '🟢 **T3** 人居环境整治：80%，截止12月31日',
        '🔴 **T5** 秸秆禁烧：未上报，截止11月30日，已逾期3天',
        '> 注：2027年的法定节假日安排还没有收录。',
      ].join('  \n'),
    );
  });

  it('quotes a wholly muted line and ends the quote with a blank line, so the next line is not swallowed', () => {
    const reply = wecomReply({ lines: [[muted(text.rankingRule)], ['1. 城关镇 ', strong('85.0分')]] });
    expect(reply).toBe(`> ${text.rankingRule}\n\n1． 城关镇 **85.0分**`);
  });

  it('leaves a partly muted line plain', () => {
    expect(wecomReply({ lines: [['城关镇 ', muted('（估）')]] })).toBe('城关镇 （估）');
  });

  it('keeps bold working where punctuation meets a Chinese character', () => {
    expect(wecomReply({ lines: [['完成', strong('80%'), '的任务'], ['任务', strong('「T3」'), '已销号']] })).toBe(
      '完成**80%** 的任务  \n任务 **「T3」** 已销号',
    );
  });

  it('keeps spaces around bold text outside the stars', () => {
    expect(wecomReply({ lines: [['已', strong(' 记录 '), '了']] })).toBe('已 **记录** 了');
  });

  it('shows a title with **, <font> and <@id> as typed instead of as markup', () => {
    expect(wecomReply({ title: '**重点**任务 <font color="info">绿</font> <@zhangsan>', lines: [] })).toBe(
      '**＊＊重点＊＊任务 ＜font color="info"＞绿＜/font＞ ＜@zhangsan＞**',
    );
  });

  it('does not let markdown renumber tied ranks', () => {
    const reply = wecomReply({ lines: [['1. 城关镇'], ['2. 红星乡'], ['2. 东风镇']] });
    expect(reply).toBe('1． 城关镇  \n2． 红星乡  \n2． 东风镇');
  });

  it('does not let a list marker start a line when its number and its mark are in different tones', () => {
    expect(wecomReply({ lines: [['1', muted(')')], [strong('12'), '. 城关镇']] })).toBe('1）  \n**12**． 城关镇');
  });

  it.each<[string, string]>([
    ['# 标题', '＃ 标题'],
    ['- 第一项', '－ 第一项'],
    ['+ 第一项', '＋ 第一项'],
    ['===', '＝=='],
    ['> 引用', '＞ 引用'],
    ['1) 第一', '1） 第一'],
    ['    缩进成代码块', '缩进成代码块'],
    ['`代码`', '｀代码｀'],
    ['[链接](http://example.com)', '［链接］(http://example.com)'],
    ['![图](x.png)', '!［图］(x.png)'],
    ['_斜体_ ~~删除~~', '＿斜体＿ ～～删除～～'],
    ['甲 | 乙', '甲 ｜ 乙'],
    ['反斜杠\\*', '反斜杠＼＊'],
    ['&lt;b&gt;', '＆lt;b＆gt;'],
    ['第一行\n# 第二行', '第一行 # 第二行'],
    ['3.5分 # 不在行首', '3.5分 # 不在行首'],
  ])('shows %j as typed', (typed, shown) => {
    expect(wecomReply({ lines: [[typed]] })).toBe(shown);
  });

  it('fits a long Chinese reply in 20480 bytes by dropping whole lines from the end and saying how many', () => {
    const lines = chineseLines(400);
    const reply = wecomReply({ title: '全县进行中的任务', lines });
    expect(bytes(reply)).toBeLessThanOrEqual(WECOM_LIMITS.reply);
    const [title, ...rest] = reply.split('  \n');
    const note = rest.pop();
    expect(title).toBe('**全县进行中的任务**');
    expect(rest).toEqual(lines.slice(0, rest.length).map((_, i) => `${String(i + 1)}号 城关镇人居环境整治任务已完成八成，**进度正常推进**`));
    expect(note).toBe(`> ${text.truncated(400 - rest.length)}`);
    // Not cut shorter than it has to be: one more line would not have fitted.
    expect(bytes(reply) + bytes(`  \n${rest[0] ?? ''}`)).toBeGreaterThan(WECOM_LIMITS.reply);
  });

  it('counts emoji as four bytes and keeps a line that fits exactly', () => {
    const lines = Array.from({ length: 10 }, (): Line => ['🔴🔴🔴🔴🔴']);
    // 5 lines of 20 bytes, 5 breaks of 3 bytes, the note's 48 bytes.
    const fits = 5 * 20 + 5 * 3 + bytes(`> ${text.truncated(5)}`);
    expect(wecomReply({ lines }, fits)).toBe([...Array<string>(5).fill('🔴🔴🔴🔴🔴'), `> ${text.truncated(5)}`].join('  \n'));
    expect(wecomReply({ lines }, fits - 1)).toBe([...Array<string>(4).fill('🔴🔴🔴🔴🔴'), `> ${text.truncated(6)}`].join('  \n'));
  });

  it('sends a reply that fits exactly as it is', () => {
    const whole = wecomReply(tasks);
    expect(wecomReply(tasks, bytes(whole))).toBe(whole);
    expect(wecomReply(tasks, bytes(whole) - 1)).toMatch(new RegExp(`> ${text.truncated(1)}$`));
  });

  it('stays within the limit even when the title alone is too long', () => {
    const reply = wecomReply({ title: '很长的标题'.repeat(20), lines: [['城关镇']] }, 60);
    expect(bytes(reply)).toBeLessThanOrEqual(60);
    expect(reply).toMatch(/^\*\*很长的标题很长.*…$/u);
  });
});

describe('wecomPosts', () => {
  it('colours good green, warn and bad orange, muted grey, and makes strong bold', () => {
    const line: Line = [
      { text: '✅已完成', tone: 'good' },
      ' ',
      { text: '🟡进度滞后', tone: 'warn' },
      ' ',
      { text: '🔴已逾期', tone: 'bad' },
      ' ',
      muted('（估）'),
      ' ',
      strong('T3'),
    ];
    expect(wecomPosts({ title: '标题', lines: [line] })).toEqual([
      {
        msgtype: 'markdown',
        markdown: {
          content:
            '**标题**\n<font color="info">✅已完成</font> <font color="warning">🟡进度滞后</font> <font color="warning">🔴已逾期</font> <font color="comment">（估）</font> **T3**',
        },
      },
    ]);
  });

  it('escapes the webhook markdown as well, so a title cannot change colours or @ someone', () => {
    const [content] = markdowns({ title: '<font color="warning">**红**</font><@all>', lines: [['1. 城关镇']] });
    expect(content).toBe('**＜font color="warning"＞＊＊红＊＊＜/font＞＜@all＞**\n1． 城关镇');
  });

  it('sends text as typed, with the title in 【】 and no markdown escapes, when someone is to be @-ed', () => {
    expect(wecomPosts({ title: '**请上报**', lines: [['1. ', strong('T3'), ' 人居环境整治']], mentions: ['zhangsan', 'lisi', 'zhangsan'] })).toEqual([
      { msgtype: 'text', text: { content: '【**请上报**】\n1. T3 人居环境整治', mentioned_list: ['zhangsan', 'lisi'] } },
    ]);
  });

  it('does not let typed text @ anyone in a text post', () => {
    const [part] = texts({ title: '<@all> 提醒', lines: [['T3 <@zhangsan>']], mentions: ['lisi'] });
    expect(part).toEqual({ content: '【＜@all> 提醒】\nT3 ＜@zhangsan>', mentioned_list: ['lisi'] });
  });

  it('sends the picture first, with the md5 of its raw bytes', () => {
    const posts = wecomPosts({ ...tasks, image: { base64: Buffer.from('hello').toString('base64') } });
    expect(posts[0]).toEqual({ msgtype: 'image', image: { base64: 'aGVsbG8=', md5: '5d41402abc4b2a76b9719d911017c592' } });
    expect(posts.slice(1).map((p) => p.msgtype)).toEqual(['markdown']);
    expect(wecomPosts({ ...tasks, mentions: ['zhangsan'], image: { base64: 'aGVsbG8=' } }).map((p) => p.msgtype)).toEqual(['image', 'text']);
  });

  it('posts only the picture when there is no text', () => {
    expect(wecomPosts({ lines: [], image: { base64: 'aGVsbG8=' } }).map((p) => p.msgtype)).toEqual(['image']);
    expect(wecomPosts({ lines: [] })).toEqual([]);
  });

  it('takes a picture of exactly 2 MB, and leaves out a bigger or empty one while the text still goes', () => {
    const picture = (size: number): OutgoingMessage => ({ lines: [['排名']], image: { base64: Buffer.alloc(size, 1).toString('base64') } });
    expect(wecomPosts(picture(WECOM_LIMITS.imageBytes)).map((p) => p.msgtype)).toEqual(['image', 'markdown']);
    expect(wecomPosts(picture(WECOM_LIMITS.imageBytes + 1)).map((p) => p.msgtype)).toEqual(['markdown']);
    expect(wecomPosts({ lines: [['排名']], image: { base64: '' } }).map((p) => p.msgtype)).toEqual(['markdown']);
  });

  it('splits a long markdown message between lines, with the title on the first part only and （续） on the rest', () => {
    const lines = chineseLines(150);
    const parts = markdowns({ title: '全县进行中的任务', lines });
    expect(parts.length).toBeGreaterThan(2);
    const continued = `<font color="comment">${text.continued}</font>`;
    parts.forEach((part, i) => {
      expect(bytes(part)).toBeLessThanOrEqual(WECOM_LIMITS.markdown);
      expect(part.split('\n')[0]).toBe(i === 0 ? '**全县进行中的任务**' : continued);
      expect(part.includes('全县进行中的任务')).toBe(i === 0);
    });
    const shown = parts.flatMap((part) => part.split('\n').slice(1));
    expect(shown).toEqual(lines.map((_, i) => `${String(i + 1)}号 城关镇人居环境整治任务已完成八成，**进度正常推进**`));
    // Each part is as full as it can be: the next line would not have fitted.
    parts.slice(0, -1).forEach((part, i) => {
      expect(bytes(part) + 1 + bytes(parts[i + 1]?.split('\n')[1] ?? '')).toBeGreaterThan(WECOM_LIMITS.markdown);
    });
  });

  it.each<[string, boolean, number]>([
    ['markdown', false, WECOM_LIMITS.markdown],
    ['text', true, WECOM_LIMITS.text],
  ])('fills a %s part to exactly its limit, and moves a line one byte too long to the next part', (_, mention, limit) => {
    // 500 Chinese characters (1500 bytes), a newline, then ASCII up to the limit.
    const message = (extra: number): OutgoingMessage => ({
      lines: [['城'.repeat(500)], ['a'.repeat(limit - 1501 + extra)]],
      ...(mention ? { mentions: ['zhangsan'] } : {}),
    });
    const exact = wecomPosts(message(0)).map(contentOf);
    expect(exact.map(bytes)).toEqual([limit]);
    const over = wecomPosts(message(1)).map(contentOf);
    expect(over).toHaveLength(2);
    expect(over[0]).toBe('城'.repeat(500));
    expect(over[1]?.endsWith(`\n${'a'.repeat(limit - 1500)}`)).toBe(true);
  });

  it('pings people once: only the first text part carries mentioned_list', () => {
    const parts = texts({ title: '请以下同志上报', lines: chineseLines(60), mentions: ['zhangsan', 'lisi'] });
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((p) => p.mentioned_list)).toEqual([['zhangsan', 'lisi'], ...Array<undefined>(parts.length - 1).fill(undefined)]);
    expect(parts.map((p) => p.content.split('\n')[0])).toEqual(['【请以下同志上报】', ...Array<string>(parts.length - 1).fill(text.continued)]);
    for (const part of parts) expect(bytes(part.content)).toBeLessThanOrEqual(WECOM_LIMITS.text);
  });

  it('cuts a text line longer than a part between emoji and ends it with …', () => {
    const [part, ...rest] = texts({ title: '排名', lines: [['🔴'.repeat(1000)]], mentions: ['zhangsan'] });
    // 【排名】 and a newline: 13 bytes; 508 emoji: 2032 bytes; …: 3 bytes.
    expect(part?.content).toBe(`【排名】\n${'🔴'.repeat(508)}…`);
    expect(bytes(part?.content ?? '')).toBe(WECOM_LIMITS.text);
    expect(rest).toEqual([]);
  });

  it('never cuts an emoji made of several characters in half', () => {
    const family = '👨‍👩‍👧‍👦';
    const [content] = markdowns({ lines: [[family.repeat(300)]] });
    expect(content).toBe(`${family.repeat(Math.floor((WECOM_LIMITS.markdown - 3) / bytes(family)))}…`);
  });

  it('moves the line after a cut one to the next part', () => {
    const parts = markdowns({ lines: [['城'.repeat(2000)], ['关镇']] });
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^城+…$/u);
    expect(parts[1]).toBe(`<font color="comment">${text.continued}</font>\n关镇`);
  });
});

// —— properties ——

/** Characters that matter here: Chinese (3 bytes), emoji (4 and more), markup, newlines, digits. */
const char = fc.constantFrom('城', '关', '镇', '，', '。', '（', 'a', '1', '.', ')', ' ', '\u3000', '\n', '*', '_', '`', '[', ']', '<', '>', '~', '|', '&', '#', '-', '+', '=', '\\', '"', '🔴', '⚠️', '👨‍👩‍👧‍👦', 'é');
const words = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: char, maxLength });
const tone = fc.constantFrom<Tone>('strong', 'good', 'warn', 'bad', 'muted');
const spanOf = (piece: fc.Arbitrary<string>): fc.Arbitrary<Span> => fc.oneof(piece, fc.record({ text: piece, tone }));
const messageOf = (piece: fc.Arbitrary<string>, maxLines: number): fc.Arbitrary<OutgoingMessage> =>
  fc.record(
    {
      title: piece,
      lines: fc.array(fc.array(spanOf(piece), { maxLength: 6 }), { maxLength: maxLines }),
      mentions: fc.array(fc.constantFrom('zhangsan', 'lisi', '@all'), { maxLength: 3 }),
    },
    { requiredKeys: ['lines'] },
  );
/** Mostly short pieces, now and then one longer than any part. */
const anyMessage = messageOf(fc.oneof({ arbitrary: words(12), weight: 20 }, { arbitrary: words(1500), weight: 1 }), 120);

/** What is left of rendered markdown once our own markup is taken out. */
const withoutOurMarkup = (content: string): string =>
  content
    .replace(/<font color="(?:info|warning|comment)">|<\/font>|\*\*/g, '')
    .split('\n')
    .map((line) => line.replace(/^> /, '').replace(/ {2}$/, ''))
    .join('\n');

describe('wecom rendering, for any message', () => {
  it('never sends a part over its limit, nor half an emoji', () => {
    fc.assert(
      fc.property(anyMessage, (message) => {
        for (const post of wecomPosts(message)) {
          const content = contentOf(post);
          expect(bytes(content)).toBeLessThanOrEqual(post.msgtype === 'text' ? WECOM_LIMITS.text : WECOM_LIMITS.markdown);
          expect(content).not.toMatch(LONE_SURROGATE);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never sends a reply over maxBytes, nor half an emoji', () => {
    fc.assert(
      fc.property(anyMessage, fc.integer({ min: 0, max: 6000 }), (message, maxBytes) => {
        const reply = wecomReply(message, maxBytes);
        expect(bytes(reply)).toBeLessThanOrEqual(maxBytes);
        expect(reply).not.toMatch(LONE_SURROGATE);
      }),
    );
  });

  it('lets nothing typed become markup', () => {
    fc.assert(
      fc.property(messageOf(words(12), 40), (message) => {
        for (const content of [wecomReply(message), ...markdowns({ ...message, mentions: [] })]) {
          const rest = withoutOurMarkup(content);
          expect(rest).not.toMatch(/[\\*_`[\]<>~|&]/);
          for (const line of rest.split('\n')) expect(line).not.toMatch(/^[ \t]*(?:[#+=-]|\d{1,9}[.)](?:[ \t]|$))|^ {4}|^\t/);
        }
      }),
    );
  });

  it('splits text between lines without losing or changing any', () => {
    const noNewline = fc.string({ unit: char.filter((c) => c !== '\n'), maxLength: 20 });
    fc.assert(
      fc.property(messageOf(noNewline, 200), (message) => {
        const parts = texts({ ...message, mentions: ['zhangsan'] }).map((p) => p.content.split('\n'));
        const shown = parts.flatMap((lines, i) => lines.slice(i === 0 && message.title !== undefined && message.title !== '' ? 1 : i === 0 ? 0 : 1));
        expect(shown).toEqual(message.lines.map(lineText));
      }),
    );
  });
});
