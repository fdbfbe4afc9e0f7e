/**
 * AB角 in Redis: the A and B marks 设置AB角 leaves on a township's people, each township's latest
 * 请假, and the county's people ledger (人员台账), where leaves begin and end — a leave concerns no
 * one task, so it has a stream of its own beside the tasks' ledgers. A setup file loaded again
 * (county-setup.ts) keeps what chat marked where the file marks no one, and never touches a leave.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { withCover, type Leave, type PeopleEntry, type PeopleEvent } from '../domain/cover.js';
import type { CoverRole, Person, Ymd } from '../domain/model.js';
import { decodeJson, decodePeopleEntry, encodeJson, LeaveSchema, peopleEntryFields, PersonSchema, StreamEntriesSchema, decode } from './codec.js';
import type { Keys } from './keys.js';
import { hgetJson, hvalsJson, run } from './redis-io.js';
import { countyStamp } from './county.js';
import { defineScripts } from './scripts.js';

/** XADD's reply: the new entry's id. */
const EntryIdSchema = z.string().min(1);

/** 设置AB角 and 销假 retry when the records they read changed before they wrote (a reload, another admin). */
const MAX_SWAP_ATTEMPTS = 20;

export type SetCoverResult = 'set' | 'unchanged' | 'busy';

export interface CoverStore {
  /**
   * Marks each person of `township` as `roleOf` says (undefined: no mark), all at once, only while
   * their records are as read, and notes the township as set in chat. `busy`: the people kept
   * changing underneath (a setup file loading), nothing was written.
   */
  setCover(township: string, roleOf: (person: Person) => CoverRole | undefined): Promise<SetCoverResult>;
  /** Every township's latest leave, ended or not. */
  leaves(): Promise<Leave[]>;
  leaveOf(township: string): Promise<Leave | undefined>;
  /** Keeps `leave` as its township's latest and appends `event` to the people ledger, in one MULTI; the entry's id. */
  startLeave(leave: Leave, event: PeopleEvent): Promise<string>;
  /**
   * 销假: marks the township's leave ended `on`, and appends `event`; the leave as ended and the
   * entry's id. Undefined when there was no leave, or it had ended already (a second 销假 at the same moment).
   */
  endLeave(township: string, on: Ymd, event: PeopleEvent): Promise<{ leave: Leave; entry: string } | undefined>;
  /** The people ledger, oldest first. */
  peopleLedger(): Promise<PeopleEntry[]>;
}

export function createCoverStore(redis: Redis, keys: Keys): CoverStore {
  const scripts = defineScripts(redis);
  return {
    async setCover(township, roleOf) {
      for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt += 1) {
        const stored = await redis.hgetall(keys.people());
        const swaps: [string, string, string][] = [];
        for (const [field, text] of Object.entries(stored)) {
          const person = decodeJson(PersonSchema, text, `${keys.people()} ${field}`);
          if (person.township !== township) continue;
          const role = roleOf(person);
          if (role === person.cover) continue;
          swaps.push([field, text, encodeJson(PersonSchema, withCover(person, role), `person ${field}`)]);
        }
        if ((await scripts.setCover(keys.people(), keys.coverSetInChat(), countyStamp(keys), township, swaps)) === 1) return swaps.length > 0 ? 'set' : 'unchanged';
      }
      return 'busy';
    },

    leaves() {
      return hvalsJson(redis, LeaveSchema, keys.leaves());
    },

    leaveOf(township) {
      return hgetJson(redis, LeaveSchema, keys.leaves(), township);
    },

    async startLeave(leave, event) {
      const [, entry] = await run(
        redis
          .multi()
          .hset(keys.leaves(), leave.township, encodeJson(LeaveSchema, leave, `leave ${leave.township}`))
          .xadd(keys.peopleLedger(), '*', ...peopleEntryFields(event)),
      );
      return decode(EntryIdSchema, entry, keys.peopleLedger());
    },

    async endLeave(township, on, event) {
      for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt += 1) {
        const text = await redis.hget(keys.leaves(), township);
        if (text === null) return undefined;
        const leave = decodeJson(LeaveSchema, text, `${keys.leaves()} ${township}`);
        if (leave.endedOn !== undefined) return undefined;
        const ended: Leave = { ...leave, endedOn: on };
        if ((await scripts.swapField(keys.leaves(), countyStamp(keys), township, text, encodeJson(LeaveSchema, ended, `leave ${township}`))) === 1) {
          // After the compare-and-set, as a 销号's entry follows its swap (ledger.ts): a crash in
          // between leaves the leave ended without its ledger line, never a line without the end.
          const entry = await redis.xadd(keys.peopleLedger(), '*', ...peopleEntryFields(event));
          return { leave: ended, entry: decode(EntryIdSchema, entry, keys.peopleLedger()) };
        }
      }
      throw new Error(`the leave of ${township} kept changing while 销假 ended it`);
    },

    async peopleLedger() {
      const where = keys.peopleLedger();
      const entries = decode(StreamEntriesSchema, await redis.xrange(where, '-', '+'), where);
      return entries.map(([id, flat]) => decodePeopleEntry(id, flat, where));
    },
  };
}
