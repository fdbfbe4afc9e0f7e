/**
 * The county setup file (docs/design.md §6): YAML or JSON in, a `County`, work-calendar overrides and
 * the scheduled jobs' settings out. Admins write this file by hand, so every problem is reported at once, in Chinese, naming
 * the entry, the field and the line, and nothing is thrown.
 *
 * Defaults: a township's `id` is its name; a group or person without `roles` has none; a task's
 * `domain` is 综合, `townships` all, `weight` 1, `status` open, a count target is per township and in 个,
 * and `start` is 1 January of the deadline's year — the load day would make the same file mean
 * different things on different days. Every field of `schedule:` falls back to `DEFAULT_SCHEDULE`
 * (09:00, reminders 5/3/1/0 working days ahead, office hours 08:30–18:00, no ⚠️后三位 marks in
 * township groups).
 *
 * The parts, one concern each: `bytes.ts` (size and encoding), `yaml.ts` (the YAML reader, its
 * limits and line numbers), `schema.ts` (the fields), `check.ts` (the entries against each other),
 * `sections.ts` (`calendar:` and `schedule:`), `county.ts` (the checked entries as a `County`) and
 * `problems.ts` (collecting and wording what is wrong).
 */
import { setupFile } from '../messages/index.js';
import { decodeSetup } from './bytes.js';
import { validate } from './check.js';
import type { SetupResult } from './types.js';
import { readSource } from './yaml.js';

export { MAX_SETUP_BYTES } from './bytes.js';
export { WEBHOOK_FORMS, webhookShape, type WebhookPlatform, type WebhookShape } from './webhooks.js';
export type { SetupCalendar, SetupResult } from './types.js';

const M = setupFile;
const SIG = setupFile.bytes;

/**
 * A setup file as its bytes: refused when over `MAX_SETUP_BYTES` or not UTF-8 (a BOM is fine), so
 * a file saved by Notepad as ANSI (GBK) or Unicode (UTF-16) never loads its names as `���`; then
 * `parseSetup`. Never throws.
 */
export function readSetup(bytes: Uint8Array, fileName: string): SetupResult {
  const text = decodeSetup(bytes);
  return typeof text === 'string' ? parseSetup(text, fileName) : { ok: false, errors: [text.problem] };
}

/**
 * Reads a setup file named `.yaml`, `.yml` or `.json`. JSON goes through the YAML reader too
 * (JSON is YAML 1.2), so both get the same line-and-column messages. Never throws.
 */
export function parseSetup(text: string, fileName: string): SetupResult {
  try {
    const source = readSource(text.replace(/^\uFEFF/, ''), fileName);
    if (!source.ok) return source;
    return validate(source.data, source.lineOf);
  } catch (error) {
    // The reader's guard against aliases, then any bug: each reaches the admin as a sentence, not a stack trace.
    if (error instanceof ReferenceError && /alias count/i.test(error.message)) return { ok: false, errors: [SIG.aliases] };
    return { ok: false, errors: [M.unreadable(error instanceof Error ? error.message : String(error))] };
  }
}
