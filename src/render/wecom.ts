/**
 * An `OutgoingMessage` as WeCom content: the AI bot's reply (markdown_v2) and the group's
 * 消息推送 webhook posts (legacy markdown with colours, text with real @, image).
 *
 * Everything that comes from people (task titles, township names, notes) is escaped so it can
 * never become markup: ASCII markup characters become their full-width look-alikes, which read
 * naturally in Chinese, where a backslash would show up as a stray `\` on a renderer that does
 * not know it (the legacy webhook markdown documents no escapes at all).
 */
import { createHash } from 'node:crypto';
import type { Line, OutgoingMessage, Tone } from '../core/types.js';
import { text } from '../messages.js';
import { lineText } from './text.js';

/**
 * WeCom's size limits, in UTF-8 bytes of the content:
 * - `reply`: a passive `stream` reply's content (developer.work.weixin.qq.com/document/path/101031)
 *   and a `response_url` markdown (…/101138): 20480.
 * - `markdown`: the 消息推送 webhook's `markdown` content (…/91770): 4096.
 * - `text`: the webhook's `text` content (…/91770): 2048.
 * - `imageBytes`: the webhook's `image`, before base64 (…/91770): 2 MB.
 */
export const WECOM_LIMITS: { readonly reply: number; readonly markdown: number; readonly text: number; readonly imageBytes: number } = {
  reply: 20480,
  markdown: 4096,
  text: 2048,
  imageBytes: 2 * 1024 * 1024,
};

/** One message for the group's 消息推送 webhook. */
export type WecomPost =
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'text'; text: { content: string; mentioned_list?: string[] } }
  | { msgtype: 'image'; image: { base64: string; md5: string } };

// —— escaping ——

const FULL_WIDTH: Readonly<Record<string, string>> = {
  '\\': '＼',
  '*': '＊',
  _: '＿',
  '`': '｀',
  '[': '［',
  ']': '］',
  '<': '＜',
  '>': '＞',
  '~': '～',
  '|': '｜',
  // Entities (`&lt;`) would otherwise turn back into the characters escaped above.
  '&': '＆',
};
const MARKUP = /[\\*_`[\]<>~|&]/g;
/** Headings, list items and setext underlines (`---`, `===`) begin with these. */
const LINE_START: Readonly<Record<string, string>> = { '#': '＃', '-': '－', '+': '＋', '=': '＝' };

/** Markup characters anywhere in a text, as their full-width look-alikes. */
const escapeMarkup = (s: string): string => s.replace(MARKUP, (c) => FULL_WIDTH[c] ?? c);

/**
 * What would start a block at the beginning of a line: `#`, `-`, `+`, `=`, and `1.` / `1)`
 * (ranking lines begin with `1. `, and markdown would renumber tied ranks `1. 2. 2.` as 1, 2, 3).
 */
const escapeLineStart = (s: string): string =>
  s
    .replace(/^[#+=-]/, (c) => LINE_START[c] ?? c)
    .replace(/^(\d{1,9})([.)])(?=\s|$)/, (_, digits: string, mark: string) => `${digits}${mark === '.' ? '．' : '）'}`);

// —— lines as tone runs ——

/** A run of text in one tone (`undefined` = plain). */
interface Run {
  text: string;
  tone: Tone | undefined;
}

const NEWLINE = /\r\n|[\r\n\u2028\u2029]/g;

/**
 * A line's spans as runs: adjacent spans of one tone merged, empty ones dropped. For markdown a
 * run never holds a newline (a title `a\n# b` must not open a heading) and the line does not
 * begin with spaces (four of them make a code block).
 */
function runsOf(spans: Line, markdown: boolean): Run[] {
  const runs: Run[] = [];
  for (const span of spans) {
    let t = typeof span === 'string' ? span : span.text;
    const tone = typeof span === 'string' ? undefined : span.tone;
    if (markdown) t = t.replace(NEWLINE, ' ');
    if (markdown && runs.length === 0) t = t.replace(/^[ \t]+/, '');
    if (t === '') continue;
    const last = runs.at(-1);
    if (last !== undefined && last.tone === tone) last.text += t;
    else runs.push({ text: t, tone });
  }
  return runs;
}

const firstChar = (s: string): string | undefined => /^[\s\S]/u.exec(s)?.[0];
const lastChar = (s: string): string | undefined => /[\s\S]$/u.exec(s)?.[0];
const isSpace = (c: string): boolean => /\s/u.test(c);
const isPunct = (c: string): boolean => /[\p{P}\p{S}]/u.test(c);

/**
 * `**text**`, with the spaces around the text kept outside the stars. CommonMark does not open
 * `**` before punctuation that follows a letter (`是**「T3」**`), nor close it after punctuation
 * that precedes one (`**80%**的`), and CJK characters count as letters: where that would show
 * the stars, a space goes between them and the neighbour.
 */
function strong(body: string, before: string | undefined, after: string | undefined): string {
  const [, lead = '', inner = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/u.exec(body) ?? [];
  if (inner === '') return body;
  const blocked = (neighbour: string | undefined, edge: string | undefined): boolean =>
    neighbour !== undefined && edge !== undefined && !isSpace(neighbour) && !isPunct(neighbour) && isPunct(edge);
  const open = lead === '' && blocked(before, firstChar(inner)) ? ' **' : '**';
  const close = trail === '' && blocked(after, lastChar(inner)) ? '** ' : '**';
  return `${lead}${open}${inner}${close}${trail}`;
}

// —— dialects ——

/** A line as rendered; `quote` lines need a blank line after them in markdown_v2. */
interface Rendered {
  out: string;
  quote: boolean;
}

interface Dialect {
  /** Whether runs are made for markdown (one physical line each). */
  markdown: boolean;
  line: (runs: Run[]) => Rendered;
  title: (title: string) => Rendered;
  separator: (previous: Rendered, next: Rendered) => string;
}

const FONT: Readonly<Record<Tone, string | undefined>> = { strong: undefined, good: 'info', warn: 'warning', bad: 'warning', muted: 'comment' };

function markdownRuns(runs: readonly Run[], legacy: boolean): string {
  const coloured = (run: Run): string | undefined => (legacy && run.tone !== undefined ? FONT[run.tone] : undefined);
  const body = (run: Run, i: number): string => escapeMarkup(i === 0 ? escapeLineStart(run.text) : run.text);
  let out = '';
  runs.forEach((run, i) => {
    const next = runs[i + 1];
    if (run.tone === 'strong') {
      // What the next run's output begins with: its <font> tag, or its text.
      const after = next === undefined ? undefined : coloured(next) !== undefined ? '<' : firstChar(body(next, i + 1));
      out += strong(body(run, i), lastChar(out), after);
      return;
    }
    const color = coloured(run);
    out += color === undefined ? body(run, i) : `<font color="${color}">${body(run, i)}</font>`;
  });
  return out;
}

/**
 * The AI bot's markdown_v2 (CommonMark-like, no `<font>`, no @). Lines end in a CommonMark hard
 * break ("  \n"): it is not documented whether WeCom breaks the line at a single newline, and a
 * hard break is a line break either way. A wholly muted line is a quote; since a quote swallows
 * the next line as a lazy continuation, a blank line ends it.
 */
const V2: Dialect = {
  markdown: true,
  line: (runs) => {
    const quote = runs.length > 0 && runs.every((r) => r.tone === 'muted');
    const out = markdownRuns(quote ? runs.map((r) => ({ text: r.text, tone: undefined })) : runs, false);
    return { out: quote ? `> ${out}` : out, quote };
  },
  title: (title) => ({ out: markdownRuns([{ text: title, tone: 'strong' }], false), quote: false }),
  separator: (previous, next) => (previous.quote && !next.quote ? '\n\n' : '  \n'),
};

/** The webhook's legacy markdown: headers, bold, link, inline code, quote, `<font color>`. */
const LEGACY: Dialect = {
  markdown: true,
  line: (runs) => ({ out: markdownRuns(runs, true), quote: false }),
  title: (title) => ({ out: markdownRuns([{ text: title, tone: 'strong' }], true), quote: false }),
  separator: () => '\n',
};

/**
 * Plain text, as `renderText` writes it. Nothing is markup but WeCom's `<@userid>`, which would
 * ping people (a task titled `<@all>` would ping the whole group at every reminder): only that
 * is escaped.
 */
const noMention = (s: string): string => s.replaceAll('<@', '＜@');
const TEXT: Dialect = {
  markdown: false,
  line: (runs) => ({ out: noMention(lineText(runs.map((r) => r.text))), quote: false }),
  title: (title) => ({ out: noMention(`【${title}】`), quote: false }),
  separator: () => '\n',
};

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** A message being put together line by line, with its size kept. */
class Chunk {
  readonly items: Rendered[] = [];
  size = 0;
  readonly dialect: Dialect;

  constructor(dialect: Dialect, first?: Rendered) {
    this.dialect = dialect;
    if (first) this.add(first);
  }

  /** The size with `item` added. */
  with(item: Rendered): number {
    const last = this.items.at(-1);
    return this.size + (last ? bytes(this.dialect.separator(last, item)) : 0) + bytes(item.out);
  }

  add(item: Rendered): void {
    this.size = this.with(item);
    this.items.push(item);
  }

  content(): string {
    return this.items.map((item, i) => {
      const previous = this.items[i - 1];
      return previous ? this.dialect.separator(previous, item) + item.out : item.out;
    }).join('');
  }
}

// —— cutting ——

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The places a text may be cut: between graphemes, so an emoji with its modifiers stays whole,
 * and between code points inside an unreasonably long grapheme (a letter under a thousand
 * combining marks), so no cut ever has to fit more than a few bytes. Never inside a surrogate pair.
 */
function pieces(s: string): string[] {
  const out: string[] = [];
  for (const { segment } of GRAPHEMES.segment(s)) {
    if (segment.length <= 32) out.push(segment);
    else out.push(...Array.from(segment));
  }
  return out;
}

/** A line's runs as cuttable pieces, each tagged with its tone. */
type Pieces = readonly { piece: string; tone: Tone | undefined }[];

const piecesOf = (runs: readonly Run[]): Pieces => runs.flatMap((run) => pieces(run.text).map((piece) => ({ piece, tone: run.tone })));

/** The first `count` pieces as runs, ending in '…'. */
function cutRuns(all: Pieces, count: number): Run[] {
  const runs: Run[] = [];
  for (const { piece, tone } of all.slice(0, count)) {
    const last = runs.at(-1);
    if (last !== undefined && last.tone === tone) last.text += piece;
    else runs.push({ text: piece, tone });
  }
  const last = runs.at(-1);
  if (last) last.text += '…';
  else runs.push({ text: '…', tone: all[0]?.tone });
  return runs;
}

/** The longest cut of a line (at least one piece kept) that still fits, if any does. */
function longestCut(all: Pieces, render: (runs: Run[]) => Rendered, fits: (item: Rendered) => boolean): Rendered | undefined {
  let best: Rendered | undefined;
  let low = 1;
  let high = all.length - 1;
  while (low <= high) {
    const mid = Math.floor((low + high) / 2);
    const item = render(cutRuns(all, mid));
    if (fits(item)) {
      best = item;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return best;
}

/** A string cut to `max` bytes at a grapheme boundary, ending in '…' when cut. */
function cutString(s: string, max: number): string {
  if (bytes(s) <= max) return s;
  const room = max - bytes('…');
  if (room < 0) return '';
  let out = '';
  let size = 0;
  for (const piece of pieces(s)) {
    size += bytes(piece);
    if (size > room) break;
    out += piece;
  }
  return `${out}…`;
}

// —— the reply ——

const titleRuns = (message: OutgoingMessage, dialect: Dialect): Run[] =>
  message.title === undefined ? [] : runsOf([message.title], dialect.markdown);

const titleOf = (message: OutgoingMessage, dialect: Dialect): Rendered | undefined => {
  const runs = titleRuns(message, dialect);
  return runs.length === 0 ? undefined : dialect.title(runs.map((r) => r.text).join(''));
};

/**
 * Content of a passive `stream` reply or a `response_url` markdown, in the AI bot's markdown_v2
 * (no `<font>`, no @: `mentions` and `image` are the caller's to send another way). Never over
 * `maxBytes`: when too long, whole lines are dropped from the end and `text.truncated(n)` ends it.
 */
export function wecomReply(message: OutgoingMessage, maxBytes: number = WECOM_LIMITS.reply): string {
  const title = titleOf(message, V2);
  const lines = message.lines.map((line) => V2.line(runsOf(line, true)));
  const whole = new Chunk(V2, title);
  for (const line of lines) whole.add(line);
  if (whole.size <= maxBytes) return whole.content();

  const note = (dropped: number): Rendered => V2.line([{ text: text.truncated(dropped), tone: 'muted' }]);
  // The most lines that fit with the note after them.
  const kept = new Chunk(V2, title);
  let keep: number | undefined;
  for (const [i, line] of lines.entries()) {
    if (kept.with(note(lines.length - i)) <= maxBytes) keep = i;
    if (kept.with(line) > maxBytes) break;
    kept.add(line);
  }
  const reply = new Chunk(V2, title);
  for (const line of lines.slice(0, keep ?? 0)) reply.add(line);
  reply.add(note(lines.length - (keep ?? 0)));
  // Only a title near `maxBytes` leaves no room for the note: then the whole is cut short.
  return keep === undefined ? cutString(reply.content(), maxBytes) : reply.content();
}

// —— the webhook ——

/** The text as chunks within `limit`: split between lines, the title on the first, `text.continued` on the rest. */
function chunksOf(message: OutgoingMessage, dialect: Dialect, limit: number): string[] {
  const done: string[] = [];
  let current = new Chunk(dialect);
  const heading = titleRuns(message, dialect);
  if (heading.length > 0) {
    const title = (runs: Run[]): Rendered => dialect.title(runs.map((r) => r.text).join(''));
    const whole = title(heading);
    const alone = (item: Rendered): boolean => bytes(item.out) <= limit;
    current.add(alone(whole) ? whole : (longestCut(piecesOf(heading), title, alone) ?? title(cutRuns([], 0))));
  }
  let hasLines = false;
  const continued = dialect.line([{ text: text.continued, tone: 'muted' }]);
  const next = (): void => {
    done.push(current.content());
    current = new Chunk(dialect, continued);
    hasLines = false;
  };
  const fits = (item: Rendered): boolean => current.with(item) <= limit;

  for (const spans of message.lines) {
    const runs = runsOf(spans, dialect.markdown);
    const line = dialect.line(runs);
    if (!fits(line) && hasLines) next();
    if (fits(line)) {
      current.add(line);
      hasLines = true;
      continue;
    }
    // Longer than what is left of a chunk that holds no line yet: cut it there.
    const all = piecesOf(runs);
    let cut = longestCut(all, dialect.line, fits);
    if (cut === undefined) {
      // Not even a character fits beside a title that fills its chunk.
      next();
      cut = longestCut(all, dialect.line, fits) ?? dialect.line(cutRuns(all, 0));
    }
    current.add(cut);
    hasLines = true;
  }
  if (current.items.length > 0) done.push(current.content());
  return done;
}

/** The image as the webhook wants it; a plain Error when it is over WeCom's size. */
function imagePost(image: { base64: string }): WecomPost {
  const raw = Buffer.from(image.base64, 'base64');
  if (raw.length === 0) throw new Error('The image is empty or not base64.');
  if (raw.length > WECOM_LIMITS.imageBytes) {
    throw new Error(`The image is ${String(raw.length)} bytes; WeCom's webhook takes at most ${String(WECOM_LIMITS.imageBytes)}.`);
  }
  return { msgtype: 'image', image: { base64: raw.toString('base64'), md5: createHash('md5').update(raw).digest('hex') } };
}

/**
 * The webhook posts for a message, in order: the image first if any, then the text, as
 * `markdown` chunks (legacy markdown with `<font color>`) when nobody is to be @-ed, or as `text`
 * chunks when someone is (the first chunk carries `mentioned_list`, so people are pinged once).
 * A message with neither title nor lines posts no text.
 */
export function wecomPosts(message: OutgoingMessage): WecomPost[] {
  const posts: WecomPost[] = message.image ? [imagePost(message.image)] : [];
  const mentions = [...new Set(message.mentions ?? [])];
  if (mentions.length === 0) {
    for (const content of chunksOf(message, LEGACY, WECOM_LIMITS.markdown)) posts.push({ msgtype: 'markdown', markdown: { content } });
    return posts;
  }
  chunksOf(message, TEXT, WECOM_LIMITS.text).forEach((content, i) => {
    posts.push({ msgtype: 'text', text: i === 0 ? { content, mentioned_list: mentions } : { content } });
  });
  return posts;
}
