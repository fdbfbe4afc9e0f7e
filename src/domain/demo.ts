/**
 * The demo county (`npm run demo`), planned around the day it starts: the sample county's tasks
 * moved so that they run around today, and three months of reports that give it the look of a
 * county in mid-stride — most tasks 🟢, some ✅, a few 🟡, one or two 🔴, last month's ranking
 * different from this month's so rank changes and the bottom three show. Pure: today, the clock
 * and the calendar come in as arguments; the same inputs give the same demo.
 */
import type { ExtensionAsk } from './extensions.js';
import { addDays, daysBetween, instantMs } from './dates.js';
import { lightFor, pace } from './lights.js';
import type { Instant, Light, ReportFacts, Reporter, Task, Township, WorkCalendar, Ymd } from './model.js';
import { assignedTo, requiredAmount, unitOf } from './targets.js';

/**
 * The day the sample county's dates were written around: the demo moves every date by the days
 * between it and today, so the sample's story (a deadline this week, one a month past…) holds.
 */
export const SAMPLE_REFERENCE_DAY: Ymd = '2026-10-20';

export type DemoReport = ReportFacts;

/** A 申请延期 waiting in the demo, so that 待办, 同意 and 不同意 have something to answer. */
export type DemoRequest = ExtensionAsk;

export interface DemoPlan {
  tasks: Task[];
  /** Oldest first: each task's ledger is written in this order. */
  reports: DemoReport[];
  /** Oldest first: they are numbered 延期申请#1, #2 in this order. */
  requests: DemoRequest[];
}

/** The reasons the demo's requests give. */
const REQUEST_REASONS = ['村两委换届推迟，需待新班子到位', '汛后恢复重建，人手不足'] as const;

export interface DemoInput {
  townships: readonly Township[];
  tasks: readonly Task[];
  /** Who reports for a township in the ledger (its clerk). */
  reporterOf(township: Township): Reporter;
  /** The township whose clerk the terminal speaks as: its mix is laid out to show every light. */
  featured: string;
  now: Date;
  today: Ymd;
  calendar: WorkCalendar;
}

/** `0 ≤ x < 1` from a string, the same on every run: FNV-1a, 32 bits. */
function unit(...parts: string[]): number {
  let hash = 0x811c9dc5;
  for (const ch of parts.join('|')) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 2 ** 32;
}

export function planDemo(input: DemoInput): DemoPlan {
  const shift = daysBetween(SAMPLE_REFERENCE_DAY, input.today);
  // Open, whatever the sample says: the demo shows tasks under way.
  const tasks = input.tasks.map(({ id, title, domain, target, townships, weight, start, deadline }): Task => ({
    id, title, domain, target, townships, weight, status: 'open', start: addDays(start, shift), deadline: addDays(deadline, shift),
  }));
  const reports: DemoReport[] = [];
  const requests: DemoRequest[] = [];
  for (const township of input.townships) {
    const mine = tasks.filter((t) => assignedTo(t, township.id)).sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0));
    const fates = township.id === input.featured ? featuredFates(mine, township, input) : new Map(mine.map((t) => [t.id, randomFate(t, township, input)]));
    for (const task of mine) {
      const fate = fates.get(task.id);
      if (fate !== undefined) reports.push(...historyOf(task, township, fate, input));
    }
    // Two townships other than the clerk's ask for more time on their nearest unfinished task.
    const reason = REQUEST_REASONS[requests.length];
    const asking = township.id === input.featured || reason === undefined ? undefined : mine.find((t) => t.deadline >= input.today && fates.get(t.id) !== 'done');
    if (asking && reason !== undefined) requests.push(requestOf(asking, township, reason, requests.length, input));
  }
  reports.sort((a, b) => instantMs(a.at) - instantMs(b.at));
  requests.sort((a, b) => instantMs(a.at) - instantMs(b.at));
  return { tasks, reports, requests };
}

/** Asked `1 + index` working days before today, at a time in office hours, for two weeks more. */
function requestOf(task: Task, township: Township, reason: string, index: number, input: DemoInput): DemoRequest {
  let day = input.today;
  for (let back = 1 + index; back > 0; ) {
    day = addDays(day, -1);
    if (input.calendar.workdays(day, day).days > 0) back -= 1;
  }
  return { task: task.id, township: township.id, from: task.deadline, to: addDays(task.deadline, 14), reason, by: input.reporterOf(township), at: officeTimeOn(day, unit('request', township.id)) };
}

/** When a task stands today: finished (deadline passed), close (3 working days or fewer), or under way. */
type Phase = 'past' | 'close' | 'running';

function phaseOf(task: Task, input: DemoInput): Phase {
  const p = pace({ task, today: input.today, calendar: input.calendar });
  if (p.daysPastDeadline > 0) return 'past';
  return lightFor(p, 0.999) === 'behind' ? 'close' : 'running';
}

/**
 * The terminal clerk's township shows every light: of the tasks past their deadline the latest is
 * 🔴 and the rest ✅; of those close to it the nearest is ✅ and the rest 🟡; the others 🟢 where
 * a report can show it (one of two 党建品牌 late in the year is behind whatever is typed: those
 * are ✅) — the weightiest of them 🟡 (behind pace) when nothing else is.
 */
function featuredFates(tasks: readonly Task[], township: Township, input: DemoInput): Map<string, Light> {
  const byPhase = (phase: Phase): Task[] => tasks.filter((t) => phaseOf(t, input) === phase);
  const fates = new Map<string, Light>();
  const past = byPhase('past');
  past.forEach((t, i) => fates.set(t.id, i === past.length - 1 ? 'overdue' : 'done'));
  const close = byPhase('close');
  close.forEach((t, i) => fates.set(t.id, i === 0 ? 'done' : 'behind'));
  const running = byPhase('running');
  for (const t of running) fates.set(t.id, shownLight(t, township, 'on-pace', input) === 'on-pace' ? 'on-pace' : 'done');
  // The weightiest task under way lags, so a report on it (`上报 T2 80%`) turns it green.
  const key = [...running].sort((a, b) => b.weight - a.weight)[0];
  if (key && ![...fates.values()].includes('behind')) fates.set(key.id, 'behind');
  return fates;
}

/** The light a township shows today once its planned amount for `fate` is reported. */
function shownLight(task: Task, township: Township, fate: Light, input: DemoInput): Light {
  const amount = amountFor(task, township, completionFor(task, township, fate, input), fate);
  return lightFor(pace({ task, today: input.today, calendar: input.calendar }), amount / requiredAmount(task.target, township));
}

/** Any other township: mostly done once the deadline is past, mostly on pace before it. */
function randomFate(task: Task, township: Township, input: DemoInput): Light {
  const r = unit('fate', task.id, township.id);
  switch (phaseOf(task, input)) {
    case 'past':
      return r < 0.85 ? 'done' : 'overdue';
    case 'close':
      return r < 0.55 ? 'done' : 'behind';
    case 'running':
      return r < 0.15 ? 'done' : r < 0.8 ? 'on-pace' : 'behind';
  }
}

/** Completion (0–1) that shows `fate` today. */
function completionFor(task: Task, township: Township, fate: Light, input: DemoInput): number {
  const p = pace({ task, today: input.today, calendar: input.calendar });
  const r = unit('amount', task.id, township.id);
  switch (fate) {
    case 'done':
    case 'done-late':
      return 1;
    case 'overdue':
      return 0.4 + 0.5 * r;
    case 'behind':
      return p.workdaysLeft <= 3 && p.daysPastDeadline === 0 ? 0.6 + 0.3 * r : Math.max(0, p.expectedShare - 0.18 - 0.25 * r);
    case 'on-pace':
      return Math.min(0.95, p.expectedShare + 0.05 + 0.2 * r);
  }
}

/** The amount in the target's unit for a completion, rounded as a clerk reports it, short of done unless done. */
function amountFor(task: Task, township: Township, share: number, fate: Light): number {
  const required = requiredAmount(task.target, township);
  if (fate === 'done') return required;
  // On pace rounds up and behind rounds down, so rounding never moves a township across the line.
  const round = fate === 'on-pace' ? Math.ceil : Math.floor;
  const amount = task.target.kind === 'done' ? round(share * 100) / 100 : round(share * required);
  const short = task.target.kind === 'done' ? 0.99 : required - 1;
  return Math.max(0, Math.min(short, amount));
}

function valueOf(task: Task, amount: number, required: number): string {
  if (amount >= required) return '完成';
  switch (task.target.kind) {
    case 'percent':
      return `${String(amount)}%`;
    case 'count':
      return `${String(amount)}${unitOf(task.target)}`;
    case 'done':
      return `${String(Math.round(amount * 100))}%`;
  }
}

/**
 * Up to three reports for one (task, township), a few weeks apart, each a share of the final
 * amount that varies by township, so last month's ranking differs from this month's. The last
 * falls within the past fortnight — or, for a task whose deadline has passed, in the days before
 * it (a township that finished on time reported before the deadline; one overdue stalled then).
 * Nothing is reported before the task starts or after now.
 */
function historyOf(task: Task, township: Township, fate: Light, input: DemoInput): DemoReport[] {
  const share = completionFor(task, township, fate, input);
  const final = amountFor(task, township, share, fate);
  if (final <= 0) return [];
  const required = requiredAmount(task.target, township);
  const u = (salt: string): number => unit(salt, township.id, task.id);
  const pace1 = 0.35 + 0.3 * unit('early', township.id);
  const pace2 = 0.55 + 0.4 * u('late');
  const last = task.deadline < input.today ? officeTimeOn(addDays(task.deadline, -1 - Math.floor(10 * u('last'))), u('time')) : recently(township, task, input);
  const middle = addDays(last.slice(0, 10), -12 - Math.floor(14 * u('middle')));
  const first = addDays(middle, -15 - Math.floor(15 * u('first')));
  const steps: { at: Instant; amount: number }[] = [
    { at: officeTimeOn(first, u('time1')), amount: final * pace1 * pace2 },
    { at: officeTimeOn(middle, u('time2')), amount: final * pace2 },
    { at: last, amount: final },
  ];
  const reports: DemoReport[] = [];
  let before = 0;
  for (const step of steps) {
    const amount = task.target.kind === 'done' ? Math.floor(step.amount * 100) / 100 : Math.floor(step.amount);
    if (amount <= before || step.at.slice(0, 10) < task.start || instantMs(step.at) >= input.now.getTime()) continue;
    reports.push({ task: task.id, township: township.id, amount, value: valueOf(task, amount, required), note: '', by: input.reporterOf(township), at: step.at });
    before = amount;
  }
  return reports;
}

/** A time between 09:00 and 17:00 on `day`, Beijing time; `r` in [0, 1) picks it. */
function officeTimeOn(day: Ymd, r: number): Instant {
  const minutes = 9 * 60 + Math.floor(8 * 60 * r);
  return `${day}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00.000+08:00`;
}

/** In office hours within the last fortnight, at least an hour before now. */
function recently(township: Township, task: Task, input: DemoInput): Instant {
  const r = (salt: string): number => unit(salt, township.id, task.id);
  for (let back = Math.floor(14 * r('recent')); ; back += 1) {
    const at = officeTimeOn(addDays(input.today, -back), r('recent-time'));
    if (instantMs(at) <= input.now.getTime() - 3_600_000) return at;
  }
}
