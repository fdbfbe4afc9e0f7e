/**
 * What the markdown renderers share (WeCom's markdown_v2 and legacy markdown, DingTalk's
 * markdown): escaping what people typed, lines as tone runs, bold that survives CJK punctuation,
 * cutting between graphemes, and fitting lines under a size limit.
 *
 * Everything that comes from people (task titles, township names, notes) is escaped so it can
 * never become markup: ASCII markup characters become their full-width look-alikes, which read
 * naturally in Chinese, where a backslash would show up as a stray `\` on a renderer that does
 * not know it (neither WeCom's legacy webhook markdown nor DingTalk documents any escapes).
 */
import type { Line, Tone } from '../core/types.js';

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

/** The longest line start escapeLineStart reads: nine digits, the mark, the character after it. */
const LINE_START_LENGTH = 11;

/**
 * The runs with the start of their line escaped as one text: a list marker may be split between
 * runs (`1` then a muted `)`), which each run alone would not show. escapeLineStart changes at
 * most one character, for one of the same length: it goes back into the run that holds it.
 */
function withLineStartEscaped(runs: readonly Run[]): readonly Run[] {
  let start = '';
  for (const run of runs) {
    if (start.length >= LINE_START_LENGTH) break;
    start += run.text;
  }
  const escaped = escapeLineStart(start);
  if (escaped === start) return runs;
  let at = 0;
  while (escaped[at] === start[at]) at += 1;
  let offset = 0;
  return runs.map((run) => {
    const inRun = at - offset;
    offset += run.text.length;
    if (inRun < 0 || inRun >= run.text.length) return run;
    return { ...run, text: `${run.text.slice(0, inRun)}${escaped.charAt(at)}${run.text.slice(inRun + 1)}` };
  });
}

// —— lines as tone runs ——

/** A run of text in one tone (`undefined` = plain). */
export interface Run {
  text: string;
  tone: Tone | undefined;
}

export const NEWLINE = /\r\n|[\r\n\u2028\u2029]/g;

/**
 * A line's spans as runs: adjacent spans of one tone merged, empty ones dropped. For markdown a
 * run never holds a newline (a title `a\n# b` must not open a heading) and the line does not
 * begin with spaces (four of them make a code block).
 */
export function runsOf(spans: Line, markdown: boolean): Run[] {
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
  // trim() and \s know the same spaces; a pattern would try `\s*$` from every space of a long run.
  const inner = body.trim();
  const lead = body.slice(0, body.length - body.trimStart().length);
  const trail = body.slice(body.trimEnd().length);
  if (inner === '') return body;
  const blocked = (neighbour: string | undefined, edge: string | undefined): boolean =>
    neighbour !== undefined && edge !== undefined && !isSpace(neighbour) && !isPunct(neighbour) && isPunct(edge);
  const open = lead === '' && blocked(before, firstChar(inner)) ? ' **' : '**';
  const close = trail === '' && blocked(after, lastChar(inner)) ? '** ' : '**';
  return `${lead}${open}${inner}${close}${trail}`;
}

/**
 * A line's runs as markdown: everything escaped (the line's start as one text, across runs), strong
 * runs bold. `decorate` wraps the escaped text of a run that is not strong (WeCom's `<font>`);
 * by default the other tones are plain text.
 */
export function markdownRuns(lineRuns: readonly Run[], decorate: (tone: Tone | undefined, body: string) => string = (_, body) => body): string {
  const runs = withLineStartEscaped(lineRuns);
  const body = (run: Run): string => escapeMarkup(run.text);
  const shown = (run: Run): string => decorate(run.tone, body(run));
  let out = '';
  runs.forEach((run, i) => {
    const next = runs[i + 1];
    if (run.tone === 'strong') {
      // What the next run's output begins with: its decoration (a <font> tag), or its text.
      out += strong(body(run), lastChar(out), next === undefined ? undefined : firstChar(shown(next)));
      return;
    }
    out += shown(run);
  });
  return out;
}

/** A line as rendered; `quote` lines need a blank line after them in CommonMark. */
export interface Rendered {
  out: string;
  quote: boolean;
}

/**
 * A line in plain CommonMark (no colours): strong runs bold, the other tones plain, and a wholly
 * muted line a `> ` quote. `lead` (markdown, not escaped) goes first, a space before the runs.
 */
export function markdownLine(runs: readonly Run[], lead = ''): Rendered {
  const quote = runs.length > 0 && runs.every((r) => r.tone === 'muted');
  const body = markdownRuns(quote ? runs.map((r) => ({ text: r.text, tone: undefined })) : runs);
  const out = lead === '' ? body : body === '' ? lead : `${lead} ${body}`;
  return { out: quote ? `> ${out}` : out, quote };
}

// —— sizes ——

/** UTF-8 bytes. */
export const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** How lines are joined and measured. Sizes must add up: a whole is never bigger than its parts. */
export interface Layout {
  separator: (previous: Rendered, next: Rendered) => string;
  /** Bytes by default. */
  size?: (s: string) => number;
}

/** A message being put together line by line, with its size kept. */
export class Chunk {
  readonly items: Rendered[] = [];
  size = 0;
  readonly layout: Layout;

  constructor(layout: Layout, first?: Rendered) {
    this.layout = layout;
    if (first) this.add(first);
  }

  private measure(s: string): number {
    return (this.layout.size ?? bytes)(s);
  }

  /** The size with `item` added. */
  with(item: Rendered): number {
    const last = this.items.at(-1);
    return this.size + (last ? this.measure(this.layout.separator(last, item)) : 0) + this.measure(item.out);
  }

  add(item: Rendered): void {
    this.size = this.with(item);
    this.items.push(item);
  }

  content(): string {
    return this.items.map((item, i) => {
      const previous = this.items[i - 1];
      return previous ? this.layout.separator(previous, item) + item.out : item.out;
    }).join('');
  }
}

// —— cutting ——

/** Made on first use: only a text too long for its place is cut, and making it maps some 4 MB of ICU's break rules into the process for good. */
let graphemes: Intl.Segmenter | undefined;

/**
 * The places a text may be cut: between graphemes, so an emoji with its modifiers stays whole,
 * and between code points inside an unreasonably long grapheme (a letter under a thousand
 * combining marks), so no cut ever has to fit more than a few bytes. Never inside a surrogate pair.
 */
export function pieces(s: string): string[] {
  const out: string[] = [];
  for (const { segment } of (graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(s)) {
    if (segment.length <= 32) out.push(segment);
    else out.push(...Array.from(segment));
  }
  return out;
}

/** A string cut to `max` (bytes, or as `size` measures) at a grapheme boundary, ending in '…' when cut. */
export function cutString(s: string, max: number, size: (s: string) => number = bytes): string {
  if (size(s) <= max) return s;
  const room = max - size('…');
  if (room < 0) return '';
  let out = '';
  let used = 0;
  for (const piece of pieces(s)) {
    used += size(piece);
    if (used > room) break;
    out += piece;
  }
  return `${out}…`;
}

/**
 * `head` (a title, if any) and `lines`, joined by `layout`, never over `max`: when too long,
 * whole lines are dropped from the end and `note(dropped)` ends it. Only a head near `max`
 * leaves no room for the note: then the whole is cut short.
 */
export function fitLines(layout: Layout, head: Rendered | undefined, lines: readonly Rendered[], note: (dropped: number) => Rendered, max: number): string {
  const whole = new Chunk(layout, head);
  for (const line of lines) whole.add(line);
  if (whole.size <= max) return whole.content();

  // The most lines that fit with the note after them.
  const kept = new Chunk(layout, head);
  let keep: number | undefined;
  for (const [i, line] of lines.entries()) {
    if (kept.with(note(lines.length - i)) <= max) keep = i;
    if (kept.with(line) > max) break;
    kept.add(line);
  }
  const out = new Chunk(layout, head);
  for (const line of lines.slice(0, keep ?? 0)) out.add(line);
  out.add(note(lines.length - (keep ?? 0)));
  return keep === undefined ? cutString(out.content(), max, layout.size) : out.content();
}
