/** What reading a setup file gives, and the paths its checks speak of. */
import type { County } from '../domain/model.js';
import type { ScheduleSettings } from '../domain/schedule.js';

export interface SetupCalendar {
  /** Days off that the package data lacks. */
  rest: string[];
  /** 调休 make-up working days. */
  work: string[];
  /** Years the overrides describe completely. */
  years: number[];
}

export type SetupResult =
  | { ok: true; county: County; calendar: SetupCalendar; schedule: ScheduleSettings }
  | { ok: false; errors: string[] };

export type Path = readonly (string | number)[];
export type LineOf = (path: Path) => number | undefined;
