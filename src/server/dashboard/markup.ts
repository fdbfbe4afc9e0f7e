/**
 * Markup that is safe by construction: every `${…}` of an `html` template is escaped unless it is
 * markup built by `html` itself, so data (names, titles, notes reporters typed) can never become
 * markup in the dashboard's pages.
 */
/** Text for HTML element content and quoted attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

/** Markup built by `html`: the only thing it inserts without escaping. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

type Slot = SafeHtml | string | number | boolean | null | undefined | readonly Slot[];

/** A template whose every `${…}` is escaped unless it is already `SafeHtml`; lists are joined. */
export function html(strings: TemplateStringsArray, ...slots: readonly Slot[]): SafeHtml {
  let out = strings[0] ?? '';
  for (const [i, slot] of slots.entries()) out += render(slot) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

function render(slot: Slot): string {
  if (slot instanceof SafeHtml) return slot.value;
  if (typeof slot === 'string') return escapeHtml(slot);
  if (typeof slot === 'number') return String(slot);
  // `cond && html\`…\``: false, null and undefined render as nothing.
  if (typeof slot === 'boolean' || slot === null || slot === undefined) return '';
  return slot.map(render).join('');
}
