/**
 * The words every audience shares (zh-CN), each defined once: the lights, the kinds of ledger
 * entry, the platforms, a task's status, a rank's change, and how days, months and numbers are
 * written. Chat, the dashboard, the setup file's errors, Excel and the CLI compose from these, so
 * a light reads the same in a reply and in a cell; where a cell needs it shorter, `short` says so.
 */
import type { Tone } from '../core/types.js';
import { addDays, weekday } from '../domain/dates.js';
import type { ChatPlatform, EntryKind, ExtensionEntry, Light, Ymd } from '../domain/model.js';

/** A light: its icon, its name in a sentence (`label`), its name in a cell or a count (`short`: 🟡滞后3项). */
export const LIGHTS: Readonly<Record<Light, { icon: string; label: string; short: string; tone: Tone }>> = {
  done: { icon: '✅', label: '已完成', short: '完成', tone: 'good' },
  'done-late': { icon: '✅', label: '逾期完成', short: '逾期完成', tone: 'good' },
  'on-pace': { icon: '🟢', label: '正常推进', short: '正常', tone: 'good' },
  behind: { icon: '🟡', label: '进度滞后', short: '滞后', tone: 'warn' },
  overdue: { icon: '🔴', label: '已逾期', short: '逾期', tone: 'bad' },
};

/** A ledger entry's kind, as the dashboard's ledger and the exported 工作台账 name it. */
export const ENTRY_KINDS: Readonly<Record<EntryKind, string>> = {
  report: '上报',
  correction: '更正',
  reversal: '撤回',
  closed: '销号',
  reopened: '恢复',
  'extension-requested': '申请延期',
  'extension-granted': '同意延期',
  'extension-refused': '不同意延期',
  returned: '退回',
  'review-submitted': '提交审核',
  'review-approved': '审核通过',
  signed: '签收',
};

export const PLATFORM_NAMES: Readonly<Record<ChatPlatform, string>> = { wecom: '企业微信', dingtalk: '钉钉', console: '终端' };

/** A platform's name; a ledger written by a later version may name one this one does not know, shown as it is. */
export const platformName = (platform: string): string => (PLATFORM_NAMES as Readonly<Record<string, string>>)[platform] ?? platform;

export const TASK_STATUS: Readonly<Record<'open' | 'closed', string>> = { open: '进行中', closed: '已销号' };

/** A township with nothing reported on a task: `short` in a crowded cell. */
export const NOT_REPORTED = { label: '未上报', short: '未报' } as const;
/** A done-or-not task not done yet. */
export const NOT_DONE = '未完成';

/** A township's move in the ranking since the month before: `↑2`, `↓1`, `—`, or `新` when it was not ranked then. */
export function rankChangeWord(moved: number | undefined): string {
  if (moved === undefined) return '新';
  return moved > 0 ? `↑${String(moved)}` : moved < 0 ? `↓${String(-moved)}` : '—';
}

/** The unit of a ranking score out of 100. */
export const SCORE_UNIT = '分';

/** `12月31日`, with the year when it is not this year's. */
export function day(date: Ymd, today?: Ymd): string {
  const [y, m, d] = date.split('-').map(Number);
  const md = `${String(m)}月${String(d)}日`;
  return today !== undefined && today.slice(0, 4) !== date.slice(0, 4) ? `${String(y)}年${md}` : md;
}

/** What is said beside a deadline a grant moved: `已延期，原11月30日`. */
export const extendedNote = (extendedFrom: Ymd, today?: Ymd): string => `已延期，原${day(extendedFrom, today)}`;

/** A township's deadline: `12月31日`, or `12月31日（已延期，原11月30日）` where a grant moved it. */
export function deadlineDay(deadline: Ymd, today: Ymd | undefined, extendedFrom?: Ymd): string {
  return extendedFrom === undefined ? day(deadline, today) : `${day(deadline, today)}（${extendedNote(extendedFrom, today)}）`;
}

/** What a deadline's ledger entry says in a value column: `11月30日→12月31日`, `截止改为12月31日`, `维持11月30日`. */
export function extensionValue(entry: Pick<ExtensionEntry, 'kind' | 'from' | 'to'>, today?: Ymd): string {
  switch (entry.kind) {
    case 'extension-requested':
      return `${day(entry.from, today)}→${day(entry.to, today)}`;
    case 'extension-granted':
      return `截止改为${day(entry.to, today)}`;
    case 'extension-refused':
      return `维持${day(entry.from, today)}`;
  }
}

/** `2026年11月22日`: on a page or a sheet that may be printed, the year is always there. */
export const longDay = (date: Ymd): string => `${date.slice(0, 4)}年${day(date)}`;

export const weekdayName = (n: number): string => `星期${'日一二三四五六'.charAt(n)}`;

/** `今天`, `明天`, or `12月3日（星期四）`: when something will happen, as a phone reader takes it in. */
export function whenDay(date: Ymd, today: Ymd): string {
  if (date === today) return '今天';
  if (date === addDays(today, 1)) return '明天';
  return `${day(date, today)}（${weekdayName(weekday(date))}）`;
}

/** `2026年11月`. */
export const monthName = (month: string): string => `${month.slice(0, 4)}年${String(Number(month.slice(5, 7)))}月`;

/** Counts shown to people keep two decimals at most. */
export function trimNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

export const percentOf = (share: number): string => `${String(Math.round(share * 100))}%`;

/** A score kept in thousandths, out of 100 with one decimal: `87.5分`. */
export const perMille = (score: number): string => `${(score / 10).toFixed(1)}${SCORE_UNIT}`;

/** `11项：进行中8项，已完成3项`, `进行中8项`, `3项，都已完成`. */
export function tasksTally(underWay: number, done: number): string {
  if (done === 0) return `${TASK_STATUS.open}${String(underWay)}项`;
  if (underWay === 0) return `${String(done)}项，都已完成`;
  return `${String(underWay + done)}项：${TASK_STATUS.open}${String(underWay)}项，已完成${String(done)}项`;
}

/** `1.5 MB`, `300 KB` (1024-based, as Explorer shows it), rounded up: a file just over a 1 MB limit is 1.1 MB, never "1 MB". */
export const fileSize = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${trimNumber(Math.ceil((bytes / 1024 / 1024) * 10) / 10)} MB` : `${String(Math.ceil(bytes / 1024))} KB`;
