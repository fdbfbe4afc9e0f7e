/**
 * One cell of a task row read as its field — an id, a title, a date, townships, a target, a
 * domain, a weight — or the reason it cannot be, with the right form as a hint.
 */
import { closest } from '../domain/closest.js';
import { fromEpochDay, isYmd } from '../domain/dates.js';
import type { Target, TaskDomain, Township, Ymd } from '../domain/model.js';
import { normalizeText, parseDate, parseDomain, parseTarget, TASK_ID, trimEndChars, VILLAGE_WORDS } from '../domain/parse/index.js';
import { sheetMessages as M } from '../messages/index.js';
import type { SheetValue } from './grid.js';

export type Read<T> = { ok: true; value: T } | { ok: false; why: string };
const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (what: string, hint: string): Read<never> => ({ ok: false, why: `${what}；${hint}` });

/** What the cell shows, as one line of text; a date as `YYYY-MM-DD`. */
export function textOf(value: SheetValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value.replace(/[\u200B\u2060\uFEFF]/g, '').replace(/\s+/g, ' ').trim();
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '是' : '否';
  return value.date;
}

export const isBlank = (value: SheetValue): boolean => textOf(value) === '';

/** Tolerant of full-width forms and spaces, so a title typed twice slightly differently is one title. */
export const titleKey = (title: string): string => normalizeText(title).replace(/\s+/g, '');

export function readId(value: SheetValue): Read<string | undefined> {
  const text = normalizeText(textOf(value)).replace(/\s+/g, '').toUpperCase();
  if (TASK_ID.test(text)) return ok(text);
  // A 序号 column counts rows (1, 2, 3 or 一、二); only a `T` asks for an id.
  if (text.startsWith('T')) return bad(M.badId(textOf(value)), M.hint.id);
  return ok(undefined);
}

export function idOf(value: SheetValue): string | undefined {
  const id = readId(value);
  return id.ok ? id.value : undefined;
}

export function readTitle(value: SheetValue): Read<string> {
  const text = textOf(value);
  return text === '' ? bad(M.missing, M.hint.title) : ok(text);
}

/** Excel's day count: 1 is 1900-01-01, and 25569 is 1970-01-01 (Excel counts a 29 February 1900). */
const EXCEL_EPOCH_DAY = 25569;
/** Serial numbers of 2000-01-01 and 2100-12-31: a date cell that lost its format, not a count. */
const SERIAL_MIN = 36526;
const SERIAL_MAX = 73415;

/** `2026年12月底前完成` means the same as `2026年12月底`. */
const DATE_TAIL = /(?:前|以前|之前)?(?:完成|办结|到位|完工)$/u;

export function readDate(value: SheetValue, today: Ymd, hint: string): Read<Ymd> {
  if (typeof value === 'object' && value !== null) return isYmd(value.date) ? ok(value.date) : bad(M.noSuchDay(value.date), hint);
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= SERIAL_MIN && value <= SERIAL_MAX
      ? ok(fromEpochDay(value - EXCEL_EPOCH_DAY))
      : bad(M.unknownDate(String(value)), hint);
  }
  const text = textOf(value);
  if (text === '') return bad(M.missing, hint);
  const parsed = parseDate(normalizeText(text).replace(/\s+/g, '').replace(DATE_TAIL, ''), today);
  if (parsed.ok) return ok(parsed.value);
  return bad(parsed.problem.code === 'date-invalid' ? M.noSuchDay(text) : M.unknownDate(text), hint);
}

/**
 * A start date. A date without a year is in the import year: `3月1日` read in November is the
 * March just past, not next March as a deadline would be.
 */
export function readStart(value: SheetValue, today: Ymd): Read<Ymd | undefined> {
  if (isBlank(value)) return ok(undefined);
  return readDate(value, `${today.slice(0, 4)}-01-01`, M.hint.start);
}

const ALL_TOWNSHIPS = new Set([
  'all', '全部', '全县', '所有', '各乡镇', '所有乡镇', '全部乡镇', '全县各乡镇', '各乡镇街道', '所有乡镇街道',
  '全部乡镇街道', '全县各乡镇街道', '各乡镇和街道', '全县乡镇', '各乡镇场',
]);
const TOWNSHIP_SEPARATORS = /[、，,；;/|\s]+/u;

/** Township names and ids (normalised) → the township. */
export type TownshipIndex = ReadonlyMap<string, Township>;

export function townshipIndex(townships: readonly Township[]): TownshipIndex {
  const index = new Map<string, Township>();
  for (const t of townships) {
    index.set(normalizeText(t.name).replace(/\s+/g, ''), t);
    if (!index.has(normalizeText(t.id))) index.set(normalizeText(t.id), t);
  }
  return index;
}

export function readTownships(value: SheetValue, townships: readonly Township[], index: TownshipIndex): Read<'all' | string[]> {
  const text = normalizeText(textOf(value));
  if (text === '') return bad(M.missing, M.hint.townships);
  const whole = text.replace(/\((?:含)?街道\)|（(?:含)?街道）/gu, '').replace(/[、，,\s]+/gu, '').toLowerCase();
  if (ALL_TOWNSHIPS.has(whole)) return ok('all');
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const ref of text.split(TOWNSHIP_SEPARATORS).filter((r) => r !== '')) {
    const township = index.get(ref);
    if (township === undefined) unknown.push(ref);
    else if (!ids.includes(township.id)) ids.push(township.id);
  }
  if (unknown.length === 0) return ok(ids);
  const names = townships.map((t) => t.name);
  const what = unknown.map((ref) => M.noTownship(ref, closest(ref, names, { containing: true }))).join('；');
  return { ok: false, why: `${what}${what.endsWith('？') ? '' : '。'}${M.knownTownships(names)}` };
}

/** `已完成`, `建成`, `是`, `√`: the task is done or not, nothing to count. */
const DONE_TARGET = /^(?:已|全部|全面|按期|按时|如期|确保)?(?:完成|建成|办结|到位|落实|达标|全覆盖|是|√|✓|✔)(?:任务)?$/u;
// The lookbehind starts a number only at its first digit: tried from every digit of a long run, it took time squared.
const PERCENT_IN_TEXT = /(?<![\d.])\d+(?:\.\d+)?%|百分之[零〇一二两三四五六七八九十百点]+/gu;
/**
 * A count in a sentence: `每个村至少储备3名后备干部` → 每个村3名, `培育2个党建品牌` → 2个. The
 * words before the number may not hold a numeral, so `一村一品` is not read as a count of one.
 */
const COUNT_IN_TEXT = new RegExp(
  `^(每个?${VILLAGE_WORDS})?[^\\d零〇一二两三四五六七八九十百千万]*?(\\d+|[一二两三四五六七八九十]+)(个|名|人|位|处|家|户|座|所|间|项|次|件|条|支|套|份)`,
  'u',
);

export function readTarget(value: SheetValue): Read<Target> {
  if (typeof value === 'boolean') return value ? ok({ kind: 'done' }) : bad(M.unknownTarget('否'), M.hint.target);
  const raw = textOf(value);
  const text = trimEndChars(normalizeText(raw).replace(/\s+/g, ''), '。.;；');
  if (text === '') return bad(M.missing, M.hint.target);
  // parseTarget reads a bare number as a percent, as a chat command may; in a sheet `3` is as
  // likely three of something, and a wrong guess changes what every township owes.
  if (/^\d+(?:\.\d+)?$/.test(text)) return bad(M.bareNumber(raw), M.hint.target);
  if (DONE_TARGET.test(text)) return ok({ kind: 'done' });
  const whole = parseTarget(text);
  if (whole.ok) return ok(whole.value);
  const percents = text.match(PERCENT_IN_TEXT) ?? [];
  const [percent] = percents;
  if (percent !== undefined && percents.length === 1) {
    const read = parseTarget(percent);
    if (read.ok) return ok(read.value);
  }
  const count = COUNT_IN_TEXT.exec(text);
  if (count !== null && percents.length === 0) {
    const read = parseTarget(`${count[1] ?? ''}${count[2] ?? ''}${count[3] ?? ''}`);
    if (read.ok) return ok(read.value);
  }
  return bad(M.unknownTarget(raw), M.hint.target);
}

export function readDomain(value: SheetValue): Read<TaskDomain | undefined> {
  const text = textOf(value);
  if (text === '') return ok(undefined);
  const domain = parseDomain(text);
  return domain.ok ? ok(domain.value) : bad(M.unknownDomain(text), M.hint.domain);
}

export function readWeight(value: SheetValue): Read<number | undefined> {
  const text = normalizeText(textOf(value));
  if (text === '') return ok(undefined);
  const n = typeof value === 'number' ? value : /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? ok(n) : bad(M.badWeight(textOf(value)), M.hint.weight);
}
