/**
 * The county as commands, jobs and the dashboard read it — its townships, groups, people and
 * tasks, its work calendar and schedule — and as chat changes it: 绑定 binds a group, 新建任务
 * creates a task. The setup file writes it wholesale (county-setup.ts).
 *
 * Every message reads the county, and it changes a few times a month: each process keeps what it
 * read, decoded, for as long as the county's version key names the same version. Every write of
 * these hashes (here, county-setup.ts, cover.ts, ledger.ts) stamps a new random version in the
 * same MULTI or script, so a read after any write — from any instance — sees it: each read costs
 * one GET of the version, and a changed version reloads everything in one MULTI (a consistent
 * copy). A random version, not a counter: a county wiped and loaded again must not meet a copy
 * kept under the same number. No version (a store written before it existed, or by hand) keeps
 * nothing, reading afresh every time.
 */
import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import type { CalendarOverrides } from '../domain/calendar.js';
import type { ChatPlatform, Group, Person, Task, Township } from '../domain/model.js';
import { DEFAULT_SCHEDULE, type ScheduleSettings } from '../domain/schedule.js';
import { CalendarOverridesSchema, decode, decodeJson, deepFreeze, encodeJson, GroupSchema, PersonSchema, ScheduleSettingsSchema, TaskSchema, TownshipSchema } from './codec.js';
import type { Keys } from './keys.js';
import { run, StringHash } from './redis-io.js';
import type { Stamp } from './scripts.js';

/** createTask skips ids the setup file already uses; this only stops a runaway loop. */
const MAX_ID_ATTEMPTS = 100_000;

const byChinese = new Intl.Collator('zh-CN').compare;
const byNatural = new Intl.Collator('en', { numeric: true }).compare;

/**
 * What the county store hands out is shared by every message until the county changes: frozen,
 * so code that would change a task in place fails at once instead of changing it for everyone.
 */
export interface CountyStore {
  countyName(): Promise<string | undefined>;
  /** The work-calendar overrides of the last setup file loaded; empty when it had none. */
  calendarOverrides(): Promise<CalendarOverrides>;
  /** The scheduled jobs' settings of the last setup file loaded; `DEFAULT_SCHEDULE` when it had none. */
  scheduleSettings(): Promise<ScheduleSettings>;
  townships(): Promise<readonly Township[]>;

  group(platform: ChatPlatform, chat: string): Promise<Group | undefined>;
  groups(): Promise<readonly Group[]>;
  saveGroup(group: Group): Promise<void>;
  person(platform: ChatPlatform, user: string): Promise<Person | undefined>;
  /** Everyone in the setup file. */
  people(): Promise<readonly Person[]>;

  tasks(): Promise<readonly Task[]>;
  task(id: string): Promise<Task | undefined>;
  /** Gives the task the next free id `T<n>` atomically and stores it. */
  createTask(task: Omit<Task, 'id'>): Promise<Task>;
  saveTask(task: Task): Promise<void>;
}

/** A new version of the county, for the scripts that change it to stamp. */
export const countyStamp = (keys: Keys): Stamp => ({ key: keys.countyVersion(), next: randomUUID() });

/** Stamps a new version of the county in a MULTI that changes it. */
export function stampCounty(multi: ChainableCommander, keys: Keys): ChainableCommander {
  const { key, next } = countyStamp(keys);
  return multi.set(key, next);
}

/** One hash of the county as read, each value decoded (and frozen) when first asked for. */
class KeptHash<T> {
  private readonly decoded = new Map<string, T>();
  private listed: readonly T[] | undefined;

  private readonly schema: z.ZodType<T>;
  private readonly key: string;
  private readonly raw: Readonly<Record<string, string>>;
  private readonly order: (a: T, b: T) => number;

  constructor(schema: z.ZodType<T>, key: string, raw: Readonly<Record<string, string>>, order: (a: T, b: T) => number) {
    this.schema = schema;
    this.key = key;
    this.raw = raw;
    this.order = order;
  }

  /** A value that does not decode fails the reads that need it, as before any copy was kept. */
  get(field: string): T | undefined {
    const known = this.decoded.get(field);
    if (known !== undefined) return known;
    const text = this.raw[field];
    if (text === undefined) return undefined;
    const value = deepFreeze(decodeJson(this.schema, text, `${this.key} ${field}`));
    this.decoded.set(field, value);
    return value;
  }

  all(): readonly T[] {
    this.listed ??= Object.freeze(
      Object.keys(this.raw)
        .map((field) => this.get(field))
        .filter((value): value is T => value !== undefined)
        .sort(this.order),
    );
    return this.listed;
  }
}

/** The county as one MULTI read it. */
interface Copy {
  version: string | null;
  county: Readonly<Record<string, string>>;
  townships: KeptHash<Township>;
  groups: KeptHash<Group>;
  people: KeptHash<Person>;
  tasks: KeptHash<Task>;
  calendar?: CalendarOverrides;
  schedule?: ScheduleSettings;
}

export function createCountyStore(redis: Redis, keys: Keys): CountyStore {
  let kept: Copy | undefined;

  async function read(): Promise<Copy> {
    const replies = await run(redis.multi().get(keys.countyVersion()).hgetall(keys.county()).hgetall(keys.townships()).hgetall(keys.groups()).hgetall(keys.people()).hgetall(keys.tasks()));
    const [version, county, townships, groups, people, tasks] = replies;
    const hash = (reply: unknown, key: string): Record<string, string> => decode(StringHash, reply, key);
    return {
      version: version === null ? null : decode(z.string(), version, keys.countyVersion()),
      county: hash(county, keys.county()),
      // A hash's order is not kept once Redis stores it as a table (values over 64 bytes): it may
      // change between two reads with nothing written, so every list is sorted.
      townships: new KeptHash(TownshipSchema, keys.townships(), hash(townships, keys.townships()), (a, b) => byChinese(a.name, b.name) || byNatural(a.id, b.id)),
      groups: new KeptHash(GroupSchema, keys.groups(), hash(groups, keys.groups()), (a, b) => byNatural(keys.groupField(a.platform, a.chat), keys.groupField(b.platform, b.chat))),
      people: new KeptHash(PersonSchema, keys.people(), hash(people, keys.people()), (a, b) => byNatural(keys.personField(a.platform, a.user), keys.personField(b.platform, b.user))),
      tasks: new KeptHash(TaskSchema, keys.tasks(), hash(tasks, keys.tasks()), (a, b) => byNatural(a.id, b.id)),
    };
  }

  /**
   * The readers a message starts together (the router asks for who, where, the townships, the
   * tasks and the settings at once) share one check of the version. Only those of the same
   * synchronous run: it began after anything this process has heard of, so the GET it sends
   * sees every write that finished before any of them asked.
   */
  let checking: Promise<Copy> | undefined;

  function current(): Promise<Copy> {
    if (checking) return checking;
    const check = (async () => {
      const version = await redis.get(keys.countyVersion());
      if (version !== null && kept?.version === version) return kept;
      const fresh = await read();
      if (fresh.version !== null) kept = fresh;
      return fresh;
    })();
    checking = check;
    queueMicrotask(() => {
      checking = undefined;
    });
    return check;
  }

  const stamped = (multi: ChainableCommander): ChainableCommander => stampCounty(multi, keys);

  return {
    async countyName() {
      return (await current()).county.name;
    },

    async calendarOverrides() {
      const copy = await current();
      const text = copy.county.calendar;
      if (text === undefined) return {};
      return (copy.calendar ??= deepFreeze(decodeJson(CalendarOverridesSchema, text, `${keys.county()} calendar`)));
    },

    async scheduleSettings() {
      const copy = await current();
      const text = copy.county.schedule;
      if (text === undefined) return DEFAULT_SCHEDULE;
      return (copy.schedule ??= deepFreeze(decodeJson(ScheduleSettingsSchema, text, `${keys.county()} schedule`)));
    },

    async people() {
      return (await current()).people.all();
    },

    async townships() {
      return (await current()).townships.all();
    },

    async group(platform, chat) {
      return (await current()).groups.get(keys.groupField(platform, chat));
    },

    async groups() {
      return (await current()).groups.all();
    },

    async saveGroup(group: Group) {
      const field = keys.groupField(group.platform, group.chat);
      await run(stamped(redis.multi().hset(keys.groups(), field, encodeJson(GroupSchema, group, `group ${field}`))));
    },

    async person(platform, user) {
      return (await current()).people.get(keys.personField(platform, user));
    },

    async tasks() {
      return (await current()).tasks.all();
    },

    async task(id) {
      return (await current()).tasks.get(id);
    },

    async createTask(task: Omit<Task, 'id'>) {
      for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt += 1) {
        // INCR hands each caller its own number; HSETNX refuses an id the setup file already uses.
        const n = await redis.incr(keys.taskSeq());
        const created: Task = { ...task, id: `T${n}` };
        const [set] = await run(stamped(redis.multi().hsetnx(keys.tasks(), created.id, encodeJson(TaskSchema, created, `task ${created.id}`))));
        if (set === 1) return created;
      }
      throw new Error(`no free task id after ${MAX_ID_ATTEMPTS} tries`);
    },

    async saveTask(task: Task) {
      await run(stamped(redis.multi().hset(keys.tasks(), task.id, encodeJson(TaskSchema, task, `task ${task.id}`))));
    },
  };
}
