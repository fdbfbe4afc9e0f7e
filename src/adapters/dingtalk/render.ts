/**
 * An `OutgoingMessage` as DingTalk markdown: for a reply to a `sessionWebhook` or a post to a
 * custom robot's webhook (`dingtalkMarkdown`), and for the app robot's OpenAPI group send
 * (`dingtalkMsgParam`, msgKey `sampleMarkdown`).
 *
 * Only DingTalk's documented markdown subset is written (docs/protocols/dingtalk.md §5): `####`
 * headings, `> ` quotes and `**bold**`; no tables, no `<font>`, no code blocks. Lights are emoji,
 * so good, warn and bad are plain text. What people typed is escaped exactly as for WeCom
 * (`markdown.ts`). `image` is not rendered: it is the caller's to send another way.
 */
import type { OutgoingMessage } from '../../core/types.js';
import { text } from '../../messages/index.js';
import { bytes, cutString, fitLines, markdownLine, markdownRuns, NEWLINE, runsOf, type Layout, type Rendered } from '../../render/markdown.js';
import { lineText } from '../../render/plain.js';

/**
 * DingTalk's limits (docs/protocols/dingtalk.md):
 * - `markdown`: the text of a markdown message to a `sessionWebhook` or a custom robot webhook, in
 *   UTF-8 bytes: 20000 (§4a: DingTalk answers "message too long, exceed 20000 bytes"; reported by
 *   a third-party client, not in an official page).
 * - `msgParam`: the OpenAPI `groupMessages/send` parameter, a JSON string, in UTF-8 bytes: 15000
 *   (§4b, the robot group send page).
 * - `title`: the notification / chat-list title, in characters (UTF-16 code units, the strictest
 *   count): 100 (§4b, "title ≲100" on a historical official page).
 */
export const DINGTALK_LIMITS: { readonly markdown: number; readonly msgParam: number; readonly title: number } = {
  markdown: 20000,
  msgParam: 15000,
  title: 100,
};

/**
 * Lines are separated by a blank line: DingTalk's renderer is not documented to break the line
 * at a single newline, and clients differ (§5); a blank line is a break on every client. It also
 * ends a `> ` quote, which would otherwise swallow the next line.
 */
const SEPARATOR = '\n\n';

/** The title as a `#### ` heading, escaped as the start of a line. */
function heading(title: string | undefined): Rendered | undefined {
  const runs = runsOf([title ?? ''], true);
  if (runs.length === 0) return undefined;
  const body = markdownRuns(runs)
    // A run of `#` at the end would be taken for the heading's closing sequence and dropped.
    .replace(/([ \t])(#+)(?=[ \t]*$)/u, (_, space: string, hashes: string) => space + '＃'.repeat(hashes.length));
  return { out: `#### ${body}`, quote: false };
}

/**
 * `@id` for each id, once, in order, written as given (DingTalk matches it against `at.atUserIds`,
 * so it is not escaped); whitespace inside an id would split it, so none is kept.
 */
const mentionLead = (mentions: readonly string[]): string =>
  [...new Set(mentions.map((id) => id.replace(/\s/gu, '')).filter((id) => id !== ''))].map((id) => `@${id}`).join(' ');

/** The markdown text, with the mentions at the start of the first line after the title. */
function render(message: OutgoingMessage, mentions: readonly string[], max: number, size: (s: string) => number): string {
  const lead = mentionLead(mentions);
  const lines = message.lines.map((line, i) => markdownLine(runsOf(line, true), i === 0 ? lead : ''));
  if (lines.length === 0 && lead !== '') lines.push(markdownLine([], lead));
  const layout: Layout = { separator: () => SEPARATOR, size };
  // When every line is dropped, the note is the first line after the title: the mentions go there.
  const note = (dropped: number): Rendered =>
    markdownLine([{ text: text.truncated(dropped), tone: 'muted' }], dropped === lines.length ? lead : '');
  return fitLines(layout, heading(message.title), lines, note, max);
}

/** Plain text for the notification and chat list: the title, else the first line with any text. */
function plainTitle(message: OutgoingMessage): string {
  for (const candidate of [message.title ?? '', ...message.lines.map(lineText)]) {
    const flat = candidate.replace(NEWLINE, ' ').replace(/\s+/gu, ' ').trim();
    if (flat !== '') return cutString(flat, DINGTALK_LIMITS.title, (s) => s.length);
  }
  return '';
}

/**
 * A markdown message for a sessionWebhook or a custom robot webhook: `title` (plain text shown
 * in the notification and chat list: the message title, else the first line's text, cut to
 * `DINGTALK_LIMITS.title` characters) and `text` (markdown, ≤ `maxBytes` UTF-8 bytes, default
 * `DINGTALK_LIMITS.markdown`; when too long, whole lines are dropped from the end and
 * `text.truncated(n)` ends it). `mentions` (DingTalk userIds / staffIds; `message.mentions` is not
 * read) are written into the text as `@<id>` at the start of the first line after the title —
 * that is where DingTalk renders a mention whose id is also in `at.atUserIds` (the caller puts
 * them there).
 */
export function dingtalkMarkdown(message: OutgoingMessage, options: { mentions?: readonly string[]; maxBytes?: number } = {}): { title: string; text: string } {
  return { title: plainTitle(message), text: render(message, options.mentions ?? [], options.maxBytes ?? DINGTALK_LIMITS.markdown, bytes) };
}

/** The bytes a string takes inside JSON, without its quotes: `"`, `\` and newlines double, control characters take six. */
const jsonBytes = (s: string): number => bytes(JSON.stringify(s)) - 2;

/**
 * The OpenAPI `msgParam` for msgKey `sampleMarkdown`: `JSON.stringify({ title, text })`, never
 * over `DINGTALK_LIMITS.msgParam` bytes (the text is fitted to what is left after the title,
 * measured as escaped in JSON). OpenAPI group sends cannot @, so no mentions.
 */
export function dingtalkMsgParam(message: OutgoingMessage): string {
  const title = plainTitle(message);
  const room = DINGTALK_LIMITS.msgParam - bytes(JSON.stringify({ title, text: '' }));
  return JSON.stringify({ title, text: render(message, [], room, jsonBytes) });
}
