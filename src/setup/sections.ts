/** The `calendar:` and `schedule:` sections: optional, each read over its defaults. */
import { DEFAULT_SCHEDULE, type OfficeHours, type ScheduleSettings } from '../domain/schedule.js';
import { setupFile } from '../messages/index.js';
import type { Problems } from './problems.js';
import { calendarSchema, parse, scheduleSchema } from './schema.js';
import type { SetupCalendar } from './types.js';

const M = setupFile;

export function readCalendar(raw: unknown, problems: Problems): SetupCalendar | undefined {
  if (raw === undefined || raw === null) return { rest: [], work: [], years: [] };
  const calendar = problems.from(parse(calendarSchema, raw), ['calendar']);
  if (calendar === undefined) return undefined;
  const rest = new Set(calendar.rest);
  const work = calendar.work ?? [];
  work.forEach((day, k) => {
    if (rest.has(day)) problems.add(['calendar', 'work', k], M.restAndWork(day));
  });
  return {
    rest: [...rest].sort(),
    work: [...new Set(work)].sort(),
    years: [...new Set(calendar.years)].sort((a, b) => a - b),
  };
}

/** The section's fields over the defaults; the ladder distinct and farthest first. */
export function readSchedule(raw: unknown, problems: Problems): ScheduleSettings | undefined {
  const fields = raw === undefined || raw === null ? {} : problems.from(parse(scheduleSchema, raw), ['schedule']);
  if (fields === undefined) return undefined;
  const before = problems.list.length;

  const ladder = fields.ladder ?? DEFAULT_SCHEDULE.ladder;
  ladder.forEach((day, k) => {
    const other = ladder.indexOf(day);
    if (other < k) problems.add(['schedule', 'ladder', k], M.ladderRepeat(other));
  });

  const time = fields.time ?? DEFAULT_SCHEDULE.time;
  const officeHours: OfficeHours = {
    start: fields.office_hours?.start ?? DEFAULT_SCHEDULE.officeHours.start,
    end: fields.office_hours?.end ?? DEFAULT_SCHEDULE.officeHours.end,
  };
  const { start, end } = officeHours;
  // `HH:MM` strings compare in time order; office hours include their start, not their end.
  if (start >= end) {
    problems.add(['schedule', 'office_hours'], M.officeHoursOrder(start, end));
  } else if (time < start || time >= end) {
    problems.add(['schedule', fields.time === undefined ? 'office_hours' : 'time'], M.timeOutsideOfficeHours(time, start, end));
  }

  if (problems.list.length > before) return undefined;
  return {
    time,
    ladder: [...ladder].sort((a, b) => b - a),
    officeHours,
    bottomMarksInTownshipGroups: fields.bottom_marks_in_township_groups ?? DEFAULT_SCHEDULE.bottomMarksInTownshipGroups,
    overdueRepeatDays: fields.overdue_repeat_days ?? DEFAULT_SCHEDULE.overdueRepeatDays,
    extensionGraceDays: fields.extension_grace_days ?? DEFAULT_SCHEDULE.extensionGraceDays,
    review: fields.review ?? DEFAULT_SCHEDULE.review,
    signOff: fields.sign_off ?? DEFAULT_SCHEDULE.signOff,
  };
}
