/**
 * The setup file's fields as zod schemas. A field's own message wins; `generic` words the rest,
 * and a missing field (input undefined) always falls through to "必须填写".
 */
import * as z from 'zod';
import { isYmd } from '../domain/dates.js';
import { closest } from '../domain/closest.js';
import { CHAT_PLATFORMS, COUNT_UNITS, TASK_DOMAINS } from '../domain/model.js';
import { TASK_ID } from '../domain/parse/index.js';
import { isClockTime, MAX_LADDER_DAYS, MAX_LADDER_RUNGS, MAX_OVERDUE_REPEAT_DAYS, MAX_EXTENSION_GRACE_DAYS } from '../domain/schedule.js';
import { cover, setupFile } from '../messages/index.js';
import type { Path } from './types.js';
import { show } from './values.js';

const M = setupFile;

export const SECTIONS = ['county', 'townships', 'groups', 'people', 'tasks', 'calendar', 'schedule'] as const;
export const LISTS = ['townships', 'groups', 'people', 'tasks'] as const;
export type List = (typeof LISTS)[number];
export const isList = (section: string): section is List => (LISTS as readonly string[]).includes(section);

const unlessMissing =
  (what: string) =>
  (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? undefined : what;

const generic: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return M.required;
      if (issue.input === null) return M.blank;
      if (issue.expected === 'string') return M.text;
      if (issue.expected === 'number' || issue.expected === 'int') return M.number;
      if (issue.expected === 'array') return M.list;
      if (issue.expected === 'object') return M.object;
      return M.invalid;
    case 'invalid_value':
      return M.oneOf(issue.values.map(String), show(issue.input));
    case 'too_small':
      return issue.origin === 'string' ? M.blank : M.invalid;
    case 'invalid_format':
      return issue.format === 'url' ? M.url : M.invalid;
    default:
      return M.invalid;
  }
};

export const text = () => z.string().trim().min(1);
const name = () => text().regex(/^[^{}\r\n]*$/, { error: M.nameChars });
const platform = z.enum(CHAT_PLATFORMS);
const date = () =>
  z
    .string({ error: unlessMissing(M.date) })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: M.date, abort: true })
    .refine(isYmd, { error: (issue) => M.noSuchDay(show(issue.input)) });

export const townshipSchema = z.strictObject({
  id: name().optional(),
  name: name(),
  villages: z
    .number({ error: unlessMissing(M.villages) })
    .int({ error: M.villages })
    .min(0, { error: M.villages }),
});

/** Township names and ids, each to the township's id. */
export type Townships = ReadonlyMap<string, string>;

export const townshipRef = (townships: Townships) =>
  text().refine((ref) => townships.has(ref), {
    error: (issue) => {
      const ref = show(issue.input);
      return M.noTownship(ref, closest(ref, [...townships.keys()]));
    },
  });

export const groupSchema = (townships: Townships) =>
  z.strictObject({
    platform,
    chat: text(),
    township: townshipRef(townships).optional(),
    role: z.literal('leaders').optional(),
    name: text().optional(),
    webhook: z.url({ protocol: /^https?$/, error: unlessMissing(M.url) }).optional(),
    secret: text().optional(),
  });

/** `A`, `B`, or as a clerk writes them, `A角`, `b`. */
const coverRole = z
  .string({ error: unlessMissing(cover.setupFile.value) })
  .trim()
  .transform((role) => role.toUpperCase().replace(/角$/u, ''))
  .pipe(z.enum(['A', 'B'], { error: cover.setupFile.value }));

export const personSchema = (townships: Townships) =>
  z.strictObject({
    platform,
    user: text(),
    name: text(),
    roles: z.array(z.enum(['admin', 'leader'])).optional(),
    township: townshipRef(townships).optional(),
    cover: coverRole.optional(),
  });

export const targetSchema = z.strictObject(
  {
    percent: z.number({ error: M.percent }).gt(0, { error: M.percent }).lte(100, { error: M.percent }).optional(),
    count: z.number({ error: M.count }).int({ error: M.count }).gt(0, { error: M.count }).optional(),
    per: z.enum(['village', 'township']).optional(),
    unit: z.enum(COUNT_UNITS, { error: M.unit }).optional(),
    done: z.literal(true, { error: M.done }).optional(),
  },
  { error: unlessMissing(M.target) },
);

export const taskSchema = z.strictObject({
  id: z.string({ error: unlessMissing(M.taskId) }).regex(TASK_ID, { error: M.taskId }),
  title: text(),
  domain: z.enum(TASK_DOMAINS).optional(),
  start: date().optional(),
  deadline: date(),
  target: targetSchema,
  // Checked by hand below: `all`, one name, or a list, each name looked up.
  townships: z.unknown().optional(),
  weight: z.number({ error: unlessMissing(M.weight) }).gt(0, { error: M.weight }).optional(),
  status: z.enum(['open', 'closed']).optional(),
});

export const calendarSchema = z.strictObject({
  rest: z.array(date()).optional(),
  work: z.array(date()).optional(),
  years: z
    .array(z.number({ error: M.year }).int({ error: M.year }).min(2000, { error: M.year }).max(2100, { error: M.year }))
    .optional(),
});

/** `9:00` and `09：00` (a full-width colon, as a Chinese keyboard types it) are read as 09:00. */
const clockTime = () =>
  z
    .string({ error: unlessMissing(M.clockTime) })
    .trim()
    .transform((t) => t.replace('：', ':').replace(/^(\d):/, '0$1:'))
    .refine(isClockTime, { error: M.clockTime });

const ladderDay = z
  .number({ error: M.ladderDay })
  .int({ error: M.ladderDay })
  .min(0, { error: M.ladderDay })
  .max(MAX_LADDER_DAYS, { error: M.ladderDay });

const officeHoursSchema = z.strictObject(
  { start: clockTime().optional(), end: clockTime().optional() },
  { error: unlessMissing(M.officeHours) },
);

export const scheduleSchema = z.strictObject({
  time: clockTime().optional(),
  ladder: z
    .array(ladderDay)
    .min(1, { error: M.ladderEmpty })
    .max(MAX_LADDER_RUNGS, { error: M.ladderTooMany })
    .optional(),
  office_hours: officeHoursSchema.optional(),
  bottom_marks_in_township_groups: z.boolean({ error: unlessMissing(M.flag) }).optional(),
  review: z.boolean({ error: unlessMissing(M.flag) }).optional(),
  sign_off: z.boolean({ error: unlessMissing(M.flag) }).optional(),
  overdue_repeat_days: z
    .number({ error: M.overdueRepeatDays })
    .int({ error: M.overdueRepeatDays })
    .min(0, { error: M.overdueRepeatDays })
    .max(MAX_OVERDUE_REPEAT_DAYS, { error: M.overdueRepeatDays })
    .optional(),
  extension_grace_days: z
    .number({ error: M.extensionGraceDays })
    .int({ error: M.extensionGraceDays })
    .min(0, { error: M.extensionGraceDays })
    .max(MAX_EXTENSION_GRACE_DAYS, { error: M.extensionGraceDays })
    .optional(),
});

/** Field names per object, for "是不是 deadline？" on a typo. */
const FIELDS = new Map<string, readonly string[]>([
  ['townships', Object.keys(townshipSchema.shape)],
  ['groups', Object.keys(groupSchema(new Map()).shape)],
  ['people', Object.keys(personSchema(new Map()).shape)],
  ['tasks', Object.keys(taskSchema.shape)],
  ['target', Object.keys(targetSchema.shape)],
  ['calendar', Object.keys(calendarSchema.shape)],
  ['schedule', Object.keys(scheduleSchema.shape)],
  ['office_hours', Object.keys(officeHoursSchema.shape)],
]);

/** Objects inside an entry or section, whose fields are listed under their own name. */
const NESTED: readonly string[] = ['target', 'office_hours'];

/** The field names allowed where `path` points, for "是不是 deadline？" on a typo. */
export function fieldsAt(path: Path): readonly string[] {
  const last = path.at(-1);
  return FIELDS.get(String(typeof last === 'string' && NESTED.includes(last) ? last : path[0])) ?? [];
}

export const parse = <T>(schema: z.ZodType<T>, value: unknown): z.ZodSafeParseResult<T> =>
  schema.safeParse(value, { error: generic });

export type GroupFields = z.infer<ReturnType<typeof groupSchema>>;
export type PersonFields = z.infer<ReturnType<typeof personSchema>>;
export type TaskFields = z.infer<typeof taskSchema> & { scope: 'all' | string[] };
