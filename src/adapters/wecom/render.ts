/**
 * An `OutgoingMessage` as WeCom content: the AI bot's reply (markdown_v2) and the group's
 * 消息推送 webhook posts (legacy markdown with colours, text with real @, image).
 *
 * Everything that comes from people (task titles, township names, notes) is escaped so it can
 * never become markup: ASCII markup characters become their full-width look-alikes, which read
 * naturally in Chinese, where a backslash would show up as a stray `\` on a renderer that does
 * not know it (the legacy webhook markdown documents no escapes at all). The escaping, bold,
 * cutting and fitting are shared with DingTalk's renderer, in `markdown.ts`.
 */
import { createHash } from 'node:crypto';
import type { OutgoingMessage, Tone } from '../../core/types.js';
import { text } from '../../messages/index.js';
import { bytes, Chunk, fitLines, markdownLine, markdownRuns, pieces, runsOf, type Layout, type Rendered, type Run } from '../../render/markdown.js';
import { lineText } from '../../render/plain.js';

/**
 * WeCom's size limits, in UTF-8 bytes of the content:
 * - `reply`: a passive `stream` reply's content (docs/protocols/wecom.md §2.1, page 101031)
 *   and a `response_url` markdown (docs/protocols/wecom.md §2.2, page 101138): 20480.
 * - `markdown`: the 消息推送 webhook's `markdown` content (docs/protocols/wecom.md §4, page 91770): 4096.
 * - `text`: the webhook's `text` content (docs/protocols/wecom.md §4, page 91770): 2048.
 * - `imageBytes`: the webhook's `image`, before base64 (docs/protocols/wecom.md §4, page 91770): 2 MB.
 * - `replyImageBytes`: a `stream` reply's `msg_item` picture (docs/protocols/wecom.md §2.1, page 101031): 10 MB.
 */
export const WECOM_LIMITS: {
  readonly reply: number;
  readonly markdown: number;
  readonly text: number;
  readonly imageBytes: number;
  readonly replyImageBytes: number;
} = {
  reply: 20480,
  markdown: 4096,
  text: 2048,
  imageBytes: 2 * 1024 * 1024,
  replyImageBytes: 10 * 1024 * 1024,
};

/** A picture as WeCom takes it, in a webhook post or a stream reply's `msg_item`: base64 and the md5 of the raw bytes. */
export interface WecomImage {
  base64: string;
  md5: string;
}

/** One message for the group's 消息推送 webhook. */
export type WecomPost =
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'text'; text: { content: string; mentioned_list?: string[] } }
  | { msgtype: 'image'; image: WecomImage };

// —— dialects ——

interface Dialect extends Layout {
  /** Whether runs are made for markdown (one physical line each). */
  markdown: boolean;
  line: (runs: Run[]) => Rendered;
  title: (title: string) => Rendered;
}

const FONT: Readonly<Record<Tone, string | undefined>> = { strong: undefined, good: 'info', warn: 'warning', bad: 'warning', muted: 'comment' };

const legacyFont = (tone: Tone | undefined, body: string): string => {
  const color = tone === undefined ? undefined : FONT[tone];
  return color === undefined ? body : `<font color="${color}">${body}</font>`;
};

/**
 * The AI bot's markdown_v2 (CommonMark-like, no `<font>`, no @). Lines end in a CommonMark hard
 * break ("  \n"): it is not documented whether WeCom breaks the line at a single newline, and a
 * hard break is a line break either way. A wholly muted line is a quote; since a quote swallows
 * the next line as a lazy continuation, a blank line ends it.
 */
const V2: Dialect = {
  markdown: true,
  line: (runs) => markdownLine(runs),
  title: (title) => ({ out: markdownRuns([{ text: title, tone: 'strong' }]), quote: false }),
  separator: (previous, next) => (previous.quote && !next.quote ? '\n\n' : '  \n'),
};

/** The webhook's legacy markdown: headers, bold, link, inline code, quote, `<font color>`. */
const LEGACY: Dialect = {
  markdown: true,
  line: (runs) => ({ out: markdownRuns(runs, legacyFont), quote: false }),
  title: (title) => ({ out: markdownRuns([{ text: title, tone: 'strong' }], legacyFont), quote: false }),
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

// —— cutting ——

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
  const lines = message.lines.map((line) => V2.line(runsOf(line, true)));
  const note = (dropped: number): Rendered => V2.line([{ text: text.truncated(dropped), tone: 'muted' }]);
  return fitLines(V2, titleOf(message, V2), lines, note, maxBytes);
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

/**
 * The long connection's pushes for a message's text (`aibot_send_msg`, docs/protocols/wecom.md §10):
 * markdown_v2 like a reply, in chunks of at most a reply's 20480 bytes, with no real @ (the
 * webhook's `text` is the only way to ping people).
 */
export function socketPosts(message: OutgoingMessage): string[] {
  return chunksOf(message, V2, WECOM_LIMITS.reply);
}

/** The last picture prepared: a fan-out posts one chart to every group, and its md5 is the same each time. */
let prepared: { base64: string; bytes: number; image: WecomImage } | undefined;

/** The picture as WeCom wants it; a plain Error when it is over `maxBytes`. */
export function wecomImage(image: { base64: string }, maxBytes: number = WECOM_LIMITS.imageBytes): WecomImage {
  // The same string object for every post of a fan-out (the outbox hands it out): compared by
  // reference first, so a megabyte is not compared, decoded and hashed again per group.
  if (prepared?.base64 === image.base64 && prepared.bytes <= maxBytes) return prepared.image;
  const raw = Buffer.from(image.base64, 'base64');
  if (raw.length === 0) throw new Error('The image is empty or not base64.');
  if (raw.length > maxBytes) throw new Error(`The image is ${String(raw.length)} bytes; WeCom takes at most ${String(maxBytes)} here.`);
  const result = { base64: raw.toString('base64'), md5: createHash('md5').update(raw).digest('hex') };
  prepared = { base64: image.base64, bytes: raw.length, image: result };
  return result;
}

/** Whether WeCom's webhook takes the picture, from its base64 length alone (no decoding: `parts` asks often). */
export function fitsWebhook({ base64 }: { base64: string }): boolean {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  const bytes = (base64.length / 4) * 3 - padding;
  return bytes > 0 && bytes <= WECOM_LIMITS.imageBytes;
}

/**
 * The webhook posts for a message, in order: the image first if any, then the text, as
 * `markdown` chunks (legacy markdown with `<font color>`) when nobody is to be @-ed, or as `text`
 * chunks when someone is (the first chunk carries `mentioned_list`, so people are pinged once).
 * A message with neither title nor lines posts no text. A picture the webhook would refuse (empty,
 * over 2 MB — a chart of some 190 townships) is left out: it must not cost the text its post.
 */
export function wecomPosts(message: OutgoingMessage): WecomPost[] {
  const posts: WecomPost[] = message.image && fitsWebhook(message.image) ? [{ msgtype: 'image', image: wecomImage(message.image) }] : [];
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
