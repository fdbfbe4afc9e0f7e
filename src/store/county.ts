/**
 * The county as commands, jobs and the dashboard read it — its townships, groups, people and
 * tasks, its work calendar and schedule — and as chat changes it: 绑定 binds a group, 新建任务
 * creates a task. The setup file writes it wholesale (county-setup.ts).
 */
import type { Redis } from 'ioredis';
import type { CalendarOverrides } from '../domain/calendar.js';
import type { ChatPlatform, Group, Person, Task, Township } from '../domain/model.js';
import { DEFAULT_SCHEDULE, type ScheduleSettings } from '../domain/schedule.js';
import { CalendarOverridesSchema, decodeJson, encodeJson, GroupSchema, PersonSchema, ScheduleSettingsSchema, TaskSchema, TownshipSchema } from './codec.js';
import type { Keys } from './keys.js';
import { hgetJson, hvalsJson } from './redis-io.js';

/** createTask skips ids the setup file already uses; this only stops a runaway loop. */
const MAX_ID_ATTEMPTS = 100_000;

const byChinese = new Intl.Collator('zh-CN').compare;
const byNatural = new Intl.Collator('en', { numeric: true }).compare;

export interface CountyStore {
  countyName(): Promise<string | undefined>;
  /** The work-calendar overrides of the last setup file loaded; empty when it had none. */
  calendarOverrides(): Promise<CalendarOverrides>;
  /** The scheduled jobs' settings of the last setup file loaded; `DEFAULT_SCHEDULE` when it had none. */
  scheduleSettings(): Promise<ScheduleSettings>;
  townships(): Promise<Township[]>;

  group(platform: ChatPlatform, chat: string): Promise<Group | undefined>;
  groups(): Promise<Group[]>;
  saveGroup(group: Group): Promise<void>;
  person(platform: ChatPlatform, user: string): Promise<Person | undefined>;
  /** Everyone in the setup file. */
  people(): Promise<Person[]>;

  tasks(): Promise<Task[]>;
  task(id: string): Promise<Task | undefined>;
  /** Gives the task the next free id `T<n>` atomically and stores it. */
  createTask(task: Omit<Task, 'id'>): Promise<Task>;
  saveTask(task: Task): Promise<void>;
}

export function createCountyStore(redis: Redis, keys: Keys): CountyStore {
  return {
    async countyName() {
      return (await redis.hget(keys.county(), 'name')) ?? undefined;
    },

    async calendarOverrides() {
      const text = await redis.hget(keys.county(), 'calendar');
      return text === null ? {} : decodeJson(CalendarOverridesSchema, text, `${keys.county()} calendar`);
    },

    async scheduleSettings() {
      const text = await redis.hget(keys.county(), 'schedule');
      return text === null ? DEFAULT_SCHEDULE : decodeJson(ScheduleSettingsSchema, text, `${keys.county()} schedule`);
    },

    async people() {
      // A hash's order is not kept once Redis stores it as a table (values over 64 bytes): it may
      // change between two reads with nothing written, so the list is sorted like the others.
      const list = await hvalsJson(redis, PersonSchema, keys.people());
      return list.sort((a, b) => byNatural(keys.personField(a.platform, a.user), keys.personField(b.platform, b.user)));
    },

    async townships() {
      const list = await hvalsJson(redis, TownshipSchema, keys.townships());
      return list.sort((a, b) => byChinese(a.name, b.name) || byNatural(a.id, b.id));
    },

    group(platform, chat) {
      return hgetJson(redis, GroupSchema, keys.groups(), keys.groupField(platform, chat));
    },

    async groups() {
      const list = await hvalsJson(redis, GroupSchema, keys.groups());
      return list.sort((a, b) => byNatural(keys.groupField(a.platform, a.chat), keys.groupField(b.platform, b.chat)));
    },

    async saveGroup(group: Group) {
      const field = keys.groupField(group.platform, group.chat);
      await redis.hset(keys.groups(), field, encodeJson(GroupSchema, group, `group ${field}`));
    },

    person(platform, user) {
      return hgetJson(redis, PersonSchema, keys.people(), keys.personField(platform, user));
    },

    async tasks() {
      const list = await hvalsJson(redis, TaskSchema, keys.tasks());
      return list.sort((a, b) => byNatural(a.id, b.id));
    },

    task(id) {
      return hgetJson(redis, TaskSchema, keys.tasks(), id);
    },

    async createTask(task: Omit<Task, 'id'>) {
      for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt += 1) {
        // INCR hands each caller its own number; HSETNX refuses an id the setup file already uses.
        const n = await redis.incr(keys.taskSeq());
        const created: Task = { ...task, id: `T${n}` };
        if ((await redis.hsetnx(keys.tasks(), created.id, encodeJson(TaskSchema, created, `task ${created.id}`))) === 1) return created;
      }
      throw new Error(`no free task id after ${MAX_ID_ATTEMPTS} tries`);
    },

    async saveTask(task: Task) {
      await redis.hset(keys.tasks(), task.id, encodeJson(TaskSchema, task, `task ${task.id}`));
    },
  };
}
