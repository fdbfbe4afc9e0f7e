/**
 * Targets (目标, docs/design.md §2): who a task is for, how much each township owes, and how a reported
 * value becomes an amount in the target's unit.
 */
import type { CountUnit, ReportValue, Target, Task, Township } from './model.js';
import { parsed, problem, type Parsed } from './problems.js';

export function assignedTo(task: Task, townshipId: string): boolean {
  return task.townships === 'all' || task.townships.includes(townshipId);
}

/** What a count target counts in: 个 unless the setup file or the task's target says 名 or another. */
export const unitOf = (target: Extract<Target, { kind: 'count' }>): CountUnit => target.unit ?? '个';

/** The amount at which a township has done the task, in the target's unit. */
export function requiredAmount(target: Target, township: Township): number {
  return requiredOfEvery(target) ?? requiredPerVillage(target) * township.villages;
}

/** What a township owes per village, for a count per village; 0 for any other target. */
export function requiredPerVillage(target: Target): number {
  // Only a count per village differs by township.
  return target.kind === 'count' && target.per === 'village' ? target.count : 0;
}

/** The amount every township owes, when it is the same for all: not for a count per village. */
export function requiredOfEvery(target: Target): number | undefined {
  switch (target.kind) {
    case 'percent':
      return target.percent;
    case 'count':
      return target.per === 'village' ? undefined : target.count;
    case 'done':
      return 1;
  }
}

/**
 * What the reporter said, in the target's unit: a percent target keeps the percent itself, a count
 * target counts toward its required number, a done target runs from 0 to 1. `text` is what they
 * typed, echoed in a problem; without it the value is written out plainly.
 */
export function amountFromValue(
  value: ReportValue,
  target: Target,
  township: Township,
  text: string = valueText(value),
): Parsed<number> {
  // A bare whole number counts on a count task (`上报 T8 2`); elsewhere it is a percent.
  if (value.kind === 'percent' && value.bare === true && target.kind === 'count' && Number.isInteger(value.percent)) {
    // Past MAX_SAFE_INTEGER it is too large a count, not a percent over 100.
    return amountFromValue({ kind: 'count', count: value.percent }, target, township, text);
  }
  const invalid = checkValue(value, text);
  if (invalid) return invalid;
  switch (target.kind) {
    case 'percent':
      return percentAmount(value, target.percent, text);
    case 'count':
      return countAmount(value, requiredAmount(target, township), text, target.unit);
    case 'done':
      return doneAmount(value, text);
  }
}

function percentAmount(value: ReportValue, targetPercent: number, text: string): Parsed<number> {
  switch (value.kind) {
    case 'percent':
      return parsed(value.percent);
    case 'fraction':
      return parsed(round2((value.done / value.of) * 100));
    case 'done':
      return parsed(targetPercent);
    case 'count':
      return problem({ code: 'value-kind', expected: 'percent', text });
  }
}

/**
 * Count tasks take whole counts (`24个`, `24/36` of 36, `完成`). A percent or a fraction of
 * another total would become 28.8 reserve cadres, which nobody can check against a roster.
 */
function countAmount(value: ReportValue, required: number, text: string, unit: CountUnit | undefined): Parsed<number> {
  const inUnit = unit === undefined ? {} : { unit };
  switch (value.kind) {
    case 'count':
      return value.count > required * COUNT_TYPO_FACTOR && required > 0
        ? problem({ code: 'count-too-high', text, required, ...inUnit })
        : parsed(value.count);
    case 'fraction':
      return value.of === required ? parsed(value.done) : problem({ code: 'fraction-of', text, required, ...inUnit });
    case 'percent':
      return problem({ code: 'value-kind', expected: 'count', text, required, ...inUnit });
    case 'done':
      return parsed(required);
  }
}

/** Beyond this multiple of the target a count is refused as a likely typo; above target but below it is over-fulfilment. */
const COUNT_TYPO_FACTOR = 2;

function doneAmount(value: ReportValue, text: string): Parsed<number> {
  switch (value.kind) {
    case 'done':
      return parsed(1);
    case 'percent':
      return parsed(value.percent / 100);
    case 'fraction':
      return parsed(value.done / value.of);
    case 'count':
      return problem({ code: 'value-kind', expected: 'done', text });
  }
}

/** Share of the target reached, 0 to 1; a target of nothing is met by anything. */
export function completion(amount: number, required: number): number {
  if (required <= 0) return 1;
  return Math.min(1, Math.max(0, amount / required));
}

/**
 * The parser rejects these already; checked again because a value from a stored ledger or an
 * admin import reaches this function without it, and a NaN amount would poison every ranking.
 */
function checkValue(value: ReportValue, text: string): Parsed<never> | undefined {
  switch (value.kind) {
    case 'percent':
      return isInRange(value.percent, 100) ? undefined : problem({ code: 'value-range', text, why: value.percent < 0 ? 'negative' : 'over-100' });
    case 'count':
      return isInRange(value.count, Number.MAX_SAFE_INTEGER) ? undefined : problem({ code: 'value-range', text, why: value.count < 0 ? 'negative' : 'too-large' });
    case 'fraction':
      return value.of > 0 && isInRange(value.done, value.of)
        ? undefined
        : problem({ code: 'fraction-invalid', text });
    case 'done':
      return undefined;
  }
}

function isInRange(n: number, max: number): boolean {
  return Number.isFinite(n) && n >= 0 && n <= max;
}

function valueText(value: ReportValue): string {
  switch (value.kind) {
    case 'percent':
      return `${value.percent}%`;
    case 'count':
      return `${value.count}`;
    case 'fraction':
      return `${value.done}/${value.of}`;
    case 'done':
      return '完成';
  }
}

/** Counts shown to people keep two decimals: `12/13` of 13 is 12, not 11.999999999999998. */
function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
