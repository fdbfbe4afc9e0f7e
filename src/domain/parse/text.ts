/** Text as typed, made plain: full-width forms, spaces, mentions, marks at either end, and the command word. */

/**
 * Full-width ASCII to half-width (but `，`, which notes use), every Unicode space to one plain space,
 * zero-width marks dropped, trimmed.
 */
export function normalizeText(s: string): string {
  return s
    .replace(/[\u200B\u2060\uFEFF]/g, '')
    .replace(/[\uFF01-\uFF0B\uFF0D-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Removes leading `@名字` mentions, each followed by a space or the end of the text. */
export function stripMention(s: string): string {
  return s.replace(/^\s*(?:[@＠][\p{L}\p{M}\p{N}_\-·・]+(?:\s+|$))+/u, '').trim();
}

/**
 * `s` without the characters of `chars` at either end. A loop, not `/[…]+$/`: V8 tries such a
 * pattern from every character of a long run that does not reach the end, so a line of 20,000
 * commas took a second; this reads each character once.
 */
export function trimChars(s: string, chars: string): string {
  return trimEndChars(trimStartChars(s, chars), chars);
}

/** Like trimChars, at the start only. */
export function trimStartChars(s: string, chars: string): string {
  let start = 0;
  while (start < s.length && chars.includes(s.charAt(start))) start += 1;
  return s.slice(start);
}

/** Like trimChars, at the end only. */
export function trimEndChars(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s.charAt(end - 1))) end -= 1;
  return s.slice(0, end);
}

/** Lower-cases ASCII only, so string indices stay put. */
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

const ASCII_WORD_END = /[A-Za-z0-9_]$/;
const ASCII_WORD_START = /^[A-Za-z0-9_]/;

/** Each word list's words as a message is matched against them, longest first. */
const candidatesOf = new WeakMap<readonly string[], readonly { word: string; key: string }[]>();

function candidates(words: readonly string[]): readonly { word: string; key: string }[] {
  let found = candidatesOf.get(words);
  if (!found) {
    // Made once per list (the router's is fixed at boot), not once per message.
    found = words
      .map((word) => ({ word, key: asciiLower(normalizeText(word)) }))
      .filter((c) => c.key !== '')
      .sort((a, b) => b.key.length - a.key.length);
    candidatesOf.set(words, found);
  }
  return found;
}

/** Finds the command word at the start of a message (longest listed word first) and the text after it. */
export function splitCommand(text: string, words: readonly string[]): { word: string; rest: string } | undefined {
  let t = stripMention(normalizeText(text));
  if (t.startsWith('/')) t = t.slice(1).trimStart();
  const lower = asciiLower(t);
  for (const { word, key } of candidates(words)) {
    if (!lower.startsWith(key)) continue;
    const after = t.slice(key.length);
    // `helpme` is a different word from `help`; `上报T3` is 上报 with its argument.
    if (ASCII_WORD_END.test(key) && ASCII_WORD_START.test(after)) continue;
    return { word, rest: after.replace(/^[\s:,，]+/, '').trim() };
  }
  return undefined;
}
