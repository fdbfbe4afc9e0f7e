/**
 * The county written wholesale: a setup file (`duban load`), a task workbook (`duban import`), and
 * the demo's fresh start. What chat did since (a group bound, a task made, closed or reopened, an
 * AB角 set, a leave taken) a reload keeps.
 */
import type { Redis } from 'ioredis';
import type { CalendarOverrides } from '../domain/calendar.js';
import { keepCoverSetInChat } from '../domain/cover.js';
import { beijingDate } from '../domain/dates.js';
import { withStatus } from '../domain/ledger.js';
import type { County, EntryOrigin, Task, Ymd } from '../domain/model.js';
import type { ScheduleSettings } from '../domain/schedule.js';
import { CalendarOverridesSchema, CounterSchema, decode, decodeJson, decodeJsonHash, encodeJson, GroupSchema, PersonSchema, ScheduleSettingsSchema, taskEventFields, TaskSchema, TownshipSchema } from './codec.js';
import { stampCounty } from './county.js';
import { PRODUCTION_PREFIX, type Keys } from './keys.js';
import { run } from './redis-io.js';
import { defineScripts } from './scripts.js';

export interface CountySetupStore {
  /**
   * Writes townships, groups, people and tasks of a setup file, its work-calendar overrides
   * (none when absent) and its schedule settings (the defaults when absent), in one MULTI;
   * keeps progress and ledger, a task's status as chat left it unless the file newly closes it,
   * the AB角 chat set in a township the file marks no one in, and every leave (请假).
   * With `loadedBy`, such a closing is dated and appended to the task's ledger as a `closed` entry.
   */
  loadCounty(county: County, calendar?: CalendarOverrides, schedule?: ScheduleSettings, loadedBy?: EntryOrigin): Promise<void>;
  /**
   * Writes a batch of tasks in one MULTI (all or none): `update` keep their ids, `create` get the
   * next free ids `T<n>`. Returns the created tasks, in order.
   */
  importTasks(update: readonly Task[], create: readonly Omit<Task, 'id'>[]): Promise<Task[]>;
  /** The day the demo county in this key space was built; undefined outside the demo. */
  demoBuiltOn(): Promise<Ymd | undefined>;
  markDemoBuilt(day: Ymd): Promise<void>;
  /** Deletes every key under this prefix: the demo's fresh start. Refuses the production key space. */
  wipe(): Promise<void>;
}

export function createCountySetupStore(redis: Redis, keys: Keys): CountySetupStore {
  const scripts = defineScripts(redis);
  return {
    async loadCounty(county: County, calendar?: CalendarOverrides, schedule?: ScheduleSettings, loadedBy?: EntryOrigin) {
      const calendarJson = calendar === undefined ? undefined : encodeJson(CalendarOverridesSchema, calendar, 'calendar');
      const scheduleJson = schedule === undefined ? undefined : encodeJson(ScheduleSettingsSchema, schedule, 'schedule settings');
      const townships = new Map(county.townships.map((t) => [t.id, encodeJson(TownshipSchema, t, `township ${t.id}`)]));
      const groups = new Map(
        county.groups.map((g) => [keys.groupField(g.platform, g.chat), encodeJson(GroupSchema, g, `group ${g.platform}:${g.chat}`)]),
      );
      // AB角 set in chat outlives a reload of a file that marks no one in that township; a file that does mark someone there wins.
      const [storedPeople, coverSetInChat] = await Promise.all([
        redis.hgetall(keys.people()).then((reply) => [...decodeJsonHash(PersonSchema, reply, keys.people()).values()]),
        redis.smembers(keys.coverSetInChat()).then((members) => new Set(members)),
      ]);
      const covered = keepCoverSetInChat(county.people, storedPeople, coverSetInChat);
      const people = new Map(
        covered.people.map((p) => [keys.personField(p.platform, p.user), encodeJson(PersonSchema, p, `person ${p.platform}:${p.user}`)]),
      );
      // Open or closed, as an admin expects of a reload: it does what the file newly says, and
      // undoes nothing done in chat (销号, 恢复) since. So:
      // - the file never reopens: a task closed in chat stays closed while the file says open, and
      //   so does one the file closed once `status: closed` is taken out of it; 恢复 reopens;
      // - it closes a task when it newly says `closed` (the file loaded before did not);
      // - a file that said `closed` before and still does leaves the task as chat left it, so a
      //   恢复 survives every reload of the file that had closed the task;
      // - a task the store does not have yet is as the file says.
      const ids = county.tasks.map((t) => t.id);
      const [stored, closedBefore] = await Promise.all([
        ids.length === 0 ? [] : redis.hmget(keys.tasks(), ...ids),
        redis.smembers(keys.closedInFile()).then((members) => new Set(members)),
      ]);
      const closedNow: string[] = [];
      const kept = county.tasks.map((t, i) => {
        const text = stored[i];
        const before = text == null ? undefined : decodeJson(TaskSchema, text, `${keys.tasks()} ${t.id}`);
        if (!before) return t;
        if (before.status === 'closed') return withStatus(t, 'closed', before.closedOn);
        if (t.status !== 'closed' || closedBefore.has(t.id)) return withStatus(t, 'reopened', undefined);
        // A 销号 by the file: with who loaded it, it is dated and goes into the ledger like one in chat.
        closedNow.push(t.id);
        return withStatus(t, 'closed', loadedBy === undefined ? undefined : beijingDate(new Date(loadedBy.at)));
      });
      const tasks = new Map(kept.map((t) => [t.id, encodeJson(TaskSchema, t, `task ${t.id}`)]));
      const closedInFile = county.tasks.filter((t) => t.status === 'closed').map((t) => t.id);

      const multi = redis.multi();
      multi.del(keys.county()).hset(keys.county(), 'name', county.name);
      if (calendarJson !== undefined) multi.hset(keys.county(), 'calendar', calendarJson);
      // Like the calendar: a file without the section leaves no field, which reads as the defaults.
      if (scheduleJson !== undefined) multi.hset(keys.county(), 'schedule', scheduleJson);
      // Groups and tasks are upserted, not replaced: an admin binds groups (绑定) and creates
      // tasks (新建任务) in chat, and reloading the file must not undo that.
      multi.del(keys.townships(), keys.people());
      // HSET with no field is a syntax error that would abort the whole MULTI.
      if (townships.size > 0) multi.hset(keys.townships(), townships);
      if (groups.size > 0) multi.hset(keys.groups(), groups);
      if (people.size > 0) multi.hset(keys.people(), people);
      if (tasks.size > 0) multi.hset(keys.tasks(), tasks);
      multi.del(keys.closedInFile());
      if (closedInFile.length > 0) multi.sadd(keys.closedInFile(), ...closedInFile);
      multi.del(keys.coverSetInChat());
      if (covered.setInChat.length > 0) multi.sadd(keys.coverSetInChat(), ...covered.setInChat);
      stampCounty(multi, keys);
      await run(multi);

      // Outside the MULTI: if Redis has lost the script (SCRIPT FLUSH, failover), ioredis resends
      // it after the NOSCRIPT error, and inside a MULTI that resend would land outside the
      // transaction. The counter is only where createTask starts looking (it claims ids with
      // HSETNX), so a crash before this line costs a few extra INCRs, never an overwritten task.
      const highest = highestTaskNumber(county.tasks);
      if (highest > 0) decode(CounterSchema, await scripts.raiseSeq(keys.taskSeq(), highest), keys.taskSeq());
      // Also outside: a township without a slot gets one at its first report (slotOf) anyway.
      if (county.townships.length > 0) await scripts.assignSlots(keys.townshipSlots(), county.townships.map((t) => t.id));
      // Other slots again; a crash before these leaves closings without entries, as in recordTaskEvent.
      if (loadedBy !== undefined) {
        for (const id of closedNow) await redis.xadd(keys.ledger(id), '*', ...taskEventFields('closed', loadedBy));
      }
    },

    async importTasks(update, create) {
      // Ids taken: the stored tasks', and the batch's own (a 编号 the sheet gives a new task).
      const known = new Set([...(await redis.hkeys(keys.tasks())), ...update.map((t) => t.id)]);
      const created: Task[] = [];
      // INCRBY reserves a block of numbers no other caller gets; ids the setup file already uses are
      // skipped, and there are finitely many of them, so this ends.
      while (created.length < create.length) {
        const wanted = create.length - created.length;
        const last = await redis.incrby(keys.taskSeq(), wanted);
        for (let n = last - wanted + 1; n <= last; n += 1) {
          const id = `T${String(n)}`;
          const next = create[created.length];
          if (!known.has(id) && next !== undefined) created.push({ ...next, id });
        }
      }
      const all = [...update, ...created];
      if (all.length === 0) return [];
      await run(stampCounty(redis.multi().hset(keys.tasks(), ...all.flatMap((t) => [t.id, encodeJson(TaskSchema, t, `task ${t.id}`)])), keys));
      return created;
    },

    async demoBuiltOn() {
      return (await redis.hget(keys.county(), 'demo')) ?? undefined;
    },

    async markDemoBuilt(day) {
      await redis.hset(keys.county(), 'demo', day);
    },

    async wipe() {
      if (keys.prefix === PRODUCTION_PREFIX) throw new Error('refusing to wipe the production key space');
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', keys.all(), 'COUNT', 1000);
        if (found.length > 0) await redis.unlink(...found);
        cursor = next;
      } while (cursor !== '0');
    },
  };
}

/** The largest n among ids `T<n>`; 0 when there is none. */
function highestTaskNumber(tasks: readonly Task[]): number {
  let highest = 0;
  for (const { id } of tasks) {
    const digits = /^T(\d+)$/.exec(id)?.[1];
    if (digits !== undefined) highest = Math.max(highest, Number(digits));
  }
  return highest;
}
