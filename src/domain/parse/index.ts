/**
 * Reading what people type in a work group (docs/design.md §3 "Input tolerance"): full-width forms,
 * mentions, task references, progress values, dates, months and the arguments of 新建任务.
 * Every parser answers with a `Parsed` value and never throws on user input.
 *
 * The parts, one concern each: `text.ts` (normalising, trimming, the command word), `numbers.ts`
 * (Arabic and Chinese numerals), `values.ts` (a progress value), `task-ref.ts` (naming a task),
 * `report.ts` (the arguments of 上报), `dates.ts` (dates and months), `target.ts` (a target and a
 * domain), `new-task.ts` (the arguments of 新建任务) and `cover.ts` (请假 and 设置AB角).
 */
export { normalizeText, splitCommand, stripMention, trimChars, trimEndChars, trimStartChars } from './text.js';
export { parseValue } from './values.js';
export { parseOptionalTaskRef, parseTaskRef, TASK_ID, type TaskRef } from './task-ref.js';
export { NOTE_MAX, parseReport, type ReportArgs } from './report.js';
export { parseDate, parseMonth, type MonthRef } from './dates.js';
export { parseDomain, parseTarget, VILLAGE_WORDS } from './target.js';
export { parseNewTask, type NewTaskArgs, type TownshipScope } from './new-task.js';
export { parseDecision, parseExtension, parseReviewDecision, type DecisionArgs, type ExtensionArgs, type ReviewArgs } from './requests.js';
export { parseCover, parseLeave, type CoverArgs, type CoverArgsProblem, type ParsedCover } from './cover.js';
